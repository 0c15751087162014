"""Unmixing quality metrics: abundance RMSE, spectral angle, SRE."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..utils import check_array_arg

__all__ = ["abundance_rmse", "match_endmembers", "spectral_angle", "sre"]


def _pair(a, b, name_a, name_b):
    a = check_array_arg(a, name_a, allow_complex=False)
    b = check_array_arg(b, name_b, allow_complex=False)
    if a.shape != b.shape:
        raise ValueError(f"{name_a} has shape {a.shape} but {name_b} has {b.shape}")
    return a.astype(np.float64), b.astype(np.float64)


def abundance_rmse(A_true, A_est):
    """Root mean squared error over all abundance entries.

    Parameters
    ----------
    A_true, A_est : array_like of the same shape
        True and estimated abundances (any layout).

    Returns
    -------
    float

    Examples
    --------
    >>> round(abundance_rmse([[0.5, 0.5]], [[0.4, 0.6]]), 6)
    0.1
    """
    a, b = _pair(A_true, A_est, "A_true", "A_est")
    return float(np.sqrt(np.mean((a - b) ** 2)))


def _log10_norm(x):
    """``log10(||x||_2)`` without overflow or underflow (``-inf`` for zero)."""
    peak = float(np.max(np.abs(x)))
    if peak == 0.0:
        return -np.inf
    return float(np.log10(peak) + np.log10(np.linalg.norm(x / peak)))


def sre(A_true, A_est):
    """Signal-to-reconstruction error ``10 log10(||A||^2 / ||A - A_est||^2)`` (dB).

    Parameters
    ----------
    A_true : array_like
        Reference abundances (any shape), not all zero.
    A_est : array_like
        Estimated abundances, same shape as ``A_true``.

    Returns
    -------
    float
        The SRE in dB (``inf`` for an exact estimate); higher is better.
        Computed in a scaled form, so it is exact for data of any magnitude
        (no overflow or underflow of the squared norms).

    Raises
    ------
    ValueError
        If ``A_true`` is all zero: the SRE is a ratio to the energy of
        ``A_true`` and has no value then (not even for ``A_est == A_true``).

    Examples
    --------
    >>> round(sre([[1.0, 0.0]], [[0.9, 0.0]]), 6)
    20.0
    >>> sre([[0.0, 0.0]], [[0.1, 0.0]])
    Traceback (most recent call last):
    ...
    ValueError: A_true is all zero, so the SRE (a ratio to its energy) is undefined
    """
    a, b = _pair(A_true, A_est, "A_true", "A_est")
    log_signal = _log10_norm(a)
    if log_signal == -np.inf:
        raise ValueError(
            "A_true is all zero, so the SRE (a ratio to its energy) "
            "is undefined"
        )
    # Common scale so that a - b cannot overflow (|a|, |b| <= 1 after it).
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))))
    log_error = _log10_norm(a / scale - b / scale)
    if log_error == -np.inf:
        return float("inf")
    return float(20.0 * (log_signal - np.log10(scale) - log_error))


def spectral_angle(E_true, E_est):
    """Spectral angle (radians) between matching rows of two spectra arrays.

    Parameters
    ----------
    E_true, E_est : array_like of shape (n_endmembers, n_bands) or (n_bands,)
        Reference and estimated spectra, row ``i`` compared with row ``i``.

    Returns
    -------
    ndarray of shape (n_endmembers,) or float
        The angles; the mean is the usual SAD score.

    Examples
    --------
    >>> round(float(spectral_angle([1.0, 0.0], [1.0, 1.0])), 4)
    0.7854
    """
    a, b = _pair(E_true, E_est, "E_true", "E_est")
    a2, b2 = np.atleast_2d(a), np.atleast_2d(b)
    cos = np.sum(a2 * b2, axis=1) / np.maximum(
        np.linalg.norm(a2, axis=1) * np.linalg.norm(b2, axis=1), 1e-300
    )
    ang = np.arccos(np.clip(cos, -1.0, 1.0))
    return float(ang[0]) if a.ndim == 1 else ang


def match_endmembers(E_true, E_est):
    """Order estimated endmembers to best match the true ones (min total angle).

    Parameters
    ----------
    E_true : array_like of shape (k, n_bands)
        Reference endmember spectra.
    E_est : array_like of shape (k, n_bands)
        Estimated endmember spectra, in any order.

    Returns
    -------
    ndarray of shape (k,)
        Permutation ``perm`` such that ``E_est[perm]`` matches ``E_true``.

    Examples
    --------
    >>> import numpy as np
    >>> match_endmembers(np.eye(3), np.eye(3)[[2, 0, 1]]).tolist()
    [1, 2, 0]
    """
    a, b = _pair(E_true, E_est, "E_true", "E_est")
    cost = np.array([[spectral_angle(x, y) for y in b] for x in a])
    _, perm = linear_sum_assignment(cost)
    return perm
