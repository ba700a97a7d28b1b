"""Input and output at the edge: catalog files (JSON, TOML) and product synchronization.

What the files hold is read and checked by :mod:`prodlife.catalog.data`; the stores are in
:mod:`prodlife.stores`, the command line in :mod:`prodlife.cli`.
"""
