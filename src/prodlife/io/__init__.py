"""Input and output at the edge: catalog files (JSON, TOML) and product synchronization."""
