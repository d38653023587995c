"""Sphinx configuration: Markdown pages (MyST) and API reference from the docstrings."""

from __future__ import annotations

project = "qiskit-rest-primitives"
author = "qiskit-rest-primitives contributors"
copyright = "2026, qiskit-rest-primitives contributors"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
html_theme = "alabaster"
