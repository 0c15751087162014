"""Sphinx configuration for the sparserecovery documentation."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import importlib  # noqa: E402
from pathlib import Path  # noqa: E402

import sparserecovery  # noqa: E402

# The API reference is generated from each subpackage's ``__all__`` so that a
# new public name appears without editing the docs by hand.
API_SECTIONS = [
    ("Operators", "operators"),
    ("Proximal operators", "proxes"),
    ("Solvers", "solvers"),
    ("Walsh-Hadamard transforms", "wht"),
    ("Sparse Bayesian learning", "linear_model"),
    ("Optimal transport", "transport"),
    ("DAG learning", "dag"),
    ("Local differential privacy", "privacy"),
    ("Hyperspectral unmixing", "unmixing"),
    ("Imaging (MRI, CT)", "imaging"),
    ("Neural-network sparsification", "nn"),
    ("Datasets", "datasets"),
    ("Comparison runner", "compare"),
    ("Result objects and validation", "base"),
    ("Utilities", "utils"),
]


def _write_api(path):
    lines = ["API reference", "=============", ""]
    for title, sub in API_SECTIONS:
        try:
            mod = importlib.import_module(f"sparserecovery.{sub}")
        except ImportError:
            continue
        # classes and functions only: constants have no docstring of their own
        names = sorted(
            n for n in getattr(mod, "__all__", []) if callable(getattr(mod, n))
        )
        if not names:
            continue
        lines += [title, "-" * len(title), "", f".. automodule:: sparserecovery.{sub}"]
        lines += ["   :no-members:", "", f".. currentmodule:: sparserecovery.{sub}", ""]
        lines += [".. autosummary::", "   :toctree: api/generated", ""]
        lines += [f"   {n}" for n in names] + [""]
    text = "\n".join(lines)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


_write_api(Path(__file__).parent / "api.rst")

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
templates_path = ["_templates"]
autodoc_default_options = {}
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
