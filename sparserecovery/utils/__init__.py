"""Validation, random state and numba settings shared across the package."""

from ._numba import njit, prange
from .validation import (
    check_array_arg,
    check_choice,
    check_max_iter,
    check_positive,
    check_random_state,
    check_scalar_arg,
    check_tol,
    float_dtype,
)

__all__ = [
    "check_array_arg",
    "check_choice",
    "check_max_iter",
    "check_positive",
    "check_random_state",
    "check_scalar_arg",
    "check_tol",
    "float_dtype",
    "njit",
    "prange",
]
