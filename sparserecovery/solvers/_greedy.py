"""Greedy and thresholding solvers: orthogonal matching pursuit and IHT."""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..base import ConvergenceWarning, IterationMonitor
from ..operators import LinearOperator
from ..utils.validation import check_array_arg, check_scalar_arg
from ._common import (
    as_operator,
    check_callback,
    check_vector,
    norm,
    real_dot,
    relative_change,
)

__all__ = ["iht", "omp"]

_EPS = np.finfo(np.float64).eps


def _qr_append(Qt, R, k, a):
    """Append column ``a`` to the thin QR factorisation held in ``Qt``, ``R``.

    ``Qt[:k]`` holds the orthonormal vectors ``q_0 .. q_{k-1}`` as rows and
    ``R[:k, :k]`` the upper-triangular factor. ``a`` is orthogonalised by
    classical Gram--Schmidt applied twice ("twice is enough"); ``R[:k+1, k]``
    and, when the remainder is non-zero, ``Qt[k]`` are written in place.
    Returns the norm of the remainder, ``R[k, k]``.
    """
    Q = Qt[:k]
    c1 = Q.conj() @ a
    v = a - Q.T @ c1
    c2 = Q.conj() @ v
    v = v - Q.T @ c2
    R[:k, k] = c1 + c2
    nrm = math.sqrt(float(np.vdot(v, v).real))
    R[k, k] = nrm
    if nrm > 0.0:
        Qt[k] = v / nrm
    return nrm


def _solve_upper(R, k, rhs):
    """Solve ``R[:k, :k] x = rhs[:k]`` (``R`` upper triangular)."""
    return sla.solve_triangular(R[:k, :k], rhs[:k], lower=False)


def hard_threshold(v, k):
    """Keep the ``k`` entries of flat ``v`` largest in modulus, zero the rest.

    Exactly ``k`` positions are kept (ties broken arbitrarily), so the output
    has at most ``k`` non-zeros. Returns ``(out, indices)``, the kept
    positions sorted increasingly.
    """
    if k >= v.size:
        return v.copy(), np.arange(v.size)
    idx = np.sort(np.argpartition(np.abs(v), v.size - k)[v.size - k :])
    out = np.zeros_like(v)
    out[idx] = v[idx]
    return out, idx


class _Columns:
    """Column access and correlations ``A^H r`` for OMP.

    Dense arrays are sliced; anything else is used matrix-free: a column costs
    one ``A @ e_j`` and the correlations one ``A^H r``.
    """

    def __init__(self, A):
        if sp.issparse(A) or isinstance(A, (LinearOperator, spla.LinearOperator)):
            self.op = as_operator(A, "A")
            self.dense = None
            self.shape, self.dtype = self.op.shape, self.op.dtype
        else:
            self.dense = check_array_arg(A, "A", ndim=2, min_size=1)
            self.op = None
            self.shape, self.dtype = self.dense.shape, self.dense.dtype
            self._AH = self.dense.T.conj() if np.iscomplexobj(self.dense) else None

    def correlations(self, r):
        if self.dense is None:
            return np.ravel(self.op.rmatvec(r))
        if self._AH is not None:
            return self._AH @ r
        return self.dense.T @ r

    def column(self, j):
        if self.dense is not None:
            return self.dense[:, j]
        e = np.zeros(self.shape[1], dtype=self.dtype)
        e[j] = 1.0
        return np.ravel(self.op.matvec(e))


def omp(A, y, n_nonzero_coefs=None, tol=None, *, callback=None, verbose=False):
    """Orthogonal matching pursuit: greedy ``k``-sparse least squares.

    At each step the atom (column) most correlated with the residual,
    ``argmax_j |a_j^H r|``, joins the support; the coefficients are the least
    squares fit on the support, updated through an incremental QR
    factorisation of the selected columns (Gram--Schmidt applied twice), so
    step ``k`` costs one ``A^H r`` plus ``O(m k)``.

    Parameters
    ----------
    A : ndarray, scipy sparse matrix or LinearOperator of shape (m, n)
        Dictionary, real or complex. Dense arrays are used directly; for a
        sparse matrix or an operator a selected column is obtained as
        ``A @ e_j``, so the matrix is never formed. Columns are not
        normalised: the selection rule is the plain correlation, as in
        scikit-learn (normalise the columns first for the textbook rule).
    y : array_like of shape (m,)
        Measurements.
    n_nonzero_coefs : int, optional
        Number of atoms to select; default ``max(int(0.1 n), 1)`` as in
        scikit-learn. Ignored when ``tol`` is given.
    tol : float, optional
        Stop when the squared residual norm ``||y - A x||^2`` is at most
        ``tol`` (scikit-learn's convention); at most ``min(m, n)`` atoms.
    callback : callable, optional
        ``callback(k, x)`` after atom ``k`` is added; returning ``True`` stops.
    verbose : bool or int, default=False
        Print progress every ``verbose`` atoms.

    Returns
    -------
    SolverResult
        ``x`` the coefficients (length ``n``, at most ``n_iter`` non-zeros);
        ``n_iter`` the number of atoms selected; ``history`` the squared
        residual norm after each atom; ``info`` with ``support`` (indices in
        order of selection) and ``residual``.

    Warns
    -----
    ConvergenceWarning
        When the target is not reached: ``tol`` with all ``min(m, n)`` atoms,
        or an atom that is (numerically) a combination of the selected ones
        while the residual is not zero.

    Examples
    --------
    >>> A = np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.8], [0.0, 0.0, 0.0]])
    >>> res = omp(A, np.array([2.0, 0.5, 0.0]), n_nonzero_coefs=2)
    >>> res.x
    array([2. , 0.5, 0. ])
    >>> res.info["support"]
    array([0, 1])
    """
    cols = _Columns(A)
    m, n = cols.shape
    y = check_vector(y, "y", (m,)).ravel()
    callback = check_callback(callback)
    max_atoms = min(m, n)
    if tol is not None:
        tol = check_scalar_arg(tol, "tol", lower=0)
        target = max_atoms
    else:
        if n_nonzero_coefs is None:
            n_nonzero_coefs = max(int(0.1 * n), 1)
        target = check_scalar_arg(
            n_nonzero_coefs, "n_nonzero_coefs", lower=1, integer=True
        )
        if target > max_atoms:
            raise ValueError(
                f"n_nonzero_coefs must be <= min(n_samples, n_features) = "
                f"{max_atoms}, got {target}"
            )
    dtype = np.result_type(cols.dtype, y.dtype)
    if dtype not in (np.float32, np.complex64, np.complex128):
        dtype = np.dtype(np.float64)
    y = y.astype(dtype, copy=False)

    mon = IterationMonitor("omp", target, 0.0 if tol is None else tol,
                           callback, verbose)
    Qt = np.zeros((target, m), dtype=dtype)
    R = np.zeros((target, target), dtype=dtype)
    qty = np.zeros(target, dtype=dtype)
    support = []
    r = y.copy()
    res2 = real_dot(r, r)
    problem = None
    if tol is not None and res2 <= tol:
        mon.converged = True

    k = 0
    while k < target and not mon.converged:
        c = cols.correlations(r)
        j = int(np.argmax(np.abs(c)))
        if abs(c[j]) ** 2 <= np.finfo(np.float64).tiny or j in support:
            problem = "residual orthogonal to every unused atom"
            break
        a = np.ascontiguousarray(cols.column(j), dtype=dtype)
        nrm = _qr_append(Qt, R, k, a)
        if nrm <= 100.0 * _EPS * norm(a):
            R[: k + 1, k] = 0.0
            problem = f"atom {j} is numerically a combination of the selected atoms"
            break
        support.append(j)
        gamma = np.vdot(Qt[k], r)
        qty[k] = gamma
        r = r - gamma * Qt[k]
        res2 = real_dot(r, r)
        k += 1
        x_now = None
        if callback is not None:
            x_now = np.zeros(n, dtype=dtype)
            x_now[support] = _solve_upper(R, k, qty)
        crit = res2 if tol is not None else (0.0 if k == target else np.inf)
        mon.update(k - 1, res2, crit, x_now)

    x = np.zeros(n, dtype=dtype)
    if k:
        x[support] = _solve_upper(R, k, qty)
    if not mon.converged and problem is not None and res2 <= (
        100.0 * _EPS * norm(y)
    ) ** 2:
        mon.converged = True  # exact fit with fewer atoms: nothing left to do
    result = mon.result(x, warn=False, support=np.asarray(support, dtype=np.intp),
                        residual=r)
    if not result.converged:
        why = problem or f"tol={tol:g} not reached with all {max_atoms} atoms"
        warnings.warn(
            f"omp stopped after {k} atoms: {why} (squared residual {res2:.3e}).",
            ConvergenceWarning,
            stacklevel=2,
        )
    return result


def iht(A, y, n_nonzero, *, step=None, x0=None, max_iter=500, tol=1e-6,
        callback=None, verbose=False):
    """Iterative hard thresholding (normalised IHT by default).

    Approximately solves ``min ||y - A x||^2`` subject to ``||x||_0 <= k`` by
    ``x <- H_k(x + mu A^H (y - A x))``, where ``H_k`` keeps the ``k`` entries
    largest in modulus. With ``step=None`` the step ``mu`` is the adaptive one
    of normalised IHT (Blumensath & Davies, 2010): the exact line search
    along the gradient restricted to the current support, shrunk (by a factor
    ``2 (1 - c)``, ``c = 0.01``) whenever the support changes and
    ``mu > (1 - c) ||x_new - x||^2 / ||A (x_new - x)||^2``. This makes the
    method insensitive to the scaling of ``A``.

    Parameters
    ----------
    A : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        Sensing operator (real or complex), used matrix-free.
    y : array_like
        Measurements, of shape ``A.oshape`` or flat.
    n_nonzero : int
        Sparsity ``k``, with ``1 <= k <= n``.
    step : float, optional
        Fixed step ``mu > 0`` (classic IHT, converges for ``mu < 1/||A||^2``).
    x0 : array_like, optional
        Starting point (default zero; it is hard-thresholded first).
    max_iter : int, default=500
        Maximum number of iterations.
    tol : float, default=1e-6
        Stop when the relative change ``||x_{k+1} - x_k|| / ||x_{k+1}||``
        falls to ``tol``.
    callback : callable, optional
        ``callback(k, x)`` after every iteration; returning ``True`` stops.
    verbose : bool or int, default=False
        Print progress every ``verbose`` iterations.

    Returns
    -------
    SolverResult
        ``x`` (shape ``A.ishape``, or that of ``x0``) with at most
        ``n_nonzero`` non-zeros; ``history`` the relative residual
        ``||y - A x_k|| / ||y||``; ``info`` with ``support`` and the last step
        ``mu``.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before ``tol``.

    Examples
    --------
    >>> A = np.array([[1.0, 0.2, 0.0], [0.0, 1.0, 0.3], [0.1, 0.0, 1.0]])
    >>> x_true = np.array([0.0, 2.0, 0.0])
    >>> res = iht(A, A @ x_true, 1, tol=1e-12)
    >>> np.round(res.x, 10)
    array([0., 2., 0.])
    """
    op = as_operator(A, "A")
    m, n = op.shape
    y = check_vector(y, "y", op.oshape).ravel()
    k = check_scalar_arg(n_nonzero, "n_nonzero", lower=1, integer=True)
    if k > n:
        raise ValueError(f"n_nonzero must be <= n_features = {n}, got {k}")
    if step is not None:
        step = check_scalar_arg(step, "step", lower=0, lower_inclusive=False)
    callback = check_callback(callback)
    mon = IterationMonitor("iht", max_iter, tol, callback, verbose)
    dtype = np.result_type(op.dtype, y.dtype)
    out_shape = op.ishape
    if x0 is None:
        x = np.zeros(n, dtype=dtype)
        idx = None  # support chosen at the first step from the gradient
    else:
        x0 = check_vector(x0, "x0", op.ishape)
        out_shape = x0.shape
        x, idx = hard_threshold(x0.ravel().astype(np.result_type(dtype, x0.dtype)), k)
    Ax = op.matvec(x)
    ynorm = max(norm(y), np.finfo(float).tiny)
    c_shrink, kappa = 0.01, 2.0
    mu = step

    for it in range(mon.max_iter):
        r = y - Ax
        g = np.ravel(op.rmatvec(r))
        if step is None:
            if idx is None:
                _, idx = hard_threshold(g, k)
            g_s = np.zeros_like(g)
            g_s[idx] = g[idx]
            Ag = op.matvec(g_s)
            denom = real_dot(Ag, Ag)
            if denom == 0.0:
                Ag = op.matvec(g)
                denom = real_dot(Ag, Ag)
                if denom == 0.0:  # zero gradient: a fixed point
                    mon.update(it, norm(r) / ynorm, 0.0, x)
                    break
                mu = real_dot(g, g) / denom
            else:
                mu = real_dot(g_s, g_s) / denom
        if not np.isfinite(mu) or not np.all(np.isfinite(g)):
            raise ValueError(
                "iht: the gradient step is not finite; A and y overflow float64 "
                "arithmetic (rescale A and y)"
            )
        x_new, idx_new = hard_threshold(x + mu * g, k)
        Ax_new = op.matvec(x_new)
        if step is None and not np.array_equal(idx_new, idx):
            # Each pass shrinks mu by 2 (1 - c); a bounded number of passes
            # reaches any representable step, so the loop always ends.
            for _ in range(2100):
                d = x_new - x
                Ad = Ax_new - Ax
                dAd = real_dot(Ad, Ad)
                omega = (1.0 - c_shrink) * real_dot(d, d) / max(dAd, 1e-300)
                if mu <= omega:
                    break
                mu /= kappa * (1.0 - c_shrink)
                x_new, idx_new = hard_threshold(x + mu * g, k)
                Ax_new = op.matvec(x_new)
                if np.array_equal(idx_new, idx):
                    break
        crit = relative_change(x_new, x)
        x, Ax, idx = x_new, Ax_new, idx_new
        if mon.update(it, norm(y - Ax) / ynorm, crit, x.reshape(out_shape)):
            break

    return mon.result(x.reshape(out_shape), support=np.flatnonzero(x), step=mu)
