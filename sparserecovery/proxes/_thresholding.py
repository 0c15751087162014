"""Elementwise sparsity penalties: l1, l0 and lp (0 < p <= 1) thresholding."""

from __future__ import annotations

import math

import numpy as np

from ..utils.validation import check_array_arg, check_scalar_arg
from ._base import (
    Prox,
    check_broadcast,
    check_nonneg_weight,
    real_dtype,
    shrink_magnitude,
)
from ._kernels import lp_shrink_magnitudes

__all__ = ["L0", "L1", "Lp", "hard_threshold", "soft_threshold"]


def _threshold_arg(thresh, name, x):
    """Validate a threshold against ``x``; cast arrays to the real dtype of ``x``."""
    thresh = check_nonneg_weight(thresh, name)
    if isinstance(thresh, np.ndarray):
        check_broadcast(thresh, name, x)
        thresh = thresh.astype(real_dtype(x.dtype), copy=False)
    return thresh


def _soft(x, thresh):
    """Soft thresholding without validation (``thresh`` already cast)."""
    if np.iscomplexobj(x):
        mag = np.abs(x)
        return shrink_magnitude(x, mag, np.maximum(mag - thresh, 0))
    return x - np.clip(x, -thresh, thresh)


def _hard(x, thresh):
    """Hard thresholding without validation: keep entries with ``|x| > thresh``."""
    return np.where(np.abs(x) > thresh, x, 0)


def soft_threshold(x, thresh):
    """Soft thresholding ``sign(x) * max(|x| - thresh, 0)``.

    The prox of ``thresh * ||.||_1``. Complex entries keep their phase and
    have their modulus shrunk.

    Parameters
    ----------
    x : array_like
        Real or complex input (not modified).
    thresh : float or array_like
        Non-negative threshold, a scalar or an array broadcasting to ``x``.

    Returns
    -------
    ndarray
        Thresholded array, same shape and floating dtype as ``x``.

    Examples
    --------
    >>> soft_threshold(np.array([3.0, -0.5, -2.0]), 1.0)
    array([ 2.,  0., -1.])
    >>> soft_threshold(np.array([3 + 4j]), 1.0)
    array([2.4+3.2j])
    """
    x = check_array_arg(x, "x")
    return np.asarray(_soft(x, _threshold_arg(thresh, "thresh", x)), dtype=x.dtype)


def hard_threshold(x, thresh):
    """Hard thresholding: keep the entries with ``|x| > thresh``, zero the rest.

    Parameters
    ----------
    x : array_like
        Real or complex input (not modified).
    thresh : float or array_like
        Non-negative threshold, a scalar or an array broadcasting to ``x``.

    Returns
    -------
    ndarray
        Thresholded array, same shape and floating dtype as ``x``.

    Examples
    --------
    >>> hard_threshold(np.array([3.0, -0.5, -2.0]), 1.0)
    array([ 3.,  0., -2.])
    """
    x = check_array_arg(x, "x")
    return np.asarray(_hard(x, _threshold_arg(thresh, "thresh", x)), dtype=x.dtype)


class L1(Prox):
    r"""Weighted l1 norm ``g(x) = sum(lam * |x|)``; its prox is soft thresholding.

    Parameters
    ----------
    lam : float or array_like
        Non-negative weight: a scalar, or an array broadcasting to the
        inputs (one weight per entry).

    Examples
    --------
    >>> g = L1(lam=1.0)
    >>> g.prox(np.array([3.0, -0.5, 1.5]))
    array([2. , 0. , 0.5])
    >>> g.value(np.array([3.0, -0.5]))
    3.5
    """

    _repr_params = ("lam",)

    def __init__(self, lam=1.0):
        self.lam = check_nonneg_weight(lam, "lam")

    def _lam_for(self, x):
        return _threshold_arg(self.lam, "lam", x)

    def value(self, x):
        """Weighted l1 norm of ``x``."""
        x = self._check_input(x)
        return float(np.sum(self._lam_for(x) * np.abs(x)))

    def _prox(self, x, step):
        return _soft(x, step * self._lam_for(x))


class L0(Prox):
    """The l0 penalty ``g(x) = lam * #{i : x_i != 0}``; its prox is hard thresholding.

    The prox keeps the entries with ``|x| > sqrt(2 lam step)``. The penalty
    is not convex.

    Parameters
    ----------
    lam : float
        Non-negative weight.

    Examples
    --------
    >>> g = L0(lam=0.5)
    >>> g.prox(np.array([3.0, -0.5, 1.5]), step=1.0)
    array([3. , 0. , 1.5])
    >>> g.value(np.array([3.0, 0.0, 1.5]))
    1.0
    """

    convex = False
    _repr_params = ("lam",)

    def __init__(self, lam=1.0):
        self.lam = check_scalar_arg(lam, "lam", lower=0)

    def value(self, x):
        """``lam`` times the number of non-zero entries."""
        x = self._check_input(x)
        return self.lam * float(np.count_nonzero(x))

    def _prox(self, x, step):
        return _hard(x, math.sqrt(2.0 * self.lam * step))


def _lp_magnitude(mag, t, p, method="auto"):
    """``argmin_{z >= 0} 0.5 (z - a)^2 + t z^p`` for every ``a`` in ``mag``.

    ``method`` is ``"auto"`` (closed forms for p = 1/2 and 2/3, Newton
    otherwise), ``"newton"`` or ``"closed"``. Works in float64.
    """
    a = np.asarray(mag, dtype=np.float64)
    if t == 0.0:
        return a.copy()
    if p == 1.0:
        return np.maximum(a - t, 0.0)
    half, two_thirds = p == 0.5, abs(p - 2.0 / 3.0) < 1e-12
    if method == "newton" or (method == "auto" and not (half or two_thirds)):
        out = np.empty(a.size)
        lp_shrink_magnitudes(a.ravel(), t, p, out)
        return out.reshape(a.shape)
    if not (half or two_thirds):
        raise ValueError(f"no closed form for p={p!r}")
    out = np.zeros_like(a)
    if half:
        # z = w^2 where w is the largest root of w^3 - a w + t / 2 = 0.
        big = a > 1.5 * t ** (2.0 / 3.0)
        ab = a[big]
        phi = np.arccos(0.25 * t * (3.0 / ab) ** 1.5)
        angle = 2.0 * np.pi / 3.0 - 2.0 * phi / 3.0
        out[big] = (2.0 / 3.0) * ab * (1.0 + np.cos(angle))
    else:
        # z = w^3 where w is the largest root of w^4 - a w + b = 0, b = 2 t / 3,
        # found by factoring the quartic through its resolvent cubic
        # m^3 - 4 b m - a^2 = 0 (one real root above the threshold).
        b = 2.0 * t / 3.0
        big = a > 2.0 * b**0.75
        ab = a[big]
        arg = (3.0 * math.sqrt(3.0) / 16.0) * ab**2 * b**-1.5
        m = 4.0 * math.sqrt(b / 3.0) * np.cosh(np.arccosh(np.maximum(arg, 1.0)) / 3.0)
        s = np.sqrt(m)
        w = 0.5 * (s + np.sqrt(np.maximum(2.0 * ab / s - m, 0.0)))
        out[big] = w**3
    return out


class Lp(Prox):
    r"""The lp quasi-norm penalty ``g(x) = lam * sum |x_i|^p`` for ``0 < p <= 1``.

    The prox acts on every entry (on the modulus for complex input). It has
    closed forms for ``p = 1/2`` (half thresholding, Xu et al., 2012) and
    ``p = 2/3`` (Cao et al., 2013); other values use a safeguarded Newton
    iteration on the stationarity equation, compared with zero. ``p = 1``
    is soft thresholding. Not convex unless ``p = 1``.

    Parameters
    ----------
    lam : float
        Non-negative weight.
    p : float
        Exponent in ``(0, 1]``.

    Examples
    --------
    >>> g = Lp(lam=1.0, p=0.5)
    >>> g.prox(np.array([0.5, 3.0]))
    array([0.        , 2.69...])
    """

    _repr_params = ("lam", "p")

    def __init__(self, lam=1.0, p=0.5):
        self.lam = check_scalar_arg(lam, "lam", lower=0)
        self.p = check_scalar_arg(p, "p", lower=0, upper=1, lower_inclusive=False)

    @property
    def convex(self):
        """Whether the penalty is convex (only for ``p = 1``)."""
        return self.p == 1.0

    def value(self, x):
        """``lam * sum |x|^p``."""
        x = self._check_input(x)
        return self.lam * float(np.sum(np.abs(x).astype(np.float64) ** self.p))

    def _prox(self, x, step):
        mag = np.abs(x)
        new = _lp_magnitude(mag, step * self.lam, self.p)
        return shrink_magnitude(x, mag, new.astype(mag.dtype, copy=False))
