"""Sphinx configuration: Markdown pages (MyST), the API reference from the docstrings, the
Qiskit ecosystem theme, and intersphinx links to Qiskit that resolve offline."""

from __future__ import annotations

import logging

from qiskit_rest_primitives import __version__

# The theme's pygments styles (accessible-pygments) call logging.basicConfig(level=INFO) when
# imported, which would print Qiskit's INFO records into the build output.
logging.getLogger("qiskit").setLevel(logging.WARNING)

project = "qiskit-rest-primitives"
author = "qiskit-rest-primitives contributors"
copyright = "2026, qiskit-rest-primitives contributors"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "qiskit_sphinx_theme",
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "_inventories"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Links into the Qiskit API documentation. The inventory is committed (see
# _inventories/make_qiskit_inventory.py), so the build needs no network.
intersphinx_mapping = {
    "qiskit": ("https://quantum.cloud.ibm.com/docs/api/qiskit/", "_inventories/qiskit.inv"),
}
intersphinx_timeout = 5

html_theme = "qiskit-ecosystem"
html_title = f"{project} {release}"
html_theme_options = {"sidebar_qiskit_ecosystem_member": False}
