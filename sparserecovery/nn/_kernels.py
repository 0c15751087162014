"""Numba kernels of the weight sparsification code.

All kernels work row by row on a layer written in Gram form: the rows ``w``
of a weight matrix ``W`` (out x in) share ``H = X^T X + damping`` (in x in,
symmetric positive definite) and each has its own ``b = X_t^T X_t w`` or
``b = X^T X_t w`` (``B`` stacks them), so that the reconstruction error of a
row is ``w'^T H w' - 2 b^T w' + const``.

- :func:`topk_mask_rows`: keep the ``k_i`` largest scores of every row;
- :func:`masked_refit_rows`: least squares on a given support, per row;
- :func:`omp_gram_rows`: orthogonal matching pursuit in Gram form, with an
  optional N:M cap per group;
- :func:`obs_rows`: optimal brain surgeon backward elimination (remove the
  weight of least saliency ``w_j^2 / [H^-1]_jj`` and update the others),
  with an optional N:M floor per group.
"""

import math

import numpy as np

from ..utils import njit
from ..utils._cholesky import cholesky_solve

__all__ = ["masked_refit_rows", "obs_rows", "omp_gram_rows", "topk_mask_rows"]


@njit
def topk_mask_rows(score, counts):
    """Mask of the ``counts[i]`` largest entries of every row of ``score``.

    Ties go to the lower index (a stable sort), so exactly ``counts[i]``
    entries of row ``i`` are kept.
    """
    n_rows, d = score.shape
    mask = np.zeros((n_rows, d), dtype=np.bool_)
    for i in range(n_rows):
        k = counts[i]
        if k <= 0:
            continue
        if k >= d:
            mask[i, :] = True
            continue
        if d <= 16:
            for _ in range(k):
                best = -1
                for j in range(d):
                    if not mask[i, j] and (best < 0 or score[i, j] > score[i, best]):
                        best = j
                mask[i, best] = True
        else:
            order = np.argsort(-score[i], kind="mergesort")
            for t in range(k):
                mask[i, order[t]] = True
    return mask


@njit
def _cholesky_append(H, L, S, k, j):
    """Extend the Cholesky factor of ``H[S[:k], S[:k]]`` by index ``j``.

    Returns False when the new pivot is not positive (``j`` numerically in
    the span of the support).
    """
    s = H[j, j]
    for a in range(k):
        v = H[S[a], j]
        for c in range(a):
            v -= L[a, c] * L[k, c]
        v /= L[a, a]
        L[k, a] = v
        s -= v * v
    if not s > 1e-14 * H[j, j]:
        return False
    L[k, k] = math.sqrt(s)
    S[k] = j
    return True


@njit
def masked_refit_rows(H, B, mask, out):
    """Least squares on a support, per row: ``out[i, S] = H[S, S]^-1 B[i, S]``.

    ``S`` is ``mask[i]``; entries outside it are set to zero. ``H`` must be
    symmetric positive definite (damped).
    """
    n_rows, d = B.shape
    S = np.empty(d, dtype=np.int64)
    L = np.zeros((d, d))
    x = np.empty(d)
    rhs = np.empty(d)
    for i in range(n_rows):
        k = 0
        for j in range(d):
            out[i, j] = 0.0
            if mask[i, j]:
                if _cholesky_append(H, L, S, k, j):
                    rhs[k] = B[i, j]
                    k += 1
        cholesky_solve(L, k, rhs, x)
        for a in range(k):
            out[i, S[a]] = x[a]


@njit
def omp_gram_rows(H, B, counts, m, n_per_group, mask):
    """Orthogonal matching pursuit in Gram form, row by row.

    Row ``i`` selects ``counts[i]`` atoms. At each step the atom maximizing
    ``|c_j| / sqrt(H_jj)`` joins the support, where ``c = b - H x`` is the
    correlation of the residual with the atoms (normalized atoms, the
    textbook rule); ``x`` is the least-squares fit on the support, kept by
    an incremental Cholesky factorisation of ``H[S, S]``. With ``m > 0``,
    an atom is only eligible while its group of ``m`` consecutive indices
    holds fewer than ``n_per_group`` atoms (N:M). ``mask[i]`` receives the
    support.
    """
    n_rows, d = B.shape
    scale = np.empty(d)
    for j in range(d):
        scale[j] = 1.0 / math.sqrt(H[j, j])
    n_groups = d // m if m > 0 else 1
    L = np.zeros((d, d))
    S = np.empty(d, dtype=np.int64)
    x = np.empty(d)
    rhs = np.empty(d)
    c = np.empty(d)
    used = np.zeros(d, dtype=np.bool_)
    gcount = np.zeros(n_groups, dtype=np.int64)
    for i in range(n_rows):
        used[:] = False
        gcount[:] = 0
        for j in range(d):
            c[j] = B[i, j]
        k = 0
        n_used = 0
        while n_used < counts[i]:
            best = -1
            bestv = -1.0
            for j in range(d):
                if used[j]:
                    continue
                if m > 0 and gcount[j // m] >= n_per_group:
                    continue
                v = abs(c[j]) * scale[j]
                if v > bestv:
                    bestv = v
                    best = j
            if best < 0:
                break
            used[best] = True
            n_used += 1
            if m > 0:
                gcount[best // m] += 1
            if not _cholesky_append(H, L, S, k, best):
                continue  # dependent atom: kept in the mask, not in the fit
            rhs[k] = B[i, best]
            k += 1
            cholesky_solve(L, k, rhs, x)
            for j in range(d):
                v = B[i, j]
                for a in range(k):
                    v -= H[j, S[a]] * x[a]
                c[j] = v
        for j in range(d):
            mask[i, j] = used[j]


@njit
def obs_rows(Hinv, W0, counts, m, n_per_group, mask):
    """Optimal brain surgeon backward elimination, row by row.

    Starts from the unconstrained optimum ``W0[i]`` and removes
    ``d - counts[i]`` weights one at a time: the weight ``j`` of least
    saliency ``w_j^2 / [H^-1]_jj`` (the exact increase of the quadratic
    error when it is set to zero and the others re-fitted) is removed, the
    others updated by ``w -= w_j / [H^-1]_jj H^-1[:, j]`` and ``H^-1``
    restricted to the survivors. With ``m > 0`` a weight may only be removed
    while its group of ``m`` holds more than ``n_per_group`` survivors.
    ``mask[i]`` receives the survivors.
    """
    n_rows, d = W0.shape
    n_groups = d // m if m > 0 else 1
    Hi = np.empty((d, d))
    w = np.empty(d)
    alive = np.empty(d, dtype=np.bool_)
    gcount = np.empty(n_groups, dtype=np.int64)
    col = np.empty(d)
    for i in range(n_rows):
        Hi[:, :] = Hinv
        w[:] = W0[i]
        alive[:] = True
        gcount[:] = m if m > 0 else d
        for _ in range(d - counts[i]):
            best = -1
            bestv = np.inf
            for j in range(d):
                if not alive[j]:
                    continue
                if m > 0 and gcount[j // m] <= n_per_group:
                    continue
                v = w[j] * w[j] / Hi[j, j]
                if v < bestv:
                    bestv = v
                    best = j
            if best < 0:
                break
            piv = Hi[best, best]
            f = w[best] / piv
            for a in range(d):
                col[a] = Hi[a, best]
            for a in range(d):
                if alive[a]:
                    w[a] -= f * col[a]
                    ca = col[a] / piv
                    for b in range(d):
                        if alive[b]:
                            Hi[a, b] -= ca * col[b]
            alive[best] = False
            w[best] = 0.0
            if m > 0:
                gcount[best // m] -= 1
        for j in range(d):
            mask[i, j] = alive[j]
