"""Sinkhorn-Newton-Sparse: Sinkhorn warm-up, then sparse Newton on the dual."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

from ..base import ConvergenceWarning
from ..utils import check_scalar_arg
from ..utils import check_tol as _check_tol
from . import _kernels as kern
from ._common import check_plan_options, finalize, warn_not_converged
from ._result import OTResult
from ._sinkhorn import check_warm_start, log_range_for, run_buffered_sinkhorn
from ._validation import check_ot_inputs, check_reg

__all__ = ["sinkhorn_newton_sparse"]

# line search
_ARMIJO = 1e-4  # sufficient-increase constant of the backtracking line search
_MAX_HALVINGS = 60
_MAX_LOG_STEP = 700.0  # larger log-scaling steps are halved without a pass
_SMALL_STEP = 0.5  # largest log-scaling step for the cancellation-free gain
# Levenberg-Marquardt shift of the Newton system, relative to its diagonal:
# _SHIFT * (marginal error / mass), so it vanishes at the solution
_SHIFT = 0.01
# Hessian budget: a Newton step that keeps more than _SLOW of the marginal
# error doubles it, one that keeps more than _STALL quadruples it, up to
# _MAX_PER_ROW entries per row (of the longer side) and _MAX_FRACTION of all
_SLOW = 0.25
_STALL = 0.8
_MAX_PER_ROW = 512
_MAX_FRACTION = 0.125


def _initial_budget(density, n, m):
    if density is None:
        return 2 * max(n, m)
    density = check_scalar_arg(density, "density", lower=0, upper=1,
                               lower_inclusive=False)
    return max(1, math.ceil(density * n * m))


class _Stats:
    """Marginals and selection statistics of one evaluation (O(n + m))."""

    def __init__(self, n, m):
        self.r = np.empty(n)
        self.c = np.empty(m)
        self.hist = np.empty(kern.N_BINS, dtype=np.int64)

    def error(self, a, b):
        return float(np.abs(self.r - a).sum() + np.abs(self.c - b).sum())


def _scaled_eval(K, up, vp, wa, wb, sa, sb, st, lo):
    return kern.scaled_pass(K, up, vp, up * wa, vp * wb, up * sa, vp * sb, st.r,
                            st.c, st.hist, lo)


def _log_eval(M, F, G, reg, wa, wb, sa, sb, st, lo, K=None):
    store = K is not None
    Kout = K if store else np.empty((1, 1), dtype=M.dtype)
    return kern.log_pass(M, F, G, reg, wa, wb, sa, sb, st.r, st.c, st.hist, lo,
                         Kout, store)


def _gain(a, b, cur, grad, xs, ys, total_t, cross, total):
    """Increase of ``Phi / reg`` along a step of log-scalings ``(xs, ys)``.

    Small steps use the expansion ``S' - S = sum_i r_i E_i + sum_j c_j E'_j
    + sum_ij P_ij E_i E'_j`` (``E = exp(x) - 1``), free of the cancellation
    of ``S' - S`` near convergence; large steps, where that expansion would
    cancel huge terms, use the totals directly.
    """
    if max(np.abs(xs).max(), np.abs(ys).max()) <= _SMALL_STEP:
        return (grad[: xs.shape[0]] @ xs + grad[xs.shape[0]:] @ ys
                - kern.phi2_sum(cur.r, xs) - kern.phi2_sum(cur.c, ys) - cross)
    return a @ xs + b @ ys - (total_t - total)


def _newton_stage(prob, reg, K, f0, g0, u, v, budget, max_iter, tol, cg_tol,
                  cg_max_iter, verbose):
    """Sparse Newton iterations from the buffered state ``(K, f0, g0, u, v)``.

    Returns the final base potentials, log-scalings, marginal error, whether
    the line search stalled, the iteration count and per-step information.
    """
    M, pa, pb = prob.M, prob.a, prob.b
    n, m = M.shape
    log_range = log_range_for(prob.dtype)
    max_budget = min(n * m, max(budget, min(_MAX_PER_ROW * max(n, m),
                                            int(_MAX_FRACTION * n * m))))
    sa, sb = 1.0 / np.sqrt(pa), 1.0 / np.sqrt(pb)
    cur, trial = _Stats(n, m), _Stats(n, m)
    du, dv = np.log(u), np.log(v)
    zn, zm = np.zeros(n), np.zeros(m)
    # scores below `lo` are left out of the selection histogram (binning costs
    # more than the rest of a pass); start 8 octaves below the mean score
    lo = prob.mass / (np.sqrt(pa).sum() * np.sqrt(pb).sum()) / 256.0
    total, _ = _scaled_eval(K, u, v, zn, zm, sa, sb, cur, lo)
    err = cur.error(pa, pb)
    indptr = np.empty(n + 1, dtype=np.int64)
    indices = np.empty(0, dtype=np.int64)
    data = np.empty(0)
    z, rhs = np.empty(n + m), np.empty(n + m)
    sr, sc = np.empty(n), np.empty(m)
    work = np.empty((4, n + m))
    hist2, cg_iters, steps, kept = [], [], [], []
    n_recentre = 0
    k2 = 0
    stalled = False
    while err > tol and k2 < max_iter:
        # sparsified Hessian: the `budget` largest entries, scaled by
        # 1/sqrt(a_i b_j) (the Jacobi scaling of the Hessian)
        key, count = kern.selection_key(cur.hist, budget)
        theta = max(kern.key_floor(key), lo)
        # histogram headroom for the next selection: 8 octaves below theta, or
        # 20 when the budget could not be filled (it may have grown)
        lo = theta / (256.0 if count >= budget else 1048576.0)
        if indices.shape[0] < count + n + 64:
            indices = np.empty(count + n + 64, dtype=np.int64)
            data = np.empty(count + n + 64)
        up, vp = np.exp(du), np.exp(dv)
        nnz = kern.collect_selection(K, up, vp, up * sa, vp * sb, theta, indptr,
                                     indices, data)
        kern.dropped_sums(indptr, indices, data, cur.r, cur.c, sr, sc)
        rhs[:n] = pa - cur.r
        rhs[n:] = pb - cur.c
        shift = _SHIFT * err / prob.mass
        it_cg, cg_rel = kern.hessian_cg(indptr, indices, data, cur.r, cur.c, sr,
                                        sc, shift, rhs, z, cg_tol, cg_max_iter,
                                        work)
        slope = float(rhs @ z)
        zf, zg = z[:n], z[n:]
        alpha = 1.0
        accepted = False
        if slope > 0:
            for _ in range(_MAX_HALVINGS):
                xs, ys = alpha * zf, alpha * zg
                step = max(np.abs(xs).max(), np.abs(ys).max())
                if step > _MAX_LOG_STEP:
                    alpha *= 0.5  # would rescale entries by more than e^700
                    continue
                du_t, dv_t = du + xs, dv + ys
                if step <= _SMALL_STEP:  # weights of the cross term (see _gain)
                    wa, wb = -np.expm1(-xs), -np.expm1(-ys)
                else:
                    wa, wb = zn, zm
                in_range = (np.abs(du_t).max() <= log_range
                            and np.abs(dv_t).max() <= log_range)
                if in_range:
                    total_t, cross = _scaled_eval(K, np.exp(du_t), np.exp(dv_t),
                                                  wa, wb, sa, sb, trial, lo)
                else:
                    F, G = f0 + reg * du_t, g0 + reg * dv_t
                    total_t, cross = _log_eval(M, F, G, reg, wa, wb, sa, sb,
                                               trial, lo)
                gain = _gain(pa, pb, cur, rhs, xs, ys, total_t, cross, total)
                if gain >= _ARMIJO * alpha * slope:
                    accepted = True
                    break
                alpha *= 0.5
        if not accepted:
            stalled = True
            break
        if in_range:
            du, dv = du_t, dv_t
        else:  # re-centre the kernel on the new point
            f0, g0 = F, G
            du, dv = zn.copy(), zm.copy()
            total_t, _ = _log_eval(M, f0, g0, reg, zn, zm, sa, sb, trial, lo, K=K)
            n_recentre += 1
        total = total_t
        cur, trial = trial, cur
        err_new = cur.error(pa, pb)
        if err_new > _STALL * err:
            budget = min(4 * budget, max_budget)
        elif err_new > _SLOW * err:
            budget = min(2 * budget, max_budget)
        err = err_new
        k2 += 1
        hist2.append(err)
        cg_iters.append(it_cg)
        steps.append(alpha)
        kept.append(int(nnz))
        if verbose:
            print(f"[sns] newton {k2:3d}  err {err:.3e}  step {alpha:.3g}  "
                  f"cg {it_cg} ({cg_rel:.1e})  kept {nnz}")
    info = {
        "history": np.asarray(hist2, dtype=float),
        "cg_iter": np.asarray(cg_iters, dtype=np.int64),
        "step": np.asarray(steps),
        "hessian_nnz": np.asarray(kept, dtype=np.int64),
        "n_recentre": n_recentre,
    }
    return f0, g0, du, dv, err, stalled, k2, info


def sinkhorn_newton_sparse(
    a,
    b,
    M,
    reg,
    *,
    n_sinkhorn=20,
    density=None,
    max_iter=100,
    tol=1e-10,
    cg_tol=1e-6,
    cg_max_iter=None,
    normalize=False,
    warm_start=None,
    plan_format="dense",
    sparse_threshold=None,
    verbose=False,
):
    r"""Entropic optimal transport to machine precision: Sinkhorn-Newton-Sparse.

    Solves POT's entropic problem

    .. math:: \min_{P \ge 0,\ P 1 = a,\ P^T 1 = b} \langle M, P\rangle
              + \mathrm{reg} \sum_{ij} P_{ij} \log P_{ij}

    with the two-stage method of Tang et al. (ICLR 2024): a few Sinkhorn
    iterations, then Newton steps on the concave dual (Lyapunov) potential

    .. math:: \Phi(f, g) = \langle a, f\rangle + \langle b, g\rangle
              - \mathrm{reg} \sum_{ij} e^{(f_i + g_j - M_{ij}) / \mathrm{reg}},

    with gradient ``(a - P 1, b - P^T 1)`` and Hessian
    ``-(1/reg) [[diag(P 1), P], [P^T, diag(P^T 1)]]``. The Hessian is
    sparsified: the diagonal keeps the full marginals, the off-diagonal
    blocks keep the largest entries of the plan (a budget of ``density * n *
    m`` entries, by default 2 per row, ranked by ``P_ij / sqrt(a_i b_j)``),
    and the dropped mass is replaced by its rank-one mean field so that the
    matrix keeps the exact diagonal and the exact null direction ``(1, -1)``.
    The Newton system, shifted by ``0.01 * error / mass`` times its diagonal
    (Levenberg-Marquardt; the shift vanishes at the solution), is solved by
    conjugate gradient preconditioned by 2x2 blocks on the mutual-best
    row/column pairs, and a backtracking (Armijo) line search on
    :math:`\Phi`, evaluated without cancellation, makes every step an ascent
    step. When a step reduces the marginal error by less than 4x, the budget
    doubles (quadruples when it stalls), up to 512 entries per row.

    Each iteration costs O(n m) time; beyond the cost matrix and one
    ``(n, m)`` kernel buffer, which becomes the returned dense plan, memory is
    O(n + m) (the kept Hessian entries: at most 512 per row). The plan is
    represented as ``u_i K_ij v_j`` with ``K`` re-centred on the current
    potentials whenever a log-scaling exceeds 100 (20 for float32), so small
    ``reg`` never under- or overflows: the accuracy of the log domain at the
    price of a multiply-add per entry instead of an exponential.

    Parameters
    ----------
    a : array_like of shape (n,) or None
        Source histogram (non-negative); ``None`` means uniform.
    b : array_like of shape (m,) or None
        Target histogram, same total mass as ``a``; ``None`` means uniform.
    M : array_like of shape (n, m)
        Cost matrix. float32 is kept (the plan and potentials are returned in
        float32; all sums are accumulated in float64).
    reg : float
        Entropic regularization, > 0, in the units of ``M`` (POT's ``reg``;
        the paper's ``eta`` is ``1 / reg``).
    n_sinkhorn : int, default=20
        Sinkhorn warm-up iterations (stopped early at ``tol``).
    density : float in (0, 1] or None
        Initial fraction of the plan's entries kept in the sparsified Hessian
        (``ceil(density * n * m)`` largest ones); ``None`` keeps
        ``2 * max(n, m)``, about two per row (the paper's choice). The budget
        then adapts as described above.
    max_iter : int, default=100
        Maximum number of Newton iterations.
    tol : float, default=1e-10
        Stop when the L1 marginal error ``|P 1 - a|_1 + |P^T 1 - b|_1`` is at
        most ``tol``. Values down to about ``1e-14`` (times the total mass)
        are reachable in float64.
    cg_tol : float, default=1e-6
        Relative residual at which the conjugate-gradient solve stops.
    cg_max_iter : int or None
        Conjugate-gradient iterations per Newton step; default ``n + m``.
    normalize : bool, default=False
        Rescale ``a`` and ``b`` to unit mass instead of requiring equal mass.
    warm_start : tuple of (ndarray, ndarray) or None
        Initial potentials ``(f, g)``.
    plan_format : {"dense", "sparse"}, default="dense"
        Return the plan as a dense array or as a ``scipy.sparse.csr_array``
        of the entries above ``sparse_threshold``.
    sparse_threshold : float or None
        Entries at or below it are dropped from a sparse plan; default
        ``1e-16 * mass / (n * m)`` (less than ``1e-16`` of the mass).
    verbose : bool, default=False
        Print the marginal error of every Newton step.

    Returns
    -------
    OTResult
        Plan, potentials, values, per-stage iteration counts
        (``n_iter["sinkhorn"]``, ``n_iter["newton"]``), the marginal error
        after every iteration of both stages, and timings. ``info`` holds,
        per Newton step, the CG iterations, the step size and the number of
        kept Hessian entries.

    Warns
    -----
    ConvergenceWarning
        When ``tol`` is not reached within ``max_iter`` Newton iterations or
        the line search cannot make progress (the error has reached the
        floating-point floor above ``tol``).

    See Also
    --------
    sinkhorn : the first-order baseline.

    References
    ----------
    X. Tang, M. Shavlovsky, H. Rahmanian, E. Tardini, K. K. Thekumparampil,
    T. Xiao, L. Ying, "Accelerating Sinkhorn algorithm with sparse Newton
    iterations", ICLR 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sparserecovery.transport import sinkhorn_newton_sparse
    >>> rng = np.random.default_rng(0)
    >>> M = rng.random((50, 50))
    >>> res = sinkhorn_newton_sparse(None, None, M, reg=0.01, tol=1e-12)
    >>> res.converged, res.marginal_error < 1e-12
    (True, True)
    >>> res.n_iter["sinkhorn"]
    20
    """
    t_start = time.perf_counter()
    prob = check_ot_inputs(a, b, M, normalize=normalize)
    reg = check_reg(reg, prob.M)
    n_sinkhorn = check_scalar_arg(n_sinkhorn, "n_sinkhorn", lower=0, integer=True)
    max_iter = check_scalar_arg(max_iter, "max_iter", lower=0, integer=True)
    tol = _check_tol(tol)
    cg_tol = check_scalar_arg(cg_tol, "cg_tol", lower=0)
    plan_format, sparse_threshold = check_plan_options(plan_format, sparse_threshold)
    n, m = prob.M.shape
    budget = _initial_budget(density, n, m)
    if cg_max_iter is None:
        cg_max_iter = n + m
    cg_max_iter = check_scalar_arg(cg_max_iter, "cg_max_iter", lower=1, integer=True)
    f0, g0 = check_warm_start(warm_start, prob)

    # ---- stage 1: Sinkhorn warm-up on the buffered representation ----------
    t0 = time.perf_counter()
    K, f0, g0, u, v, k1, err, _, n_absorb, hist1 = run_buffered_sinkhorn(
        prob, reg, f0, g0, n_sinkhorn, tol, stabilized=True
    )
    t_sinkhorn = time.perf_counter() - t0

    # ---- stage 2: sparse Newton ---------------------------------------------
    t0 = time.perf_counter()
    f0, g0, du, dv, err, stalled, k2, info = _newton_stage(
        prob, reg, K, f0, g0, u, v, budget, max_iter, tol, cg_tol, cg_max_iter,
        verbose,
    )
    hist2 = info.pop("history")
    t_newton = time.perf_counter() - t0
    converged = bool(err <= tol)
    if not converged:
        if stalled:
            warnings.warn(
                f"sinkhorn_newton_sparse stalled after {k2} Newton iterations at "
                f"marginal error {err:.3e} > tol={tol:g}: the line search found "
                "no ascent step (floating-point floor); use a larger tol.",
                ConvergenceWarning,
                stacklevel=2,
            )
        else:
            warn_not_converged("sinkhorn_newton_sparse", max_iter, tol, err)

    t0 = time.perf_counter()
    plan, pots, value, value_linear, merr = finalize(
        prob, reg, f0, g0, K=K, u=np.exp(du), v=np.exp(dv),
        plan_format=plan_format, sparse_threshold=sparse_threshold,
    )
    t_final = time.perf_counter() - t0
    return OTResult(
        plan=plan,
        potentials=pots,
        value=value,
        value_linear=value_linear,
        marginal_error=merr,
        converged=converged,
        n_iter={"sinkhorn": int(k1), "newton": int(k2)},
        history=np.concatenate([hist1, hist2]),
        timings={"sinkhorn": t_sinkhorn, "newton": t_newton, "finalize": t_final,
                 "total": time.perf_counter() - t_start},
        reg=reg,
        method="sinkhorn_newton_sparse",
        info={**info, "n_absorb": int(n_absorb), "stalled": stalled},
    )
