"""Scaled-form ADMM for ``min_x f(x) + g(Kx)``."""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from ..base import IterationMonitor
from ..operators import Dense, Identity, LinearOperator
from ..utils.validation import check_choice, check_scalar_arg
from ._cg import _cg_loop
from ._common import (
    ROUNDING,
    TINY,
    apply,
    apply_adjoint,
    as_operator,
    check_callback,
    check_prox,
    check_vector,
    norm,
    scaled_residual,
)

__all__ = ["admm", "least_squares_x_update"]

class _Reshaped(LinearOperator):
    """``K`` seen as acting on arrays of another (same-size) input shape."""

    def __init__(self, K, ishape):
        super().__init__(ishape, K.oshape, K.dtype)
        self.K = K

    def _matvec(self, x):
        return self.K._matvec(x.reshape(self.K.ishape))

    def _rmatvec(self, y):
        return self.K._rmatvec(y).reshape(self.ishape)


# Residual balancing (Boyd et al. 2011, sec. 3.4.1).
_BALANCE_MU = 10.0
_BALANCE_FACTOR = 2.0


def admm(
    x_update, prox_g, K, x0, *, rho=1.0, relaxation=1.0, u0=None,
    adaptive_rho=False, max_iter=1000, tol=1e-4, atol=0.0, callback=None,
    verbose=False,
):
    r"""ADMM (scaled form) for :math:`\min_x f(x) + g(Kx)`.

    With the splitting ``z = Kx`` and the scaled dual variable ``u``,
    each iteration performs

    .. code-block:: text

        x     = x_update(z - u, rho)       # argmin f(x) + rho/2 ||Kx - (z - u)||^2
        h     = a Kx + (1 - a) z           # over-relaxation, a = relaxation
        z_new = prox_{g / rho}(h + u)
        u     = u + h - z_new

    and stops on the primal residual ``r = Kx - z`` and the dual residual
    ``s = rho K^H (z_new - z)`` (Boyd et al., 2011, sec. 3.3).

    Parameters
    ----------
    x_update : callable
        ``x_update(v, rho)`` returns ``argmin_x f(x) + rho/2 ||Kx - v||^2``
        (``v`` has shape ``K.oshape``; the answer must have ``K.ishape``'s
        size and is reshaped to it).
        :func:`least_squares_x_update` builds it for
        ``f(x) = 0.5 ||Ax - b||^2``.
    prox_g : Prox
        The function ``g``; ``prox_g.prox(v, 1 / rho)`` is used.
    K : LinearOperator, ndarray, scipy sparse matrix, scipy operator or None
        The linear map inside ``g``; ``None`` means the identity.
    x0 : array_like
        Starting point (``z`` starts at ``K x0``), of shape ``K.ishape`` or
        flat; the solution is returned in the same form.
    rho : float, default=1.0
        Penalty parameter (> 0).
    relaxation : float, default=1.0
        Over-relaxation parameter ``a`` in ``(0, 2)``; values in 1.5 -- 1.8 often
        speed things up.
    u0 : array_like, optional
        Initial scaled dual variable, of shape ``K.oshape`` (default zero).
    adaptive_rho : bool, default=False
        Residual balancing: double ``rho`` when the relative primal residual
        exceeds ten times the relative dual residual, halve it in the opposite
        case (``u`` is rescaled accordingly). ``x_update`` must then accept
        any ``rho``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-4
        Relative tolerance: stop when ``||r|| <= atol + tol max(||Kx||, ||z||)``
        and ``||s|| <= atol + tol ||rho K^H u||``. Residuals at the rounding
        level of the terms they are computed from count as zero, so a zero
        solution also stops.
    atol : float, default=0.0
        Absolute tolerance on both residual norms.
    callback : callable, optional
        ``callback(k, x)`` after every iteration (``x`` of shape
        ``K.ishape``); returning ``True`` stops.
    verbose : bool or int, default=False
        Print progress every ``verbose`` iterations.

    Returns
    -------
    SolverResult
        ``x`` the solution; ``history`` the stopping criterion per iteration
        (the larger of the two scaled residuals, compared with ``tol``);
        ``info`` with ``z``, ``u`` (scaled dual), ``dual`` (``rho * u``, a
        subgradient of ``g`` at ``z``), final ``rho``, and the
        ``primal_residual`` and ``dual_residual`` norms per iteration.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before the tolerance.

    Examples
    --------
    Projection of ``b`` onto the non-negative orthant, ``f = 0.5||x - b||^2``:

    >>> from sparserecovery.proxes import Prox
    >>> class NonNeg(Prox):
    ...     def value(self, x):
    ...         return 0.0 if np.all(x >= 0) else np.inf
    ...     def _prox(self, x, step):
    ...         return np.maximum(x, 0.0)
    >>> b = np.array([1.0, -2.0, 3.0])
    >>> x_up = least_squares_x_update(np.eye(3), b)
    >>> res = admm(x_up, NonNeg(), None, np.zeros(3), tol=1e-10)
    >>> res.info["z"]
    array([1., 0., 3.])
    >>> bool(np.allclose(res.x, res.info["z"]))
    True
    """
    if not callable(x_update):
        raise TypeError(
            "x_update must be callable as x_update(v, rho), got "
            f"{type(x_update).__name__}"
        )
    prox_g = check_prox(prox_g, "prox_g")
    if K is None:
        x = check_vector(x0, "x0")
        K = Identity(x.shape, dtype=x.dtype)
    else:
        K = as_operator(K, "K")
        x = check_vector(x0, "x0", K.ishape)
    x_form = x.shape
    solves_for = getattr(getattr(x_update, "A", None), "ishape", None)
    if solves_for is not None and np.prod(solves_for) != x.size:
        raise ValueError(
            f"x0 has shape {x.shape} but x_update solves for x of shape "
            f"{tuple(solves_for)}"
        )
    identity = isinstance(K, Identity)
    rho = check_scalar_arg(rho, "rho", lower=0, lower_inclusive=False)
    a = check_scalar_arg(
        relaxation, "relaxation", lower=0, upper=2, lower_inclusive=False,
        upper_inclusive=False,
    )
    atol = check_scalar_arg(atol, "atol", lower=0)
    callback = check_callback(callback)
    mon = IterationMonitor("admm", max_iter, tol, callback, verbose)

    x = x.reshape(K.ishape).copy()
    Kx = x if identity else apply(K, x)
    z = Kx.copy()
    if u0 is None:
        u = np.zeros_like(z)
    else:
        u = check_vector(u0, "u0", K.oshape).reshape(K.oshape).copy()
    KHz = z if identity else apply_adjoint(K, z)
    r_hist, s_hist = [], []

    for k in range(mon.max_iter):
        x_new = np.asarray(x_update(z - u, rho))
        if x_new.size != x.size:
            raise ValueError(
                f"x_update returned shape {x_new.shape}, expected {K.ishape} "
                f"(the shape of x0)"
            )
        x = x_new.reshape(K.ishape)
        Kx = x if identity else apply(K, x)
        h = Kx if a == 1.0 else a * Kx + (1.0 - a) * z
        z_new = prox_g.prox(h + u, 1.0 / rho)
        u = u + h - z_new

        r = norm(Kx - z_new)
        KHz_new = z_new if identity else apply_adjoint(K, z_new)
        s = rho * norm(KHz_new - KHz)
        KHu = u if identity else apply_adjoint(K, u)
        z, KHz = z_new, KHz_new
        r_hist.append(r)
        s_hist.append(s)
        nu = norm(u)
        scale_p = max(norm(Kx), norm(z))
        scale_d = rho * norm(KHu)
        crit = max(
            scaled_residual(r, scale_p, mon.tol, atol, ROUNDING * max(scale_p, nu)),
            scaled_residual(
                s, scale_d, mon.tol, atol, ROUNDING * max(scale_d, rho * norm(KHz))
            ),
        )
        if mon.update(k, crit, crit, x):
            break
        if adaptive_rho:
            rel_p = r / max(scale_p, TINY)
            rel_d = s / max(scale_d, TINY)
            if rel_p > _BALANCE_MU * rel_d:
                rho *= _BALANCE_FACTOR
                u = u / _BALANCE_FACTOR
            elif rel_d > _BALANCE_MU * rel_p:
                rho /= _BALANCE_FACTOR
                u = u * _BALANCE_FACTOR

    return mon.result(
        x.reshape(x_form), z=z, u=u, dual=rho * u, rho=rho,
        primal_residual=np.asarray(r_hist), dual_residual=np.asarray(s_hist),
    )


class _LeastSquaresXUpdate:
    """``argmin_x 0.5||Ax - b||^2 + rho/2 ||Kx - v||^2`` (CG or Cholesky)."""

    def __init__(self, A, b, K, method, tol, max_iter):
        self.A, self.K, self.method = A, K, method
        self.AHb = apply_adjoint(A, b.reshape(A.oshape))
        self.tol, self.max_iter = tol, max_iter
        self.x = None
        self.n_cg_iter = 0
        self.n_cg_unconverged = 0
        self.n_factorizations = 0
        if method == "direct":
            Ad = A.to_dense()
            self._gram = Ad.conj().T @ Ad
            self._Kd = None if isinstance(K, Identity) else K.to_dense()
            self._KK = None if self._Kd is None else self._Kd.conj().T @ self._Kd
            self._factor = None  # (rho, cho_factor)

    def _solve_direct(self, KHv, rho):
        if self._factor is None or self._factor[0] != rho:
            G = self._gram.copy()
            if self._KK is None:
                G[np.diag_indices_from(G)] += rho
            else:
                G += rho * self._KK
            try:
                self._factor = (rho, sla.cho_factor(G, lower=True))
            except np.linalg.LinAlgError as exc:
                raise ValueError(
                    "A^H A + rho K^H K is not positive definite: K must be "
                    "injective on the null space of A"
                ) from exc
            self.n_factorizations += 1
        rhs = self.AHb.ravel() + rho * KHv.ravel()
        return sla.cho_solve(self._factor[1], rhs).reshape(self.A.ishape)

    def __call__(self, v, rho):
        K = self.K
        v = np.asarray(v)
        if v.size != np.prod(K.oshape):
            raise ValueError(
                f"v must have shape {K.oshape} (the output of K), got {v.shape}"
            )
        v = v.reshape(K.oshape)
        KHv = apply_adjoint(K, v)
        if self.method == "direct":
            x = self._solve_direct(KHv, rho)
        else:
            rhs = self.AHb + rho * KHv
            normal = self.A.normal() + rho * K.normal()
            if self.x is None:
                x = np.zeros_like(rhs)
            else:
                x = self.x.astype(np.result_type(self.x, rhs), copy=False)
            max_iter = self.max_iter if self.max_iter is not None else 10 * rhs.size
            mon = IterationMonitor("cg", max_iter, self.tol)
            x = _cg_loop(normal, rhs, x, None, mon, 0.0)
            self.n_cg_iter += mon.n_iter
            self.n_cg_unconverged += not mon.converged
        self.x = x
        return x


def _is_explicit(M):
    return (
        M is None
        or isinstance(M, (np.ndarray, list, Dense, Identity))
        or sp.issparse(M)
    )


def least_squares_x_update(A, b, K=None, *, method="auto", tol=1e-10, max_iter=None):
    r"""ADMM x-update for a least-squares ``f``.

    Returns a callable ``x_update(v, rho)`` that solves

    .. math:: \min_x \tfrac12 \|Ax - b\|^2 + \tfrac{\rho}{2} \|Kx - v\|^2,

    that is ``(A^H A + rho K^H K) x = A^H b + rho K^H v``.

    Parameters
    ----------
    A : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        Forward operator.
    b : array_like
        Data, shaped ``A.oshape`` or flat.
    K : LinearOperator, ndarray, scipy operator or None
        The operator of the ADMM splitting (``None``: identity on
        ``A.ishape``). ``A^H A + rho K^H K`` must be positive definite.
    method : {"auto", "cg", "direct"}, default="auto"
        ``"cg"``: conjugate gradient warm-started at the previous answer
        (matrix-free; late ADMM iterations cost few CG steps). ``"direct"``:
        Cholesky factorisation of the ``n x n`` normal matrix, formed densely
        and refactorised only when ``rho`` changes. ``"auto"`` is
        ``"direct"`` when ``A`` and ``K`` are explicit matrices (arrays,
        sparse matrices, :class:`~sparserecovery.operators.Dense`,
        :class:`~sparserecovery.operators.Identity`) and ``n <= 2000``,
        ``"cg"`` otherwise.
    tol : float, default=1e-10
        Relative residual tolerance of each CG solve.
    max_iter : int, optional
        CG iterations per solve (default ``10 n``). A solve that stops early
        is counted in the ``n_cg_unconverged`` attribute, not warned about.

    Returns
    -------
    callable
        ``x_update(v, rho)`` with ``v`` of shape ``K.oshape`` (or flat),
        returning ``x`` of shape ``A.ishape``. Its attributes ``method``,
        ``n_cg_iter``, ``n_cg_unconverged`` and ``n_factorizations`` describe
        the work done so far.

    Examples
    --------
    >>> x_up = least_squares_x_update(np.eye(2), np.array([1.0, 3.0]))
    >>> x_up(np.array([3.0, 3.0]), 1.0)
    array([2., 3.])
    >>> x_up.method
    'direct'
    """
    method = check_choice("method", method, ("auto", "cg", "direct"))
    explicit = _is_explicit(A) and _is_explicit(K)
    A = as_operator(A, "A")
    b = check_vector(b, "b", A.oshape)
    K = Identity(A.ishape, dtype=A.dtype) if K is None else as_operator(K, "K")
    if K.shape[1] != A.shape[1]:
        raise ValueError(
            f"K must act on the same space as A: K has {K.shape[1]} columns, "
            f"A has {A.shape[1]}"
        )
    if K.ishape != A.ishape:
        K = _Reshaped(K, A.ishape)
    tol = check_scalar_arg(tol, "tol", lower=0)
    if max_iter is not None:
        max_iter = check_scalar_arg(max_iter, "max_iter", lower=1, integer=True)
    if method == "auto":
        method = "direct" if explicit and A.shape[1] <= 2000 else "cg"
    return _LeastSquaresXUpdate(A, b, K, method, tol, max_iter)
