"""The Walsh-Hadamard transform as a matrix-free operator."""

from __future__ import annotations

import numbers

import numpy as np

from ..utils.validation import check_choice, check_scalar_arg
from ._base import LinearOperator

__all__ = ["Hadamard"]


class Hadamard(LinearOperator):
    """Walsh-Hadamard transform ``x -> c H_N x`` in natural (Sylvester) order.

    ``H_N`` is ``scipy.linalg.hadamard(N)`` (entries ``+-1``); it is applied
    with the fast transform :func:`sparserecovery.wht.fwht` in
    ``O(N log N)``, never as a matrix. ``H_N`` is symmetric, so the operator
    is self-adjoint: ``A.H`` is ``A``.

    Parameters
    ----------
    n : int, optional
        Length ``N`` of the transform, a power of two. Give either ``n`` or
        ``n_bits``.
    n_bits : int, optional
        ``log2(N)`` (the number of bits of the index), ``>= 0``.
    normalize : {None, "ortho", "inverse"}, default=None
        Scale ``c``: ``1`` (None), ``1/sqrt(N)`` ("ortho": the operator is
        orthogonal and its own inverse) or ``1/N`` ("inverse": the inverse
        of the unnormalized transform).
    dtype : {float64, float32}, default=float64
        Dtype of the operator. The output dtype is the result type of this
        and the input's dtype; complex input is transformed as real and
        imaginary parts.

    Attributes
    ----------
    n_bits : int
        ``log2(N)``.
    normalize : str or None
        The normalization.
    scale : float
        The factor ``c``.

    See Also
    --------
    sparserecovery.wht.fwht : The transform of arrays along any axis.

    Examples
    --------
    >>> A = Hadamard(4)
    >>> A @ np.array([1.0, 2.0, 3.0, 4.0])
    array([10., -2., -4.,  0.])
    >>> from scipy.linalg import hadamard
    >>> np.allclose(Hadamard(n_bits=3, normalize="ortho").to_dense(),
    ...             hadamard(8) / np.sqrt(8))
    True
    >>> B = Hadamard(8, normalize="ortho")
    >>> x = np.arange(8.0)
    >>> np.allclose(B.H @ (B @ x), x)
    True
    """

    def __init__(self, n=None, *, n_bits=None, normalize=None, dtype=np.float64):
        # Imported here, not at module level: ``wht`` may come to import
        # ``operators`` (SPRIGHT), and ``operators`` imports this module.
        from ..wht._fwht import _NORMALIZE, _scale

        if (n is None) == (n_bits is None):
            raise TypeError("give exactly one of n (the length) and n_bits")
        if n_bits is not None:
            n_bits = check_scalar_arg(n_bits, "n_bits", lower=0, integer=True)
            n = 1 << n_bits
        else:
            if isinstance(n, bool) or not isinstance(n, numbers.Integral):
                raise TypeError(f"n must be an int, got {type(n).__name__}")
            n = int(n)
            if n < 1 or n & (n - 1):
                raise ValueError(f"n must be a power of two (1, 2, 4, ...), got {n}")
            n_bits = n.bit_length() - 1
        self.normalize = check_choice("normalize", normalize, _NORMALIZE)
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {dtype}")
        self.n_bits = n_bits
        self.scale = _scale(self.normalize, n)
        super().__init__(n, n, dtype)

    def _matvec(self, x):
        from ..wht._fwht import fwht

        x = np.asarray(x, dtype=np.result_type(self.dtype, x.dtype))
        return fwht(x, normalize=self.normalize)

    def _rmatvec(self, y):
        return self._matvec(y)

    @property
    def H(self):
        """The adjoint, which is the operator itself (``H_N`` is symmetric)."""
        return self
