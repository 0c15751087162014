"""Forward finite differences (the gradient used by total variation)."""

from __future__ import annotations

import numpy as np

from ._base import LinearOperator, _as_shape

__all__ = ["FiniteDifference"]


class FiniteDifference(LinearOperator):
    """n-D forward differences with Neumann boundary (the discrete gradient).

    Maps an array ``x`` of shape ``shape`` to the stack
    ``g[k] = x[..., i+1 along axis_k, ...] - x[..., i, ...]`` (zero on the
    last slice of each axis), of shape ``(len(axes),) + shape``. Its adjoint
    is minus the matching backward divergence, so ``D.H @ D`` is the
    Neumann Laplacian (up to sign) used in TV problems.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the input arrays.
    axes : int or tuple of int, optional
        Axes along which to differentiate (default: all).
    dtype : dtype, default=float64
        Nominal dtype (the operator also applies to complex arrays).

    Examples
    --------
    >>> D = FiniteDifference((3,))
    >>> D @ np.array([[1.0, 4.0, 9.0]]).reshape(3)
    array([3., 5., 0.])
    >>> D = FiniteDifference((2, 2))
    >>> D(np.array([[1.0, 2.0], [4.0, 8.0]]))
    array([[[3., 6.],
            [0., 0.]],
    <BLANKLINE>
           [[1., 0.],
            [4., 0.]]])
    """

    def __init__(self, shape, axes=None, dtype=np.float64):
        shape = _as_shape(shape)
        if len(shape) == 0 or any(s < 1 for s in shape):
            raise ValueError(f"shape must have positive lengths, got {shape}")
        if axes is None:
            axes = tuple(range(len(shape)))
        elif isinstance(axes, (int, np.integer)):
            axes = (int(axes),)
        nd = len(shape)
        norm_axes = []
        for a in axes:
            if not -nd <= a < nd:
                raise ValueError(f"axes entry {a} out of range for shape {shape}")
            norm_axes.append(a % nd)
        if len(set(norm_axes)) != len(norm_axes):
            raise ValueError(f"axes must be distinct, got {axes}")
        self.axes = tuple(norm_axes)
        oshape = (len(self.axes),) + shape
        if len(self.axes) == 1 and nd == 1:
            oshape = shape
        super().__init__(shape, oshape, dtype)

    def _matvec(self, x):
        out = np.zeros((len(self.axes),) + x.shape, dtype=x.dtype)
        for k, ax in enumerate(self.axes):
            n = x.shape[ax]
            if n < 2:
                continue
            src_hi = [slice(None)] * x.ndim
            src_lo = [slice(None)] * x.ndim
            src_hi[ax] = slice(1, n)
            src_lo[ax] = slice(0, n - 1)
            out[k][tuple(src_lo)] = x[tuple(src_hi)] - x[tuple(src_lo)]
        return out.reshape(self.oshape)

    def _rmatvec(self, y):
        y = y.reshape((len(self.axes),) + self.ishape)
        out = np.zeros(self.ishape, dtype=y.dtype)
        for k, ax in enumerate(self.axes):
            n = self.ishape[ax]
            if n < 2:
                continue
            g = y[k]
            lo = [slice(None)] * g.ndim
            hi = [slice(None)] * g.ndim
            lo[ax] = slice(0, n - 1)
            hi[ax] = slice(1, n)
            # adjoint of x[i+1]-x[i] restricted to i < n-1
            out[tuple(hi)] += g[tuple(lo)]
            out[tuple(lo)] -= g[tuple(lo)]
        return out
