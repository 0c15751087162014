"""Sphinx configuration for the sparserecovery documentation."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import sparserecovery  # noqa: E402

project = "sparserecovery"
author = "The sparserecovery developers"
copyright = "2026, The sparserecovery developers"
release = sparserecovery.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "examples", "auto_examples/*.ipynb", "auto_examples/*.py"]

# No intersphinx: the documentation must build without network access.
suppress_warnings = ["config.cache"]

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "doc_module": ("sparserecovery",),
    "download_all_examples": False,
    "remove_config_comments": True,
}

html_theme = "pydata_sphinx_theme"
html_title = "sparserecovery"
html_theme_options = {"navigation_with_keys": False}
