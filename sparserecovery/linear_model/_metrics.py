"""Recovery metrics: normalized MSE and support recovery rate."""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_array_arg, check_scalar_arg

__all__ = ["nmse", "support_recovery_rate"]


def _pair(x_true, x_est):
    x_true = check_array_arg(x_true, "x_true")
    x_est = check_array_arg(x_est, "x_est")
    if x_true.shape != x_est.shape:
        raise ValueError(
            f"x_est has shape {x_est.shape} but x_true has shape {x_true.shape}"
        )
    return x_true, x_est


def nmse(x_true, x_est, *, axis=None):
    """Normalized mean squared error ``||x_est - x_true||^2 / ||x_true||^2``.

    Parameters
    ----------
    x_true : array_like
        Reference (real or complex), not identically zero along ``axis``.
    x_est : array_like
        Estimate, same shape.
    axis : int, tuple of int or None, default=None
        Axes to reduce; ``None`` reduces all and returns a float. Use e.g.
        ``axis=(1, 2)`` for one NMSE per channel of a stack.

    Returns
    -------
    float or ndarray
        The NMSE (linear scale; ``10 log10`` of it gives dB).

    Examples
    --------
    >>> nmse([1.0, 0.0], [0.9, 0.1])
    0.02
    """
    x_true, x_est = _pair(x_true, x_est)
    num = np.sum(np.abs(x_est - x_true) ** 2, axis=axis)
    den = np.sum(np.abs(x_true) ** 2, axis=axis)
    if np.any(den == 0):
        raise ValueError("x_true is zero (along axis), the NMSE is undefined")
    out = num / den
    return float(out) if np.ndim(out) == 0 else out


def support_recovery_rate(x_true, x_est, *, rtol=1e-3):
    """Jaccard index of the true and estimated supports.

    ``|S ∩ Ŝ| / |S ∪ Ŝ|`` with ``S = {x_true != 0}`` and
    ``Ŝ = {|x_est| > rtol max|x_est|}``; 1 means exact support recovery.

    Parameters
    ----------
    x_true : array_like
        Reference with exact zeros off its support.
    x_est : array_like
        Estimate, same shape.
    rtol : float, default=1e-3
        Relative magnitude below which an estimated entry counts as zero.

    Returns
    -------
    float
        In ``[0, 1]`` (1 when both supports are empty).

    Examples
    --------
    >>> support_recovery_rate([1.0, 0.0, 2.0], [0.9, 1e-6, 0.0])
    0.5
    """
    x_true, x_est = _pair(x_true, x_est)
    rtol = check_scalar_arg(rtol, "rtol", lower=0, upper=1)
    s_true = x_true != 0
    mag = np.abs(x_est)
    peak = mag.max() if mag.size else 0.0
    s_est = mag > rtol * peak if peak > 0 else np.zeros(mag.shape, dtype=bool)
    union = np.count_nonzero(s_true | s_est)
    if union == 0:
        return 1.0
    return float(np.count_nonzero(s_true & s_est) / union)
