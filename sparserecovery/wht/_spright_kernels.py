"""Numba kernels of SPRIGHT: query indices, bin hashing and the peeling decoder.

Indices are ``uint64`` bit vectors: bit ``i`` of an index is coordinate ``i``
of a vector in ``F_2^n``. A hashing matrix ``M`` in ``F_2^{n x b}`` is stored
as its ``b`` columns, each an ``n``-bit mask, so that ``M @ l`` (over GF(2))
is the XOR of the columns selected by the bits of ``l`` and bit ``t`` of
``M.T @ k`` is the parity of ``columns[t] & k``.

Every shift and mask is an explicit ``np.uint64`` so that numba never mixes
signed and unsigned integers (which would promote to float).
"""

import numpy as np

from ..utils import njit

__all__ = [
    "bin_of",
    "decode_doubleton",
    "evaluate",
    "parity",
    "peel",
    "refit",
    "signatures",
    "subsample_indices",
]

_ONE = np.uint64(1)
_S4 = np.uint64(4)
_S8 = np.uint64(8)
_S16 = np.uint64(16)
_S32 = np.uint64(32)
_LOW4 = np.uint64(15)
_PARITY4 = np.uint64(0x6996)  # bit i is the parity of i, 0 <= i < 16


@njit
def parity(x):
    """Parity (popcount mod 2) of a ``uint64``, as a ``uint64`` 0 or 1.

    XOR-folding to 4 bits, then bit ``x & 15`` of the 16-entry parity
    table ``0x6996``: branch-free, and no integer overflow (which numpy
    would warn about with ``NUMBA_DISABLE_JIT=1``).
    """
    x = np.uint64(x)
    x ^= x >> _S32
    x ^= x >> _S16
    x ^= x >> _S8
    x ^= x >> _S4
    return (_PARITY4 >> (x & _LOW4)) & _ONE


@njit
def bin_of(k, columns):
    """Bin ``M.T @ k`` of index ``k`` for the hashing columns of one group."""
    j = 0
    for t in range(columns.shape[0]):
        if parity(columns[t] & k):
            j |= 1 << t
    return j


@njit
def subsample_indices(columns, offsets):
    """Query indices ``M_c @ l XOR d_{c,p}`` for every group, offset and ``l``.

    Parameters
    ----------
    columns : ndarray of uint64, shape (C, b)
        Hashing columns of each group.
    offsets : ndarray of uint64, shape (C, P)
        Offsets of each group.

    Returns
    -------
    ndarray of uint64, shape (C, P, 2**b)
    """
    n_groups, b = columns.shape
    n_off = offsets.shape[1]
    n_bins = 1 << b
    out = np.empty((n_groups, n_off, n_bins), dtype=np.uint64)
    base = np.empty(n_bins, dtype=np.uint64)
    for c in range(n_groups):
        base[0] = np.uint64(0)
        for ell in range(1, n_bins):
            # Drop the lowest set bit of ell: base[ell] = base[rest] ^ column.
            low = 0
            while not (ell >> low) & 1:
                low += 1
            base[ell] = base[ell & (ell - 1)] ^ columns[c, low]
        for p in range(n_off):
            d = offsets[c, p]
            for ell in range(n_bins):
                out[c, p, ell] = base[ell] ^ d
    return out


@njit
def signatures(k, offsets, out):
    """Write the offset signature ``(-1) ** <d_p, k>`` of ``k`` into ``out``."""
    for p in range(offsets.shape[0]):
        out[p] = 1.0 - 2.0 * np.float64(parity(offsets[p] & k))


@njit
def _estimate_index(obs, n_bits, n_chains):
    """Index of a singleton from the chain structure.

    Chain ``q`` holds offsets ``r_q`` then ``r_q ^ e_i`` (``i < n_bits``),
    which observe ``alpha_q * t`` with ``alpha_q = X[k] (-1) ** <r_q, k>``
    and ``t = (1, (-1) ** k_0, ..., (-1) ** k_{n-1})``: the chains form a
    rank-one ``Q x (n + 1)`` matrix with a sign vector ``t``. The first
    estimate is the weighted majority vote of ``obs[r_q] * obs[r_q ^ e_i]``
    over the chains; then alternating least squares, ``alpha_q`` as the
    mean of chain ``q`` against the current ``t`` and ``t_i`` as the sign of
    ``sum_q alpha_q obs[r_q ^ e_i]``, refines it (maximum likelihood for
    ``t`` under Gaussian noise once it settles): every bit then sees
    ``alpha_q`` averaged over ``n + 1`` observations instead of the root's
    single noisy one.
    """
    stride = n_bits + 1
    t = np.empty(stride)
    alpha = np.empty(n_chains)
    t[0] = 1.0
    for i in range(n_bits):
        acc = 0.0
        for q in range(n_chains):
            acc += obs[q * stride] * obs[q * stride + 1 + i]
        t[1 + i] = -1.0 if acc < 0.0 else 1.0
    for _ in range(4):
        for q in range(n_chains):
            acc = 0.0
            for i in range(stride):
                acc += t[i] * obs[q * stride + i]
            alpha[q] = acc / stride
        moved = False
        for i in range(n_bits):
            acc = 0.0
            for q in range(n_chains):
                acc += alpha[q] * obs[q * stride + 1 + i]
            ti = -1.0 if acc < 0.0 else 1.0
            if ti != t[1 + i]:
                t[1 + i] = ti
                moved = True
        if not moved:
            break
    k = np.uint64(0)
    for i in range(n_bits):
        if t[1 + i] < 0.0:
            k |= _ONE << np.uint64(i)
    return k


@njit
def _dist2(obs, a, stride_a, b, sign, n):
    """``sum_q (obs[a + q * stride_a] - sign * b[q]) ** 2``."""
    acc = 0.0
    for q in range(n):
        r = obs[a + q * stride_a] - sign * b[q]
        acc += r * r
    return acc


@njit
def decode_doubleton(obs, n_bits, n_chains, floor):
    """Two indices from a bin that holds two coefficients.

    Write ``alpha_q = X[k1] (-1) ** <r_q, k1>`` and ``beta_q`` likewise for
    ``k2``, with ``r_q`` the root of chain ``q``. The root observes
    ``u_q = alpha_q + beta_q``; offset ``r_q ^ e_i`` observes ``+u_q`` or
    ``-u_q`` when bit ``i`` of ``k1`` and ``k2`` agree (both 0 or both 1),
    and ``+w_q`` (``k1_i = 0, k2_i = 1``) or ``-w_q`` (``1, 0``) with
    ``w = alpha - beta`` when they differ. So the ``n_bits`` columns
    ``(obs[r_q ^ e_i])_q`` form four clusters ``+-u, +-w``; they are found
    by nearest-centre assignment (seeded with the root column for ``u`` and
    the column farthest from ``+-u`` for ``w``) and centre updates until the
    labels settle. The caller must still check the result (hashing and a
    least-squares residual test), as for a singleton.

    Parameters
    ----------
    obs : ndarray of float64, shape (P,)
        Bin observations; the first ``n_chains * (n_bits + 1)`` are chains.
    n_bits, n_chains : int
        Chain layout.
    floor : float
        Energy per chain at or below which ``u`` or ``w`` counts as zero
        (the zero-ton threshold): then the bits of one cluster cannot be
        read, and the decode is refused.

    Returns
    -------
    ok : bool
    k1, k2 : uint64
        The two indices (distinct) when ``ok``.
    """
    stride = n_bits + 1
    zero = np.uint64(0)
    u = np.empty(n_chains)
    w = np.empty(n_chains)
    for q in range(n_chains):
        u[q] = obs[q * stride]
    # Seed w with the column farthest from both +u and -u.
    best = -1.0
    seed = -1
    for i in range(n_bits):
        d = min(_dist2(obs, 1 + i, stride, u, 1.0, n_chains),
                _dist2(obs, 1 + i, stride, u, -1.0, n_chains))  # fmt: skip
        if d > best:
            best = d
            seed = i
    if seed < 0 or best <= 4.0 * floor * n_chains:
        return False, zero, zero
    for q in range(n_chains):
        w[q] = obs[1 + seed + q * stride]
    labels = np.full(n_bits, -1, dtype=np.int64)
    for _ in range(20):
        moved = False
        for i in range(n_bits):
            lab = 0
            dmin = _dist2(obs, 1 + i, stride, u, 1.0, n_chains)
            for cand in range(1, 4):
                sign = 1.0 if cand % 2 == 0 else -1.0
                d = _dist2(obs, 1 + i, stride, u if cand < 2 else w, sign, n_chains)
                if d < dmin:
                    dmin = d
                    lab = cand
            if lab != labels[i]:
                labels[i] = lab
                moved = True
        if not moved:
            break
        # Centres: sign-aligned means of their columns (the root is +u).
        n_u = 1
        n_w = 0
        for q in range(n_chains):
            u[q] = obs[q * stride]
            w[q] = 0.0
        for i in range(n_bits):
            sign = 1.0 if labels[i] % 2 == 0 else -1.0
            if labels[i] < 2:
                n_u += 1
                for q in range(n_chains):
                    u[q] += sign * obs[1 + i + q * stride]
            else:
                n_w += 1
                for q in range(n_chains):
                    w[q] += sign * obs[1 + i + q * stride]
        if n_w == 0:
            return False, zero, zero  # all bits agree: k1 == k2
        for q in range(n_chains):
            u[q] /= n_u
            w[q] /= n_w
    eu = 0.0
    ew = 0.0
    for q in range(n_chains):
        eu += u[q] * u[q]
        ew += w[q] * w[q]
    if eu <= floor * n_chains or ew <= floor * n_chains:
        return False, zero, zero
    k1 = zero
    k2 = zero
    for i in range(n_bits):
        bit = _ONE << np.uint64(i)
        lab = labels[i]
        if lab == 1:  # -u: both bits set
            k1 |= bit
            k2 |= bit
        elif lab == 2:  # +w: (0, 1)
            k2 |= bit
        elif lab == 3:  # -w: (1, 0)
            k1 |= bit
    if k1 == k2:
        return False, zero, zero
    return True, k1, k2


@njit
def _record(indices, values, n_found, k, alpha):
    """Add ``alpha`` to the entry of ``k`` (appending it); -1 when full."""
    for f in range(n_found):
        if indices[f] == k:
            values[f] += alpha
            return n_found
    if n_found == indices.shape[0]:
        return -1
    indices[n_found] = k
    values[n_found] = alpha
    return n_found + 1


@njit
def _subtract(coef, columns, offsets, k, alpha, sig, changed, untried):
    """Peel ``alpha`` at index ``k`` from its bin in every group.

    The bins touched are flagged for the singleton and doubleton tests.
    """
    for c2 in range(coef.shape[0]):
        j2 = bin_of(k, columns[c2])
        signatures(k, offsets[c2], sig)
        row = coef[c2, j2]
        for p in range(coef.shape[2]):
            row[p] -= alpha * sig[p]
        changed[c2, j2] = True
        untried[c2, j2] = True


@njit
def peel(
    coef,
    columns,
    offsets,
    n_bits,
    n_chains,
    threshold,
    min_value2,
    final_threshold,
    max_iter,
    max_found,
    doubletons=True,
):
    """Peeling decoder over the bins of all groups.

    Each sweep scans the bins changed since the last one for singletons.
    When a sweep finds none, and ``doubletons`` is set, one pass looks for
    bins that hold exactly two coefficients (:func:`decode_doubleton`, then
    a two-term least-squares fit over the bin's offsets that must leave a
    noise-level residual); this resolves the most common stopping set of
    peeling, two coefficients that share a bin in every group.

    Parameters
    ----------
    coef : ndarray of float64, shape (C, B, P)
        Bin observations ``U_c[j, p]`` (scaled B-point WHTs). **Modified in
        place**: found coefficients are subtracted.
    columns : ndarray of uint64, shape (C, b)
        Hashing columns.
    offsets : ndarray of uint64, shape (C, P)
        Offsets; the first ``n_chains * (n_bits + 1)`` of each group form the
        chains used for index detection.
    n_bits : int
        Number of index bits ``n``.
    n_chains : int
        Number of offset chains.
    threshold : float
        Energy per offset (``||U||**2 / P``) at or below which a bin (or a
        singleton residual) counts as noise.
    min_value2 : float
        Smallest squared value a singleton may have (rejects bins whose
        energy is noise that happens to pass the tests).
    final_threshold : float
        Energy per offset above which a bin counts as unexplained at the end
        (looser than ``threshold``: it is tested once for every bin).
    max_iter : int
        Maximum number of sweeps over the changed bins.
    max_found : int
        Capacity of the output arrays.
    doubletons : bool, default=True
        Whether to decode two-coefficient bins when singletons run out.
        Only used with ``n_chains > 1``: with a single chain (the noiseless
        design), three coefficients of equal magnitude can mimic two
        exactly, and the root signs of several random chains are what the
        least-squares test relies on to reject such fits.

    Returns
    -------
    indices : ndarray of uint64, shape (max_found,)
    values : ndarray of float64, shape (max_found,)
    n_found : int
        Number of valid entries (distinct indices).
    n_iter : int
        Sweeps made.
    n_left : int
        Bins whose energy is still above ``final_threshold`` at the end (0 when
        peeling finished).
    n_doubletons : int
        Two-coefficient bins resolved.
    """
    n_groups, n_bins, n_off = coef.shape
    indices = np.zeros(max_found, dtype=np.uint64)
    values = np.zeros(max_found, dtype=np.float64)
    n_found = 0
    n_double = 0
    changed = np.ones((n_groups, n_bins), dtype=np.bool_)
    # Bins not tried as a doubleton since they last changed.
    untried = np.ones((n_groups, n_bins), dtype=np.bool_)
    sig = np.empty(n_off, dtype=np.float64)
    sig2 = np.empty(n_off, dtype=np.float64)
    n_iter = 0
    full = False
    for _ in range(max_iter):
        n_iter += 1
        new = False
        for c in range(n_groups):
            for j in range(n_bins):
                if not changed[c, j]:
                    continue
                changed[c, j] = False
                obs = coef[c, j]
                energy = 0.0
                for p in range(n_off):
                    energy += obs[p] * obs[p]
                if energy <= threshold * n_off:
                    continue  # zero-ton
                k = _estimate_index(obs, n_bits, n_chains)
                if bin_of(k, columns[c]) != j:
                    continue  # multi-ton (the index does not hash here)
                signatures(k, offsets[c], sig)
                alpha = 0.0
                for p in range(n_off):
                    alpha += sig[p] * obs[p]
                alpha /= n_off
                if alpha * alpha < min_value2:
                    continue
                resid = 0.0
                for p in range(n_off):
                    r = obs[p] - alpha * sig[p]
                    resid += r * r
                if resid > threshold * n_off:
                    continue  # multi-ton
                # Singleton: record, then peel it from every group.
                got = _record(indices, values, n_found, k, alpha)
                if got < 0:
                    full = True
                    break
                n_found = got
                _subtract(coef, columns, offsets, k, alpha, sig, changed, untried)
                new = True
            if full:
                break
        if full:
            break
        if not new and doubletons and n_chains > 1:
            for c in range(n_groups):
                for j in range(n_bins):
                    if not untried[c, j]:
                        continue  # unchanged since its last attempt
                    untried[c, j] = False
                    obs = coef[c, j]
                    energy = 0.0
                    for p in range(n_off):
                        energy += obs[p] * obs[p]
                    if energy <= threshold * n_off:
                        continue
                    ok, k1, k2 = decode_doubleton(obs, n_bits, n_chains, threshold)
                    if not ok:
                        continue
                    if bin_of(k1, columns[c]) != j or bin_of(k2, columns[c]) != j:
                        continue
                    signatures(k1, offsets[c], sig)
                    signatures(k2, offsets[c], sig2)
                    g12 = 0.0
                    r1 = 0.0
                    r2 = 0.0
                    for p in range(n_off):
                        g12 += sig[p] * sig2[p]
                        r1 += sig[p] * obs[p]
                        r2 += sig2[p] * obs[p]
                    det = n_off * n_off - g12 * g12
                    if det < 0.25 * n_off * n_off:
                        continue  # signatures too alike to separate
                    a1 = (n_off * r1 - g12 * r2) / det
                    a2 = (n_off * r2 - g12 * r1) / det
                    if a1 * a1 < min_value2 or a2 * a2 < min_value2:
                        continue
                    resid = 0.0
                    for p in range(n_off):
                        r = obs[p] - a1 * sig[p] - a2 * sig2[p]
                        resid += r * r
                    if resid > threshold * n_off:
                        continue
                    got = _record(indices, values, n_found, k1, a1)
                    if got >= 0:
                        n_found = got
                        got = _record(indices, values, n_found, k2, a2)
                    if got < 0:
                        full = True
                        break
                    n_found = got
                    _subtract(coef, columns, offsets, k1, a1, sig, changed, untried)
                    _subtract(coef, columns, offsets, k2, a2, sig, changed, untried)
                    n_double += 1
                    new = True
                if full:
                    break
        if full or not new:
            break
    n_left = 0
    for c in range(n_groups):
        for j in range(n_bins):
            energy = 0.0
            for p in range(n_off):
                energy += coef[c, j, p] * coef[c, j, p]
            if energy > final_threshold * n_off:
                n_left += 1
    return indices, values, n_found, n_iter, n_left, n_double


@njit
def refit(coef, columns, offsets, indices, values, max_sweeps, tol):
    """Least-squares refit of the values on a fixed support.

    Block coordinate descent (Gauss-Seidel) on
    ``sum_c sum_j ||U_c[j] - sum_{k in bin j} X[k] s_{c,k}||**2`` over the
    values ``X[k]`` of ``indices``, with ``coef`` holding the residual: each
    step moves one value by the mean of its signature-weighted residuals
    over all groups (``C * P`` observations instead of the ``P`` of the bin
    it was peeled from). The Gram matrix is ``C P`` times the identity plus
    small cross terms between indices that share a bin, so a few sweeps
    reach the least-squares solution.

    Parameters
    ----------
    coef : ndarray of float64, shape (C, B, P)
        Residual bin observations. **Modified in place**.
    columns, offsets : ndarray of uint64
        As in :func:`peel`.
    indices : ndarray of uint64, shape (K,)
    values : ndarray of float64, shape (K,)
        Values. **Modified in place**.
    max_sweeps : int
    tol : float
        Stop when the largest change of a sweep is at most ``tol`` times
        the largest magnitude of a value.

    Returns
    -------
    int
        Sweeps made.
    """
    n_groups, _, n_off = coef.shape
    sig = np.empty((n_groups, n_off), dtype=np.float64)
    bins = np.empty(n_groups, dtype=np.int64)
    scale = 1.0 / (n_groups * n_off)
    sweeps = 0
    for _ in range(max_sweeps):
        sweeps += 1
        biggest = 0.0
        change = 0.0
        for f in range(indices.shape[0]):
            k = indices[f]
            acc = 0.0
            for c in range(n_groups):
                bins[c] = bin_of(k, columns[c])
                signatures(k, offsets[c], sig[c])
                row = coef[c, bins[c]]
                for p in range(n_off):
                    acc += sig[c, p] * row[p]
            delta = acc * scale
            values[f] += delta
            for c in range(n_groups):
                row = coef[c, bins[c]]
                for p in range(n_off):
                    row[p] -= delta * sig[c, p]
            change = max(change, abs(delta))
            biggest = max(biggest, abs(values[f]))
        if change <= tol * biggest:
            break
    return sweeps


@njit
def evaluate(indices, values, points):
    """``sum_k values[k] * (-1) ** <points[m], indices[k]>`` for every point."""
    out = np.zeros(points.shape[0], dtype=np.float64)
    for m in range(points.shape[0]):
        acc = 0.0
        pm = points[m]
        for f in range(indices.shape[0]):
            # Branch-free: the signs are random, a branch would mispredict.
            acc += values[f] * (1.0 - 2.0 * np.float64(parity(pm & indices[f])))
        out[m] = acc
    return out
