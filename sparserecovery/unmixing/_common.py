"""Shared input checks, reshaping helpers and the unmixing result object."""

from __future__ import annotations

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
        Hyperspectral data.
    name : str, default="Y"
        Argument name used in error messages.

    Returns
    -------
    pixels : ndarray of shape (n_pixels, n_bands)
        The pixels, a view when possible.
    spatial_shape : tuple of int or None
        ``(rows, cols)`` for cube input, ``None`` for 2-D input.

    Examples
    --------
    >>> import numpy as np
    >>> pixels, shape = as_pixels(np.zeros((4, 5, 10)))
    >>> pixels.shape, shape
    ((20, 10), (4, 5))
    """
    arr = np.asarray(Y)
    if arr.ndim == 3:
        return arr.reshape(-1, arr.shape[2]), arr.shape[:2]
    if arr.ndim == 2:
        return arr, None
    raise ValueError(
        f"{name} must be 2-D (n_pixels, n_bands) or 3-D (rows, cols, n_bands), "
        f"got shape {arr.shape}"
    )


def as_cube(values, spatial_shape):
    """Reshape per-pixel rows back to an image ``(rows, cols, ...)``.

    Parameters
    ----------
    values : ndarray of shape (n_pixels, ...)
        Per-pixel values (abundances, guidance map).
    spatial_shape : tuple of int or None
        ``(rows, cols)``; ``None`` returns ``values`` unchanged.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np
    >>> as_cube(np.zeros((20, 3)), (4, 5)).shape
    (4, 5, 3)
    """
    if spatial_shape is None:
        return values
    return values.reshape(*spatial_shape, *values.shape[1:])


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
