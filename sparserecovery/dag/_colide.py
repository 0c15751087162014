"""CoLiDE: concomitant linear DAG estimation (the maths, no estimator)."""

from __future__ import annotations

import os
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from ..base import ConvergenceWarning
from ..utils import (
    check_array_arg,
    check_choice,
    check_max_iter,
    check_scalar_arg,
    check_tol,
)
from . import _kernels
from ._graph import prune_to_dag

__all__ = ["CoLiDEResult", "colide", "colide_objective"]

#: Number of variables from which the log-det inverse runs in float32.
_FLOAT32_INVERSE_MIN_D = 128
#: Adam iterations per recomputation of the inverse of s I - W o W.
_INVERSE_EVERY = 4


@dataclass(frozen=True)
class CoLiDEResult:
    """Outcome of :func:`colide`.

    Attributes
    ----------
    adjacency : ndarray of shape (d, d)
        Weighted adjacency matrix of the learned DAG (``adjacency[i, j]`` is
        the weight of the edge ``i -> j``), after thresholding and pruning to
        a DAG.
    weights : ndarray of shape (d, d)
        The continuous solution ``W`` before thresholding and pruning.
    noise_scale : float or ndarray of shape (d,)
        Estimated noise standard deviation (one value for
        ``variance="equal"``, one per variable for ``"non-equal"``).
    n_iter : int
        Total number of Adam iterations over all stages (retries included).
    n_iter_stages : tuple of int
        Adam iterations of the accepted run of each stage.
    s : tuple of float
        The log-det parameter ``s`` actually used per stage (a stage whose
        start lies outside the domain is retried with ``s + 0.1``).
    history : ndarray of shape (n_checkpoints,)
        Objective ``mu_k * (score + alpha |W|_1) + h(W; s_k)`` at every
        checkpoint.
    history_stage : ndarray of shape (n_checkpoints,)
        Stage index of each entry of ``history``.
    converged : bool
        Whether the last stage met ``tol`` before ``max_iter``.
    time : float
        Wall-clock seconds (all of the fit).
    init : str
        The start whose solution was kept: ``"zeros"`` (the paper's central
        path from ``W = 0``) or ``"equal-variance"`` (CoLiDE-EV stages, then
        the last stage with the non-equal score); see ``init`` in
        :func:`colide`.
    start_objectives : dict
        Final objective of every start that was run (the lowest one is kept),
        all evaluated at the last stage's ``(mu, s)``.
    order : ndarray of shape (d,) or None
        With ``refine``: the node order found by the order search (each
        node's parents come before it); ``None`` otherwise.
    n_pass : int
        Passes of the order search (0 without ``refine``).
    refine_time : float
        Wall-clock seconds of the order search, included in ``time`` (0.0
        without ``refine``).
    """

    adjacency: np.ndarray
    weights: np.ndarray
    noise_scale: float | np.ndarray
    n_iter: int
    n_iter_stages: tuple
    s: tuple
    history: np.ndarray
    history_stage: np.ndarray
    converged: bool
    time: float
    init: str = "zeros"
    start_objectives: dict = field(default_factory=dict)
    order: np.ndarray | None = None
    n_pass: int = 0
    refine_time: float = 0.0


def _scales(C, W, equal_variance, sigma_floor):
    """Closed-form noise scale(s) and ``tr R`` / ``diag R`` for ``W``."""
    d = C.shape[0]
    I_W = np.eye(d) - W
    r = np.maximum(np.einsum("ij,ij->j", I_W, C @ I_W), 0.0)
    if equal_variance:
        sigma = np.full(d, max(np.sqrt(r.sum() / d), sigma_floor))
    else:
        sigma = np.maximum(np.sqrt(r), sigma_floor)
    return sigma, r


def colide_objective(W, C, sigma, *, mu, s, alpha, equal_variance=True):
    """Value and gradient in ``W`` of the CoLiDE stage objective.

    ``F(W) = mu * (score(W, sigma) + alpha * |W|_1) + h(W; s)`` with
    ``h(W; s) = -log det(s I - W o W) + d log s`` and the score

    - equal variance: ``tr R / (2 sigma) + d sigma / 2``,
    - non-equal: ``sum_j R_jj / (2 sigma_j) + sigma_j / 2``,

    where ``R = (I - W)^T C (I - W)`` and ``C`` is the sample covariance.
    The gradient is the one the solver follows: ``sign(W)`` for the l1 term
    and a zero diagonal (self-loops are not variables).

    Parameters
    ----------
    W : ndarray of shape (d, d)
        Weighted adjacency matrix, inside the domain (``s I - W o W`` a
        nonsingular M-matrix).
    C : ndarray of shape (d, d)
        Sample covariance ``X^T X / n`` of the centred data.
    sigma : float or ndarray of shape (d,)
        Noise scale(s): one value when ``equal_variance``, else one per
        variable.
    mu, s, alpha : float
        Score weight, log-det parameter and l1 weight.
    equal_variance : bool
        Which score.

    Returns
    -------
    value : float
        ``F(W)``.
    grad : ndarray of shape (d, d)
        Its (sub)gradient in ``W``, zero on the diagonal.

    Raises
    ------
    ValueError
        When ``W`` is not square, ``C`` is not ``(d, d)``, either holds NaN
        or infinite entries, ``W`` is outside the domain of ``h``, or the
        objective overflows double precision.
    TypeError
        When ``W`` or ``C`` is not a real numeric array.

    Examples
    --------
    >>> import numpy as np
    >>> C = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> value, grad = colide_objective(np.zeros((2, 2)), C, 1.0, mu=1.0, s=1.0,
    ...                                alpha=0.1)
    >>> float(value)
    2.0
    >>> grad
    array([[ 0. , -0.5],
           [-0.5,  0. ]])
    """
    W = check_array_arg(W, "W", ndim=2, dtype=np.float64, allow_complex=False)
    d = W.shape[0]
    if W.shape != (d, d):
        raise ValueError(f"W must be a square (d, d) matrix, got shape {W.shape}")
    C = check_array_arg(C, "C", ndim=2, dtype=np.float64, allow_complex=False)
    if C.shape != (d, d):
        raise ValueError(
            f"C must have the shape ({d}, {d}) of W, got shape {C.shape}"
        )
    sigma = check_array_arg(sigma, "sigma", ndim=(0, 1), dtype=np.float64,
                            allow_complex=False)
    if sigma.ndim == 1 and sigma.shape[0] not in (1, d):
        raise ValueError(
            f"sigma must be a scalar or have {d} entries, got {sigma.shape[0]}"
        )
    if np.any(sigma <= 0):
        raise ValueError("sigma must be > 0")
    mu = check_scalar_arg(mu, "mu", lower=0)
    s = check_scalar_arg(s, "s", lower=0, lower_inclusive=False)
    alpha = check_scalar_arg(alpha, "alpha", lower=0)
    W = np.ascontiguousarray(W)
    C = np.ascontiguousarray(C)
    sigma = np.array(np.broadcast_to(sigma, (d,)))
    with np.errstate(over="ignore", invalid="ignore"):
        I_W = np.eye(d) - W
        r = np.einsum("ij,ij->j", I_W, C @ I_W)
        if equal_variance:
            score = r.sum() / (2 * sigma[0]) + d * sigma[0] / 2
        else:
            score = np.sum(r / (2 * sigma) + sigma / 2)
        MT = np.ascontiguousarray((s * np.eye(d) - W * W).T)
        if not np.all(np.isfinite(MT)):
            raise ValueError("W is too large: s I - W o W overflows")
        inside, MinvT = _kernels.m_matrix_inverse(MT, np.empty(d), np.empty(d))
        if not inside:
            raise ValueError("W is outside the domain of h(W; s): sI - W o W is "
                             "not a nonsingular M-matrix")
        _, logdet = np.linalg.slogdet(MT)
        value = mu * (score + alpha * np.abs(W).sum()) - logdet + d * np.log(s)
        grad = np.empty((d, d))
        _kernels.gradient(C, W, C @ W, MinvT, sigma, mu, alpha, np.empty(d), grad)
    if not (np.isfinite(value) and np.all(np.isfinite(grad))):
        raise ValueError("the objective overflows for these W and C (entries too "
                         "large for double precision)")
    return float(value), grad


# One BLAS thread for the whole fit, whatever the caller set (the central
# path alone may use more, see ``blas_threads``): BLAS gives last-bit
# different products at different thread counts (``X^T X`` differed in 0.8%
# of its entries at n = 1000, d = 100), the long Adam path and the greedy
# order search amplify them, and an ER4 graph with 100 nodes came out with
# SHD 21 at two BLAS threads and 29 at one before this. Now the result of a
# fit with d < 256 is the same at any thread count.
@threadpool_limits.wrap(limits=1, user_api="blas")
def colide(
    X,
    *,
    variance="equal",
    alpha=0.05,
    threshold=0.3,
    s=None,
    mu_init=1.0,
    mu_factor=0.1,
    warm_iter=20000,
    max_iter=70000,
    learning_rate=3e-4,
    beta1=0.99,
    beta2=0.999,
    checkpoint=1000,
    tol=1e-6,
    rescale=True,
    init=None,
    n_jobs=None,
    refine=True,
    refine_alpha=0.02,
    verbose=False,
):
    r"""Learn a linear DAG with CoLiDE (concomitant linear DAG estimation).

    Solves, for a decreasing sequence of ``(mu_k, s_k)`` (a central path),

    .. math::

        \min_{W, \sigma} \; \mu_k \big[\mathrm{score}(W, \sigma)
        + \alpha \|W\|_1\big] + h(W; s_k), \qquad
        h(W; s) = -\log\det(sI - W \circ W) + d \log s,

    with the convex concomitant score of Saboksayr, Mateos and Tepper (ICLR
    2024): equal variance (CoLiDE-EV)
    ``tr R(W) / (2 sigma) + d sigma / 2``, non-equal variance (CoLiDE-NV)
    ``sum_j R_jj / (2 sigma_j) + sigma_j / 2``, where
    ``R(W) = (I - W)^T C (I - W)`` and ``C = X^T X / n`` (``X`` centred).
    Each iteration takes one Adam step on ``W`` and updates the noise
    scale(s) in closed form (``sigma = sqrt(tr R / d)``, resp.
    ``sigma_j = sqrt(R_jj)``). The score is normalised by the estimated
    noise level and the data by a global scale (``rescale``), so the same
    ``alpha`` works across noise levels.

    Each stage runs until the relative change of the objective between two
    checkpoints is at most ``tol``; the learning rate is halved whenever the
    objective rose since the last checkpoint (Adam at a constant step size
    otherwise circles the minimiser and may never meet ``tol``). A step that
    leaves the domain of ``h`` (``sI - W o W`` no longer an M-matrix) is
    halved, and the learning rate with it; a stage whose starting point
    lies outside the domain is restarted with ``s + 0.1`` and half the
    learning rate.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
        Observations, one variable per column (centred internally).
    variance : {"equal", "non-equal"}
        Noise model: one scale for all variables (EV) or one per variable
        (NV, heteroscedastic).
    alpha : float
        l1 weight (``lambda`` in the paper); about ``sqrt(log d / n)``.
    threshold : float
        Edges with ``|w| <= threshold`` are removed before pruning to a DAG.
    s : sequence of float, optional
        Log-det parameter of each stage; its length is the number of stages.
        Defaults to ``(1.0, 0.9, 0.8, 0.7)`` for ``variance="equal"`` (the
        paper's setting) and ``(1.0, 0.9, 0.8, 0.7, 0.6)`` for
        ``"non-equal"``: one more stage, as in DAGMA's defaults and the
        class defaults of the reference code (its demo script uses four).
        With four stages the continuous CoLiDE-NV solution can end far from
        acyclic (the spectral radius of ``W o W`` was 0.32 on a
        heteroscedastic ER4 graph with 50 nodes), so thresholding removes
        true edges; on such graphs the fifth stage lowered the mean SHD of
        CoLiDE-NV from 48.6 to 30.8 (5 seeds, ``benchmarks/suite_colide.py``).
    mu_init, mu_factor : float
        Score weight of the first stage and its decay per stage.
    warm_iter : int
        Adam iteration budget of every stage but the last.
    max_iter : int
        Adam iteration budget of the last stage.
    learning_rate, beta1, beta2 : float
        Adam parameters (moments reset at each stage).
    checkpoint : int
        Evaluate the objective (convergence test, history) every
        ``checkpoint`` iterations.
    tol : float
        Relative objective change that ends a stage.
    rescale : bool
        Divide ``X`` by its smallest column standard deviation before
        fitting. ``W`` is unchanged by a global rescaling of the data (noise
        scales are reported in the original units), so this makes ``alpha``
        and ``mu_init`` dimensionless: the fit of ``c * X`` is the fit of
        ``X`` for any ``c > 0``. Under equal variances the smallest column
        standard deviation is the noise level of the source nodes, so data
        with unit noise are barely changed. ``False`` fits the raw data, as
        the paper's code does. This default departs from the paper on
        purpose: the concomitant score of ``c * X`` is ``c`` times that of
        ``X`` (a least-squares score would be ``c**2`` times), while
        ``alpha |W|_1`` and ``h`` do not scale, so on raw data the balance
        of the three terms, hence the effective ``alpha`` and ``mu``, still
        follows the noise level. Measured on ER4 graphs with 50 nodes and
        equal noise variances of 10 (3 seeds), CoLiDE-EV had SHD
        14.7 +- 6.6 with ``rescale=True`` (the same fits as at unit
        variance) and 28.3 +- 9.5 with ``False``. On heteroscedastic data
        the choice made no measurable difference to CoLiDE-NV.
    init : {"zeros", "equal-variance", "best"}, optional
        Where the central path starts. ``"zeros"``: from ``W = 0`` with the
        chosen score in every stage (the paper). ``"equal-variance"``
        (CoLiDE-NV only): the equal-variance score in every stage but the
        last, which uses the non-equal score, so CoLiDE-NV refines a
        CoLiDE-EV path. ``"best"`` (CoLiDE-NV only): run both and keep the
        one with the lower final CoLiDE-NV objective; the result records
        which (``init``) and both objectives (``start_objectives``). ``None``
        (default) means ``"zeros"`` for ``variance="equal"`` and ``"best"``
        for ``"non-equal"``. The non-equal objective is not convex in ``W``
        (the acyclicity term), and the path from ``W = 0`` often ends in a
        worse stationary point than the one reached from the equal-variance
        path: on heteroscedastic ER4 graphs with 50 nodes (5 seeds) the
        equal-variance start had the lower CoLiDE-NV objective on 4 seeds
        and the zero start on 1, and keeping the lower one took the mean SHD
        from 30.8 to 20.6 (DAGMA 23.0); with equal noise variances the
        equal-variance start won on every seed. ``"best"`` costs a second
        run, in a second thread when ``n_jobs`` allows.
    n_jobs : int, optional
        Threads for the starts of ``init="best"`` (the kernels release the
        GIL). ``None`` uses one thread per start, up to the number of CPUs;
        ``-1`` all CPUs; ``1`` runs the starts one after the other. With
        fewer than 256 variables the fit runs with one BLAS thread whatever
        the caller set, and its result does not depend on ``n_jobs`` or on
        the BLAS thread count (tested); from 256 on, the central path's
        matrix products use ``n_cpus // n_starts_in_parallel`` BLAS threads,
        and since different thread counts round products differently in the
        last bits, which the long path can amplify, the result can then
        depend on ``n_jobs`` and on the machine's number of CPUs.
    refine : bool
        Search node orders for the DAG with the lowest CoLiDE score, starting
        from the topological order of the thresholded and pruned continuous
        solution, and report the DAG of the best order found (thresholded at
        ``threshold``). Restricted to the DAGs of one order, the score
        decouples into one regression per node on its predecessors: for
        CoLiDE-NV the square-root (concomitant) lasso
        ``min sqrt(R_jj) + refine_alpha |w_j|_1``, for CoLiDE-EV the lasso
        ``R_jj / (2 sigma) + refine_alpha |w_j|_1`` at the common scale
        ``sigma`` (re-estimated between searches), each solved exactly. The
        search moves one node at a time to the position (at most 10 away)
        that lowers the summed score most, until no move does; a move past
        a node refits the two only where their optimality conditions
        change. ``False``
        is the paper's procedure (threshold, then drop the weakest edges on
        cycles). The continuous solution often keeps small weights on
        cycles in place of strong true edges, which thresholding then loses
        (on one heteroscedastic ER4 graph with 20 nodes, 27 of 84 true edges
        were zero in both directions, and the graph had a lower CoLiDE-NV
        objective than the true weights); the order search, whose per-node
        fits see only DAGs, recovers them. Measured on ER4 graphs, n = 1000,
        seeds 0-4 (SHD, mean): Gaussian heteroscedastic CoLiDE-NV d = 20
        14.0 -> 4.6 and d = 50 21.6 -> 9.6 (DAGMA 8.0 and 23.0); Laplace
        heteroscedastic d = 20 13.8 -> 4.8 (DAGMA 7.8); equal variances
        d = 50 CoLiDE-EV 12.4 -> 0.4 (DAGMA 9.4; the same at 10x the noise
        variance, where DAGMA had 7.0). With the paper's ``alpha = 0.05``
        in the per-node fits the heteroscedastic d = 20 mean was 10.2: l1 on
        raw weights favours parents of large variance, so the refit uses the
        smaller ``refine_alpha``. At d = 200 (ER4, seed 0, 2-core AMD EPYC)
        the search took 12.7 s of a 128.8 s CoLiDE-NV fit on heteroscedastic
        Gaussian data (SHD 31; DAGMA 179; 194-224 s in later runs on
        another VM of the same kind) and, with another process
        running, 10-11 s of CoLiDE-EV's 110 s on equal-variance Laplace and
        exponential data (``refine_time`` of the result).
    refine_alpha : float
        l1 weight of the per-node fits of ``refine`` (dimensionless like
        ``alpha``: the square-root lasso is scale-free and the equal-variance
        lasso is scaled by ``sigma``).
    verbose : bool
        Show a progress bar (tqdm).

    Returns
    -------
    CoLiDEResult
        Weighted adjacency (thresholded), raw weights, noise scale(s),
        convergence history and timings.

    Notes
    -----
    The sample covariance is formed once, so an iteration costs two or three
    ``d x d`` matrix products (or one product and one inverse) whatever
    ``n``: the inverse of ``sI - W o W`` comes from a Gauss-Jordan /
    Schur-complement recursion that also decides domain membership exactly
    (all pivots positive), and the loops are fused numba kernels. Computation
    is in float64, with single-threaded BLAS below 256 variables, except the
    inverse of ``sI - W o W`` from 128 variables on: it runs in float32
    (about 20% less time per iteration at ``d = 200``) and only enters the
    gradient of ``h``, where its ~1e-6 relative error is far below what the
    Adam steps resolve. The inverse is also recomputed only every fourth
    iteration (the steps in between use the last one for the gradient of
    ``h``; ``W`` moves by about ``learning_rate`` per step, while Adam's
    first moment averages the gradients of the last ~100 steps); domain
    membership is checked at each recomputation and before any checkpoint,
    and a rejected iterate goes back to the last one checked, with half the
    learning rate. This cuts the time per iteration by 36% at ``d = 200``
    (0.88 -> 0.56 ms) and 47% at ``d = 50``. On ER4 graphs (seeds 0-4,
    equal and heteroscedastic noise, CoLiDE-EV and CoLiDE-NV) all 20
    learned graphs at ``d = 20`` and 19 of 20 at ``d = 50`` were the same
    as with a fresh inverse at every iteration; the other one (CoLiDE-EV,
    equal variances, seed 2) went from SHD 16 to 25.

    Examples
    --------
    A chain ``x0 -> x1 -> x2`` with unit noise variances:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> E = rng.standard_normal((1000, 3))
    >>> x0 = E[:, 0]
    >>> x1 = 1.5 * x0 + E[:, 1]
    >>> x2 = -x1 + E[:, 2]
    >>> res = colide(np.c_[x0, x1, x2])
    >>> res.adjacency.round(1)
    array([[ 0. ,  1.5,  0. ],
           [ 0. ,  0. , -1. ],
           [ 0. ,  0. ,  0. ]])
    >>> res.converged, res.order.tolist()
    (True, [0, 1, 2])
    """
    t0 = time.perf_counter()
    check_choice("variance", variance, ("equal", "non-equal"))
    equal = variance == "equal"
    if init is None:
        init = "zeros" if equal else "best"
    check_choice("init", init, ("zeros", "equal-variance", "best"))
    if equal and init != "zeros":
        raise ValueError(
            f"init={init!r} only applies to variance='non-equal' (it starts "
            "CoLiDE-NV from CoLiDE-EV stages); use init='zeros' or None"
        )
    if not isinstance(refine, bool | np.bool_):
        raise TypeError(f"refine must be a bool, got {refine!r}")
    refine_alpha = check_scalar_arg(refine_alpha, "refine_alpha", lower=0)
    if n_jobs is not None:
        n_jobs = check_scalar_arg(n_jobs, "n_jobs", lower=-1, integer=True)
        if n_jobs == 0:
            raise ValueError("n_jobs must be None, -1 or a positive integer, got 0")
    alpha = check_scalar_arg(alpha, "alpha", lower=0)
    threshold = check_scalar_arg(threshold, "threshold", lower=0)
    if s is None:
        s = (1.0, 0.9, 0.8, 0.7) + (() if equal else (0.6,))
    if np.ndim(s) != 1:
        raise TypeError(f"s must be a sequence of floats (one per stage), got {s!r}")
    s_seq = [check_scalar_arg(si, "s", lower=0, lower_inclusive=False) for si in s]
    if not s_seq:
        raise ValueError("s must hold at least one value (one per stage)")
    mu = check_scalar_arg(mu_init, "mu_init", lower=0, lower_inclusive=False)
    mu_factor = check_scalar_arg(mu_factor, "mu_factor", lower=0, lower_inclusive=False)
    warm_iter = check_scalar_arg(warm_iter, "warm_iter", lower=1, integer=True)
    max_iter = check_max_iter(max_iter)
    lr0 = check_scalar_arg(
        learning_rate, "learning_rate", lower=0, lower_inclusive=False
    )
    beta1 = check_scalar_arg(beta1, "beta1", lower=0, upper=1, upper_inclusive=False)
    beta2 = check_scalar_arg(beta2, "beta2", lower=0, upper=1, upper_inclusive=False)
    checkpoint = check_scalar_arg(checkpoint, "checkpoint", lower=1, integer=True)
    tol = check_tol(tol)

    X = check_array_arg(X, "X", ndim=2, dtype=np.float64, allow_complex=False)
    n, d = X.shape
    if n < 2:
        raise ValueError(f"X must have at least 2 samples, got {n}")
    Xc = X - X.mean(axis=0)
    C = Xc.T @ Xc / n
    col_var = np.diag(C).copy()
    scale = np.sqrt(max(col_var.max(), 0.0))
    const = np.flatnonzero(col_var <= (1e-12 * scale) ** 2 + 1e-300)
    if const.size:
        raise ValueError(
            f"X has constant column(s) {const.tolist()}: a variable without "
            "noise cannot be modelled; drop it before fitting"
        )
    # A global rescaling of X leaves W unchanged; dividing by the smallest
    # column standard deviation (the noise level of the source nodes, an
    # upper bound on the smallest noise level) makes alpha and mu
    # dimensionless. The concomitant score alone only halves the sensitivity
    # to the noise level (score gradient ~ noise std instead of variance).
    kappa = float(np.sqrt(col_var.min())) if rescale else 1.0
    C = C / kappa**2
    sigma_floor = 1e-8 * scale / kappa
    if d == 1:
        s_seq = []  # a single variable: the empty graph, nothing to learn
    budget = [warm_iter] * (len(s_seq) - 1) + [max_iter] if s_seq else []
    # Which score each stage of each start uses: "zeros" is the paper's
    # central path from W = 0; "equal-variance" runs the same schedule with
    # the equal-variance score in every stage but the last.
    n_stages = len(s_seq)
    starts = {
        "zeros": [equal] * n_stages,
        "equal-variance": [True] * (n_stages - 1) + [False] * min(n_stages, 1),
    }
    names = ["zeros", "equal-variance"] if init == "best" else [init]
    if n_stages < 2:
        names = names[:1]  # both starts are the same single stage
    pbar = None
    if verbose and s_seq:
        from tqdm.auto import tqdm

        pbar = tqdm(total=sum(budget) * len(names), desc="CoLiDE", unit="it")
    lock = threading.Lock()

    def progress(k):
        if pbar is not None:
            with lock:
                pbar.update(k)

    def run(name):
        return _central_path(
            C, starts[name], s_seq, budget, mu, mu_factor, alpha, lr0, beta1,
            beta2, checkpoint, tol, sigma_floor, progress,
        )

    workers = len(names) if n_jobs in (None, -1) else n_jobs
    workers = min(workers, len(names), os.cpu_count() or 1)
    # d x d products are too small for BLAS threads to pay off below a few
    # hundred variables, and threads fight over shared cores; above, BLAS
    # shares the CPUs with the other start. The starts are independent and
    # the kernels release the GIL, so they run in parallel threads.
    blas_threads = 1 if d < 256 else max(1, (os.cpu_count() or 1) // workers)
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as ex:
                paths = dict(zip(names, ex.map(run, names), strict=True))
        else:
            paths = {name: run(name) for name in names}
    if pbar is not None:
        pbar.close()
    # Keep the start with the lowest final objective, all evaluated at the
    # last stage's (mu, s): the largest s any start ended with, since a
    # stage restarted outside the domain moves to s + 0.1 and the domain
    # only grows with s.
    objectives = {}
    if n_stages:
        mu_last = mu * mu_factor ** (n_stages - 1)
        s_eval = max(p["s"][-1] for p in paths.values())
        for name, p in paths.items():
            objectives[name] = float(_stage_objective(
                C, p["W"], mu_last, s_eval, alpha, equal, sigma_floor
            ))
        chosen = min(names, key=lambda name: objectives[name])
    else:
        chosen = names[0]  # no stage: W = 0
    path = paths[chosen]
    W = path["W"]
    if not path["converged"] and max_iter > 0:
        warnings.warn(
            f"CoLiDE did not converge in max_iter={max_iter} iterations of its "
            f"last stage (tol={tol:g}); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=2,
        )
    order, n_pass, t_refine = None, 0, 0.0
    if refine and d > 1:
        t1 = time.perf_counter()
        W_dag, order, n_pass = _refine_order(
            C, prune_to_dag(W, threshold), refine_alpha, equal, sigma_floor
        )
        t_refine = time.perf_counter() - t1
    else:
        W_dag = W
    sigma, _ = _scales(C, W_dag, equal, sigma_floor)
    sigma *= kappa
    adjacency = prune_to_dag(W_dag, threshold)
    return CoLiDEResult(
        adjacency=adjacency,
        weights=W,
        noise_scale=float(sigma[0]) if equal else sigma,
        n_iter=sum(p["n_iter"] for p in paths.values()),
        n_iter_stages=tuple(path["stage_iters"]),
        s=tuple(path["s"]),
        history=np.asarray(path["history"], dtype=float),
        history_stage=np.asarray(path["history_stage"], dtype=np.int64),
        converged=bool(path["converged"]),
        time=time.perf_counter() - t0,
        init=chosen,
        start_objectives=objectives,
        order=order,
        n_pass=n_pass,
        refine_time=t_refine,
    )


def _central_path(C, stage_equal, s_seq, budget, mu, mu_factor, alpha, lr0,
                  beta1, beta2, checkpoint, tol, sigma_floor, progress):
    """Run the stages from ``W = 0``; ``stage_equal[k]`` picks stage k's score."""
    d = C.shape[0]
    # The inverse of s I - W o W (about half of the flops of an iteration)
    # is computed in float32 for large d: it only enters the gradient of h,
    # whose relative error stays ~1e-6, far below what Adam resolves, and the
    # pivot signs that decide domain membership are only uncertain within
    # ~1e-7 of the boundary. Scores, noise scales and W stay in float64.
    inv_dtype = np.float32 if d >= _FLOAT32_INVERSE_MIN_D else np.float64
    buffers = (
        [np.empty((d, d), dtype=inv_dtype)]
        + [np.empty((d, d)) for _ in range(5)]
        + [np.empty(d, dtype=inv_dtype), np.empty(d, dtype=inv_dtype), np.empty(d)]
    )
    W = np.zeros((d, d))
    sigma = np.empty(d)
    out = {"n_iter": 0, "stage_iters": [], "s": [], "history": [],
           "history_stage": [], "converged": True}
    for k, (s_k, iters, eq) in enumerate(
        zip(s_seq, budget, stage_equal, strict=True)
    ):
        lr = lr0
        while True:
            W_k, stage_n, status, stage_hist, stage_conv = _run_stage(
                C, W, sigma, buffers, mu, s_k, alpha, lr, beta1, beta2,
                iters, checkpoint, tol, eq, sigma_floor, progress,
            )
            out["n_iter"] += stage_n
            if status != _kernels.OUT_OF_DOMAIN_AT_START:
                break
            s_k += 0.1
            lr *= 0.5
        W = W_k
        out["stage_iters"].append(stage_n)
        out["s"].append(s_k)
        out["history"].extend(stage_hist)
        out["history_stage"].extend([k] * len(stage_hist))
        out["converged"] = stage_conv
        mu *= mu_factor
    out["W"] = W
    return out


def _run_stage(C, W0, sigma, buffers, mu, s, alpha, lr, beta1, beta2, max_iter,
               checkpoint, tol, equal, sigma_floor, progress):
    """One central-path stage from ``W0``; returns W, iterations, status, history."""
    W = W0.copy()
    MT, CW, G, m, v, W_ok, row, col, work = buffers
    m[:] = 0.0
    v[:] = 0.0
    lr_min = 1e-16
    obj_prev = np.inf
    hist = []
    t = 0
    converged = False
    status = _kernels.OK
    while t < max_iter:
        n_steps = min(checkpoint - t % checkpoint, max_iter - t)
        status, done, lr = _kernels.adam_chunk(
            C, W, sigma, MT, CW, G, m, v, W_ok, row, col, work, t, n_steps, mu, s,
            alpha, lr, lr_min, beta1, beta2, 1e-8, equal, sigma_floor,
            _INVERSE_EVERY,
        )
        t += done
        progress(done)
        if status != _kernels.OK:
            break
        obj = _stage_objective(C, W, mu, s, alpha, equal, sigma_floor)
        hist.append(obj)
        if np.isfinite(obj_prev) and abs(obj_prev - obj) <= tol * abs(obj_prev):
            converged = True
            break
        if obj > obj_prev:
            # Adam at this step size circles the minimiser instead of
            # approaching it (heteroscedastic ER4, d = 50: the last stage's
            # objective swung by 1e-4 relative for 50000 iterations and
            # never met tol); a smaller step lets the stage settle.
            lr *= 0.5
        obj_prev = obj
    if status != _kernels.OUT_OF_DOMAIN_AT_START:
        progress(max_iter - t)
    if status == _kernels.STEP_UNDERFLOW:
        converged = True  # no further progress possible at this s
    return W, t, status, hist, converged


def _stage_objective(C, W, mu, s, alpha, equal, sigma_floor):
    """Objective at ``W`` with the closed-form scale(s) plugged in."""
    d = C.shape[0]
    sigma, r = _scales(C, W, equal, sigma_floor)
    if equal:
        score = r.sum() / (2 * sigma[0]) + d * sigma[0] / 2
    else:
        score = np.sum(r / (2 * sigma) + sigma / 2)
    _, logdet = np.linalg.slogdet(s * np.eye(d) - W * W)
    return mu * (score + alpha * np.abs(W).sum()) - logdet + d * np.log(s)


#: Cap on the passes of the order search (each pass tries every node once).
_MAX_ORDER_PASSES = 1000
#: How far (in positions) the order search moves one node at a time. On
#: heteroscedastic ER4 graphs (seeds 0-4) moves of at most 10 positions gave
#: mean SHD 9.6 at d = 50 (unlimited: 9.4) in 40% of the time, and 21 at
#: d = 100 (unlimited: 24) in a fifth of it.
_MAX_SHIFT = 10


def _refine_order(C, dag, alpha, equal, sigma_floor, max_shift=_MAX_SHIFT):
    """Order search from the topological order of ``dag`` (see ``refine``).

    Returns the refitted weights (acyclic), the final order and the number
    of passes. Equal variance alternates the search at a fixed common scale
    with the closed-form scale of the refitted weights until neither
    changes.
    """
    order, _ = _kernels.topological_order(np.ascontiguousarray(dag != 0))
    C = np.ascontiguousarray(C)
    sigma = _scales(C, dag, True, sigma_floor)[0][0] if equal else 1.0
    n_pass = 0
    for _ in range(50 if equal else 1):
        before = order.copy()
        W, _, k = _kernels.order_search(
            C, order, alpha, sigma, equal, sigma_floor, _MAX_ORDER_PASSES,
            max_shift,
        )
        n_pass += k
        if not equal:
            break
        # The common scale is that of the refit: a fixed point of
        # (search at sigma, sigma = sqrt(tr R / d)).
        new = _scales(C, W, True, sigma_floor)[0][0]
        done = np.array_equal(before, order) and abs(new - sigma) <= 1e-9 * sigma
        sigma = new
        if done:
            break
    return W, order, n_pass
