"""Numba kernels for entropic optimal transport.

Conventions shared by every kernel:

* ``M`` is the ``(n, m)`` cost matrix (float32 or float64, C-contiguous).
* Potentials ``f`` (length ``n``) and ``g`` (length ``m``) are float64 and
  define the plan ``P_ij = exp((f_i + g_j - M_ij) / reg)``.
* The *buffered* kernels keep a kernel matrix ``K`` (dtype of ``M``) taken at
  a base point ``(f0, g0)``, ``K_ij = exp((f0_i + g0_j - M_ij) / reg)``, and
  scalings ``u, v`` (float64), so that ``P_ij = u_i K_ij v_j``: one
  multiply-add per entry instead of one exponential. Whenever a scaling leaves
  ``[exp(-R), exp(R)]`` the scalings are absorbed into the base and ``K`` is
  recomputed, which keeps the representation as accurate as the log domain.
* Every accumulation is done in float64.

Exponentials are evaluated with their argument capped at ``_EXP_CAP`` so that
they stay finite (also under ``NUMBA_DISABLE_JIT=1``); capped values are far
outside the range the callers accept, so they only ever flag a row or column
for an exact (max-shifted) recomputation.
"""

import math

import numpy as np

from ..utils import njit

_EXP_CAP = 700.0
# reductions may be reassociated (vectorised); no other fast-math licence
_FAST = {"reassoc", "contract"}
_TINY = 1e-280
_HUGE = 1e280

# status codes returned by the Sinkhorn loops
STATUS_OK = 0
STATUS_BREAKDOWN = 1  # plain scaling iteration hit a zero or infinite scaling


@njit
def _capexp(t):
    # exp(t) with t capped at 700; arguments below -700 give exactly 0 (the
    # libm slow path for underflowing results is avoided; such terms are
    # below 1e-304 and only ever matter in rows that are recomputed exactly)
    if t < -_EXP_CAP:
        return 0.0
    if t > _EXP_CAP:
        t = _EXP_CAP
    return math.exp(t)


# ---------------------------------------------------------------------------
# exact (max-shifted) log-sum-exp of one row / one column
# ---------------------------------------------------------------------------


@njit
def lse_row(M, i, fi, g, reg):
    """``log sum_j exp((fi + g_j - M_ij) / reg)``, computed with a max shift."""
    m = M.shape[1]
    mx = -np.inf
    for j in range(m):
        t = fi + g[j] - M[i, j]
        if t > mx:
            mx = t
    s = 0.0
    for j in range(m):
        s += _capexp((fi + g[j] - M[i, j] - mx) / reg)
    return mx / reg + math.log(s)


@njit
def lse_col(M, j, f, gj, reg):
    """``log sum_i exp((f_i + gj - M_ij) / reg)``, computed with a max shift."""
    n = M.shape[0]
    mx = -np.inf
    for i in range(n):
        t = f[i] + gj - M[i, j]
        if t > mx:
            mx = t
    s = 0.0
    for i in range(n):
        s += _capexp((f[i] + gj - M[i, j] - mx) / reg)
    return mx / reg + math.log(s)


# ---------------------------------------------------------------------------
# log-domain marginals (no buffer: O(n + m) memory)
# ---------------------------------------------------------------------------


@njit
def log_row_sums(M, f, g, reg, out):
    """``out_i = log (P 1)_i`` for ``P = exp((f + g - M) / reg)``.

    Uses the current potentials as the shift; rows whose sum is outside
    ``[1e-280, 1e280]`` are recomputed exactly with a max shift.
    """
    n, m = M.shape
    inv = 1.0 / reg
    for i in range(n):
        fi = f[i]
        s = 0.0
        for j in range(m):
            s += _capexp((fi + g[j] - M[i, j]) * inv)
        if _TINY < s < _HUGE:
            out[i] = math.log(s)
        else:
            out[i] = lse_row(M, i, fi, g, reg)


@njit
def log_col_sums(M, f, g, reg, out, work):
    """``out_j = log (P^T 1)_j``; ``work`` is float64 scratch of length ``m``."""
    n, m = M.shape
    inv = 1.0 / reg
    for j in range(m):
        work[j] = 0.0
    for i in range(n):
        fi = f[i]
        for j in range(m):
            work[j] += _capexp((fi + g[j] - M[i, j]) * inv)
    for j in range(m):
        s = work[j]
        if _TINY < s < _HUGE:
            out[j] = math.log(s)
        else:
            out[j] = lse_col(M, j, f, g[j], reg)


@njit
def sinkhorn_log_loop(M, a, b, f, g, reg, max_iter, tol, hist, lr, lc, work):
    """Log-domain Sinkhorn on potentials ``f, g`` (updated in place).

    One iteration is a column update followed by a row update. The L1
    marginal error is measured after each column update (columns are then
    exact), before the row update, so the state that stops the loop is the
    state whose error was recorded. Returns ``(n_iter, err)``.
    """
    n, m = M.shape
    err = np.inf
    k = 0
    while True:
        log_col_sums(M, f, g, reg, lc, work)
        for j in range(m):
            g[j] += reg * (math.log(b[j]) - lc[j])
        log_row_sums(M, f, g, reg, lr)
        err = 0.0
        for i in range(n):
            err += abs(math.exp(min(lr[i], _EXP_CAP)) - a[i])
        hist[k] = err
        k += 1
        if err <= tol or k >= max_iter:
            break
        for i in range(n):
            f[i] += reg * (math.log(a[i]) - lr[i])
    return k, err


@njit
def log_materialize(M, f, g, reg, out, r, c):
    """Write ``P = exp((f + g - M) / reg)`` into ``out``; return ``<M, P>``.

    ``r`` and ``c`` receive the row and column sums of the stored values.
    """
    n, m = M.shape
    inv = 1.0 / reg
    for j in range(m):
        c[j] = 0.0
    cost = 0.0
    for i in range(n):
        fi = f[i]
        s = 0.0
        for j in range(m):
            out[i, j] = _capexp((fi + g[j] - M[i, j]) * inv)
            p = np.float64(out[i, j])
            s += p
            c[j] += p
            cost += p * M[i, j]
        r[i] = s
    return cost


@njit
def log_count_above(M, f, g, reg, thr):
    """Number of entries of ``P = exp((f + g - M) / reg)`` above ``thr``."""
    n, m = M.shape
    inv = 1.0 / reg
    cnt = 0
    for i in range(n):
        for j in range(m):
            if _capexp((f[i] + g[j] - M[i, j]) * inv) > thr:
                cnt += 1
    return cnt


@njit
def log_sparse_plan(M, f, g, reg, thr, indptr, indices, data, r, c):
    """Entries of ``P`` above ``thr`` as CSR arrays (preallocated); ``<M, P>``."""
    n, m = M.shape
    inv = 1.0 / reg
    for j in range(m):
        c[j] = 0.0
    cost = 0.0
    nz = 0
    indptr[0] = 0
    for i in range(n):
        s = 0.0
        for j in range(m):
            p = _capexp((f[i] + g[j] - M[i, j]) * inv)
            if p > thr:
                data[nz] = p
                indices[nz] = j
                nz += 1
                pd = np.float64(data[nz - 1])
                s += pd
                c[j] += pd
                cost += pd * M[i, j]
        r[i] = s
        indptr[i + 1] = nz
    return cost


# ---------------------------------------------------------------------------
# buffered (kernel + scalings) representation
# ---------------------------------------------------------------------------


@njit
def fill_kernel(M, f0, g0, reg, K):
    """``K_ij = exp((f0_i + g0_j - M_ij) / reg)`` (no normalisation)."""
    n, m = M.shape
    inv = 1.0 / reg
    for i in range(n):
        for j in range(m):
            K[i, j] = _capexp((f0[i] + g0[j] - M[i, j]) * inv)


@njit
def absorb_rows(M, K, a, f0, g0, u, v, reg):
    """Absorb the scalings and apply an exact row (c-transform) update.

    New base: ``g0 <- g0 + reg log v`` and ``f0`` the exact row update
    against it, so that ``K`` has row sums ``a``; ``u`` and ``v`` are reset
    to one.
    """
    n, m = M.shape
    for j in range(m):
        g0[j] += reg * math.log(v[j])
        v[j] = 1.0
    for i in range(n):
        mx = -np.inf
        for j in range(m):
            t = g0[j] - M[i, j]
            if t > mx:
                mx = t
        s = 0.0
        for j in range(m):
            e = _capexp((g0[j] - M[i, j] - mx) / reg)
            K[i, j] = e
            s += np.float64(K[i, j])
        scale = a[i] / s
        for j in range(m):
            K[i, j] = K[i, j] * scale
        f0[i] = reg * math.log(a[i]) - mx - reg * math.log(s)
        u[i] = 1.0


@njit
def absorb_cols(M, K, b, f0, g0, u, v, reg, work1, work2):
    """Absorb the scalings and apply an exact column (c-transform) update.

    ``work1`` and ``work2`` are float64 scratch arrays of length ``m``.
    """
    n, m = M.shape
    for i in range(n):
        f0[i] += reg * math.log(u[i])
        u[i] = 1.0
    mx = work1
    s = work2
    for j in range(m):
        mx[j] = -np.inf
        s[j] = 0.0
    for i in range(n):
        fi = f0[i]
        for j in range(m):
            t = fi - M[i, j]
            if t > mx[j]:
                mx[j] = t
    for i in range(n):
        fi = f0[i]
        for j in range(m):
            K[i, j] = _capexp((fi - M[i, j] - mx[j]) / reg)
            s[j] += np.float64(K[i, j])
    for j in range(m):
        g0[j] = reg * math.log(b[j]) - mx[j] - reg * math.log(s[j])
        s[j] = b[j] / s[j]
        v[j] = 1.0
    for i in range(n):
        for j in range(m):
            K[i, j] = K[i, j] * s[j]


@njit(fastmath=_FAST)
def kernel_matvec(K, v, out):
    """``out = K @ v`` (float64 accumulation)."""
    n, m = K.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += K[i, j] * v[j]
        out[i] = s


@njit(fastmath=_FAST)
def kernel_rmatvec(K, u, out):
    """``out = K.T @ u`` (float64 accumulation)."""
    n, m = K.shape
    for j in range(m):
        out[j] = 0.0
    for i in range(n):
        ui = u[i]
        for j in range(m):
            out[j] += ui * K[i, j]


@njit
def sinkhorn_scaling_loop(
    M, K, a, b, f0, g0, u, v, reg, max_iter, tol, hist, kv, ktu, work1, work2,
    log_range,
):
    """Sinkhorn iterations on the buffered representation ``P = u K v``.

    With a finite ``log_range`` R the scalings are absorbed into ``(f0, g0)``
    as soon as one leaves ``[exp(-R), exp(R)]`` (stabilised Sinkhorn); with
    ``log_range = inf`` this is the plain Sinkhorn-Knopp iteration, which
    stops with ``STATUS_BREAKDOWN`` when a scaling becomes zero or infinite.
    The error bookkeeping is that of :func:`sinkhorn_log_loop`. Returns
    ``(n_iter, err, status, n_absorb)``.
    """
    n, m = K.shape
    lo = math.exp(-log_range) if log_range < 700.0 else 0.0
    hi = math.exp(log_range) if log_range < 700.0 else np.inf
    stabilized = log_range < 700.0
    err = np.inf
    status = STATUS_OK
    n_absorb = 0
    k = 0
    while True:
        # column update
        kernel_rmatvec(K, u, ktu)
        bad = False
        for j in range(m):
            t = ktu[j]
            if not (t > 0.0 and t < np.inf):
                bad = True
                break
            vj = b[j] / t
            if not (lo < vj < hi):
                bad = True
                break
            v[j] = vj
        if bad:
            if not stabilized:
                status = STATUS_BREAKDOWN
                break
            absorb_cols(M, K, b, f0, g0, u, v, reg, work1, work2)
            n_absorb += 1
        # row marginal (columns are exact here)
        kernel_matvec(K, v, kv)
        err = 0.0
        for i in range(n):
            err += abs(u[i] * kv[i] - a[i])
        hist[k] = err
        k += 1
        if err <= tol or k >= max_iter:
            break
        # row update
        bad = False
        for i in range(n):
            t = kv[i]
            if not (t > 0.0 and t < np.inf):
                bad = True
                break
            ui = a[i] / t
            if not (lo < ui < hi):
                bad = True
                break
            u[i] = ui
        if bad:
            if not stabilized:
                status = STATUS_BREAKDOWN
                break
            absorb_rows(M, K, a, f0, g0, u, v, reg)
            n_absorb += 1
    return k, err, status, n_absorb


@njit
def scaled_materialize(M, K, u, v, r, c):
    """Overwrite ``K`` with the plan ``u_i K_ij v_j``; return ``<M, P>``.

    ``r`` and ``c`` receive the row and column sums of the stored values.
    """
    n, m = K.shape
    for j in range(m):
        c[j] = 0.0
    cost = 0.0
    for i in range(n):
        ui = u[i]
        s = 0.0
        for j in range(m):
            K[i, j] = ui * K[i, j] * v[j]
            p = np.float64(K[i, j])
            s += p
            c[j] += p
            cost += p * M[i, j]
        r[i] = s
    return cost


@njit
def dense_count_above(P, thr):
    """Number of entries of the dense array ``P`` above ``thr``."""
    n, m = P.shape
    cnt = 0
    for i in range(n):
        for j in range(m):
            if P[i, j] > thr:
                cnt += 1
    return cnt


@njit
def dense_to_csr(P, M, thr, indptr, indices, data, r, c):
    """CSR arrays of the entries of ``P`` above ``thr``; returns ``<M, P>``.

    ``r`` and ``c`` receive the row and column sums of the kept entries.
    """
    n, m = P.shape
    for j in range(m):
        c[j] = 0.0
    cost = 0.0
    nz = 0
    indptr[0] = 0
    for i in range(n):
        s = 0.0
        for j in range(m):
            p = P[i, j]
            if p > thr:
                data[nz] = p
                indices[nz] = j
                nz += 1
                pd = np.float64(p)
                s += pd
                c[j] += pd
                cost += pd * M[i, j]
        r[i] = s
        indptr[i + 1] = nz
    return cost


# ---------------------------------------------------------------------------
# Newton stage: evaluation passes with sparsity selection
# ---------------------------------------------------------------------------


N_BINS = 1 << 15  # selection histogram: sign + exponent + 4 mantissa bits


@njit
def _key(fb, ib, q):
    """Monotone 15-bit key of a non-negative float64 (top bits of its pattern)."""
    fb[0] = q
    return ib[0] >> 48


@njit
def key_floor(key):
    """Smallest float64 whose key is ``key`` (``inf`` past the last key)."""
    if key >= N_BINS:
        return np.inf
    ib = np.empty(1, dtype=np.int64)
    ib[0] = np.int64(key) << 48
    return ib.view(np.float64)[0]


@njit
def _row_hist(K, i, uqi, vq, lo, hist, buf, fb, ib):
    """Add the keys of row ``i``'s scores ``uqi K_ij vq_j >= lo`` to ``hist``.

    Candidates are first compacted without branches (most entries fail the
    test), then binned.
    """
    m = K.shape[1]
    if not uqi > 0.0:
        return
    lo_i = lo / uqi
    nb = 0
    for j in range(m):
        buf[nb] = j
        nb += np.float64(K[i, j]) * vq[j] >= lo_i
    for t in range(nb):
        j = buf[t]
        q = uqi * (np.float64(K[i, j]) * vq[j])
        if q > 0.0:
            hist[_key(fb, ib, q)] += 1


@njit(fastmath=_FAST)
def _row_sums(K, i, ui, vp, vb, c):
    m = K.shape[1]
    s1 = 0.0
    s2 = 0.0
    for j in range(m):
        kij = np.float64(K[i, j])
        s1 += kij * vp[j]
        s2 += kij * vb[j]
        c[j] += ui * kij
    return s1, s2


@njit
def scaled_pass(K, up, vp, wa, vb, uq, vq, r, c, hist, lo):
    """Marginals, line-search cross term and selection histogram.

    The plan is ``P'_ij = up_i K_ij vp_j``; the selection score is
    ``q_ij = uq_i K_ij vq_j`` (the entry scaled by ``1/sqrt(a_i b_j)``).
    Writes ``r = P' 1``, ``c = P'^T 1`` and the histogram of the keys of the
    scores ``q >= lo`` (``hist``, length ``N_BINS``). Returns ``(S, X)``: the
    total mass and ``X = sum_ij wa_i K_ij vb_j``.
    """
    n, m = K.shape
    fb = np.empty(1)
    ib = fb.view(np.int64)
    buf = np.empty(m, dtype=np.int64)
    for t in range(hist.shape[0]):
        hist[t] = 0
    for j in range(m):
        c[j] = 0.0
    total = 0.0
    cross = 0.0
    for i in range(n):
        ui = up[i]
        s1, s2 = _row_sums(K, i, ui, vp, vb, c)
        _row_hist(K, i, uq[i], vq, lo, hist, buf, fb, ib)
        r[i] = ui * s1
        total += r[i]
        cross += wa[i] * s2
    for j in range(m):
        c[j] *= vp[j]
    return total, cross


@njit
def log_pass(M, f, g, reg, wa, wb, sa, sb, r, c, hist, lo, K, store):
    """:func:`scaled_pass` for ``P' = exp((f + g - M) / reg)``.

    Scores are ``q_ij = sa_i P'_ij sb_j``, the cross term is
    ``X = sum_ij wa_i P'_ij wb_j``. With ``store`` true the values of ``P'``
    are also written into ``K`` (a new base point).
    """
    n, m = M.shape
    inv = 1.0 / reg
    fb = np.empty(1)
    ib = fb.view(np.int64)
    for t in range(hist.shape[0]):
        hist[t] = 0
    for j in range(m):
        c[j] = 0.0
    total = 0.0
    cross = 0.0
    for i in range(n):
        fi = f[i]
        sai = sa[i]
        s1 = 0.0
        s2 = 0.0
        for j in range(m):
            p = _capexp((fi + g[j] - M[i, j]) * inv)
            if store:
                K[i, j] = p
                p = np.float64(K[i, j])
            s1 += p
            s2 += p * wb[j]
            c[j] += p
            q = sai * p * sb[j]
            if q >= lo and q > 0.0:
                hist[_key(fb, ib, q)] += 1
        r[i] = s1
        total += s1
        cross += wa[i] * s2
    return total, cross


@njit
def selection_key(hist, budget):
    """Smallest key whose tail count reaches ``budget``; returns (key, count).

    If fewer than ``budget`` entries were counted, the smallest non-empty key
    is returned (every counted entry is kept). Key 0 (zero entries) is never
    selected; an empty histogram gives ``(N_BINS, 0)``.
    """
    cnt = 0
    key = hist.shape[0] - 1
    low = hist.shape[0]
    while key > 0:
        if hist[key] > 0:
            cnt += hist[key]
            low = key
            if cnt >= budget:
                return key, cnt
        key -= 1
    return low, cnt


@njit
def collect_selection(K, up, vp, uq, vq, theta, indptr, indices, data):
    """CSR arrays of the entries of ``P'_ij = up_i K_ij vp_j`` kept in the Hessian.

    Kept: the entries whose score ``uq_i K_ij vq_j`` is at least ``theta``
    (and positive), at most as many as ``indices`` can hold. Returns their
    number.
    """
    n, m = K.shape
    cap = indices.shape[0]
    buf = np.empty(m, dtype=np.int64)
    nz = 0
    indptr[0] = 0
    for i in range(n):
        ui = up[i]
        uqi = uq[i]
        if uqi > 0.0:
            # branch-free compaction of the candidates, then the exact test
            th = 0.5 * theta / uqi
            nb = 0
            for j in range(m):
                buf[nb] = j
                nb += np.float64(K[i, j]) * vq[j] >= th
            for t in range(nb):
                j = buf[t]
                q = uqi * (np.float64(K[i, j]) * vq[j])
                if q >= theta and q > 0.0 and nz < cap:
                    indices[nz] = j
                    data[nz] = ui * np.float64(K[i, j]) * vp[j]
                    nz += 1
        indptr[i + 1] = nz
    return nz


# ---------------------------------------------------------------------------
# Newton stage: projected preconditioned conjugate gradient
# ---------------------------------------------------------------------------


@njit
def _project(z, n):
    """Remove the component of ``z`` along ``(1_n, -1_m)``."""
    nm = z.shape[0]
    s = 0.0
    for i in range(n):
        s += z[i]
    for j in range(n, nm):
        s -= z[j]
    s /= nm
    for i in range(n):
        z[i] -= s
    for j in range(n, nm):
        z[j] += s


@njit
def _deflate(z, r, c):
    """Remove ``z``'s component along ``v = (1_n, -1_m)`` obliquely.

    ``z <- z - (z.v / w.v) w`` with ``w = (r, -c)``: afterwards ``z.v = 0``
    (``z`` lies in the range of the singular matrix) while every entry moves
    in proportion to its own row's mass, so rows of tiny mass are not swamped
    (a uniform shift would be, through the Jacobi scaling).
    """
    n = r.shape[0]
    m = c.shape[0]
    zv = 0.0
    wv = 0.0
    for i in range(n):
        zv += z[i]
        wv += r[i]
    for j in range(m):
        zv -= z[n + j]
        wv += c[j]
    if wv > 0.0:
        s = zv / wv
        for i in range(n):
            z[i] -= s * r[i]
        for j in range(m):
            z[n + j] += s * c[j]


@njit
def _hess_matvec(indptr, indices, data, r, c, sr, sc, z, out, shift=0.0):
    """``out = [[(1 + shift) diag(r), S + R], [(S + R)^T, (1 + shift) diag(c)]] z``.

    ``S`` is the CSR matrix of kept entries and ``R = sr sc^T / sum(sr)`` the
    rank-one stand-in for the dropped ones (``sr``, ``sc``: their row and
    column sums); ``sum(sr) == 0`` disables it.
    """
    n = r.shape[0]
    m = c.shape[0]
    tot = 0.0
    ax = 0.0
    ay = 0.0
    for i in range(n):
        tot += sr[i]
        ax += sr[i] * z[i]
    for j in range(m):
        ay += sc[j] * z[n + j]
    if tot > 0.0:
        ax /= tot
        ay /= tot
    else:
        ax = 0.0
        ay = 0.0
    d = 1.0 + shift
    for j in range(m):
        out[n + j] = d * c[j] * z[n + j] + sc[j] * ax
    for i in range(n):
        zi = z[i]
        s = d * r[i] * zi + sr[i] * ay
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            w = data[p]
            s += w * z[n + j]
            out[n + j] += w * zi
        out[i] = s


@njit
def _pair_blocks(indptr, indices, data, r, c, sr, sc, shift, row_mate, col_mate,
                 blk):
    """2x2 block-Jacobi preconditioner on the mutual-best pairs of the plan.

    Row ``i`` and column ``j`` are paired when ``j`` holds row ``i``'s largest
    kept entry and ``i`` column ``j``'s. Near a (nearly) permutation-like plan
    these pairs are almost decoupled and almost singular, which is what makes
    plain Jacobi-preconditioned CG stall; inverting each pair's 2x2 block of
    the matrix fixes that. ``blk[i]`` receives the inverse block entries of
    row ``i``'s pair (``row_mate[i] = -1`` when unpaired).
    """
    n = r.shape[0]
    m = c.shape[0]
    tot = 0.0
    for i in range(n):
        tot += sr[i]
    for j in range(m):
        col_mate[j] = -1
    best_col = np.empty(m)
    for j in range(m):
        best_col[j] = -1.0
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if data[p] > best_col[j]:
                best_col[j] = data[p]
                col_mate[j] = i
    for i in range(n):
        row_mate[i] = -1
        best = -1.0
        jb = -1
        for p in range(indptr[i], indptr[i + 1]):
            if data[p] > best:
                best = data[p]
                jb = indices[p]
        if jb < 0 or col_mate[jb] != i:
            continue
        q = best + (sr[i] * sc[jb] / tot if tot > 0.0 else 0.0)
        ri = (1.0 + shift) * r[i]
        cj = (1.0 + shift) * c[jb]
        # det = ri cj - q^2 written to avoid cancelling ri cj against q^2
        det = (ri - q) * cj + q * (cj - q)
        if not det > 1e-14 * ri * cj:
            continue
        row_mate[i] = jb
        blk[i, 0] = cj / det
        blk[i, 1] = -q / det
        blk[i, 2] = ri / det
    for j in range(m):
        i = col_mate[j]
        if i >= 0 and row_mate[i] != j:
            col_mate[j] = -1


@njit
def _precondition(res, r, c, shift, row_mate, blk, out):
    n = r.shape[0]
    m = c.shape[0]
    d = 1.0 + shift
    for i in range(n):
        out[i] = res[i] / max(d * r[i], _TINY)
    for j in range(m):
        out[n + j] = res[n + j] / max(d * c[j], _TINY)
    for i in range(n):
        j = row_mate[i]
        if j >= 0:
            x = res[i]
            y = res[n + j]
            out[i] = blk[i, 0] * x + blk[i, 1] * y
            out[n + j] = blk[i, 1] * x + blk[i, 2] * y


@njit
def hessian_cg(indptr, indices, data, r, c, sr, sc, shift, rhs, x, tol, max_iter,
               work):
    """Solve the sparsified Newton system by preconditioned CG.

    The matrix is ``A = [[diag(r), S + R], [(S + R)^T, diag(c)]]`` with ``S``
    the kept entries (CSR) and ``R`` the rank-one stand-in for the dropped
    ones (see :func:`_hess_matvec`): the negative Hessian of the dual in
    log-scaling units, sparsified, plus ``shift`` times its diagonal.
    Unshifted, ``A`` is singular along ``v = (1_n, -1_m)`` and CG runs on the
    consistent singular system (the right-hand side, a gradient, is
    orthogonal to ``v``), its residuals kept consistent by :func:`_deflate`;
    a positive shift makes the system definite (it also fixes the further
    null directions of a kept graph split into components that carry all
    their mass). The solution is projected on ``v``'s orthogonal complement,
    which leaves the plan it leads to unchanged. The preconditioner is block
    Jacobi on mutual-best pairs, Jacobi elsewhere. ``work`` is float64
    scratch of shape ``(4, n + m)``. Returns ``(n_iter, relative residual)``.
    """
    n = r.shape[0]
    m = c.shape[0]
    nm = rhs.shape[0]
    res = work[0]
    zz = work[1]
    p = work[2]
    ap = work[3]
    row_mate = np.empty(n, dtype=np.int64)
    col_mate = np.empty(m, dtype=np.int64)
    blk = np.empty((n, 3))
    _pair_blocks(indptr, indices, data, r, c, sr, sc, shift, row_mate, col_mate,
                 blk)
    for t in range(nm):
        x[t] = 0.0
        res[t] = rhs[t]
    if shift == 0.0:
        _deflate(res, r, c)
    bnorm = 0.0
    for t in range(nm):
        bnorm += res[t] * res[t]
    bnorm = math.sqrt(bnorm)
    if bnorm == 0.0:
        return 0, 0.0
    _precondition(res, r, c, shift, row_mate, blk, zz)
    rz = 0.0
    for t in range(nm):
        p[t] = zz[t]
        rz += res[t] * zz[t]
    rel = 1.0
    it = 0
    while it < max_iter:
        _hess_matvec(indptr, indices, data, r, c, sr, sc, p, ap, shift)
        pap = 0.0
        for t in range(nm):
            pap += p[t] * ap[t]
        if not pap > 0.0:
            break
        alpha = rz / pap
        rn = 0.0
        for t in range(nm):
            x[t] += alpha * p[t]
            res[t] -= alpha * ap[t]
        if shift == 0.0:
            _deflate(res, r, c)
        for t in range(nm):
            rn += res[t] * res[t]
        it += 1
        rel = math.sqrt(rn) / bnorm
        if rel <= tol:
            break
        _precondition(res, r, c, shift, row_mate, blk, zz)
        rz_new = 0.0
        for t in range(nm):
            rz_new += res[t] * zz[t]
        beta = rz_new / rz
        rz = rz_new
        for t in range(nm):
            p[t] = zz[t] + beta * p[t]
    _project(x, n)
    return it, rel


@njit
def dropped_sums(indptr, indices, data, r, c, sr, sc):
    """Row / column sums of the dropped mass: ``r - S 1`` and ``c - S^T 1``.

    Clipped at zero, and ``sc`` rescaled to the total of ``sr`` so that the
    rank-one stand-in ``sr sc^T / sum(sr)`` has exactly these marginals.
    """
    n = r.shape[0]
    m = c.shape[0]
    for j in range(m):
        sc[j] = c[j]
    for i in range(n):
        s = r[i]
        for p in range(indptr[i], indptr[i + 1]):
            s -= data[p]
            sc[indices[p]] -= data[p]
        sr[i] = max(s, 0.0)
    tr = 0.0
    for i in range(n):
        tr += sr[i]
    tc = 0.0
    for j in range(m):
        sc[j] = max(sc[j], 0.0)
        tc += sc[j]
    if tc > 0.0:
        for j in range(m):
            sc[j] *= tr / tc
    else:
        for i in range(n):
            sr[i] = 0.0


@njit
def phi2_sum(w, x):
    """``sum_i w_i (exp(x_i) - 1 - x_i)``, accurate for small ``x_i``."""
    s = 0.0
    for i in range(x.shape[0]):
        t = x[i]
        if abs(t) < 1e-3:
            e = t * t * (0.5 + t * (1.0 / 6.0 + t * (1.0 / 24.0 + t / 120.0)))
        else:
            e = math.expm1(t) - t
        s += w[i] * e
    return s
