"""Shared input checks, reshaping helpers and the unmixing result object."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

import numpy as np

from ..utils import check_array_arg

__all__ = ["UnmixingResult", "as_cube", "as_pixels"]


@dataclass(frozen=True)
class UnmixingResult:
    """Result of an unmixing function.

    Attributes
    ----------
    abundances : ndarray of shape (n_pixels, n_endmembers)
        One row of abundances per pixel.
    endmembers : ndarray of shape (n_endmembers, n_bands)
        Endmember spectra used (given, or learned in blind mode).
    n_iter : int
        Iterations of the outer loop (the largest per-pixel count for
        active-set solvers).
    converged : bool
        Whether the stopping criterion was met before ``max_iter``.
    history : ndarray
        Stopping criterion per outer iteration (may be empty).
    info : dict
        Method-specific extras (band weights, guidance map, ...).
    """

    abundances: np.ndarray
    endmembers: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray = field(default_factory=lambda: np.zeros(0))
    info: dict = field(default_factory=dict)


def as_pixels(Y, name="Y"):
    """Flatten a cube ``(rows, cols, bands)`` to pixels ``(rows * cols, bands)``.

    Parameters
    ----------
    Y : array_like of shape (n_pixels, n_bands) or (rows, cols, n_bands)
        Hyperspectral data: a real numeric or boolean array. Values are
        not checked (NaN passes through) and the dtype is kept.
    name : str, default="Y"
        Argument name used in error messages.

    Returns
    -------
    pixels : ndarray of shape (n_pixels, n_bands)
        The pixels, a view when possible.
    spatial_shape : tuple of int or None
        ``(rows, cols)`` for cube input, ``None`` for 2-D input.

    Raises
    ------
    TypeError
        If ``Y`` is not a real numeric array (strings, objects, complex).
    ValueError
        If ``Y`` is neither 2-D nor 3-D.

    Examples
    --------
    >>> import numpy as np
    >>> pixels, shape = as_pixels(np.zeros((4, 5, 10)))
    >>> pixels.shape, shape
    ((20, 10), (4, 5))

    Values are not checked for finiteness (NaN stays NaN) and the dtype is
    kept, but ``Y`` must be a real numeric (or boolean) array:

    >>> as_pixels(np.zeros((2, 2, 3), dtype=str))
    Traceback (most recent call last):
    ...
    TypeError: Y must be a numeric array, got dtype <U1
    """
    arr = _check_real(Y, name)
    if arr.ndim == 3:
        rows, cols, bands = arr.shape
        return arr.reshape(rows * cols, bands), (rows, cols)
    if arr.ndim == 2:
        return arr, None
    raise ValueError(
        f"{name} must be 2-D (n_pixels, n_bands) or 3-D (rows, cols, n_bands), "
        f"got shape {arr.shape}"
    )


def _check_real(x, name):
    """A real numeric array of any shape and values (dtype kept, no copy)."""
    return check_array_arg(
        x, name, dtype=None, allow_complex=False, finite=False, min_size=0
    )


def as_cube(values, spatial_shape):
    """Reshape per-pixel rows back to an image ``(rows, cols, ...)``.

    Parameters
    ----------
    values : ndarray of shape (n_pixels, ...)
        Per-pixel values (abundances, guidance map): a real numeric or
        boolean array; values are not checked (NaN passes through).
    spatial_shape : tuple of int or None
        ``(rows, cols)``; ``None`` returns ``values`` unchanged.

    Returns
    -------
    ndarray

    Raises
    ------
    TypeError
        If ``values`` is not a real numeric array or ``spatial_shape`` is
        not a pair of integers.
    ValueError
        If ``spatial_shape`` is negative or ``values`` does not have
        ``rows * cols`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> as_cube(np.zeros((20, 3)), (4, 5)).shape
    (4, 5, 3)
    >>> as_cube(np.zeros((21, 3)), (4, 5))
    Traceback (most recent call last):
    ...
    ValueError: values has 21 rows (pixels) but spatial_shape (4, 5) holds 20
    """
    if spatial_shape is None:
        return values
    values = _check_real(values, "values")
    try:
        rows, cols = (operator.index(n) for n in spatial_shape)
    except (TypeError, ValueError):
        raise TypeError(
            f"spatial_shape must be None or a pair of ints (rows, cols), "
            f"got {spatial_shape!r}"
        ) from None
    if rows < 0 or cols < 0:
        raise ValueError(f"spatial_shape must be non-negative, got {(rows, cols)}")
    if values.ndim < 1 or values.shape[0] != rows * cols:
        n = values.shape[0] if values.ndim else "no"
        raise ValueError(
            f"values has {n} rows (pixels) but spatial_shape {(rows, cols)} "
            f"holds {rows * cols}"
        )
    return values.reshape(rows, cols, *values.shape[1:])


def check_pixels(Y, name="Y"):
    """Validate pixels (2-D or cube) and return float64 rows and the shape."""
    arr = check_array_arg(Y, name, ndim=(2, 3), allow_complex=False)
    pixels, shape = as_pixels(arr, name)
    return np.ascontiguousarray(pixels, dtype=np.float64), shape


def check_endmembers(E, n_bands, name="endmembers"):
    """Validate endmembers of shape ``(n_endmembers, n_bands)``."""
    E = check_array_arg(E, name, ndim=2, allow_complex=False)
    if E.shape[1] != n_bands:
        raise ValueError(
            f"{name} must have shape (n_endmembers, {n_bands}) to match the "
            f"{n_bands} bands of the data, got {E.shape}"
        )
    return np.ascontiguousarray(E, dtype=np.float64)
