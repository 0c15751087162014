"""The linear-operator base class and its algebra.

An operator maps arrays of shape ``ishape`` to arrays of shape ``oshape``;
its matrix shape is ``(prod(oshape), prod(ishape))``. ``op @ x`` accepts
either the structured shape (``ishape``) or the flat vector (``(n,)``) and
answers in the same form (structured when the two coincide, e.g. a 1-D
``ishape``); a 2-D ``(n, k)`` array is applied column by column.
Subclasses implement ``_matvec`` and ``_rmatvec`` on structured arrays only.
"""

from __future__ import annotations

from math import prod
from numbers import Number

import numpy as np
import scipy.sparse.linalg as spla

from ..utils.validation import check_random_state

__all__ = [
    "LinearOperator",
    "aslinearoperator",
    "dottest",
    "power_iteration",
]


def _as_shape(s):
    if isinstance(s, (int, np.integer)):
        return (int(s),)
    return tuple(int(v) for v in s)


class LinearOperator:
    """Base class for matrix-free linear operators.

    Parameters
    ----------
    ishape : int or tuple of int
        Shape of the arrays the operator acts on.
    oshape : int or tuple of int
        Shape of the arrays it returns.
    dtype : dtype
        Dtype of the operator's entries (the output dtype is the result type
        of this and the input's dtype).

    Notes
    -----
    Subclasses implement ``_matvec(x)`` (``x`` has shape ``ishape``, returns
    ``oshape``) and ``_rmatvec(y)`` (the adjoint). Everything else (``.H``,
    ``@``, ``+``, scalar ``*``, ``to_dense``, scipy interoperability) comes
    from this class.

    Examples
    --------
    >>> from sparserecovery.operators import Dense
    >>> A = Dense(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> (A.H @ A) @ np.array([1.0, 0.0])
    array([10., 14.])
    """

    def __init__(self, ishape, oshape, dtype=np.float64):
        self.ishape = _as_shape(ishape)
        self.oshape = _as_shape(oshape)
        self.dtype = np.dtype(dtype)

    # ------------------------------------------------------------------ shape
    @property
    def shape(self):
        """Matrix shape ``(prod(oshape), prod(ishape))``."""
        return (prod(self.oshape), prod(self.ishape))

    def __repr__(self):
        return (
            f"<{type(self).__name__} {self.ishape} -> {self.oshape}, "
            f"dtype={self.dtype}>"
        )

    # ---------------------------------------------------------- application
    def _apply(self, x, shape_in, shape_out, fn, name):
        x = np.asarray(x)
        n = prod(shape_in)
        if x.dtype == object or not (
            np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_
        ):
            raise TypeError(f"{name}: x must be a numeric array, got dtype {x.dtype}")
        if not np.issubdtype(x.dtype, np.inexact):
            x = x.astype(np.float64)
        if x.shape == shape_in:
            return fn(x)
        if x.ndim == 1 and x.shape[0] == n:
            return fn(x.reshape(shape_in)).ravel()
        if x.ndim == 2 and x.shape[0] == n:
            cols = [fn(x[:, j].reshape(shape_in)).ravel() for j in range(x.shape[1])]
            if not cols:
                return np.zeros((prod(shape_out), 0), dtype=self.dtype)
            return np.stack(cols, axis=1)
        raise ValueError(
            f"{name}: x must have shape {shape_in} or ({n},) or ({n}, k), got {x.shape}"
        )

    def matvec(self, x):
        """Apply the operator: ``A x``."""
        return self._apply(x, self.ishape, self.oshape, self._matvec, "matvec")

    def __call__(self, x):
        """Apply the operator (same as ``self @ x``)."""
        return self.matvec(x)

    def rmatvec(self, y):
        """Apply the adjoint: ``A^H y``."""
        return self._apply(y, self.oshape, self.ishape, self._rmatvec, "rmatvec")

    def _matvec(self, x):
        raise NotImplementedError

    def _rmatvec(self, y):
        raise NotImplementedError

    # ---------------------------------------------------------- algebra
    @property
    def H(self):
        """The adjoint (conjugate transpose) operator."""
        return _Adjoint(self)

    def adjoint(self):
        """Return the adjoint operator (same as :attr:`H`)."""
        return self.H

    def __matmul__(self, other):
        if isinstance(other, LinearOperator):
            return _Product(self, other)
        if isinstance(other, (spla.LinearOperator, np.matrix)):
            return NotImplemented
        return self.matvec(other)

    def __rmatmul__(self, other):
        return NotImplemented

    def __add__(self, other):
        if not isinstance(other, LinearOperator):
            return NotImplemented
        return _Sum(self, other)

    def __sub__(self, other):
        if not isinstance(other, LinearOperator):
            return NotImplemented
        return _Sum(self, _Scaled(other, -1.0))

    def __neg__(self):
        return _Scaled(self, -1.0)

    def __mul__(self, c):
        if isinstance(c, Number) and not isinstance(c, bool):
            return _Scaled(self, c)
        return NotImplemented

    __rmul__ = __mul__

    def normal(self):
        """The normal operator ``A^H A``."""
        return _Product(self.H, self)

    # ---------------------------------------------------------- conversions
    def to_dense(self):
        """Dense matrix of the operator (for tests and small problems)."""
        n = self.shape[1]
        dt = np.result_type(self.dtype, np.float64)
        eye = np.eye(n, dtype=dt)
        cols = [self.matvec(eye[:, j]) for j in range(n)]
        if not cols:
            return np.zeros((self.shape[0], 0), dtype=dt)
        return np.stack(cols, axis=1)

    def to_scipy(self):
        """Return the operator as a :class:`scipy.sparse.linalg.LinearOperator`."""
        return spla.LinearOperator(
            self.shape,
            matvec=lambda v: self.matvec(np.ravel(v)),
            rmatvec=lambda v: self.rmatvec(np.ravel(v)),
            dtype=self.dtype,
        )


class _Adjoint(LinearOperator):
    def __init__(self, op):
        super().__init__(op.oshape, op.ishape, op.dtype)
        self.op = op

    def _matvec(self, x):
        return self.op._rmatvec(x)

    def _rmatvec(self, y):
        return self.op._matvec(y)

    @property
    def H(self):
        return self.op


class _Product(LinearOperator):
    def __init__(self, A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(
                f"cannot compose operators: {A.shape} @ {B.shape} (inner sizes differ)"
            )
        super().__init__(B.ishape, A.oshape, np.result_type(A.dtype, B.dtype))
        self.A, self.B = A, B

    def _matvec(self, x):
        return self.A._matvec(self.B._matvec(x).reshape(self.A.ishape))

    def _rmatvec(self, y):
        return self.B._rmatvec(self.A._rmatvec(y).reshape(self.B.oshape))


class _Sum(LinearOperator):
    def __init__(self, A, B):
        if A.shape != B.shape:
            raise ValueError(f"cannot add operators of shapes {A.shape} and {B.shape}")
        super().__init__(A.ishape, A.oshape, np.result_type(A.dtype, B.dtype))
        self.A, self.B = A, B

    def _matvec(self, x):
        return self.A._matvec(x) + self.B._matvec(x.reshape(self.B.ishape)).reshape(
            self.oshape
        )

    def _rmatvec(self, y):
        return self.A._rmatvec(y) + self.B._rmatvec(y.reshape(self.B.oshape)).reshape(
            self.ishape
        )


class _Scaled(LinearOperator):
    def __init__(self, op, c):
        # Python scalars (not numpy ones) keep float32 data float32.
        if isinstance(c, np.generic):
            c = c.item()
        super().__init__(op.ishape, op.oshape, np.result_type(op.dtype, c))
        self.op, self.c = op, c
        self._c_conj = c.conjugate()

    def _matvec(self, x):
        return self.c * self.op._matvec(x)

    def _rmatvec(self, y):
        return self._c_conj * self.op._rmatvec(y)


class _ScipyWrapper(LinearOperator):
    def __init__(self, op):
        super().__init__(op.shape[1], op.shape[0], op.dtype)
        self.op = op

    def _matvec(self, x):
        return np.asarray(self.op.matvec(x)).ravel()

    def _rmatvec(self, y):
        return np.asarray(self.op.rmatvec(y)).ravel()


def aslinearoperator(A):
    """Wrap a matrix, sparse matrix or scipy operator as a :class:`LinearOperator`.

    Parameters
    ----------
    A : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        What to wrap. Our own operators are returned unchanged.

    Returns
    -------
    LinearOperator

    Examples
    --------
    >>> aslinearoperator(np.eye(3)).shape
    (3, 3)
    """
    from ._basic import Dense

    if isinstance(A, LinearOperator):
        return A
    if isinstance(A, spla.LinearOperator):
        return _ScipyWrapper(A)
    return Dense(A)


def dottest(op, *, rtol=None, random_state=None, complex_input=None):
    """Adjoint ("dot") test: check ``<A x, y> == <x, A^H y>``.

    Parameters
    ----------
    op : LinearOperator
        The operator to test.
    rtol : float, optional
        Relative tolerance; defaults to ``1e-10`` for double and ``1e-4`` for
        single precision operators.
    random_state : int, RandomState or None
        Seed for the random test vectors.
    complex_input : bool, optional
        Use complex test vectors (default: when the operator is complex).

    Returns
    -------
    float
        The relative mismatch ``|<Ax,y> - <x,A^H y>| / (|<Ax,y>| + tiny)``.

    Raises
    ------
    AssertionError
        If the mismatch exceeds ``rtol``.

    Examples
    --------
    >>> from sparserecovery.operators import Dense
    >>> dottest(Dense(np.arange(6.0).reshape(2, 3)), random_state=0) < 1e-12
    True
    """
    rng = check_random_state(random_state)
    if complex_input is None:
        complex_input = np.iscomplexobj(np.zeros(0, op.dtype))
    single = op.dtype in (np.float32, np.complex64)
    if rtol is None:
        rtol = 1e-4 if single else 1e-10

    def draw(shape):
        v = rng.standard_normal(shape)
        if complex_input:
            v = v + 1j * rng.standard_normal(shape)
        return v

    x = draw(op.ishape)
    y = draw(op.oshape)
    lhs = np.vdot(op.matvec(x), y)
    rhs = np.vdot(x, op.rmatvec(y))
    scale = max(abs(lhs), abs(rhs), np.finfo(float).tiny)
    err = abs(lhs - rhs) / scale
    if err > rtol:
        raise AssertionError(
            f"adjoint test failed for {op!r}: <Ax,y>={lhs}, <x,A^H y>={rhs}, "
            f"relative error {err:.2e} > {rtol:.1e}"
        )
    return float(err)


def power_iteration(op, *, max_iter=100, tol=1e-6, random_state=0):
    """Estimate the spectral norm ``||A||_2`` by power iteration on ``A^H A``.

    Parameters
    ----------
    op : LinearOperator
        The operator.
    max_iter : int
        Maximum number of iterations.
    tol : float
        Relative change of the estimate at which to stop.
    random_state : int, RandomState or None
        Seed of the starting vector.

    Returns
    -------
    float
        The estimate of the largest singular value (a lower bound that is
        tight to ``tol`` when the iteration converged).

    Examples
    --------
    >>> from sparserecovery.operators import Dense
    >>> round(power_iteration(Dense(np.diag([3.0, 1.0]))), 6)
    3.0
    """
    rng = check_random_state(random_state)
    x = rng.standard_normal(op.ishape)
    if np.iscomplexobj(np.zeros(0, op.dtype)):
        x = x + 1j * rng.standard_normal(op.ishape)
    nrm = np.linalg.norm(x)
    x = x / nrm
    sigma = 0.0
    for _ in range(max(1, max_iter)):
        y = op._rmatvec(op._matvec(x))
        # ||y|| scaled by max|y| first: y ~ ||A||^2 overflows when squared
        # for operators with entries beyond ~1e77.
        peak = float(np.max(np.abs(y), initial=0.0))
        nrm = peak * float(np.linalg.norm(y / peak)) if peak > 0.0 else 0.0
        if not np.isfinite(nrm):
            raise ValueError(
                "power_iteration: ||A^H A x|| is not finite; the operator's "
                "entries overflow float64 arithmetic"
            )
        if nrm == 0.0:
            return 0.0
        new = np.sqrt(nrm)
        x = y / nrm
        if abs(new - sigma) <= tol * new:
            sigma = new
            break
        sigma = new
    return float(sigma)
