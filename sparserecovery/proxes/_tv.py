"""Total variation on 1-, 2- and 3-D grids."""

from __future__ import annotations

import math

import numpy as np

from ..utils.validation import check_scalar_arg, check_tol
from ._base import Prox, check_axes, normalize_axes
from ._kernels import tv_prox_fgp

__all__ = ["TV"]


def _forward_differences(x, axes):
    """Forward differences along ``axes`` with Neumann boundary (last one 0)."""
    return [np.diff(x, axis=a, append=np.take(x, [-1], axis=a)) for a in axes]


class TV(Prox):
    r"""Total variation ``g(x) = lam * TV(x)`` on a 1-, 2- or 3-D grid.

    With forward differences ``D_a x`` along each TV axis (zero across the
    last slice: Neumann boundary),

    - isotropic: ``TV(x) = sum_pixels sqrt(sum_a |D_a x|^2)``;
    - anisotropic: ``TV(x) = sum_pixels sum_a |D_a x|``.

    Complex inputs use the modulus of the complex differences (the real and
    imaginary parts are coupled). Axes not listed in ``axes`` are batch axes:
    every slice along them is processed independently and ``g`` is the sum.

    The prox has no closed form. It is computed by the fast gradient
    projection of Beck and Teboulle on the dual problem, with momentum
    restart, until the duality gap certifies
    ``||z - prox(x)|| <= tol * ||x - mean(x)||`` or ``max_iter`` iterations
    are done; the work is done in float64 and the result cast back to the
    dtype of ``x``. After every call, ``n_iter_`` holds the largest number of
    inner iterations over the batch and ``gap_`` the largest final duality
    gap (an upper bound on ``0.5 ||z - prox(x)||^2``).

    Parameters
    ----------
    lam : float
        Non-negative weight.
    isotropic : bool
        Isotropic (default) or anisotropic total variation.
    axes : int or tuple of int, optional
        The one to three grid axes. Default: all axes of the input, which
        must then be 1-, 2- or 3-D.
    max_iter : int
        Inner iteration budget of every prox evaluation.
    tol : float
        Certified relative accuracy at which the inner iterations stop.
    warm_start : bool
        Start each prox from the dual variable of the previous call (when
        the shapes match); useful inside an outer iterative solver.

    Examples
    --------
    >>> x = np.array([[0.0, 0.0, 1.0, 1.0]] * 3)
    >>> tv = TV(lam=0.1)
    >>> tv.value(x)
    0.3
    >>> np.round(tv.prox(x), 4)
    array([[0.05, 0.05, 0.95, 0.95],
           [0.05, 0.05, 0.95, 0.95],
           [0.05, 0.05, 0.95, 0.95]])
    """

    _repr_params = ("lam", "isotropic", "axes", "max_iter", "tol", "warm_start")
    _check_every = 10

    def __init__(
        self,
        lam=1.0,
        isotropic=True,
        axes=None,
        max_iter=5000,
        tol=1e-5,
        warm_start=False,
    ):
        self.lam = check_scalar_arg(lam, "lam", lower=0)
        if not isinstance(isotropic, (bool, np.bool_)):
            raise TypeError(f"isotropic must be a bool, got {isotropic!r}")
        self.isotropic = bool(isotropic)
        if axes is not None:
            axes = check_axes(axes, "axes")
            if isinstance(axes, tuple) and len(axes) > 3:
                raise ValueError(f"axes must name 1 to 3 axes, got {axes!r}")
        self.axes = axes
        self.max_iter = check_scalar_arg(max_iter, "max_iter", lower=1, integer=True)
        self.tol = check_tol(tol)
        if not isinstance(warm_start, (bool, np.bool_)):
            raise TypeError(f"warm_start must be a bool, got {warm_start!r}")
        self.warm_start = bool(warm_start)
        self._dual = None
        self.n_iter_ = 0
        self.gap_ = 0.0

    def _tv_axes(self, x):
        if self.axes is None:
            if not 1 <= x.ndim <= 3:
                raise ValueError(
                    "x must be 1-, 2- or 3-D when axes is None (pass axes= to "
                    f"choose the grid axes), got shape {x.shape}"
                )
            return tuple(range(x.ndim))
        return normalize_axes(self.axes, x.ndim, "axes")

    def value(self, x):
        """``lam`` times the total variation of ``x``."""
        x = self._check_input(x)
        diffs = _forward_differences(x, self._tv_axes(x))
        sq = [(d.real**2 + d.imag**2) if np.iscomplexobj(d) else d * d for d in diffs]
        sq = [s.astype(np.float64, copy=False) for s in sq]
        if self.isotropic:
            total = np.sum(np.sqrt(sum(sq)))
        else:
            total = sum(np.sum(np.sqrt(s)) for s in sq)
        return self.lam * float(total)

    def _prox(self, x, step):
        axes = self._tv_axes(x)
        k = len(axes)
        grid_axes = tuple(range(x.ndim - k, x.ndim))
        moved = np.moveaxis(x, axes, grid_axes)
        n_batch = math.prod(moved.shape[: x.ndim - k])
        dims = (1,) * (3 - k) + moved.shape[x.ndim - k :]
        flat = moved.reshape((n_batch, *dims))
        if np.iscomplexobj(x):
            grid = np.stack([flat.real, flat.imag], axis=1)
        else:
            grid = flat[:, None]
        grid = np.ascontiguousarray(grid, dtype=np.float64)
        dual_shape = (n_batch, 3, *grid.shape[1:])
        previous = self._dual
        if self.warm_start and previous is not None and previous.shape == dual_shape:
            dual = previous
        else:
            dual = np.zeros(dual_shape)
        z, n_iter, gap = tv_prox_fgp(
            grid,
            step * self.lam,
            self.isotropic,
            self.max_iter,
            self.tol,
            dual,
            self._check_every,
        )
        self._dual = dual if self.warm_start else None
        self.n_iter_ = int(n_iter.max())
        self.gap_ = float(gap.max())
        z = (z[:, 0] + 1j * z[:, 1]) if np.iscomplexobj(x) else z[:, 0]
        return np.moveaxis(z.reshape(moved.shape), grid_axes, axes)
