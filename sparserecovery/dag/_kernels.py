"""Numba kernels for DAG learning: the CoLiDE Adam loop and graph walks.

Arrays and scalars in, arrays and status codes out. The Python layer in
``_colide.py`` chooses the schedule, allocates, evaluates the objective at
checkpoints and drives the progress bar; these kernels only loop.
"""

import numpy as np

from ..utils import njit
from ..utils._cholesky import cholesky_solve

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


# ---------------------------------------------------------------------------
# Order refinement: the CoLiDE score restricted to the DAGs of one node order
# decouples into one l1-penalised regression per node on its predecessors.


@njit
def _ridge(G):
    """``1e-12 max(diag G)`` (at least ``1e-300``): keeps active systems solvable."""
    ridge = 0.0
    for a in range(G.shape[0]):
        ridge = max(ridge, G[a, a])
    return max(ridge * 1e-12, 1e-300)


@njit
def _chol_append(G, act, m, L, ridge):
    """Extend the Cholesky factor ``L`` of ``G[act[:m], act[:m]]`` by ``act[m]``."""
    k = act[m]
    for r in range(m):
        x = G[act[r], k]
        for q in range(r):
            x -= L[r, q] * L[m, q]
        L[m, r] = x / L[r, r]
    dkk = G[k, k] + ridge
    for q in range(m):
        dkk -= L[m, q] * L[m, q]
    # A numerically dependent column keeps a tiny positive pivot (the ridge).
    L[m, m] = np.sqrt(max(dkk, ridge))


@njit
def _chol_delete(act, m, L, r):
    """Remove entry ``r`` of the active list (``m`` long) and its factor row.

    Deleting row ``r`` of ``L`` leaves ``M`` with ``M M^T`` the reduced Gram
    matrix; Givens rotations of neighbouring columns make ``M`` lower
    triangular again (``O(m**2)``).
    """
    for i in range(r, m - 1):
        act[i] = act[i + 1]
        for q in range(m):
            L[i, q] = L[i + 1, q]
    for k in range(r, m - 1):
        x = L[k, k]
        y = L[k, k + 1]
        h = np.hypot(x, y)
        cs = x / h
        sn = y / h
        for i in range(k, m - 1):
            lk = L[i, k]
            lk1 = L[i, k + 1]
            L[i, k] = cs * lk + sn * lk1
            L[i, k + 1] = -sn * lk + cs * lk1
        if L[k, k] < 0.0:
            for i in range(k, m - 1):
                L[i, k] = -L[i, k]
    for i in range(m - 1):
        L[i, m - 1] = 0.0


@njit
def lasso_gram(G, c, lam, w, tol, max_iter, optimal_signs):
    """Exact lasso ``min 0.5 w^T G w - c^T w + lam |w|_1`` by feature-sign search.

    Active-set method of Lee, Battle, Raina and Ng (NIPS 2006): add the
    inactive coordinate that violates the optimality conditions most, solve
    the linear system on the active set with the current signs, and move
    towards its solution as far as the lowest objective along the segment
    (at its end or where a coefficient changes sign, which then leaves the
    active set). Each step lowers the objective and no sign pattern comes
    back, so it ends in finitely many steps at an exact solution (the
    conditions are met once a full step keeps its signs), however
    ill-conditioned ``G`` is (coordinate descent crawls on the strongly
    correlated predecessors of a DAG node). ``w`` is the warm start and the
    result; ``optimal_signs`` says that its nonzero coefficients already
    solve the optimality conditions on their support (the first step then
    only looks for a violating inactive coordinate); ``tol`` is the absolute
    slack of the optimality test for the inactive coordinates. A ridge of
    ``1e-12 max(diag G)`` keeps the active systems solvable when predictors
    are collinear. The Cholesky factor of the active Gram matrix is updated
    as coordinates enter and leave, and the objective along the segment is
    a quadratic in the step, so a step costs ``O(p m + m**2)`` for ``m``
    active coordinates. Returns the number of steps.
    """
    P = np.arange(c.shape[0])
    ridge = _ridge(G)
    act, L, m = _active_factor(G, w, P, ridge, np.zeros((P.shape[0], P.shape[0])))
    return _lasso(G, c, P, lam, w, tol, max_iter, optimal_signs, act, L, m,
                  ridge)[0]


@njit
def _active_factor(G, w, P, ridge, L):
    """The support of ``w`` among the candidates ``P`` and its Cholesky factor.

    Returns ``(act, L, m)``: ``act[:m]`` lists the candidates with a nonzero
    weight (``w`` and ``G`` are indexed by the candidates' ids) and
    ``L[:m, :m]`` (written into the given ``L``, which needs room for every
    candidate) is the lower Cholesky factor of ``G[act[:m], act[:m]] +
    ridge I``.
    """
    act = np.empty(P.shape[0], dtype=np.int64)
    m = 0
    for x in range(P.shape[0]):
        if w[P[x]] != 0.0:
            act[m] = P[x]
            m += 1
    for r in range(m):
        _chol_append(G, act, r, L, ridge)
    return act, L, m


@njit
def _lasso(G, c, P, lam, w, tol, max_iter, optimal_signs, act, L, m, ridge):
    """:func:`lasso_gram` over the candidates ``P`` on a given factor state.

    ``G``, ``c`` and ``w`` are indexed by ids (``w`` zero outside ``P``);
    ``act[:m]`` and ``L`` describe the support of ``w`` on entry (see
    :func:`_active_factor`) and are updated in place to describe the support
    of the solution on return, so that a caller can keep the factor. Returns
    ``(n_steps, m)``.
    """
    n_cand = P.shape[0]
    solved = optimal_signs or m == 0
    theta = np.empty(n_cand)
    rhs = np.empty(n_cand)
    target = np.empty(n_cand)
    step = np.empty(n_cand)
    # Hw[r] = (H w)_r with H = G[act, act] + ridge I, the matrix the factor
    # solves with: kept up to date in O(m) per step (H step = rhs - H w once
    # the target is solved), so the line search costs no product with H.
    Hw = np.empty(n_cand)
    for r in range(m):
        x = ridge * w[act[r]]
        for q in range(m):
            x += G[act[r], act[q]] * w[act[q]]
        Hw[r] = x
    for it in range(max_iter):
        if solved:
            best = -1
            worst = lam + tol
            g_best = 0.0
            for x in range(n_cand):
                a = P[x]
                if w[a] != 0.0:
                    continue
                g = c[a]
                for r in range(m):
                    g -= G[a, act[r]] * w[act[r]]
                if abs(g) > worst:
                    worst = abs(g)
                    best = a
                    g_best = g
            if best < 0:
                return it, m
            act[m] = best
            _chol_append(G, act, m, L, ridge)
            Hw[m] = c[best] - g_best  # w[best] = 0 adds no ridge term
            m += 1
            theta[m - 1] = np.sign(g_best)
        for r in range(m - 1 if solved else m):
            theta[r] = np.sign(w[act[r]])
        for r in range(m):
            rhs[r] = c[act[r]] - lam * theta[r]
        cholesky_solve(L, m, rhs, target)
        # The target solves the optimality conditions only if its signs are
        # the ones it was solved with.
        solved = True
        for r in range(m):
            step[r] = target[r] - w[act[r]]
            if target[r] * theta[r] <= 0.0:
                solved = False
        # Smooth part along w + t step: f0 + t lin + t**2 quad (with the
        # ridge, 1e-12 relative).
        lin = 0.0
        quad = 0.0
        for r in range(m):
            lin += step[r] * (Hw[r] - c[act[r]])
            quad += 0.5 * step[r] * (rhs[r] - Hw[r])
        best_t = 1.0
        drop = -1
        best_value = lin + quad
        for r in range(m):
            best_value += lam * abs(target[r])
        for r in range(m):
            wr = w[act[r]]
            if wr != 0.0 and wr * target[r] < 0.0:
                t = wr / (wr - target[r])
                value = t * lin + t * t * quad
                for q in range(m):
                    if q != r:
                        value += lam * abs(w[act[q]] + t * step[q])
                if value < best_value:
                    best_value = value
                    best_t = t
                    drop = r
        if best_t < 1.0:
            solved = False
            for r in range(m):
                w[act[r]] += best_t * step[r]
                Hw[r] += best_t * (rhs[r] - Hw[r])
            w[act[drop]] = 0.0  # it was at the crossing, ~0
        else:
            for r in range(m):
                w[act[r]] = target[r]
                Hw[r] = rhs[r]
        # Coordinates at zero leave the active set.
        r = 0
        while r < m:
            if w[act[r]] == 0.0:
                _chol_delete(act, m, L, r)
                for q in range(r, m - 1):
                    Hw[q] = Hw[q + 1]
                m -= 1
            else:
                r += 1
    return max_iter, m


@njit
def _sqrt_lasso_jump(c, cjj, alpha, w, act, L, m):
    """Exact square-root lasso solution for the support and signs of ``w``.

    On a fixed support ``A`` with signs ``t`` the optimality conditions read
    ``G_AA w = c_A - alpha s t`` with ``s = sqrt(R(w))``; writing
    ``w = w_ls - alpha s u`` (``G_AA w_ls = c_A``, ``G_AA u = t``) gives
    ``R = R_ls + alpha**2 s**2 t^T u``, so ``s = sqrt(R_ls / (1 - alpha**2
    t^T u))``. Returns ``s`` and overwrites ``w`` when the signs of the new
    ``w`` agree (the support is then unchanged); returns ``-1`` (``w``
    unchanged) otherwise. ``act[:m]`` is the support of ``w`` and ``L`` the
    Cholesky factor of its Gram block that the lasso left (see
    :func:`_active_factor`), so no factorisation happens here; the solves
    are plain loops, so that, like the rest of the order search, the result
    does not depend on the BLAS/LAPACK build or its thread count.
    """
    if m == 0:
        return np.sqrt(max(cjj, 0.0))
    c_act = np.empty(m)
    t_act = np.empty(m)
    for x in range(m):
        c_act[x] = c[act[x]]
        t_act[x] = np.sign(w[act[x]])
    w_ls = np.empty(m)
    u = np.empty(m)
    cholesky_solve(L, m, c_act, w_ls)
    cholesky_solve(L, m, t_act, u)
    q = 0.0
    r_ls = cjj
    for x in range(m):
        q += t_act[x] * u[x]
        r_ls -= c_act[x] * w_ls[x]
    if not (r_ls > 0.0 and alpha * alpha * q < 1.0):
        return -1.0
    s = np.sqrt(r_ls / (1.0 - alpha * alpha * q))
    for x in range(m):
        if (w_ls[x] - alpha * s * u[x]) * t_act[x] <= 0.0:
            return -1.0
    for x in range(m):
        w[act[x]] = w_ls[x] - alpha * s * u[x]
    return s


@njit
def _residual(G, c, cjj, w, act, m):
    """``R(w) = C_jj - 2 c^T w + w^T G w`` (at least 0) on the support ``act[:m]``."""
    r = cjj
    for x in range(m):
        i = act[x]
        quad = 0.0
        for y in range(m):
            quad += G[i, act[y]] * w[act[y]]
        r += w[i] * (quad - 2.0 * c[i])
    return max(r, 0.0)


@njit
def _fit(C, j, P, alpha, sigma, equal_variance, sigma_floor, w, warm_optimal,
         act, L, m, ridge):
    """Fit node ``j`` on its predecessors ``P`` on a given factor state.

    :func:`node_fit` with dense weights: ``w`` (length ``d``, zero outside
    ``P``) holds the weights of the edges into ``j``, ``act[:m]`` its
    support and ``L`` the Cholesky factor of that support's block of ``C``
    (see :func:`_active_factor`); all three are updated in place. Returns
    ``(term, scale, m)``.
    """
    c = C[:, j]
    cjj = C[j, j]
    # |c_a| <= sqrt(C_jj C_aa): the scale of the optimality test.
    gmax = 0.0
    for x in range(P.shape[0]):
        gmax = max(gmax, C[P[x], P[x]])
    tol = 1e-10 * np.sqrt(max(cjj * gmax, 0.0))
    max_steps = 10 * P.shape[0] + 10
    if equal_variance:
        _, m = _lasso(C, c, P, alpha * sigma, w, tol, max_steps, warm_optimal,
                      act, L, m, ridge)
        r = _residual(C, c, cjj, w, act, m)
        return r / (2.0 * sigma) + alpha * np.abs(w).sum(), sigma, m
    s = max(np.sqrt(_residual(C, c, cjj, w, act, m)), sigma_floor)
    exact = warm_optimal  # w solves its support's conditions at this s
    for _ in range(100):
        steps, m = _lasso(C, c, P, alpha * s, w, tol, max_steps, exact, act, L,
                          m, ridge)
        if exact and steps == 0:
            break  # the exact solution at s is the lasso solution at alpha s
        jump = _sqrt_lasso_jump(c, cjj, alpha, w, act, L, m)
        exact = jump > 0.0
        new = jump if exact else np.sqrt(_residual(C, c, cjj, w, act, m))
        new = max(new, sigma_floor)
        done = abs(new - s) <= 1e-10 * s
        s = new
        if done:
            break
    return s + alpha * np.abs(w).sum(), s, m


@njit
def node_fit(C, j, P, alpha, sigma, equal_variance, sigma_floor, w, warm_optimal):
    """Fit node ``j`` on its predecessors ``P`` under the CoLiDE score.

    ``w`` (the weights of the edges ``P -> j``) is the warm start and the
    result; ``warm_optimal`` says that it is the fit of ``j`` on a subset of
    ``P`` (so optimal on its support, see :func:`lasso_gram`).
    Non-equal variance: the concomitant (square-root) lasso
    ``min_{w, s} R / (2 s) + s / 2 + alpha |w|_1`` with
    ``R = C_jj - 2 w^T C_Pj + w^T C_PP w``: a lasso with penalty
    ``alpha * s`` gives the support and signs, the exact solution on them
    gives ``s`` (see :func:`_sqrt_lasso_jump`), until the lasso at that
    ``s`` keeps them; the node's term of the score at the optimal scale is
    ``sqrt(R) + alpha |w|_1``. Equal variance: the lasso at the given common
    scale ``sigma``, whose term is ``R / (2 sigma) + alpha |w|_1``. The
    active systems carry a ridge of ``1e-12 max(diag C)``. Returns
    ``(term, scale)``: the scale is the one that multiplies ``alpha`` in the
    lasso (``sqrt(R)`` or ``sigma``).
    """
    d = C.shape[0]
    wfull = np.zeros(d)
    for x in range(P.shape[0]):
        wfull[P[x]] = w[x]
    ridge = _ridge(C)
    act, L, m = _active_factor(C, wfull, P, ridge,
                               np.zeros((P.shape[0], P.shape[0])))
    term, scale, _ = _fit(C, j, P, alpha, sigma, equal_variance, sigma_floor,
                          wfull, warm_optimal, act, L, m, ridge)
    for x in range(P.shape[0]):
        w[x] = wfull[P[x]]
    return term, scale


@njit
def _enters(C, wfull, j, i, lam):
    """Whether predictor ``i`` violates the optimality of node ``j``'s fit.

    ``wfull`` holds the weights of the edges into ``j`` (zero for
    non-parents); ``(C w)_i - C_ij`` is the gradient of ``j``'s smooth part
    in the coordinate ``i``, and ``i`` stays out of the fit while its
    magnitude is at most the penalty ``lam``.
    """
    g = C[i, j]
    for k in range(C.shape[0]):
        if wfull[k] != 0.0:
            g -= C[i, k] * wfull[k]
    return abs(g) > lam * (1.0 + 1e-9)


@njit
def _without(order, lo, hi, v):
    """``order[lo:hi]`` without ``v``."""
    out = np.empty(hi - lo, dtype=order.dtype)
    n = 0
    for x in range(lo, hi):
        if order[x] != v:
            out[n] = order[x]
            n += 1
    return out[:n]


@njit
def _with(order, hi, v):
    """``order[:hi]`` followed by ``v``."""
    out = np.empty(hi + 1, dtype=order.dtype)
    out[:hi] = order[:hi]
    out[hi] = v
    return out


@njit
def _load(cache_act, cache_L, node, act, L):
    """Copy the kept factor state of ``node`` into ``act`` and ``L``; returns ``m``."""
    Lk = cache_L[node]
    m = Lk.shape[0]
    for r in range(m):
        act[r] = cache_act[node, r]
        for q in range(r + 1):
            L[r, q] = Lk[r, q]
    return m


@njit
def _keep(cache_act, cache_L, node, act, L, m):
    """Keep the factor state ``act[:m]``, ``L[:m, :m]`` as that of ``node``."""
    Lk = np.empty((m, m))
    for r in range(m):
        cache_act[node, r] = act[r]
        for q in range(r + 1):
            Lk[r, q] = L[r, q]
    cache_L[node] = Lk


@njit
def _drop(act, L, m, node):
    """Remove ``node`` from the support ``act[:m]`` and its factor; returns ``m``."""
    for r in range(m):
        if act[r] == node:
            _chol_delete(act, m, L, r)
            return m - 1
    return m


@njit
def _move_delta(C, W, score, scale, order, p, q, alpha, sigma, equal_variance,
                sigma_floor, apply, deltas, state):
    """Change of the summed score when the node at position ``p`` moves to ``q``.

    ``deltas[x]`` receives the change for the move to every position ``x``
    passed on the way (one walk from ``p`` to ``q`` prices all of them).

    Moving ``v = order[p]`` earlier, each node ``u`` it passes gains ``v``
    as a candidate parent (refitted only when ``v`` would enter its fit) and
    ``v`` loses ``u`` (refitted only when ``u -> v`` was an edge); moving
    later is the mirror image. Every refit starts from the node's kept fit
    and its kept Cholesky factor (``state``, see :func:`order_search`): a
    gained candidate enters by one row of the factor and a lost parent
    leaves by Givens rotations, ``O(m**2)`` instead of a new ``O(m**3)``
    factorisation. With ``apply`` the move is carried out: the order, the
    weights, the terms, the scales and the kept factors are updated.
    """
    cache_act, cache_L, act_u, L_u, act_v, L_v, ridge = state
    d = C.shape[0]
    v = order[p]
    delta = 0.0
    wv = W[:, v].copy()
    sv = score[v]
    scv = scale[v]
    m_v = _load(cache_act, cache_L, v, act_v, L_v)
    wu = np.empty(d)
    step = -1 if q < p else 1
    for x in range(p + step, q + step, step):
        u = order[x]
        if step < 0:
            # u now comes after v: it gains v.
            if _enters(C, W[:, u], u, v, alpha * scale[u]):
                wu[:] = W[:, u]
                m_u = _load(cache_act, cache_L, u, act_u, L_u)
                su, scu, m_u = _fit(C, u, _with(order, x, v), alpha, sigma,
                                    equal_variance, sigma_floor, wu, True,
                                    act_u, L_u, m_u, ridge)
                delta += su - score[u]
                if apply:
                    W[:, u] = wu
                    score[u] = su
                    scale[u] = scu
                    _keep(cache_act, cache_L, u, act_u, L_u, m_u)
            if wv[u] != 0.0:
                m_v = _drop(act_v, L_v, m_v, u)
                wv[u] = 0.0
                sv, scv, m_v = _fit(C, v, order[:x].copy(), alpha, sigma,
                                    equal_variance, sigma_floor, wv, False,
                                    act_v, L_v, m_v, ridge)
        else:
            # u now comes before v: it loses v, and v gains u.
            if W[v, u] != 0.0:
                wu[:] = W[:, u]
                m_u = _load(cache_act, cache_L, u, act_u, L_u)
                m_u = _drop(act_u, L_u, m_u, v)
                wu[v] = 0.0
                su, scu, m_u = _fit(C, u, _without(order, 0, x, v), alpha,
                                    sigma, equal_variance, sigma_floor, wu,
                                    False, act_u, L_u, m_u, ridge)
                delta += su - score[u]
                if apply:
                    W[:, u] = wu
                    score[u] = su
                    scale[u] = scu
                    _keep(cache_act, cache_L, u, act_u, L_u, m_u)
            if _enters(C, wv, v, u, alpha * scv):
                sv, scv, m_v = _fit(C, v, _without(order, 0, x + 1, v), alpha,
                                    sigma, equal_variance, sigma_floor, wv,
                                    True, act_v, L_v, m_v, ridge)
        deltas[x] = delta + sv - score[v]
    delta += sv - score[v]
    if apply:
        W[:, v] = wv
        score[v] = sv
        scale[v] = scv
        _keep(cache_act, cache_L, v, act_v, L_v, m_v)
        for x in range(p, q, step):
            order[x] = order[x + step]
        order[q] = v
    return delta


@njit
def order_search(C, order, alpha, sigma, equal_variance, sigma_floor, max_pass,
                 max_shift):
    """Local search over node orders by moving one node at a time.

    Every node is fitted on its predecessors in ``order`` (see
    :func:`node_fit`); then, pass after pass, each node in turn is moved to
    the position at most ``max_shift`` away that lowers the summed score
    most (if any does), until a pass moves nothing. Moving a
    node past another only changes the fits of the two, and each fit is
    refitted only when its optimality conditions say it changes (see
    :func:`_move_delta`), so a pass costs about ``d**2`` gradient
    coordinates plus the refits. Each node's fit keeps the Cholesky factor
    of its support (about ``d**3 / 3`` numbers in all at ``refine_alpha =
    0.02``, where fits are dense), so that a refit updates it instead of
    factorising anew. ``order`` is updated in place. Returns
    ``(W, score, n_pass)`` with ``W[i, j]`` the weight of ``i -> j``
    (consistent with the final order, hence acyclic).
    """
    d = C.shape[0]
    W = np.zeros((d, d))
    score = np.zeros(d)
    scale = np.empty(d)
    ridge = _ridge(C)
    cache_act = np.zeros((d, d), dtype=np.int64)
    cache_L = [np.zeros((0, 0)) for _ in range(d)]
    act_u = np.zeros(d, dtype=np.int64)
    act_v = np.zeros(d, dtype=np.int64)
    L_u = np.zeros((d, d))
    L_v = np.zeros((d, d))
    state = (cache_act, cache_L, act_u, L_u, act_v, L_v, ridge)
    wfull = np.zeros(d)
    for k in range(d):
        j = order[k]
        wfull[:] = 0.0
        score[j], scale[j], m = _fit(C, j, order[:k].copy(), alpha, sigma,
                                     equal_variance, sigma_floor, wfull, True,
                                     act_u, L_u, 0, ridge)
        W[:, j] = wfull
        _keep(cache_act, cache_L, j, act_u, L_u, m)
    pos = np.empty(d, dtype=order.dtype)
    deltas = np.zeros(d)
    # A node's move deltas depend only on the fits and the predecessor sets
    # of the positions within max_shift of it: a move of a node from a to b
    # changes those of positions a..b only (``changed[x]``: the number of
    # the last move that touched position x), so a node whose window is
    # untouched since it was last priced (``priced[v]``) still has no
    # improving move and is skipped.
    changed = np.zeros(d, dtype=np.int64)
    priced = np.full(d, -1, dtype=np.int64)
    n_moves = 0
    n_pass = 0
    while n_pass < max_pass:
        n_pass += 1
        improved = False
        for v in range(d):
            for k in range(d):
                pos[order[k]] = k
            p = pos[v]
            lo = max(p - max_shift, 0)
            hi = min(p + max_shift, d - 1)
            if priced[v] >= 0 and changed[lo : hi + 1].max() <= priced[v]:
                continue
            priced[v] = n_moves
            best = 0.0
            best_q = p
            total = np.abs(score).sum()
            deltas[:] = 0.0
            if p > lo:
                _move_delta(C, W, score, scale, order, p, lo, alpha, sigma,
                            equal_variance, sigma_floor, False, deltas, state)
            if p < hi:
                _move_delta(C, W, score, scale, order, p, hi, alpha, sigma,
                            equal_variance, sigma_floor, False, deltas, state)
            for q in range(lo, hi + 1):
                if deltas[q] < best - 1e-9 * total:
                    best = deltas[q]
                    best_q = q
            if best_q != p:
                _move_delta(C, W, score, scale, order, p, best_q, alpha, sigma,
                            equal_variance, sigma_floor, True, deltas, state)
                n_moves += 1
                changed[min(p, best_q) : max(p, best_q) + 1] = n_moves
                priced[v] = n_moves
                improved = True
        if not improved:
            break
    return W, score.sum(), n_pass
