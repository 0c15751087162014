"""sparserecovery: classical sparse signal recovery and optimization.

Operators, proximal maps and iterative solvers, numba-accelerated, with
scikit-learn-style estimators for the algorithms built on them. Subpackages
(``operators``, ``proxes``, ``solvers``, ``wht``, ``transport``, ``dag``,
``imaging``, ...) are imported on first use, so ``import sparserecovery`` is
cheap.
"""

import importlib

from ._version import __version__

_SUBMODULES = (
    "base",
    "compare",
    "dag",
    "datasets",
    "imaging",
    "linear_model",
    "nn",
    "operators",
    "privacy",
    "proxes",
    "solvers",
    "transport",
    "unmixing",
    "utils",
    "wht",
)

# Public estimators re-exported at the top level: name -> defining subpackage.
_ESTIMATORS = {
    "CoLiDE": "dag",
    "FCLS": "unmixing",
    "RobustSparseUnmixing": "unmixing",
    "SUnSAL": "unmixing",
    "KroneckerSBL": "linear_model",
    "LDPSparseRegression": "privacy",
    "SBLRegressor": "linear_model",
    "kronecker_sbl": "linear_model",
    "sinkhorn_newton_sparse": "transport",
    "sparsify": "nn",
    "sparse_wht": "wht",
}

__all__ = ["__version__", *_SUBMODULES, *_ESTIMATORS]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _ESTIMATORS:
        return getattr(importlib.import_module(f".{_ESTIMATORS[name]}", __name__), name)
    raise AttributeError(f"module 'sparserecovery' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
