"""Sinkhorn iterations: log-domain, stabilised scaling and plain scaling."""

from __future__ import annotations

import time
import warnings

import numpy as np

from ..base import ConvergenceWarning
from ..utils import check_array_arg, check_choice, check_scalar_arg
from ..utils import check_tol as _check_tol
from . import _kernels as kern
from ._common import check_plan_options, finalize, warn_not_converged
from ._result import OTResult
from ._validation import check_ot_inputs, check_reg

__all__ = ["sinkhorn"]

_METHODS = ("log", "stabilized", "scaling")


def log_range_for(dtype):
    """Largest ``|log u|`` a scaling may reach before it is absorbed.

    ``exp(2 R)`` times the smallest normal number of the kernel's dtype stays
    negligible (``< 1e-20``), so entries lost to underflow in ``K`` never
    matter.
    """
    return 20.0 if dtype == np.float32 else 100.0


def check_warm_start(warm_start, prob):
    """Initial potentials ``(f, g)`` restricted to the points with mass."""
    n, m = prob.M.shape
    if warm_start is None:
        return np.zeros(n), np.zeros(m)
    if not isinstance(warm_start, (tuple, list)) or len(warm_start) != 2:
        raise TypeError("warm_start must be a pair (f, g) of potentials or None")
    N, Mm = prob.shape
    f = check_array_arg(warm_start[0], "warm_start[0]", ndim=1, shape=(N,),
                        allow_complex=False, dtype=np.float64, finite=False)
    g = check_array_arg(warm_start[1], "warm_start[1]", ndim=1, shape=(Mm,),
                        allow_complex=False, dtype=np.float64, finite=False)
    if prob.rows is not None:
        f = f[prob.rows]
    if prob.cols is not None:
        g = g[prob.cols]
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(g))):
        raise ValueError("warm_start potentials must be finite on points with mass")
    return f.copy(), g.copy()


def run_buffered_sinkhorn(prob, reg, f0, g0, max_iter, tol, *, stabilized=True):
    """Sinkhorn on the buffered representation; returns the full state.

    Returns ``(K, f0, g0, u, v, n_iter, err, status, n_absorb, history)``.
    """
    M, a, b = prob.M, prob.a, prob.b
    n, m = M.shape
    K = np.empty((n, m), dtype=prob.dtype)
    u = np.ones(n)
    v = np.ones(m)
    if stabilized:
        kern.absorb_rows(M, K, a, f0, g0, u, v, reg)
        log_range = log_range_for(prob.dtype)
    else:
        kern.fill_kernel(M, f0, g0, reg, K)
        log_range = np.inf
    hist = np.empty(max(max_iter, 1))
    if max_iter == 0:
        return K, f0, g0, u, v, 0, np.inf, kern.STATUS_OK, 0, hist[:0]
    work = [np.empty(n), np.empty(m), np.empty(m), np.empty(m)]
    k, err, status, n_absorb = kern.sinkhorn_scaling_loop(
        M, K, a, b, f0, g0, u, v, reg, max_iter, tol, hist, *work, log_range
    )
    return K, f0, g0, u, v, k, err, status, n_absorb, hist[:k].copy()


def sinkhorn(
    a,
    b,
    M,
    reg,
    *,
    method="log",
    max_iter=1000,
    tol=1e-9,
    normalize=False,
    warm_start=None,
    plan_format="dense",
    sparse_threshold=None,
    verbose=False,
):
    r"""Entropic optimal transport by Sinkhorn iterations.

    Solves

    .. math:: \min_{P \ge 0,\ P 1 = a,\ P^T 1 = b} \langle M, P\rangle
              + \mathrm{reg} \sum_{ij} P_{ij} \log P_{ij}

    (POT's argument order and meaning of ``reg``) by alternating exact
    maximisation of the dual over the row and the column potentials.

    Parameters
    ----------
    a : array_like of shape (n,) or None
        Source histogram (non-negative); ``None`` means uniform.
    b : array_like of shape (m,) or None
        Target histogram, same total mass as ``a``; ``None`` means uniform.
    M : array_like of shape (n, m)
        Cost matrix. float32 is kept (the plan is returned in float32; all
        sums are accumulated in float64); other dtypes become float64.
    reg : float
        Entropic regularization, > 0, in the units of ``M``.
    method : {"log", "stabilized", "scaling"}, default="log"
        ``"log"``: log-domain updates of the potentials, stable for any
        ``reg``, one exponential per entry and half-iteration, O(n + m)
        memory beyond ``M``. ``"stabilized"``: scaling updates on a kernel
        matrix that is re-centred on the current potentials whenever a scaling
        leaves ``[e^-R, e^R]``; as stable as the log domain, a multiply-add
        per entry instead of an exponential, one ``(n, m)`` buffer (which
        becomes the returned plan). ``"scaling"``: plain Sinkhorn-Knopp on
        ``exp(-M / reg)`` (POT's ``sinkhorn_knopp``); it breaks down when the
        kernel underflows (small ``reg``), with a warning.
    max_iter : int, default=1000
        Maximum number of iterations (one iteration updates both potentials).
    tol : float, default=1e-9
        Stop when the L1 marginal error ``|P 1 - a|_1 + |P^T 1 - b|_1`` is at
        most ``tol``.
    normalize : bool, default=False
        Rescale ``a`` and ``b`` to unit mass instead of requiring equal mass.
    warm_start : tuple of (ndarray, ndarray) or None
        Initial potentials ``(f, g)``, e.g. ``result.potentials`` of a solve
        at a nearby ``reg``.
    plan_format : {"dense", "sparse"}, default="dense"
        Return the plan as a dense array or as a ``scipy.sparse.csr_array``
        holding the entries above ``sparse_threshold``.
    sparse_threshold : float or None
        Entries of the plan at or below this value are dropped from a sparse
        plan; default ``1e-16 * mass / (n * m)``, which drops less than
        ``1e-16`` of the mass.
    verbose : bool, default=False
        Print a one-line summary.

    Returns
    -------
    OTResult
        Plan, potentials, values, marginal-error history and timings;
        ``n_iter["sinkhorn"]`` holds the iteration count.

    Warns
    -----
    ConvergenceWarning
        When ``tol`` is not reached within ``max_iter`` iterations, or when
        the plain scaling iteration breaks down.

    See Also
    --------
    sinkhorn_newton_sparse : the same problem to machine precision in tens of
        iterations.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecovery.transport import sinkhorn
    >>> M = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> res = sinkhorn([0.5, 0.5], [0.5, 0.5], M, reg=0.1)
    >>> res.plan.round(4)
    array([[0.5, 0. ],
           [0. , 0.5]])
    >>> res.converged, res.marginal_error < 1e-9
    (True, True)
    """
    t_start = time.perf_counter()
    prob = check_ot_inputs(a, b, M, normalize=normalize)
    reg = check_reg(reg, prob.M)
    check_choice("method", method, _METHODS)
    max_iter = check_scalar_arg(max_iter, "max_iter", lower=1, integer=True)
    tol = _check_tol(tol)
    plan_format, sparse_threshold = check_plan_options(plan_format, sparse_threshold)
    f, g = check_warm_start(warm_start, prob)
    n, m = prob.M.shape

    info = {}
    t0 = time.perf_counter()
    if method == "log":
        hist = np.empty(max_iter)
        k, err = kern.sinkhorn_log_loop(
            prob.M, prob.a, prob.b, f, g, reg, max_iter, tol, hist,
            np.empty(n), np.empty(m), np.empty(m),
        )
        history = hist[:k].copy()
        status = kern.STATUS_OK
        K = u = v = None
    else:
        K, f, g, u, v, k, err, status, n_absorb, history = run_buffered_sinkhorn(
            prob, reg, f, g, max_iter, tol, stabilized=(method == "stabilized")
        )
        info["n_absorb"] = int(n_absorb)
    t_iter = time.perf_counter() - t0
    converged = bool(err <= tol)
    if status == kern.STATUS_BREAKDOWN:
        warnings.warn(
            f"plain scaling Sinkhorn broke down at iteration {k}: the kernel "
            f"exp(-M / reg) under- or overflows at reg={reg:g}; the last finite "
            "iterate is returned. Use method='log' or 'stabilized'.",
            ConvergenceWarning,
            stacklevel=2,
        )
        converged = False
    elif not converged:
        warn_not_converged(f"sinkhorn(method={method!r})", max_iter, tol, err)

    t0 = time.perf_counter()
    plan, pots, value, value_linear, merr = finalize(
        prob, reg, f, g, K=K, u=u, v=v, plan_format=plan_format,
        sparse_threshold=sparse_threshold,
    )
    t_final = time.perf_counter() - t0
    info["status"] = "breakdown" if status == kern.STATUS_BREAKDOWN else "ok"
    res = OTResult(
        plan=plan,
        potentials=pots,
        value=value,
        value_linear=value_linear,
        marginal_error=merr,
        converged=converged,
        n_iter={"sinkhorn": int(k)},
        history=history,
        timings={"sinkhorn": t_iter, "finalize": t_final,
                 "total": time.perf_counter() - t_start},
        reg=reg,
        method=f"sinkhorn_{method}",
        info=info,
    )
    if verbose:
        print(res)
    return res
