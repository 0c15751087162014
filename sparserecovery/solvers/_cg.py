"""Conjugate gradient for Hermitian positive (semi)definite operators."""

from __future__ import annotations

import numpy as np

from ..base import IterationMonitor
from ..utils.validation import check_scalar_arg
from ._common import (
    as_operator,
    check_callback,
    check_vector,
    norm,
    scaled_residual,
)

__all__ = ["cg"]


def _cg_loop(A, b, x, M, mon, atol):
    """Run (preconditioned) CG from ``x``; ``mon`` collects the history.

    ``x`` and ``b`` have shape ``A.ishape`` (``A`` square, ``M`` like ``A``).
    Returns the final iterate.
    """
    shape = A.ishape

    def op(v):
        return A._matvec(v).reshape(shape)

    def prec(v):
        return v if M is None else M._matvec(v.reshape(M.ishape)).reshape(shape)

    bnorm = norm(b)
    if bnorm == 0.0:
        mon.converged = True
        return np.zeros_like(x)
    r = b - op(x)
    rnorm = norm(r)
    if rnorm <= max(mon.tol * bnorm, atol):
        mon.converged = True
        return x
    z = prec(r)
    p = z
    rz = float(np.vdot(r, z).real)
    for k in range(mon.max_iter):
        Ap = op(p)
        pAp = float(np.vdot(p, Ap).real)
        if not pAp > 0.0:
            raise ValueError(
                "A must be Hermitian positive definite on the Krylov space: "
                f"got p^H A p = {pAp!r} at iteration {k}"
            )
        alpha = rz / pAp
        x = x + alpha * p
        r = r - alpha * Ap
        rnorm = norm(r)
        crit = scaled_residual(rnorm, bnorm, mon.tol, atol)
        if mon.update(k, rnorm / bnorm, crit, x):
            break
        z = prec(r)
        rz_new = float(np.vdot(r, z).real)
        beta = rz_new / rz
        rz = rz_new
        p = z + beta * p
    return x


def cg(A, b, x0=None, *, M=None, max_iter=None, tol=1e-6, atol=0.0,
       callback=None, verbose=False):
    """Solve ``A x = b`` by the conjugate gradient method.

    Parameters
    ----------
    A : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        Square Hermitian positive (semi)definite operator, real or complex;
        only applied to vectors. Hermitian symmetry is not checked.
    b : array_like
        Right-hand side, of shape ``A.oshape`` or flat.
    x0 : array_like, optional
        Starting point (default zero), in the same form as ``b``.
    M : LinearOperator, ndarray or scipy operator, optional
        Hermitian positive definite preconditioner approximating ``A^{-1}``
        (applied as ``M @ r``).
    max_iter : int, optional
        Maximum number of iterations; default ``10 * n``.
    tol : float, default=1e-6
        Relative tolerance: stop when ``||b - A x|| <= max(tol ||b||, atol)``.
    atol : float, default=0.0
        Absolute tolerance on the residual norm.
    callback : callable, optional
        ``callback(k, x)`` after every iteration; returning ``True`` stops.
    verbose : bool or int, default=False
        Print progress every ``verbose`` iterations.

    Returns
    -------
    SolverResult
        ``x`` the solution (same form as ``b``) and ``history`` the relative
        residual ``||b - A x_k|| / ||b||`` per iteration.

    Raises
    ------
    ValueError
        If a search direction has non-positive curvature (``A`` is not
        positive definite on the Krylov space).

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before the tolerance.

    Examples
    --------
    >>> A = np.array([[4.0, 1.0], [1.0, 3.0]])
    >>> res = cg(A, np.array([1.0, 2.0]), tol=1e-12)
    >>> np.round(res.x, 6)
    array([0.090909, 0.636364])
    >>> res.n_iter
    2
    """
    A = as_operator(A, "A")
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be square, got shape {A.shape}")
    b = check_vector(b, "b", A.oshape)
    atol = check_scalar_arg(atol, "atol", lower=0)
    callback = check_callback(callback)
    if M is not None:
        M = as_operator(M, "M")
        if M.shape != A.shape:
            raise ValueError(f"M must have shape {A.shape} like A, got {M.shape}")
    n = A.shape[1]
    if max_iter is None:
        max_iter = 10 * max(n, 1)
    dtype = np.result_type(A.dtype, b.dtype)
    if x0 is None:
        x = np.zeros(A.ishape, dtype=dtype)
    else:
        x = check_vector(x0, "x0", A.ishape)
        x = x.astype(np.result_type(dtype, x.dtype)).reshape(A.ishape)
    mon = IterationMonitor("cg", max_iter, tol, callback, verbose)
    x = _cg_loop(A, b.reshape(A.ishape), x, M, mon, atol)
    x = x.reshape(b.shape if b.ndim == 1 else A.ishape)
    return mon.result(x)
