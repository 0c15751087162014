"""Numba kernels for DAG learning: the CoLiDE Adam loop and graph walks.

Arrays and scalars in, arrays and status codes out. The Python layer in
``_colide.py`` chooses the schedule, allocates, evaluates the objective at
checkpoints and drives the progress bar; these kernels only loop.
"""

import numpy as np

from ..utils import njit

# Status codes returned by ``adam_chunk``.
OK = 0  #: every requested step was taken
OUT_OF_DOMAIN_AT_START = 1  #: the stage's starting point is outside the domain
STEP_UNDERFLOW = 2  #: step halving drove the learning rate below ``lr_min``


#: Blocks at most this size are inverted by Gauss-Jordan elimination.
GAUSS_JORDAN_MAX_D = 32

# Contraction and reassociation help the O(d^3) loops vectorise; no
# "nnan"/"ninf", so the pivot sign test stays exact. The numpy error model
# (no Python zero-division checks) lets LLVM vectorise the loops with
# divisions and square roots; every divisor here is checked or floored > 0.
_FAST = {"contract", "reassoc", "arcp", "nsz"}
_LOOP = {"fastmath": _FAST, "error_model": "numpy"}


@njit(**_LOOP)
def _gauss_jordan_inplace(A, row, col):
    """Invert the Z-matrix ``A`` in place if it is a nonsingular M-matrix.

    Gauss-Jordan elimination without pivoting. A Z-matrix (nonpositive
    off-diagonal entries) is a nonsingular M-matrix exactly when all its
    leading principal minors are positive, i.e. when every pivot met here is
    positive; elimination without pivoting is then stable and the inverse is
    entrywise nonnegative. Returns ``False`` (``A`` partly overwritten) at the
    first pivot that is not positive.
    """
    d = A.shape[0]
    for k in range(d):
        p = A[k, k]
        if not p > 0.0:
            return False
        piv = 1.0 / p
        for j in range(d):
            row[j] = A[k, j] * piv
        row[k] = piv
        for i in range(d):
            col[i] = A[i, k]
            A[i, k] = 0.0
        for i in range(d):
            f = col[i]
            if i == k or f == 0.0:
                continue
            Ai = A[i]
            for j in range(d):
                Ai[j] -= f * row[j]
        for j in range(d):
            A[k, j] = row[j]
    return True


@njit(error_model="numpy")
def m_matrix_inverse(M, row, col):
    """Inverse of the Z-matrix ``M`` if it is a nonsingular M-matrix.

    Returns ``(ok, inverse)``; ``ok`` is ``False`` (and ``inverse``
    meaningless) when ``M`` is not a nonsingular M-matrix. Blocks larger than
    ``GAUSS_JORDAN_MAX_D`` are split as ``M = [[A, B], [C, D]]``: ``M`` is a
    nonsingular M-matrix exactly when ``A`` and the Schur complement
    ``S = D - C A^{-1} B`` are (the leading principal minors of ``M`` are
    those of ``A``, then ``det A`` times those of ``S``), ``S`` is again a
    Z-matrix, and

        M^{-1} = [[A^{-1} + X S^{-1} Y, -X S^{-1}], [-S^{-1} Y, S^{-1}]]

    with ``X = A^{-1} B <= 0`` and ``Y = C A^{-1} <= 0``: six matrix products
    (BLAS) and two half-size inverses, every sum free of cancellation.
    ``row`` and ``col`` are work vectors of length >= ``M.shape[0]``.
    """
    d = M.shape[0]
    if d <= GAUSS_JORDAN_MAX_D:
        A = M.copy()
        return _gauss_jordan_inplace(A, row, col), A
    h = d // 2
    ok, Ai = m_matrix_inverse(np.ascontiguousarray(M[:h, :h]), row, col)
    if not ok:
        return False, M
    B = np.ascontiguousarray(M[:h, h:])
    C = np.ascontiguousarray(M[h:, :h])
    X = Ai @ B
    S = np.ascontiguousarray(M[h:, h:]) - C @ X
    ok, Si = m_matrix_inverse(S, row, col)
    if not ok:
        return False, M
    XSi = X @ Si
    Y = C @ Ai
    out = np.empty_like(M)
    out[:h, :h] = Ai + XSi @ Y
    out[:h, h:] = -XSi
    out[h:, :h] = -(Si @ Y)
    out[h:, h:] = Si
    return True, out


@njit(**_LOOP)
def _update_scale(C, W, CW, sigma, equal_variance, sigma_floor):
    """Closed-form noise scale(s) for the current ``W``; also sets ``CW = C W``.

    ``R = (I - W)^T C (I - W)``; its diagonal is
    ``C_jj - 2 (CW)_jj + sum_i W_ij (CW)_ij``. Equal variance:
    ``sigma = sqrt(tr R / d)``; non-equal: ``sigma_j = sqrt(R_jj)``, each
    floored at ``sigma_floor``. Returns ``tr R``.
    """
    d = W.shape[0]
    np.dot(C, W, CW)
    r = np.zeros(d)
    for i in range(d):
        for j in range(d):
            r[j] += W[i, j] * CW[i, j]
    total = 0.0
    for j in range(d):
        rj = max(C[j, j] - 2.0 * CW[j, j] + r[j], 0.0)
        total += rj
        if not equal_variance:
            sigma[j] = max(np.sqrt(rj), sigma_floor)
    if equal_variance:
        sigma[:] = max(np.sqrt(total / d), sigma_floor)
    return total


@njit(**_LOOP)
def gradient(C, W, CW, MinvT, sigma, mu, alpha, work, G):
    """Gradient of ``mu (score + alpha |W|_1) + h(W; s)`` in ``W``, into ``G``.

    ``G = mu (C W - C) S^{-1} + mu alpha sign(W) + 2 W o MinvT`` with
    ``CW = C W``, ``MinvT = (s I - W o W)^{-T}`` and ``S = diag(sigma)``; the
    diagonal is zero (self-loops are not variables). ``work`` is a vector of
    length ``d``.
    """
    d = W.shape[0]
    mu_alpha = mu * alpha
    for j in range(d):
        work[j] = mu / sigma[j]
    for i in range(d):
        Gi = G[i]
        Wi = W[i]
        Ci = C[i]
        CWi = CW[i]
        Mi = MinvT[i]
        for j in range(d):
            w = Wi[j]
            sgn = (w > 0.0) * 1.0 - (w < 0.0) * 1.0
            Gi[j] = (CWi[j] - Ci[j]) * work[j] + 2.0 * w * Mi[j] + mu_alpha * sgn
        Gi[i] = 0.0


@njit(**_LOOP)
def adam_chunk(
    C, W, sigma, MT, CW, G, m, v, W_ok, row, col, work, t_start, n_steps, mu,
    s, alpha, lr, lr_min, beta1, beta2, eps, equal_variance, sigma_floor,
    inverse_every,
):
    """Run up to ``n_steps`` CoLiDE iterations (Adam on ``W``, then ``sigma``).

    One iteration: update the noise scale(s) in closed form, form the
    gradient of ``mu * (score(W, sigma) + alpha * |W|_1) + h(W; s)`` (see
    :func:`gradient`) and take one Adam step. The diagonal of ``W`` stays
    zero (no self-loops: its gradient, hence its Adam step, is zero).

    Every ``inverse_every`` iterations (and at the first of the chunk) the
    inverse of ``s I - W o W`` is recomputed, which also checks that ``W``
    lies in the domain of ``h(.; s)`` (``s I - W o W`` an M-matrix); in
    between, the gradient of ``h`` uses the last inverse. A ``W`` found
    outside the domain is reset to the last ``W`` found inside (kept in
    ``W_ok``) and the learning rate halved, so every checked iterate lies in
    the domain; ``W`` is checked again before the chunk returns.

    ``W``, ``sigma``, ``m``, ``v`` and ``W_ok`` are updated in place (``MT``,
    ``CW``, ``G``, ``row``, ``col``, ``work`` are work space); ``t_start`` is
    the number of Adam steps already taken in this stage (0 starts the
    stage). The dtype of ``MT`` (and of the vectors ``row`` and ``col``) is
    the precision of the inverse of ``s I - W o W`` (float32 cuts its cost
    by about 40% at ``d = 200``); everything else stays in float64. Returns
    ``(status, n_done, lr)``.
    """
    d = W.shape[0]
    MinvT = MT
    k = 0
    check = True
    while True:
        if check or k == n_steps:
            # (s I - W o W)^T; its inverse MinvT[i, j] = Minv[j, i].
            for i in range(d):
                for j in range(d):
                    MT[i, j] = -W[j, i] * W[j, i]
                MT[i, i] += s
            inside, inv = m_matrix_inverse(MT, row, col)
            if inside:
                MinvT = inv
                for i in range(d):
                    for j in range(d):
                        W_ok[i, j] = W[i, j]
            else:
                if t_start + k == 0:
                    return OUT_OF_DOMAIN_AT_START, k, lr
                # Back to the last iterate inside the domain, half the step.
                lr *= 0.5
                for i in range(d):
                    for j in range(d):
                        W[i, j] = W_ok[i, j]
                if lr < lr_min:
                    return STEP_UNDERFLOW, k, lr
                if k == n_steps:
                    continue  # recompute the inverse at the restored W
            if k == n_steps:
                return OK, n_steps, lr
        t = t_start + k
        _update_scale(C, W, CW, sigma, equal_variance, sigma_floor)
        # Bias corrections folded into the step size and epsilon.
        bc1 = 1.0 - beta1 ** (t + 1)
        sq_bc2 = np.sqrt(1.0 - beta2 ** (t + 1))
        lr_t = lr * sq_bc2 / bc1
        eps_t = eps * sq_bc2
        gradient(C, W, CW, MinvT, sigma, mu, alpha, work, G)
        for i in range(d):
            Gi = G[i]
            Wi = W[i]
            mi = m[i]
            vi = v[i]
            for j in range(d):
                g = Gi[j]
                mij = beta1 * mi[j] + (1.0 - beta1) * g
                vij = beta2 * vi[j] + (1.0 - beta2) * g * g
                mi[j] = mij
                vi[j] = vij
                Wi[j] -= lr_t * mij / (np.sqrt(vij) + eps_t)
        k += 1
        check = k % inverse_every == 0


@njit
def _reaches(adj, src, dst, stack, seen):
    """Whether ``dst`` is reachable from ``src`` along edges of ``adj``."""
    d = adj.shape[0]
    if src == dst:
        return True
    seen[:] = False
    top = 0
    stack[top] = src
    top += 1
    seen[src] = True
    while top > 0:
        top -= 1
        u = stack[top]
        for w in range(d):
            if adj[u, w] and not seen[w]:
                if w == dst:
                    return True
                seen[w] = True
                stack[top] = w
                top += 1
    return False


@njit
def greedy_acyclic(rows, cols, d):
    """Keep edges in the given order unless they close a directed cycle.

    ``rows[k] -> cols[k]`` is the k-th edge, strongest first. Returns a
    boolean mask of kept edges; the kept graph is acyclic and adding any
    dropped edge back would create a cycle.
    """
    adj = np.zeros((d, d), dtype=np.bool_)
    keep = np.zeros(rows.shape[0], dtype=np.bool_)
    stack = np.empty(d, dtype=np.int64)
    seen = np.zeros(d, dtype=np.bool_)
    for k in range(rows.shape[0]):
        i = rows[k]
        j = cols[k]
        # i -> j closes a cycle iff j already reaches i.
        if not _reaches(adj, j, i, stack, seen):
            adj[i, j] = True
            keep[k] = True
    return keep


@njit
def topological_order(adj):
    """Kahn's algorithm; returns (order, n_ordered). Acyclic iff n_ordered == d."""
    d = adj.shape[0]
    indeg = np.zeros(d, dtype=np.int64)
    for i in range(d):
        for j in range(d):
            if adj[i, j]:
                indeg[j] += 1
    order = np.empty(d, dtype=np.int64)
    head = 0
    tail = 0
    for i in range(d):
        if indeg[i] == 0:
            order[tail] = i
            tail += 1
    while head < tail:
        u = order[head]
        head += 1
        for w in range(d):
            if adj[u, w]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    order[tail] = w
                    tail += 1
    return order, tail
