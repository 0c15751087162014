"""Simulators for every problem the library solves (no network access).

Each generator takes a ``random_state`` and returns plain arrays (and, where
useful, the ground truth) for one problem family.
"""

from ._hyperspectral import (
    load_usgs_spectra,
    make_endmember_library,
    make_hyperspectral_scene,
)
from ._kronecker import make_irs_mimo_channel, make_kronecker_sparse
from ._ot import make_ot_problem
from ._regression import make_sparse_regression
from ._sem import make_linear_sem
from ._wht import make_sparse_wht

__all__ = [
    "load_usgs_spectra",
    "make_endmember_library",
    "make_hyperspectral_scene",
    "make_irs_mimo_channel",
    "make_kronecker_sparse",
    "make_linear_sem",
    "make_ot_problem",
    "make_sparse_regression",
    "make_sparse_wht",
]
