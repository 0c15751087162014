"""Chambolle--Pock primal-dual hybrid gradient for ``min_x f(x) + g(Kx)``."""

from __future__ import annotations

import numpy as np

from ..base import IterationMonitor
from ..operators import power_iteration
from ..utils.validation import check_scalar_arg
from ._common import (
    ROUNDING,
    apply,
    apply_adjoint,
    as_operator,
    check_callback,
    check_prox,
    check_vector,
    norm,
    scaled_residual,
)

__all__ = ["chambolle_pock"]

#: Default steps satisfy ``tau * sigma * L**2 = _SAFETY**2 < 1``; the margin
#: covers the (from below) power-iteration estimate of ``L = ||K||``.
_SAFETY = 0.95


def _default_steps(K, tau, sigma):
    if tau is not None and sigma is not None:
        return tau, sigma, None
    L = power_iteration(K, max_iter=300, tol=1e-8)
    if L == 0.0:
        raise ValueError("K is zero (power iteration gave ||K|| = 0)")
    if tau is None and sigma is None:
        return _SAFETY / L, _SAFETY / L, L
    prod = (_SAFETY / L) ** 2
    if tau is None:
        return prod / sigma, sigma, L
    return tau, prod / tau, L


def chambolle_pock(
    prox_f, prox_g, K, x0, *, y0=None, tau=None, sigma=None, theta=1.0,
    relaxation=1.0, max_iter=1000, tol=1e-4, atol=0.0, callback=None,
    verbose=False,
):
    r"""Primal-dual algorithm of Chambolle & Pock for :math:`\min_x f(x) + g(Kx)`.

    Each iteration (primal step first, Condat's relaxed form) computes

    .. code-block:: text

        x_t = prox_{tau f}(x - tau K^H y)
        y_t = prox_{sigma g*}(y + sigma K (x_t + theta (x_t - x)))
        x, y = x + rho (x_t - x), y + rho (y_t - y)       # rho = relaxation

    with ``prox_{sigma g*}`` obtained from ``prox_g.prox_conjugate``. Only two
    operator applications (``K`` and ``K^H``) are needed per iteration.

    Parameters
    ----------
    prox_f : Prox or None
        The function ``f`` (``None`` for ``f = 0``); ``prox_f.prox`` is used.
    prox_g : Prox
        The function ``g``; ``prox_g.prox_conjugate`` is used.
    K : LinearOperator, ndarray, scipy sparse matrix or scipy LinearOperator
        The linear map.
    x0 : array_like
        Primal starting point, of shape ``K.ishape`` or flat; the solution is
        returned in the same form.
    y0 : array_like, optional
        Dual starting point, of shape ``K.oshape`` (default zero).
    tau, sigma : float, optional
        Primal and dual steps. Missing ones are set from ``L = ||K||``
        (power iteration) so that ``tau * sigma * L**2 = 0.95**2 < 1``; by
        default ``tau = sigma = 0.95 / L``. When both are given they are used
        as they are (convergence needs ``tau * sigma * ||K||**2 < 1``).
    theta : float, default=1.0
        Extrapolation parameter in ``[0, 1]``.
    relaxation : float, default=1.0
        Over-relaxation ``rho`` in ``(0, 2)`` (Condat, 2013); covered by the
        theory for ``theta = 1``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-4
        Stop when both primal-dual residuals (Goldstein et al., 2013) at the
        new point ``(x_t, y_t)``,

        ``p = (x - x_t) / tau - K^H (y - y_t)`` (an element of
        ``df(x_t) + K^H y_t``) and
        ``d = (y - y_t) / sigma + theta K (x_t - x)`` (an element of
        ``dg*(y_t) - K x_t``),

        satisfy ``||p|| <= atol + tol ||K^H y_t||`` and
        ``||d|| <= atol + tol ||K x_t||``; residuals at the rounding level of
        the terms they are computed from count as zero.
    atol : float, default=0.0
        Absolute tolerance on both residual norms (needed when ``K^H y`` or
        ``K x`` vanish at the solution).
    callback : callable, optional
        ``callback(k, x)`` after every iteration, with ``x`` the new point
        ``x_t`` of shape ``K.ishape``; returning ``True`` stops.
    verbose : bool or int, default=False
        Print progress every ``verbose`` iterations.

    Returns
    -------
    SolverResult
        ``x`` the primal solution; ``history`` the stopping criterion per
        iteration (the larger scaled residual, compared with ``tol``);
        ``info`` with the dual solution ``y``, ``tau``, ``sigma``, ``norm_K``
        (the power-iteration estimate of ``||K||``, or None) and the
        ``primal_residual`` and ``dual_residual`` norms per iteration.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before the tolerance.

    Examples
    --------
    ``min_x |x - 1| + 0.5 ||Kx||^2`` with ``K = 2``; the minimiser is 0.25:

    >>> from sparserecovery.proxes import Prox
    >>> class AbsShift(Prox):
    ...     def value(self, x):
    ...         return np.abs(x - 1.0).sum()
    ...     def _prox(self, x, step):
    ...         d = x - 1.0
    ...         return 1.0 + np.sign(d) * np.maximum(np.abs(d) - step, 0.0)
    >>> class HalfSq(Prox):
    ...     def value(self, x):
    ...         return 0.5 * np.sum(x ** 2)
    ...     def _prox(self, x, step):
    ...         return x / (1.0 + step)
    >>> res = chambolle_pock(AbsShift(), HalfSq(), np.array([[2.0]]), np.zeros(1),
    ...                      tol=1e-10, max_iter=5000)
    >>> np.round(res.x, 6)
    array([0.25])
    """
    prox_f = check_prox(prox_f, "prox_f")
    prox_g = check_prox(prox_g, "prox_g", conjugate=True)
    if K is None:
        raise TypeError("K must be a matrix or a LinearOperator, got None")
    K = as_operator(K, "K")
    x = check_vector(x0, "x0", K.ishape)
    x_form = x.shape
    x = x.reshape(K.ishape).copy()
    if tau is not None:
        tau = check_scalar_arg(tau, "tau", lower=0, lower_inclusive=False)
    if sigma is not None:
        sigma = check_scalar_arg(sigma, "sigma", lower=0, lower_inclusive=False)
    theta = check_scalar_arg(theta, "theta", lower=0, upper=1)
    rho = check_scalar_arg(
        relaxation, "relaxation", lower=0, upper=2, lower_inclusive=False,
        upper_inclusive=False,
    )
    atol = check_scalar_arg(atol, "atol", lower=0)
    callback = check_callback(callback)
    mon = IterationMonitor("chambolle_pock", max_iter, tol, callback, verbose)
    tau, sigma, L = _default_steps(K, tau, sigma)

    Kx = apply(K, x)
    if y0 is None:
        y = np.zeros_like(Kx, dtype=np.result_type(Kx.dtype, K.dtype))
    else:
        y = check_vector(y0, "y0", K.oshape).reshape(K.oshape).copy()
    KHy = apply_adjoint(K, y)
    r_hist, s_hist = [], []

    for k in range(mon.max_iter):
        xt = prox_f.prox(x - tau * KHy, tau)
        Kxt = apply(K, xt)
        Kxbar = Kxt + theta * (Kxt - Kx)
        yt = prox_g.prox_conjugate(y + sigma * Kxbar, sigma)
        KHyt = apply_adjoint(K, yt)

        p = norm((x - xt) / tau - (KHy - KHyt))
        d = norm((y - yt) / sigma + theta * (Kxt - Kx))
        r_hist.append(p)
        s_hist.append(d)
        s_p, s_d = norm(KHyt), norm(Kxt)
        crit = max(
            scaled_residual(p, s_p, mon.tol, atol, ROUNDING * max(s_p, norm(x) / tau)),
            scaled_residual(
                d, s_d, mon.tol, atol, ROUNDING * max(s_d, norm(y) / sigma)
            ),
        )

        if mon.update(k, crit, crit, xt) or rho == 1.0:
            # the residuals certify (x_t, y_t): that is what a stop returns
            x, y, Kx, KHy = xt, yt, Kxt, KHyt
            if mon.converged:
                break
        else:
            x = x + rho * (xt - x)
            y = y + rho * (yt - y)
            Kx = Kx + rho * (Kxt - Kx)
            KHy = KHy + rho * (KHyt - KHy)

    return mon.result(
        x.reshape(x_form), y=y, tau=tau, sigma=sigma, norm_K=L,
        primal_residual=np.asarray(r_hist), dual_residual=np.asarray(s_hist),
    )
