"""Numba kernels of the fast Walsh-Hadamard transform (natural order).

Every kernel works in place on C-contiguous 1-D float32/float64 arrays (or
2-D arrays of such rows) and computes the *unnormalized* transform
``x <- H_N x`` with ``H_N = H_2 (x) H_2 (x) ... (x) H_2`` (Sylvester order).
Scaling, validation and allocation happen in :mod:`._fwht`.

How the kernels are made fast
-----------------------------
``H_N`` is a product of ``log2(N)`` butterfly levels, one per bit of the
index, and the levels commute, so they may be applied in any order and
grouped freely:

* Levels are grouped three at a time into radix-8 butterflies (8 loads,
  24 additions, 8 stores per group), which keeps the floating-point adders,
  not the load/store ports, the bottleneck.
* The loops are written so that LLVM's loop vectorizer (numba does not run
  the SLP vectorizer) turns them into SIMD code: the three lowest levels by an
  interleaved loop over groups of 8 consecutive entries (:func:`_groups8`),
  the others by an inner loop over ``j`` that reads 8 contiguous runs at
  stride ``h``. For the strides 8 and 64, passed as literal constants, numba
  compiles a specialization of :func:`_radix8` that LLVM vectorizes without
  run-time alias checks; a run-time stride (a plain loop over ``x[i + h]``
  does not vectorize at all) goes through views of the runs
  (:func:`_levels`), with one alias check per group of runs, which is cheap
  for the long runs of the top levels.
* Cache blocking: blocks of ``2**11`` entries (float64; ``2**12`` float32,
  i.e. 16 KiB) get their first 11 (12) levels while they sit in L1; chunks
  of at most 512 KiB then get their next levels while they sit in L2; the
  remaining levels are radix-8 passes over the whole array, so a transform
  of ``2**20`` float64 entries reads and writes main memory (or L3) three
  times.

``NUMBA_DISABLE_JIT=1`` runs the same code as (slow) Python and gives the
same results.
"""

from __future__ import annotations

import numpy as np

from ..utils import njit

__all__ = ["all_finite", "fwht_1d", "fwht_rows", "fwht_strided_rows"]


# ------------------------------------------------------------- butterflies
@njit
def _h8(a0, a1, a2, a3, a4, a5, a6, a7):
    """Natural-order 8-point Walsh-Hadamard transform of 8 scalars."""
    b0 = a0 + a1
    b1 = a0 - a1
    b2 = a2 + a3
    b3 = a2 - a3
    b4 = a4 + a5
    b5 = a4 - a5
    b6 = a6 + a7
    b7 = a6 - a7
    c0 = b0 + b2
    c1 = b1 + b3
    c2 = b0 - b2
    c3 = b1 - b3
    c4 = b4 + b6
    c5 = b5 + b7
    c6 = b4 - b6
    c7 = b5 - b7
    return (c0 + c4, c1 + c5, c2 + c6, c3 + c7, c0 - c4, c1 - c5, c2 - c6, c3 - c7)


@njit
def _groups8(x):
    """The levels of strides 1, 2, 4: an 8-point WHT of each group of 8 entries."""
    for g in range(x.shape[0] // 8):
        i = 8 * g
        y = _h8(x[i], x[i + 1], x[i + 2], x[i + 3],
                x[i + 4], x[i + 5], x[i + 6], x[i + 7])
        x[i] = y[0]
        x[i + 1] = y[1]
        x[i + 2] = y[2]
        x[i + 3] = y[3]
        x[i + 4] = y[4]
        x[i + 5] = y[5]
        x[i + 6] = y[6]
        x[i + 7] = y[7]


@njit
def _radix8(x, h):
    """The levels of strides ``h, 2h, 4h``; call with a literal ``h``.

    Numba compiles one specialization per literal value, which LLVM vectorizes
    without run-time alias checks (with a run-time ``h`` it does not
    vectorize at all: use :func:`_levels`).
    """
    for g in range(x.shape[0] // (8 * h)):
        i0 = 8 * h * g
        for i in range(i0, i0 + h):
            y = _h8(x[i], x[i + h], x[i + 2 * h], x[i + 3 * h],
                    x[i + 4 * h], x[i + 5 * h], x[i + 6 * h], x[i + 7 * h])
            x[i] = y[0]
            x[i + h] = y[1]
            x[i + 2 * h] = y[2]
            x[i + 3 * h] = y[3]
            x[i + 4 * h] = y[4]
            x[i + 5 * h] = y[5]
            x[i + 6 * h] = y[6]
            x[i + 7 * h] = y[7]


@njit
def _levels(x, h, count):
    """Apply ``count`` levels with strides ``h, 2h, 4h, ...`` (any ``h >= 1``).

    Radix-8 passes (then one radix-4 or radix-2 pass) over views of the ``8``
    (``4``, ``2``) runs of length ``h`` that a butterfly combines: the inner
    loop over a run is vectorized after one alias check per group, which is
    cheap for long runs (the top levels of large transforms).
    """
    n = x.shape[0]
    while count >= 3:
        for i0 in range(0, n, 8 * h):
            u0 = x[i0 : i0 + h]
            u1 = x[i0 + h : i0 + 2 * h]
            u2 = x[i0 + 2 * h : i0 + 3 * h]
            u3 = x[i0 + 3 * h : i0 + 4 * h]
            u4 = x[i0 + 4 * h : i0 + 5 * h]
            u5 = x[i0 + 5 * h : i0 + 6 * h]
            u6 = x[i0 + 6 * h : i0 + 7 * h]
            u7 = x[i0 + 7 * h : i0 + 8 * h]
            for j in range(h):
                y = _h8(u0[j], u1[j], u2[j], u3[j], u4[j], u5[j], u6[j], u7[j])
                u0[j] = y[0]
                u1[j] = y[1]
                u2[j] = y[2]
                u3[j] = y[3]
                u4[j] = y[4]
                u5[j] = y[5]
                u6[j] = y[6]
                u7[j] = y[7]
        h *= 8
        count -= 3
    if count == 2:
        for i0 in range(0, n, 4 * h):
            u0 = x[i0 : i0 + h]
            u1 = x[i0 + h : i0 + 2 * h]
            u2 = x[i0 + 2 * h : i0 + 3 * h]
            u3 = x[i0 + 3 * h : i0 + 4 * h]
            for j in range(h):
                a = u0[j] + u1[j]
                b = u0[j] - u1[j]
                c = u2[j] + u3[j]
                d = u2[j] - u3[j]
                u0[j] = a + c
                u1[j] = b + d
                u2[j] = a - c
                u3[j] = b - d
    elif count == 1:
        for i0 in range(0, n, 2 * h):
            u0 = x[i0 : i0 + h]
            u1 = x[i0 + h : i0 + 2 * h]
            for j in range(h):
                a = u0[j]
                b = u1[j]
                u0[j] = a + b
                u1[j] = a - b


@njit
def _ilog2(n):
    """``log2(n)`` for a power of two ``n >= 1``."""
    k = 0
    while (1 << k) < n:
        k += 1
    return k


@njit
def _block(x):
    """Whole transform of a short array (one that fits in L1)."""
    n = x.shape[0]
    if n < 8:  # n in (1, 2, 4)
        h = 1
        while h < n:
            for i0 in range(0, n, 2 * h):
                for i in range(i0, i0 + h):
                    a = x[i]
                    b = x[i + h]
                    x[i] = a + b
                    x[i + h] = a - b
            h *= 2
        return
    _groups8(x)
    remaining = _ilog2(n) - 3
    # Literal strides: numba compiles one specialization of _radix8 for each,
    # which LLVM vectorizes without run-time alias checks.
    h = 8
    if remaining >= 3:
        _radix8(x, 8)
        remaining -= 3
        h = 64
        if remaining >= 3:
            _radix8(x, 64)
            remaining -= 3
            h = 512
    _levels(x, h, remaining)


@njit
def _scaled_copy(dst, src, scale):
    """``dst[:] = scale * src`` (1-D, same length)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i] * scale


@njit
def fwht_1d(x, src, copy, scale):
    """Unnormalized WHT of a contiguous 1-D float array, in place or not.

    Parameters
    ----------
    x : ndarray, shape (N,)
        C-contiguous float32 or float64 array, ``N`` a power of two; it
        receives ``H_N (scale * src)`` if ``copy`` else ``H_N x``.
    src : ndarray, shape (N,)
        Contiguous input of the dtype of ``x`` (read only if ``copy``).
    copy : bool
        Read the input from ``src``, one L1 block at a time, so that copying
        costs no extra pass over memory. ``src`` may be ``x``.
    scale : float
        Factor applied to ``src`` while copying (``copy`` only).
    """
    n = x.shape[0]
    lg = _ilog2(n)
    # log2 of the L1 block (16 KiB) and of the largest L2 chunk (512 KiB).
    b1 = 12 if x.itemsize == 4 else 11
    c = 17 if x.itemsize == 4 else 16
    if lg <= b1:
        if copy:
            _scaled_copy(x, src, scale)
        _block(x)
        return
    if lg > c:
        # Chunks of 2**c with c in [c - 2, c] such that the levels left are a
        # multiple of 3 (pure radix-8 passes over the whole array).
        while (lg - c) % 3 != 0:
            c -= 1
    else:
        c = lg
    block = 1 << b1
    chunk = 1 << c
    for s in range(0, n, chunk):
        xc = x[s : s + chunk]
        for t in range(0, chunk, block):
            xb = xc[t : t + block]
            if copy:
                _scaled_copy(xb, src[s + t : s + t + block], scale)
            _block(xb)
        _levels(xc, block, c - b1)
    _levels(x, chunk, lg - c)


@njit
def fwht_rows(a, src, copy, scale):
    """Unnormalized WHT of every row of a C-contiguous 2-D array.

    Row ``r`` of ``a`` receives ``H (scale * src[r])`` if ``copy`` else
    ``H a[r]`` (see :func:`fwht_1d`; ``src`` may be ``a``).

    Returns
    -------
    bool
        Whether every output in column 0 is finite. Row 0 of ``H`` is all
        ones, so a NaN or infinite input entry always makes it non-finite.
    """
    ok = True
    for r in range(a.shape[0]):
        fwht_1d(a[r], src[r], copy, scale)
        ok &= np.isfinite(a[r, 0])
    return ok


@njit
def fwht_strided_rows(a, post):
    """In-place WHT along the middle axis of ``a.reshape(-1, N, post)``.

    Parameters
    ----------
    a : ndarray, shape (pre, N * post)
        C-contiguous float array; each row holds an ``(N, post)`` block whose
        ``post`` columns are transformed (a butterfly combines contiguous runs
        of ``post`` entries, so the inner loops stay vectorized).
    post : int
        Product of the lengths of the axes after the transformed one.

    Returns
    -------
    bool
        Whether every output at index 0 of the transformed axis is finite.
    """
    ok = True
    count = _ilog2(a.shape[1] // post)
    for r in range(a.shape[0]):
        _levels(a[r], post, count)
        for j in range(post):
            ok &= np.isfinite(a[r, j])
    return ok


@njit
def all_finite(x):
    """Whether a contiguous 1-D float array has no NaN or infinite entry.

    No early exit: the ``and``-reduction vectorizes and is faster than a
    branch per entry.
    """
    ok = True
    for i in range(x.shape[0]):
        ok &= np.isfinite(x[i])
    return ok
