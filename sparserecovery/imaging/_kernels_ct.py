"""Numba loops of the CT module: strip-integral projector, its adjoint, FBP.

The projector models the image as a sum of unit square pixels and each
detector bin as a strip of width ``d`` (the detector spacing). For a view
angle ``theta`` a pixel's shadow on the detector axis is a trapezoid (the
convolution of two boxes of widths ``|cos theta|`` and ``|sin theta|``) of
unit area; the weight of pixel ``p`` in bin ``k`` is the part of that area
falling inside the bin, divided by ``d``. The sinogram therefore holds
strip-averaged line integrals in pixel units, and the forward kernel and
the adjoint kernel compute the very same weights (the same expressions in
the same order), so the pair is an exact transpose to rounding.

Geometry, in detector-bin units (every length is divided by ``d``): pixel
``(i, j)`` has centre ``x = j - cx``, ``y = cy - i`` (``y`` points up, to
the top row); its shadow is centred at ``u = (x cos + y sin) + cdet``; bin
``k`` covers ``[k - 1/2, k + 1/2]``.

All kernels take arrays and scalars only. Per-view constants are prepared
by :class:`~sparserecovery.imaging.Radon`: ``cs`` and ``sn`` (the cosine
and sine divided by ``d``), ``w1`` and ``w2`` (inner and outer half widths
of the trapezoid) and ``hh`` (its plateau height) and ``ir`` (``1 /
(w2 - w1)``, 0 for a box). Arrays are batched over a leading slice axis.
"""

from __future__ import annotations

import math

from ..utils import njit, prange

__all__ = [
    "backproject_linear",
    "radon_adjoint",
    "radon_forward",
]


@njit(inline="always")
def _cdf(t, w1, w2, hh, ir):
    """Area of the unit trapezoid left of ``t`` (``t`` relative to its centre)."""
    if t <= -w2:
        return 0.0
    if t >= w2:
        return 1.0
    if t < -w1:
        r = t + w2
        return 0.5 * hh * r * r * ir
    if t <= w1:
        return hh * (0.5 * (w2 - w1) + t + w1)
    r = w2 - t
    return 1.0 - 0.5 * hh * r * r * ir


@njit(parallel=True)
def radon_forward(img, out, cs, sn, w1, w2, hh, ir, cx, cy, cdet, scale):
    """Accumulate the projections of ``img`` (b, ny, nx) into ``out`` (b, na, nd).

    ``out`` must be zero on entry. Parallel over (slice, view) pairs: each
    pair owns one row of ``out``.
    """
    nb, ny, nx = img.shape
    na = cs.shape[0]
    nd = out.shape[2]
    for job in prange(nb * na):
        b = job // na
        a = job - b * na
        c = cs[a]
        s = sn[a]
        v1 = w1[a]
        v2 = w2[a]
        h = hh[a]
        r = ir[a]
        row = out[b, a]
        for i in range(ny):
            base = (cy - i) * s - cx * c + cdet
            for j in range(nx):
                val = img[b, i, j]
                if val != 0:
                    _scatter(row, nd, val * scale, base + j * c, v1, v2, h, r)


@njit(inline="always")
def _scatter(row, nd, val, u, v1, v2, h, r):
    """Add ``val`` times the footprint of a pixel centred at ``u`` to ``row``.

    Bins ``k0..k1`` are touched; the shadow's area left of the outer edges
    is 0 and 1, so only the inner edges need the CDF.
    """
    k0 = int(math.floor(u - v2 + 0.5))
    k1 = int(math.floor(u + v2 + 0.5))
    fp = 0.0
    for k in range(k0, k1):
        fn = _cdf(k + 0.5 - u, v1, v2, h, r)
        if 0 <= k < nd:
            row[k] += val * (fn - fp)
        fp = fn
    if 0 <= k1 < nd:
        row[k1] += val * (1.0 - fp)


@njit(parallel=True)
def radon_adjoint(sino, out, cs, sn, w1, w2, hh, ir, cx, cy, cdet, scale):
    """Back-project ``sino`` (b, na, nd) into ``out`` (b, ny, nx), the transpose.

    ``out`` is overwritten. Parallel over (slice, image row) pairs: each pair
    owns one row of ``out``.
    """
    nb, ny, nx = out.shape
    na = cs.shape[0]
    nd = sino.shape[2]
    for job in prange(nb * ny):
        b = job // ny
        i = job - b * ny
        orow = out[b, i]
        for j in range(nx):
            orow[j] = 0.0
        for a in range(na):
            c = cs[a]
            s = sn[a]
            v1 = w1[a]
            v2 = w2[a]
            h = hh[a]
            r = ir[a]
            srow = sino[b, a]
            base = (cy - i) * s - cx * c + cdet
            for j in range(nx):
                u = base + j * c
                k0 = int(math.floor(u - v2 + 0.5))
                k1 = int(math.floor(u + v2 + 0.5))
                acc = 0.0
                fp = 0.0
                for k in range(k0, k1):
                    fn = _cdf(k + 0.5 - u, v1, v2, h, r)
                    if 0 <= k < nd:
                        acc += srow[k] * (fn - fp)
                    fp = fn
                if 0 <= k1 < nd:
                    acc += srow[k1] * (1.0 - fp)
                orow[j] += acc * scale


@njit(parallel=True)
def backproject_linear(sino, out, cs, sn, weights, cx, cy, cdet):
    """Pixel-driven back-projection with linear interpolation (for FBP).

    ``out[b, i, j] = sum_a weights[a] * sino[b, a, u_a(i, j)]`` with the
    detector read at the pixel centre's position ``u`` by linear
    interpolation (zero outside the detector). ``out`` is overwritten.
    """
    nb, ny, nx = out.shape
    na = cs.shape[0]
    nd = sino.shape[2]
    for job in prange(nb * ny):
        b = job // ny
        i = job - b * ny
        orow = out[b, i]
        for j in range(nx):
            orow[j] = 0.0
        for a in range(na):
            c = cs[a]
            s = sn[a]
            wa = weights[a]
            srow = sino[b, a]
            base = (cy - i) * s - cx * c + cdet
            for j in range(nx):
                u = base + j * c
                k = int(math.floor(u))
                f = u - k
                val = 0.0
                if 0 <= k < nd:
                    val += (1.0 - f) * srow[k]
                if 0 <= k + 1 < nd:
                    val += f * srow[k + 1]
                orow[j] += wa * val

