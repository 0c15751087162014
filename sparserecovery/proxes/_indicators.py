"""Indicator functions of constraint sets; their proxes are projections.

``value(x)`` is 0 when ``x`` is in the set up to a small slack (see
:func:`feasibility_tol`) and ``np.inf`` otherwise.
"""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_array_arg, check_positive, check_scalar_arg
from ._base import (
    Prox,
    check_axes,
    check_broadcast,
    feasibility_tol,
    normalize_axes,
    shrink_magnitude,
)
from ._kernels import nm_keep_mask, project_simplex_rows

__all__ = ["NM", "Box", "L1Ball", "NonNegative", "Simplex"]


def _as_rows(x, axis):
    """View ``x`` as rows: every slice along ``axis`` (all of ``x`` for None).

    Returns the 2-D C-contiguous rows and a function putting rows back into
    the shape of ``x``.
    """
    if axis is None:
        return np.ascontiguousarray(x.reshape(1, -1)), lambda r: r.reshape(x.shape)
    (ax,) = normalize_axes(axis, x.ndim, "axis")
    moved = np.moveaxis(x, ax, -1)
    rows = np.ascontiguousarray(moved.reshape(-1, x.shape[ax]))
    return rows, lambda r: np.moveaxis(r.reshape(moved.shape), -1, ax)


def _bool_value(inside):
    return 0.0 if inside else np.inf


class NonNegative(Prox):
    """Indicator of the non-negative orthant; the prox is ``max(x, 0)``.

    Examples
    --------
    >>> NonNegative().prox(np.array([-1.0, 2.0]))
    array([0., 2.])
    >>> NonNegative().value(np.array([-1.0, 2.0]))
    inf
    """

    allow_complex = False

    def value(self, x):
        """0 if every entry is >= 0 (up to a small slack), else ``inf``."""
        x = self._check_input(x)
        tol = feasibility_tol(x.dtype, np.max(np.abs(x)))
        return _bool_value(np.min(x) >= -tol)

    def _prox(self, x, step):
        return np.maximum(x, 0)


class Box(Prox):
    """Indicator of the box ``{lower <= x <= upper}``; the prox is clipping.

    Parameters
    ----------
    lower, upper : float or array_like, optional
        Bounds, scalars or arrays broadcasting to the inputs; ``None`` (or
        ``-inf`` / ``inf``) leaves that side unbounded. ``lower <= upper``
        must hold everywhere.

    Examples
    --------
    >>> Box(0.0, 1.0).prox(np.array([-0.5, 0.5, 2.0]))
    array([0. , 0.5, 1. ])
    """

    allow_complex = False
    _repr_params = ("lower", "upper")

    def __init__(self, lower=None, upper=None):
        self.lower = self._check_bound(lower, "lower", -np.inf)
        self.upper = self._check_bound(upper, "upper", np.inf)
        try:
            ok = np.all(np.asarray(self.lower) <= np.asarray(self.upper))
        except ValueError as exc:
            raise ValueError(
                f"lower with shape {np.shape(self.lower)} and upper with shape "
                f"{np.shape(self.upper)} do not broadcast together"
            ) from exc
        if not ok:
            raise ValueError("lower must be <= upper everywhere")

    @staticmethod
    def _check_bound(bound, name, default):
        if bound is None:
            return default
        if np.ndim(bound) == 0 and not isinstance(bound, np.ndarray):
            if isinstance(bound, bool) or not isinstance(
                bound, (int, float, np.integer, np.floating)
            ):
                raise TypeError(
                    f"{name} must be a real number or an array, got {bound!r}"
                )
            bound = float(bound)
            if np.isnan(bound) or bound == -default:
                raise ValueError(f"{name} must not be NaN or {-default}, got {bound!r}")
            return bound
        arr = check_array_arg(
            bound, name, dtype=np.float64, allow_complex=False, finite=False
        )
        if np.any(np.isnan(arr)) or np.any(arr == -default):
            raise ValueError(f"{name} must not contain NaN or {-default}")
        return arr

    def _bounds_for(self, x):
        out = []
        for name, b in (("lower", self.lower), ("upper", self.upper)):
            if isinstance(b, np.ndarray):
                check_broadcast(b, name, x)
                b = b.astype(x.dtype, copy=False)
            out.append(b)
        return out

    def value(self, x):
        """0 if ``lower <= x <= upper`` (up to a small slack), else ``inf``."""
        x = self._check_input(x)
        lower, upper = self._bounds_for(x)
        tol = feasibility_tol(x.dtype, np.max(np.abs(x)))
        return _bool_value(bool(np.all(x >= lower - tol) and np.all(x <= upper + tol)))

    def _prox(self, x, step):
        lower, upper = self._bounds_for(x)
        return np.clip(x, lower, upper)


class Simplex(Prox):
    """Indicator of the scaled simplex ``{x >= 0, sum(x) = radius}``.

    The prox is the exact Euclidean projection, found by sorting (Held et
    al., 1974). With ``axis`` given, every 1-D slice along ``axis`` is
    projected separately, e.g. ``axis=0`` makes every column of a 2-D array
    of abundances sum to ``radius``.

    Parameters
    ----------
    radius : float
        Positive sum of the entries.
    axis : int, optional
        Axis along which the slices sum to ``radius``; default: the whole
        array.

    Examples
    --------
    >>> Simplex().prox(np.array([0.5, 0.9, -1.0]))
    array([0.3, 0.7, 0. ])
    >>> Simplex(axis=0).prox(np.array([[1.0, 0.0], [1.0, 3.0]]))
    array([[0.5, 0. ],
           [0.5, 1. ]])
    """

    allow_complex = False
    _repr_params = ("radius", "axis")

    def __init__(self, radius=1.0, axis=None):
        self.radius = check_positive(radius, "radius")
        if axis is not None:
            axis = check_axes(axis, "axis", allow_tuple=False)
        self.axis = axis

    def value(self, x):
        """0 if ``x`` lies in the simplex (up to a small slack), else ``inf``."""
        x = self._check_input(x)
        rows, _ = _as_rows(x, self.axis)
        tol = feasibility_tol(x.dtype, self.radius)
        inside = np.min(rows) >= -tol and np.all(
            np.abs(np.sum(rows, axis=1, dtype=np.float64) - self.radius) <= tol
        )
        return _bool_value(bool(inside))

    def _prox(self, x, step):
        rows, restore = _as_rows(x, self.axis)
        out = np.empty_like(rows)
        project_simplex_rows(rows, self.radius, False, out)
        return restore(out)


class L1Ball(Prox):
    """Indicator of the l1 ball ``{||x||_1 <= radius}``.

    The prox is the exact projection: soft thresholding at the level found
    by a sort (Duchi et al., 2008); complex entries keep their phase. With
    ``axis`` given, every 1-D slice along ``axis`` is projected separately.

    Parameters
    ----------
    radius : float
        Positive radius.
    axis : int, optional
        Axis along which the slices are constrained; default: the whole
        array.

    Examples
    --------
    >>> L1Ball(radius=1.0).prox(np.array([2.0, -1.0, 0.2]))
    array([1., 0., 0.])
    """

    _repr_params = ("radius", "axis")

    def __init__(self, radius=1.0, axis=None):
        self.radius = check_positive(radius, "radius")
        if axis is not None:
            axis = check_axes(axis, "axis", allow_tuple=False)
        self.axis = axis

    def value(self, x):
        """0 if ``||x||_1 <= radius`` (up to a small slack), else ``inf``."""
        x = self._check_input(x)
        rows, _ = _as_rows(np.abs(x), self.axis)
        tol = feasibility_tol(x.dtype, self.radius)
        return _bool_value(bool(np.all(np.sum(rows, axis=1) <= self.radius + tol)))

    def _prox(self, x, step):
        mag = np.abs(x)
        rows, restore = _as_rows(mag, self.axis)
        out = np.empty_like(rows)
        project_simplex_rows(rows, self.radius, True, out)
        return shrink_magnitude(x, mag, restore(out))


class NM(Prox):
    """Indicator of N:M sparsity: at most ``n`` non-zeros in every ``m`` in a row.

    Along ``axis``, the entries are cut into consecutive groups of ``m``;
    the prox (a projection onto a non-convex set) keeps the ``n`` entries of
    largest magnitude in every group (ties: the first ones) and zeroes the
    others. The length of ``axis`` must be a multiple of ``m``.

    Parameters
    ----------
    n : int
        Entries kept per group, ``0 <= n <= m``.
    m : int
        Group length, ``m >= 1``.
    axis : int
        Axis along which the groups are formed (default: the last).

    Examples
    --------
    >>> NM(2, 4).prox(np.array([[0.1, -3.0, 2.0, 0.5, 1.0, 1.5, -2.0, 0.0]]))
    array([[ 0. , -3. ,  2. ,  0. ,  0. ,  1.5, -2. ,  0. ]])
    """

    convex = False
    _repr_params = ("n", "m", "axis")

    def __init__(self, n=2, m=4, axis=-1):
        self.m = check_scalar_arg(m, "m", lower=1, integer=True)
        self.n = check_scalar_arg(n, "n", lower=0, upper=self.m, integer=True)
        self.axis = check_axes(axis, "axis", allow_tuple=False)

    def _groups(self, x):
        rows, restore = _as_rows(x, self.axis)
        length = rows.shape[1]
        if length % self.m:
            raise ValueError(
                f"the length of axis {self.axis} of x ({length}) must be a "
                f"multiple of m={self.m}"
            )
        shape = rows.shape
        return rows.reshape(-1, self.m), lambda g: restore(g.reshape(shape))

    def value(self, x):
        """0 if every group has at most ``n`` non-zeros, else ``inf``."""
        x = self._check_input(x)
        groups, _ = self._groups(x)
        return _bool_value(bool(np.all(np.count_nonzero(groups, axis=1) <= self.n)))

    def _prox(self, x, step):
        groups, restore = self._groups(x)
        mask = nm_keep_mask(np.abs(groups), self.n)
        return restore(np.where(mask, groups, 0))
