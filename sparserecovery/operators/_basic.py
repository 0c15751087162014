"""Elementary operators: dense matrices, diagonals, identity, masks."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..utils.validation import check_array_arg
from ._base import LinearOperator, _as_shape

__all__ = ["Dense", "Diagonal", "Identity", "Mask"]


class Dense(LinearOperator):
    """A matrix (dense ndarray or scipy sparse) as an operator.

    Parameters
    ----------
    A : array_like or scipy sparse matrix of shape (m, n)
        The matrix; real or complex.

    Examples
    --------
    >>> A = Dense([[1.0, 2.0], [0.0, 1.0]])
    >>> A @ np.array([1.0, 1.0])
    array([3., 1.])
    >>> A.H @ np.array([1.0, 1.0])
    array([1., 3.])
    """

    def __init__(self, A):
        if sp.issparse(A):
            if A.ndim != 2:
                raise ValueError(f"A must be 2-dimensional, got shape {A.shape}")
            self.A = A.tocsr()
            if not np.all(np.isfinite(self.A.data)):
                raise ValueError("A contains NaN or infinite values")
            dtype = np.result_type(self.A.dtype, np.float32)
        else:
            self.A = check_array_arg(A, "A", ndim=2, min_size=0)
            dtype = self.A.dtype
        super().__init__(self.A.shape[1], self.A.shape[0], dtype)
        self._AH = self.A.conj().T

    def _matvec(self, x):
        return np.asarray(self.A @ x)

    def _rmatvec(self, y):
        return np.asarray(self._AH @ y)

    def to_dense(self):
        """The stored matrix as a dense array."""
        return self.A.toarray() if sp.issparse(self.A) else self.A.copy()


class Diagonal(LinearOperator):
    """Elementwise multiplication by an array of weights.

    Parameters
    ----------
    d : array_like
        The diagonal, of any shape (the operator's ``ishape`` and ``oshape``).

    Examples
    --------
    >>> Diagonal([1.0, 2.0]) @ np.array([3.0, 3.0])
    array([3., 6.])
    """

    def __init__(self, d):
        self.d = check_array_arg(d, "d", min_size=0)
        super().__init__(self.d.shape, self.d.shape, self.d.dtype)

    def _matvec(self, x):
        return self.d * x

    def _rmatvec(self, y):
        return np.conj(self.d) * y


class Identity(LinearOperator):
    """The identity on arrays of a given shape.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the arrays.
    dtype : dtype, default=float64
        Nominal dtype.

    Examples
    --------
    >>> Identity(3).to_dense()
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """

    def __init__(self, shape, dtype=np.float64):
        shape = _as_shape(shape)
        if any(s < 0 for s in shape):
            raise ValueError(f"shape must be non-negative, got {shape}")
        super().__init__(shape, shape, dtype)

    def _matvec(self, x):
        return x.copy()

    def _rmatvec(self, y):
        return y.copy()


class Mask(LinearOperator):
    """Keep the entries selected by a boolean mask (subsampling).

    Maps an array of the mask's shape to the vector of its selected entries,
    in C order; the adjoint scatters back with zeros elsewhere.

    Parameters
    ----------
    mask : array_like of bool
        Which entries to keep. An integer index array ``indices`` together
        with ``ishape`` may be given instead.
    ishape : int or tuple of int, optional
        Input shape when ``mask`` is an array of flat indices.

    Examples
    --------
    >>> M = Mask(np.array([True, False, True]))
    >>> M @ np.array([1.0, 2.0, 3.0])
    array([1., 3.])
    >>> M.H @ np.array([1.0, 3.0])
    array([1., 0., 3.])
    """

    def __init__(self, mask, ishape=None):
        mask = np.asarray(mask)
        if mask.dtype == np.bool_:
            if ishape is not None and _as_shape(ishape) != mask.shape:
                raise ValueError(
                    f"ishape {ishape} does not match mask shape {mask.shape}"
                )
            ishape = mask.shape
            idx = np.flatnonzero(mask)
        elif np.issubdtype(mask.dtype, np.integer):
            if ishape is None:
                raise ValueError("ishape is required when mask is an index array")
            ishape = _as_shape(ishape)
            idx = mask.ravel().astype(np.intp)
            n = int(np.prod(ishape))
            if idx.size and (idx.min() < 0 or idx.max() >= n):
                raise ValueError(f"mask indices must lie in [0, {n}), got out-of-range")
        else:
            raise TypeError(
                "mask must be a boolean array or integer indices, "
                f"got dtype {mask.dtype}"
            )
        self.indices = idx
        super().__init__(ishape, idx.size, np.float64)

    def _matvec(self, x):
        return x.reshape(-1)[self.indices]

    def _rmatvec(self, y):
        out = np.zeros(self.shape[1], dtype=y.dtype)
        out[self.indices] = y
        return out.reshape(self.ishape)
