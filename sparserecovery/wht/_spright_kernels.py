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
    "parity",
    "peel",
    "signatures",
    "subsample_indices",
]

_ONE = np.uint64(1)
_S1 = np.uint64(1)
_S2 = np.uint64(2)
_S4 = np.uint64(4)
_S8 = np.uint64(8)
_S16 = np.uint64(16)
_S32 = np.uint64(32)


@njit
def parity(x):
    """Parity (popcount mod 2) of a ``uint64``, as a ``uint64`` 0 or 1."""
    x = np.uint64(x)
    x ^= x >> _S32
    x ^= x >> _S16
    x ^= x >> _S8
    x ^= x >> _S4
    x ^= x >> _S2
    x ^= x >> _S1
    return x & _ONE


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
    """Index from the chain structure: weighted majority vote per bit.

    Chain ``q`` holds offsets ``r_q`` then ``r_q ^ e_i`` (``i < n_bits``);
    bit ``i`` of ``k`` flips the sign between the two, so the vote of chain
    ``q`` is ``obs[r_q] * obs[r_q ^ e_i]`` (its sign, weighted by its size).
    """
    k = np.uint64(0)
    stride = n_bits + 1
    for i in range(n_bits):
        acc = 0.0
        for q in range(n_chains):
            acc += obs[q * stride] * obs[q * stride + 1 + i]
        if acc < 0.0:
            k |= _ONE << np.uint64(i)
    return k


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
):
    """Peeling decoder over the bins of all groups.

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
    """
    n_groups, n_bins, n_off = coef.shape
    indices = np.zeros(max_found, dtype=np.uint64)
    values = np.zeros(max_found, dtype=np.float64)
    n_found = 0
    changed = np.ones((n_groups, n_bins), dtype=np.bool_)
    sig = np.empty(n_off, dtype=np.float64)
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
                slot = -1
                for f in range(n_found):
                    if indices[f] == k:
                        slot = f
                        break
                if slot < 0:
                    if n_found == max_found:
                        full = True
                        break
                    slot = n_found
                    indices[slot] = k
                    n_found += 1
                values[slot] += alpha
                for c2 in range(n_groups):
                    j2 = bin_of(k, columns[c2])
                    signatures(k, offsets[c2], sig)
                    row = coef[c2, j2]
                    for p in range(n_off):
                        row[p] -= alpha * sig[p]
                    changed[c2, j2] = True
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
    return indices, values, n_found, n_iter, n_left


@njit
def evaluate(indices, values, points):
    """``sum_k values[k] * (-1) ** <points[m], indices[k]>`` for every point."""
    out = np.zeros(points.shape[0], dtype=np.float64)
    for m in range(points.shape[0]):
        acc = 0.0
        for f in range(indices.shape[0]):
            if parity(points[m] & indices[f]):
                acc -= values[f]
            else:
                acc += values[f]
        out[m] = acc
    return out
