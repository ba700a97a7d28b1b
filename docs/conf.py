"""Sphinx configuration for the prodlife documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``.
This file only sets variables, so importing it (pytest does, through
``--doctest-modules``) has no effect beyond making ``src/`` importable.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Document the source tree next to this file, whether or not prodlife is installed.
_SRC = str(Path(__file__).resolve().parents[1] / "src")
if _SRC not in sys.path:
    sys.path.insert(0, _SRC)

from prodlife._version import __version__  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "prodlife"
author = "The prodlife developers"
copyright = "The prodlife developers"
version = __version__
release = __version__

# -- General -----------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: anchors for headings down to level 3, so pages can link to sections.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# autodoc and napoleon: Google-style docstrings (Args, Returns, Raises, Attributes).
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"
autoclass_content = "class"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_include_init_with_doc = False
napoleon_use_rtype = False

# -- HTML --------------------------------------------------------------------

html_theme = "furo"
html_title = f"prodlife {release}"
