"""Kronecker product of operators, applied by mode products."""

from __future__ import annotations

from math import prod

import numpy as np

from ._base import LinearOperator

__all__ = ["Kronecker"]


class Kronecker(LinearOperator):
    r"""Kronecker product of matrices, applied without forming it.

    Represents ``A_1 ⊗ A_2 ⊗ … ⊗ A_I``.

    With ``A_i`` of shape ``(m_i, n_i)``, the operator maps a vector of length
    ``prod(n_i)`` to one of length ``prod(m_i)``. The input vector is viewed as
    a C-ordered tensor of shape ``(n_1, ..., n_I)`` and each factor is applied
    along its own mode (``(A ⊗ B) vec(X) = vec(A X B^T)`` for row-major
    ``vec``), which costs ``sum_i m_i prod(n)`` flops instead of
    ``prod(m) prod(n)``.

    Parameters
    ----------
    factors : sequence of array_like
        The 2-D factors (real or complex), in Kronecker order.

    Notes
    -----
    ``ishape`` is ``(prod(n_i),)`` and ``oshape`` is ``(prod(m_i),)`` so the
    operator behaves exactly like ``np.kron(A_1, np.kron(A_2, ...))`` on flat
    vectors. :meth:`tensor_matvec` applies it to an ``(n_1, ..., n_I)`` tensor.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((3, 2)), rng.standard_normal((4, 5))
    >>> K = Kronecker([A, B])
    >>> x = rng.standard_normal(10)
    >>> np.allclose(K @ x, np.kron(A, B) @ x)
    True
    """

    def __init__(self, factors):
        from ..utils.validation import check_array_arg

        if isinstance(factors, np.ndarray) and factors.ndim == 2:
            factors = [factors]
        factors = list(factors)
        if len(factors) == 0:
            raise ValueError("factors must contain at least one matrix")
        self.factors = [
            check_array_arg(f, f"factors[{i}]", ndim=2) for i, f in enumerate(factors)
        ]
        self.in_dims = tuple(f.shape[1] for f in self.factors)
        self.out_dims = tuple(f.shape[0] for f in self.factors)
        self._factors_h = [f.conj().T for f in self.factors]
        super().__init__(
            prod(self.in_dims), prod(self.out_dims), np.result_type(*self.factors)
        )

    @staticmethod
    def _mode_products(mats, t):
        for axis, f in enumerate(mats):
            t = np.moveaxis(np.tensordot(f, t, axes=(1, axis)), 0, axis)
        return t

    def tensor_matvec(self, x):
        """Apply the operator to a tensor of shape ``(n_1, ..., n_I)``."""
        x = np.asarray(x)
        if x.shape != self.in_dims:
            raise ValueError(f"x must have shape {self.in_dims}, got {x.shape}")
        return self._mode_products(self.factors, x)

    def _matvec(self, x):
        return self._mode_products(self.factors, x.reshape(self.in_dims)).reshape(-1)

    def _rmatvec(self, y):
        return self._mode_products(self._factors_h, y.reshape(self.out_dims)).reshape(
            -1
        )

    def to_dense(self):
        """Form the full Kronecker product (for tests and small problems)."""
        out = self.factors[0]
        for f in self.factors[1:]:
            out = np.kron(out, f)
        return out
