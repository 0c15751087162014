"""Layer-wise reconstruction pruning with the library's sparse solvers.

A linear layer ``y = W x`` (``W`` out x in) with calibration inputs ``X``
(n x in) is pruned to the sparse ``W'`` minimizing
``||X_t W^T - X W'^T||_F^2`` under an unstructured, N:M or group (input
column) pattern, where ``X_t`` are the inputs the dense network sees
(``X_t = X`` for a single layer). The rows of ``W'`` decouple and share
``H = X^T X``: row ``i`` minimizes ``w'^T H w' - 2 b_i^T w'`` with
``b_i = X^T X_t w_i``, so every solver works on ``H`` (in x in) and ``B``
(out x in), never on the ``n`` calibration rows. Every solver chooses the
support; a final least-squares refit on it gives the weights.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from ..utils.validation import (
    check_array_arg,
    check_choice,
    check_max_iter,
    check_scalar_arg,
)
from ._kernels import masked_refit_rows, obs_rows, omp_gram_rows, topk_mask_rows
from ._masks import check_nm, check_sparsity, n_pruned

__all__ = ["LayerPruneResult", "reconstruct_layer"]

SOLVERS = ("obs", "omp", "iht", "fista", "sbl")
PATTERNS = ("unstructured", "nm", "group")


@dataclass(frozen=True)
class LayerPruneResult:
    """Outcome of :func:`reconstruct_layer`.

    Attributes
    ----------
    weight : ndarray of shape (out, in)
        The pruned, re-fitted weights (zero outside ``mask``).
    mask : ndarray of bool, shape (out, in)
        Kept entries.
    objective : float
        ``||X_t W^T - X W'^T||_F^2`` with the undamped calibration data.
    relative_error : float
        ``sqrt(objective) / ||X_t W^T||_F``.
    solver : str
        The support-selection solver.
    time : float
        Wall-clock seconds.
    """

    weight: np.ndarray
    mask: np.ndarray
    objective: float
    relative_error: float
    solver: str
    time: float


# --------------------------------------------------------------------------
# Gram-form problem
# --------------------------------------------------------------------------


class _Layer:
    """The damped Gram problem of one layer and its diagonal scaling.

    ``H`` (damped), ``B``; ``d = sqrt(diag H)``; the normalized problem in
    ``V = W' diag(d)`` has ``Hn = D^-1 H D^-1`` (unit diagonal) and
    ``Bn = B D^-1``. ``W0 = B H^-1`` is the unconstrained optimum.
    """

    def __init__(self, H, B, damp):
        H = np.array(H, dtype=np.float64)
        mean_diag = float(np.mean(np.diag(H)))
        H[np.diag_indices_from(H)] += damp * (mean_diag if mean_diag > 0 else 1.0)
        self.H = H
        self.B = np.ascontiguousarray(B, dtype=np.float64)
        self.d = np.sqrt(np.diag(H))
        self.Hn = H / np.outer(self.d, self.d)
        self.Bn = self.B / self.d
        self._chol = sla.cho_factor(H, lower=False)
        self.W0 = sla.cho_solve(self._chol, self.B.T).T
        self._Hinv = None

    @property
    def Hinv(self):
        if self._Hinv is None:
            self._Hinv = sla.cho_solve(self._chol, np.eye(self.H.shape[0]))
        return self._Hinv

    @property
    def shape(self):
        return self.B.shape

    def refit(self, mask):
        out = np.empty(self.B.shape)
        masked_refit_rows(self.H, self.B, np.ascontiguousarray(mask), out)
        return out


class _Projection:
    """Projection on the sparsity pattern in normalized variables: (V, mask)."""

    def __init__(self, pattern, shape, keep, n=0, m=0, group_size=1):
        self.pattern, self.shape, self.keep, self.n, self.m = pattern, shape, keep, n, m
        self.group_size = group_size

    def mask(self, score):
        r, d = self.shape
        if self.pattern == "unstructured":
            flat = score.ravel()
            mask = np.zeros(flat.size, dtype=bool)
            if self.keep:
                order = np.argsort(-flat, kind="stable")
                mask[order[: self.keep]] = True
            return mask.reshape(r, d)
        if self.pattern == "nm":
            groups = np.ascontiguousarray(score.reshape(-1, self.m))
            counts = np.full(groups.shape[0], self.n, dtype=np.int64)
            return topk_mask_rows(groups, counts).reshape(r, d)
        gs = self.group_size
        norms = np.sqrt(np.sum((score * score).reshape(r, d // gs, gs), axis=(0, 2)))
        keep_groups = np.zeros(d // gs, dtype=bool)
        keep_groups[np.argsort(-norms, kind="stable")[: self.keep]] = True
        return np.broadcast_to(np.repeat(keep_groups, gs), (r, d)).copy()

    def __call__(self, V):
        mask = self.mask(np.abs(V))
        return np.where(mask, V, 0.0), mask


def _tiebreak(primary, secondary):
    """``primary`` with its ties (notably zeros) ordered by ``secondary``."""
    top = float(np.max(primary)) if primary.size else 0.0
    sec = float(np.max(secondary)) if secondary.size else 0.0
    if sec == 0.0:
        return primary
    return primary + (1e-9 * (top if top > 0 else 1.0) / sec) * secondary


def _row_counts(layer, keep):
    """Kept entries per row for the row-wise solvers (unstructured pattern).

    The ``keep`` entries of the layer with the largest optimal-brain-surgeon
    saliency ``W0_ij^2 / [H^-1]_jj`` decide how many each row keeps.
    """
    sal = layer.W0**2 / np.diag(layer.Hinv)
    proj = _Projection("unstructured", layer.shape, keep)
    return proj.mask(sal).sum(axis=1).astype(np.int64)


# --------------------------------------------------------------------------
# Solvers: each returns the support (bool mask)
# --------------------------------------------------------------------------


def _greedy_rows(layer, proj, kernel, M, B):
    """Row-wise greedy support (``kernel(M, B, counts, m, n, mask)``)."""
    r, d = layer.shape
    mask = np.zeros((r, d), dtype=bool)
    if proj.pattern == "nm":
        counts = np.full(r, d * proj.n // proj.m, dtype=np.int64)
        kernel(M, B, counts, proj.m, proj.n, mask)
    else:
        kernel(M, B, _row_counts(layer, proj.keep), 0, 0, mask)
    return mask


def _solve_obs(layer, proj):
    if proj.pattern == "group":
        return _group_obs(layer, proj.keep, proj.group_size)
    return _greedy_rows(layer, proj, obs_rows, layer.Hinv, layer.W0)


def _group_obs(layer, keep, gs):
    """Group OBS: remove input groups (blocks of ``gs`` columns) one by one.

    The group of least total saliency ``tr(W_G [H^-1]_GG^-1 W_G^T)`` goes
    first; the other weights are updated as in OBS.
    """
    r, d = layer.shape
    W = layer.W0.copy()
    Hi = layer.Hinv.copy()
    alive = np.ones(d // gs, dtype=bool)
    for _ in range(d // gs - keep):
        groups = np.flatnonzero(alive)
        cols = (groups[:, None] * gs + np.arange(gs)).ravel()
        blocks = Hi[cols[:, None], cols].reshape(len(groups), gs, len(groups), gs)
        blocks = blocks[np.arange(len(groups)), :, np.arange(len(groups)), :]
        Wg = W[:, cols].reshape(r, len(groups), gs).transpose(1, 0, 2)  # (g, r, gs)
        sal = np.einsum("grs,gst,grt->g", Wg, np.linalg.inv(blocks), Wg)
        best = int(groups[int(np.argmin(sal))])
        G = slice(best * gs, (best + 1) * gs)
        coef = np.linalg.solve(Hi[G, G], Hi[G, :])  # (gs, d)
        W -= W[:, G] @ coef
        Hi -= Hi[:, G] @ coef
        W[:, G] = 0.0
        alive[best] = False
    return np.broadcast_to(np.repeat(alive, gs), (r, d)).copy()


def _solve_omp(layer, proj):
    if proj.pattern == "group":
        return _group_omp(layer, proj.keep, proj.group_size)
    return _greedy_rows(layer, proj, omp_gram_rows, layer.H, layer.B)


def _group_omp(layer, keep, gs):
    """Group OMP over input groups (blocks of ``gs`` columns).

    Adds the group most correlated with the residual of all rows
    (normalized), then refits every row on the chosen columns.
    """
    r, d = layer.shape
    H, B = layer.H, layer.B
    chosen = np.zeros(d // gs, dtype=bool)
    W = np.zeros((r, d))
    for _ in range(keep):
        C = B - W @ H
        score = (np.sum(C * C, axis=0) / np.diag(H)).reshape(-1, gs).sum(axis=1)
        score[chosen] = -np.inf
        chosen[int(np.argmax(score))] = True
        S = np.flatnonzero(np.repeat(chosen, gs))
        W = np.zeros((r, d))
        W[:, S] = sla.cho_solve(sla.cho_factor(H[np.ix_(S, S)]), B[:, S].T).T
    return np.broadcast_to(np.repeat(chosen, gs), (r, d)).copy()


def _objective(layer, V):
    """``0.5 tr(V Hn V^T) - tr(Bn V^T)`` (normalized variables)."""
    return 0.5 * float(np.sum((V @ layer.Hn) * V)) - float(np.sum(layer.Bn * V))


def _solve_iht(layer, proj, max_iter, tol):
    """Normalized iterative hard thresholding, all rows at once.

    From the projection of the unconstrained optimum, ``V <- P(V + mu G)``
    with ``G = Bn - V Hn`` and the exact line-search step on the current
    support, halved until the objective decreases.
    """
    V, mask = proj(layer.W0 * layer.d)
    f = _objective(layer, V)
    for _ in range(max_iter):
        G = layer.Bn - V @ layer.Hn
        Gs = np.where(mask, G, 0.0)
        denom = float(np.sum((Gs @ layer.Hn) * Gs))
        mu = float(np.sum(Gs * Gs)) / denom if denom > 0 else 1.0
        for _ in range(30):
            V_new, mask_new = proj(V + mu * G)
            f_new = _objective(layer, V_new)
            if f_new <= f:
                break
            mu *= 0.5
        else:
            break
        change = np.linalg.norm(V_new - V) / max(np.linalg.norm(V_new), 1e-300)
        V, mask, f = V_new, mask_new, f_new
        if change <= tol:
            break
    return mask


class _GramQuadratic:
    """Smooth term ``0.5 tr(V Hn V^T) - tr(Bn V^T)`` for the library's FISTA."""

    def __init__(self, Hn, Bn):
        self.Hn, self.Bn = Hn, Bn
        self.ishape = Bn.shape
        self.lipschitz = float(sla.eigvalsh(Hn, subset_by_index=[Hn.shape[0] - 1,
                                                                  Hn.shape[0] - 1])[0])

    def value_and_grad(self, V):
        VH = V @ self.Hn
        return 0.5 * float(np.sum(VH * V)) - float(np.sum(self.Bn * V)), VH - self.Bn

    def value(self, V):
        return self.value_and_grad(V)[0]

    def grad(self, V):
        return V @ self.Hn - self.Bn


def _solve_fista(layer, proj, max_iter, tol):
    """Lasso (L1) or group lasso (L21 over input columns) path by FISTA.

    The penalty decreases geometrically from the level where zero is
    optimal, warm-starting FISTA, until the solution has at least as many
    non-zeros (columns) as the pattern keeps; the pattern is then filled
    with the entries (columns) largest in the penalized solution, ties
    decided by the unconstrained optimum.
    """
    from ..proxes import L1, L21
    from ..solvers import fista

    smooth = _GramQuadratic(layer.Hn, layer.Bn)
    V0 = layer.W0 * layer.d
    r, d = layer.shape
    gs = proj.group_size
    if proj.pattern == "group":
        lam_max = float(np.max(np.sqrt(
            np.sum((layer.Bn**2).reshape(r, d // gs, gs), axis=(0, 2)))))
        target = proj.keep
        labels = np.broadcast_to(np.arange(d) // gs, (r, d))

        def count(V):
            return int(np.count_nonzero(np.any((V != 0).reshape(r, d // gs, gs),
                                               axis=(0, 2))))
    else:
        lam_max = float(np.max(np.abs(layer.Bn)))
        target = proj.keep if proj.pattern == "unstructured" else (
            layer.shape[0] * layer.shape[1] * proj.n // proj.m)

        def count(V):
            return int(np.count_nonzero(V))

    V = np.zeros(layer.shape)
    lam = lam_max
    for _ in range(60):
        lam *= 0.7
        prox = L21(lam, groups=labels) if proj.pattern == "group" else L1(lam)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            V = fista(smooth, prox, V, max_iter=max_iter, tol=tol,
                      compute_objective=False, backtracking=False).x
        if count(V) >= target or lam_max == 0.0:
            break
    return proj.mask(_tiebreak(np.abs(V), np.abs(V0)))


def _solve_sbl(layer, proj, max_iter, tol):
    """Sparse Bayesian learning (EM) per row on the whitened problem.

    With ``Hn = R^T R``, row ``i`` is ``y = R^-T bn_i ~ R v``; SBL's
    posterior mean ranks the entries, which fill the pattern.
    """
    from ..linear_model._sbl import sbl

    if proj.pattern == "group":
        raise ValueError("solver='sbl' supports the unstructured and nm patterns")
    R = sla.cholesky(layer.Hn, lower=False)
    Y = sla.solve_triangular(R, layer.Bn.T, trans="T", lower=False).T
    score = np.empty(layer.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(layer.shape[0]):
            res = sbl(R, Y[i], max_iter=max_iter, tol=tol)
            score[i] = np.abs(res.coef)
    score = _tiebreak(score, np.abs(layer.W0 * layer.d))
    if proj.pattern == "nm":
        return proj.mask(score)
    counts = _row_counts(layer, proj.keep)
    return topk_mask_rows(np.ascontiguousarray(score), counts)


def prune_gram(H, B, *, pattern, sparsity=0.0, n=0, m=0, group_size=1,
               solver="obs", damp=0.01, max_iter=None, tol=1e-5):
    """Prune one layer in Gram form; return ``(W', mask)`` (validated input).

    ``sparsity`` is the fraction of entries (unstructured) or of input
    groups (group: blocks of ``group_size`` consecutive columns) to remove;
    ``n``, ``m`` the N:M pattern along the input axis; ``tol`` the relative
    change at which ``iht`` stops.
    """
    layer = _Layer(H, B, damp)
    r, d = layer.shape
    if pattern == "unstructured":
        proj = _Projection(pattern, (r, d), r * d - n_pruned(sparsity, r * d))
    elif pattern == "nm":
        if d % m:
            raise ValueError(
                f"the layer has {d} inputs, which is not a multiple of m={m}"
            )
        proj = _Projection(pattern, (r, d), 0, n, m)
    else:
        n_groups = d // group_size
        proj = _Projection(pattern, (r, d), n_groups - n_pruned(sparsity, n_groups),
                           group_size=group_size)
    if solver == "obs":
        mask = _solve_obs(layer, proj)
    elif solver == "omp":
        mask = _solve_omp(layer, proj)
    elif solver == "iht":
        mask = _solve_iht(layer, proj, 200 if max_iter is None else max_iter, tol)
    elif solver == "fista":
        mask = _solve_fista(layer, proj, 100 if max_iter is None else max_iter, 1e-4)
    else:
        mask = _solve_sbl(layer, proj, 40 if max_iter is None else max_iter, 1e-3)
    return layer.refit(mask), mask


def check_pattern(pattern, n, m):
    """Resolve the pattern: N:M when ``n``/``m`` are given, else unstructured."""
    if pattern is None:
        pattern = "nm" if (n is not None or m is not None) else "unstructured"
    check_choice("pattern", pattern, PATTERNS)
    if pattern == "nm":
        n, m = check_nm(2 if n is None else n, 4 if m is None else m)
    return pattern, n, m


def reconstruct_layer(weight, X, *, X_target=None, sparsity=0.5, n=None, m=None,
                      pattern=None, solver="obs", damp=0.01, max_iter=None):
    """Prune a linear layer so that it still reproduces its outputs on ``X``.

    Finds a sparse ``W'`` minimizing ``||X_t W^T - X W'^T||_F`` row by row
    (rows decouple and share ``H = X^T X``; every solver works in this Gram
    form), then refits the kept weights of every row by least squares.

    Parameters
    ----------
    weight : array_like of shape (out, in)
        Dense weights ``W`` (PyTorch layout: one row per output).
    X : array_like of shape (n_samples, in)
        Calibration inputs of the layer.
    X_target : array_like of shape (n_samples, in), optional
        Inputs producing the target outputs ``X_t W^T`` (default ``X``);
        give the dense network's inputs here when ``X`` comes from an
        already pruned network, so that the layer also corrects the error
        of the layers before it.
    sparsity : float, default=0.5
        Fraction of weights (``pattern="unstructured"``) or of input columns
        (``"group"``) removed, in ``[0, 1)``; exactly ``round(sparsity *
        size)``. Ignored for N:M.
    n, m : int, optional
        N:M pattern along the input axis (``in`` must be a multiple of
        ``m``); giving either selects ``pattern="nm"`` (default 2:4).
    pattern : {"unstructured", "nm", "group"}, optional
        ``"group"`` removes whole input columns (features / channels), the
        structured pruning a layer can compensate for itself.
    solver : {"obs", "omp", "iht", "fista", "sbl"}, default="obs"
        Support selection: ``"obs"`` optimal brain surgeon backward
        elimination (the SparseGPT/OBC family's greedy; numba), ``"omp"``
        orthogonal matching pursuit in Gram form (numba; group OMP for
        columns), ``"iht"`` normalized iterative hard thresholding onto the
        pattern, ``"fista"`` the lasso (L1, or L21 on columns) path by
        :func:`~sparserecovery.solvers.fista`, ``"sbl"`` sparse Bayesian
        learning per row (:mod:`sparserecovery.linear_model`; not for
        groups). For the row-wise ``obs``, ``omp`` and ``sbl`` the
        unstructured budget is spread over the rows by the OBS saliency
        ``W0_ij^2 / [H^-1]_jj``.
    damp : float, default=0.01
        ``damp * mean(diag(H))`` is added to the diagonal of ``H`` (inputs
        that are constant zero otherwise make it singular).
    max_iter : int, optional
        Iterations of ``iht`` (200), of every ``fista`` solve on the path
        (100) or of ``sbl`` (40).

    Returns
    -------
    LayerPruneResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 8)) @ rng.standard_normal((8, 8))
    >>> W = rng.standard_normal((3, 8))
    >>> res = reconstruct_layer(W, X, n=2, m=4)
    >>> res.mask.reshape(3, 2, 4).sum(axis=-1)
    array([[2, 2],
           [2, 2],
           [2, 2]])
    >>> from sparserecovery.nn import nm_mask
    >>> mag = np.where(nm_mask(W, 2, 4)[0], W, 0)
    >>> bool(res.objective < np.linalg.norm(X @ (W - mag).T) ** 2)
    True
    """
    t0 = time.perf_counter()
    W = check_array_arg(weight, "weight", ndim=2, allow_complex=False)
    X = check_array_arg(X, "X", ndim=2, allow_complex=False)
    if X.shape[1] != W.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} columns but weight has {W.shape[1]} inputs"
        )
    if X_target is None:
        Xt = X
    else:
        Xt = check_array_arg(X_target, "X_target", shape=X.shape, allow_complex=False)
    pattern, n, m = check_pattern(pattern, n, m)
    if pattern != "nm":
        sparsity = check_sparsity(sparsity)
    check_choice("solver", solver, SOLVERS)
    damp = check_scalar_arg(damp, "damp", lower=0, lower_inclusive=False)
    if max_iter is not None:
        max_iter = check_max_iter(max_iter)
    X64, Xt64, W64 = (np.asarray(a, dtype=np.float64) for a in (X, Xt, W))
    H = X64.T @ X64
    B = W64 @ (Xt64.T @ X64)
    W_new, mask = prune_gram(H, B, pattern=pattern, sparsity=sparsity,
                             n=n or 0, m=m or 0, solver=solver, damp=damp,
                             max_iter=max_iter)
    target = Xt64 @ W64.T
    obj = float(np.linalg.norm(target - X64 @ W_new.T) ** 2)
    ref = float(np.linalg.norm(target))
    return LayerPruneResult(
        weight=W_new.astype(W.dtype),
        mask=mask,
        objective=obj,
        relative_error=float(np.sqrt(obj) / ref) if ref > 0 else 0.0,
        solver=solver,
        time=time.perf_counter() - t0,
    )
