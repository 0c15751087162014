"""Proximal gradient methods: ISTA and FISTA with restart and backtracking."""

from __future__ import annotations

import math

import numpy as np

from ..base import IterationMonitor
from ..utils.validation import check_choice, check_scalar_arg
from ._common import (
    check_callback,
    check_prox,
    check_smooth,
    check_vector,
    ishape_of,
    norm,
    real_dot,
    relative_change,
)

__all__ = ["fista", "ista"]

_RESTARTS = ("adaptive", "function", None)
_EPS = np.finfo(np.float64).eps


def _value_and_grad(smooth, x):
    vg = getattr(smooth, "value_and_grad", None)
    if callable(vg):
        val, g = vg(x)
    else:
        val, g = smooth.value(x), smooth.grad(x)
    return float(val), g


def _initial_lipschitz(smooth, x, g):
    """Secant estimate of the local curvature along ``-grad`` (a lower bound)."""
    gn = norm(g)
    if gn == 0.0:
        return 1.0
    h = 1e-3 * max(norm(x), 1.0) / gn
    d = -h * g
    curv = norm(smooth.grad(x + d) - g) / norm(d)
    return curv if np.isfinite(curv) and curv > 0.0 else 1.0


def _proximal_gradient(
    name, smooth, prox, x0, *, accelerate, step, backtracking, restart,
    compute_objective, max_iter, tol, callback, verbose,
):
    smooth = check_smooth(smooth)
    prox = check_prox(prox, "prox")
    x = check_vector(x0, "x0", ishape_of(smooth), allow_complex=True).copy()
    backtracking = bool(backtracking)
    restart = check_choice("restart", restart, _RESTARTS)
    callback = check_callback(callback)
    if restart == "function" and not compute_objective:
        raise ValueError("restart='function' needs compute_objective=True")
    mon = IterationMonitor(name, max_iter, tol, callback, verbose)

    if step is not None:
        step = check_scalar_arg(step, "step", lower=0, lower_inclusive=False)
        L = 1.0 / step
    else:
        L = getattr(smooth, "lipschitz", None)
        if L is not None:
            L = check_scalar_arg(L, "smooth.lipschitz", lower=0)
            L = L if L > 0.0 else None
        if L is None and not backtracking:
            raise ValueError(
                "step is None and smooth has no lipschitz attribute: give a step "
                "or set backtracking=True"
            )
    eta = 2.0  # backtracking factor on the Lipschitz estimate

    fx, gx = _value_and_grad(smooth, x)
    if L is None:
        L = _initial_lipschitz(smooth, x, gx)
    Fx = fx + float(prox.value(x)) if compute_objective else np.nan
    F0 = Fx
    y, fy, gy = x, fx, gx
    t = 1.0
    n_restarts = n_backtracks = 0
    need_eval = False  # whether (fy, gy) must be recomputed at the top

    for k in range(mon.max_iter):
        if need_eval:
            fy, gy = _value_and_grad(smooth, y)
        while True:
            z = prox.prox(y - gy / L, 1.0 / L)
            fz = None
            if not backtracking:
                break
            d = z - y
            fz = float(smooth.value(z))
            model = fy + real_dot(gy, d) + 0.5 * L * real_dot(d, d)
            if fz <= model + 10.0 * _EPS * max(abs(fy), abs(fz)):
                break
            L *= eta
            n_backtracks += 1
            if not (np.isfinite(fz) and L < 1e300):
                raise FloatingPointError(
                    f"{name}: backtracking failed (f(z) = {fz!r}); check that "
                    "smooth.value and smooth.grad are consistent and finite"
                )
        if compute_objective:
            if fz is None:
                fz = float(smooth.value(z))
            Fz = fz + float(prox.value(z))
        else:
            Fz = np.nan

        if restart == "function" and accelerate and Fz > Fx and t > 1.0:
            # Reject the step and restart from x without momentum: the next
            # step is a plain proximal-gradient step, which cannot increase F.
            n_restarts += 1
            t = 1.0
            y, fy, gy = x, None, None
            need_eval = True
            if mon.update(k, Fx, np.inf, x):
                break
            continue

        crit = relative_change(z, x)
        if accelerate:
            if restart == "adaptive" and real_dot(y - z, z - x) > 0.0:
                n_restarts += 1
                t = 1.0
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            y = z + ((t - 1.0) / t_next) * (z - x)
            t = t_next
        else:
            y = z
        x, Fx = z, Fz
        need_eval = True
        value = Fz if compute_objective else crit
        if mon.update(k, value, crit, x):
            break

    info = {
        "step": 1.0 / L,
        "n_restarts": n_restarts,
        "n_backtracks": n_backtracks,
        "objective": Fx,
        "initial_objective": F0,
    }
    return mon, x, info


def fista(
    smooth, prox, x0, *, step=None, backtracking=True, restart="adaptive",
    compute_objective=True, max_iter=1000, tol=1e-6, callback=None, verbose=False,
):
    """FISTA for ``min_x f(x) + g(x)`` with ``f`` smooth and ``g`` proximable.

    Accelerated proximal gradient (Beck & Teboulle, 2009) with backtracking
    and the adaptive restart of O'Donoghue & Candès (2015).

    Parameters
    ----------
    smooth : object
        Smooth term ``f`` with ``value(x)`` and ``grad(x)`` (optionally
        ``value_and_grad(x)`` and ``lipschitz``), e.g. :class:`LeastSquares`.
    prox : Prox or None
        Non-smooth term ``g`` (``None`` for ``g = 0``); only ``prox(x, step)``
        and ``value(x)`` are used.
    x0 : array_like
        Starting point (not modified); real or complex.
    step : float, optional
        Initial step size. Default: ``1 / smooth.lipschitz`` when available,
        otherwise a secant estimate of the local curvature.
    backtracking : bool, default=True
        Check the sufficient-decrease condition of Beck & Teboulle,
        ``f(z) <= f(y) + Re<grad f(y), z - y> + ||z - y||^2 / (2 step)``, and
        halve the step until it holds (the step never grows again). With
        ``False`` the step is fixed and must be known (``step`` or
        ``smooth.lipschitz``).
    restart : {"adaptive", "function", None}, default="adaptive"
        ``"adaptive"``: gradient-based restart, reset the momentum whenever
        ``Re<y_k - x_{k+1}, x_{k+1} - x_k> > 0`` (the step went against the
        momentum). ``"function"``: reject any step that increases the
        objective and restart from the previous iterate, which makes
        ``history`` non-increasing (for a valid step). ``None``: plain FISTA.
    compute_objective : bool, default=True
        Record ``f(x_k) + g(x_k)`` in ``history``. With ``False`` (and no
        backtracking) each iteration saves one evaluation of ``f`` and ``g``
        and ``history`` holds the relative change of ``x`` instead.
    max_iter : int, default=1000
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
        ``x`` the solution, ``history`` the objective per iteration (see
        ``compute_objective``), ``info`` with keys ``step`` (final step),
        ``n_backtracks``, ``n_restarts``, ``objective`` and ``initial_objective``.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before ``tol``.

    See Also
    --------
    ista : The same without acceleration.

    Examples
    --------
    Lasso with a soft-threshold prox:

    >>> from sparserecovery.proxes import Prox
    >>> from sparserecovery.solvers import LeastSquares
    >>> class L1(Prox):
    ...     def __init__(self, lam):
    ...         self.lam = lam
    ...     def value(self, x):
    ...         return self.lam * np.abs(x).sum()
    ...     def _prox(self, x, step):
    ...         return np.sign(x) * np.maximum(np.abs(x) - self.lam * step, 0.0)
    >>> A = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> b = np.array([1.0, 0.1, 1.1])
    >>> res = fista(LeastSquares(A, b), L1(0.5), np.zeros(2), tol=1e-10)
    >>> np.round(res.x, 6)
    array([0.8, 0. ])
    >>> res.converged
    True
    """
    mon, x, info = _proximal_gradient(
        "fista", smooth, prox, x0, accelerate=True, step=step,
        backtracking=backtracking, restart=restart,
        compute_objective=compute_objective, max_iter=max_iter, tol=tol,
        callback=callback, verbose=verbose,
    )
    return mon.result(x, **info)


def ista(
    smooth, prox, x0, *, step=None, backtracking=True, compute_objective=True,
    max_iter=1000, tol=1e-6, callback=None, verbose=False,
):
    """ISTA (proximal gradient descent) for ``min_x f(x) + g(x)``.

    ``x_{k+1} = prox_{step g}(x_k - step grad f(x_k))``; with a valid step the
    objective is non-increasing.

    Parameters
    ----------
    smooth : object
        Smooth term ``f`` with ``value(x)`` and ``grad(x)`` (optionally
        ``value_and_grad(x)`` and ``lipschitz``), e.g. :class:`LeastSquares`.
    prox : Prox or None
        Non-smooth term ``g`` (``None`` for ``g = 0``); only ``prox(x, step)``
        and ``value(x)`` are used.
    x0 : array_like
        Starting point (not modified); real or complex.
    step : float, optional
        Initial step size. Default: ``1 / smooth.lipschitz`` when available,
        otherwise a secant estimate of the local curvature.
    backtracking : bool, default=True
        Check the sufficient-decrease condition of Beck & Teboulle,
        ``f(z) <= f(y) + Re<grad f(y), z - y> + ||z - y||^2 / (2 step)``, and
        halve the step until it holds (the step never grows again). With
        ``False`` the step is fixed and must be known (``step`` or
        ``smooth.lipschitz``).
    compute_objective : bool, default=True
        Record ``f(x_k) + g(x_k)`` in ``history``. With ``False`` (and no
        backtracking) each iteration saves one evaluation of ``f`` and ``g``
        and ``history`` holds the relative change of ``x`` instead.
    max_iter : int, default=1000
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
        ``x`` the solution, ``history`` the objective per iteration (see
        ``compute_objective``), ``info`` with keys ``step`` (final step),
        ``n_backtracks``, ``objective`` and ``initial_objective``.

    Warns
    -----
    ConvergenceWarning
        When ``max_iter`` is reached before ``tol``.

    See Also
    --------
    fista : The accelerated version (usually much faster).

    Examples
    --------
    >>> from sparserecovery.proxes import Zero
    >>> from sparserecovery.solvers import LeastSquares
    >>> A = np.array([[2.0, 0.0], [0.0, 1.0]])
    >>> res = ista(LeastSquares(A, np.array([2.0, 3.0])), Zero(), np.zeros(2),
    ...            tol=1e-12)
    >>> np.round(res.x, 8)
    array([1., 3.])
    """
    mon, x, info = _proximal_gradient(
        "ista", smooth, prox, x0, accelerate=False, step=step,
        backtracking=backtracking, restart=None,
        compute_objective=compute_objective, max_iter=max_iter, tol=tol,
        callback=callback, verbose=verbose,
    )
    info.pop("n_restarts")
    return mon.result(x, **info)
