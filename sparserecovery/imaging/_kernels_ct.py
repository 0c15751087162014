"""Numba loops of the CT module: footprint tables, projector, adjoint, FBP.

The projectors model the image as a sum of unit square pixels and each
detector bin as a strip (parallel beam) or a thin fan of rays (fan beam).
Seen along the ray through its centre, a pixel's shadow is a trapezoid (the
convolution of two boxes of widths ``|cos phi|`` and ``|sin phi|``, ``phi``
the angle of the ray's normal) of unit area; on the detector it is scaled
by the local magnification ``m`` (detector-bin units per unit of length
across the ray at the pixel: ``1 / d`` for parallel beams). The weight of a
pixel in bin ``k`` is ``m`` times the part of the trapezoid's area that
falls inside the bin, so the sinogram holds bin-averaged line integrals in
pixel units.

Geometry, in pixel units: pixel ``(i, j)`` has centre ``x = j - cx``,
``y = cy - i`` (``y`` points up, to the top row). View ``beta`` looks along
``(-sin beta, cos beta)``; the lateral coordinate is ``t = x cos beta +
y sin beta``.

- parallel (``geom == 0``): the detector coordinate is ``t``;
- fan beam (``geom == 1`` flat detector, ``geom == 2`` arc detector
  centred on the source): the source sits at distance ``R`` behind the
  rotation centre, the detector at distance ``Rd`` from the source; with
  ``s = R - x sin beta + y cos beta`` the depth of the pixel along the
  central ray, the flat detector coordinate is ``Rd t / s`` and the arc
  one ``Rd atan2(t, s)``.

Detector coordinates are divided by the bin width ``d`` and shifted by
``cdet`` (the index of the bin under the central ray); bin ``k`` covers
``[k - 1/2, k + 1/2]``.

The projector and its adjoint read the same table of weights: for every
(view, pixel) pair the first bin touched ``k0`` and the weights of bins
``k0 .. k0 + nbins - 1``. The pair is therefore an exact transpose to
rounding. The table is computed once per operator when it fits in memory,
else view chunk by view chunk at every application (fan beam) or replaced
by kernels that compute the parallel-beam weights on the fly. All kernels take
arrays and scalars only; images and sinograms carry a leading slice axis.
"""

from __future__ import annotations

import math

from ..utils import njit, prange

__all__ = [
    "backproject_linear",
    "radon_adjoint",
    "radon_forward",
    "fan_backproject_linear",
    "footprint_table",
    "table_adjoint",
    "table_forward",
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


@njit(inline="always")
def _footprint(x, y, c, s, geom, inv_d, cdet, big_r, big_rd):
    """Centre ``kap`` (bins), half widths ``v1 <= v2`` (bins) and ``m``.

    ``m`` is the magnification (bins per unit length across the ray); it
    is 0 for a pixel at or behind a fan-beam source.
    """
    if geom == 0:
        return (x * c + y * s) * inv_d + cdet, 0.5 * abs(abs(c) - abs(s)) * inv_d, \
            0.5 * (abs(c) + abs(s)) * inv_d, inv_d
    t = x * c + y * s
    depth = big_r - x * s + y * c
    if depth <= 0.0:
        return 0.0, 0.0, 0.0, 0.0
    ell = math.sqrt(t * t + depth * depth)
    cg = depth / ell
    sg = t / ell
    ct = abs(c * cg - s * sg)
    st = abs(s * cg + c * sg)
    if geom == 1:
        kap = big_rd * t / depth * inv_d + cdet
        m = big_rd * ell / (depth * depth) * inv_d
    else:
        kap = big_rd * math.atan2(t, depth) * inv_d + cdet
        m = big_rd / ell * inv_d
    return kap, 0.5 * abs(ct - st) * m, 0.5 * (ct + st) * m, m


@njit(parallel=True)
def footprint_table(cosb, sinb, geom, inv_d, cx, cy, cdet, big_r, big_rd, kk, ww):
    """Fill the weight table of the views ``cosb``, ``sinb``.

    ``kk`` (na, ny, nx) int32 receives the first bins and ``ww`` (na, ny,
    nx, nbins) the weights. Parallel over (view, image row) pairs. A pixel
    no ray reaches gets ``kk = -nbins`` and zero weights.
    """
    na, ny, nx = kk.shape
    nbins = ww.shape[3]
    for job in prange(na * ny):
        a = job // ny
        i = job - a * ny
        c = cosb[a]
        s = sinb[a]
        y = cy - i
        for j in range(nx):
            kap, v1, v2, m = _footprint(j - cx, y, c, s, geom, inv_d, cdet,
                                        big_r, big_rd)
            if m == 0.0:
                kk[a, i, j] = -nbins
                for q in range(nbins):
                    ww[a, i, j, q] = 0.0
                continue
            k0 = int(math.floor(kap - v2 + 0.5))
            hh = 1.0 / (v1 + v2)
            gap = v2 - v1
            ir = 1.0 / gap if gap > 0.0 else 0.0
            fp = 0.0
            for q in range(nbins - 1):
                fn = _cdf(k0 + q + 0.5 - kap, v1, v2, hh, ir)
                ww[a, i, j, q] = m * (fn - fp)
                fp = fn
            ww[a, i, j, nbins - 1] = m * (1.0 - fp)
            kk[a, i, j] = k0


@njit(parallel=True)
def table_forward(img, out, kk, ww, a0):
    """Add the projections of ``img`` (b, ny, nx) into ``out[:, a0 : a0 + na]``.

    The table holds views ``a0 .. a0 + na``; ``out`` is zero there on entry.
    Parallel over (slice, view) pairs: each pair owns one row of ``out``.
    """
    nb, ny, nx = img.shape
    na = kk.shape[0]
    nbins = ww.shape[3]
    nd = out.shape[2]
    for job in prange(nb * na):
        b = job // na
        a = job - b * na
        row = out[b, a0 + a]
        for i in range(ny):
            for j in range(nx):
                val = img[b, i, j]
                k = kk[a, i, j]
                if k >= 0 and k + nbins <= nd:
                    if nbins == 3:  # the usual case (bins >= 0.71 pixel), unrolled
                        row[k] += val * ww[a, i, j, 0]
                        row[k + 1] += val * ww[a, i, j, 1]
                        row[k + 2] += val * ww[a, i, j, 2]
                    else:
                        for q in range(nbins):
                            row[k + q] += val * ww[a, i, j, q]
                else:
                    for q in range(nbins):
                        if 0 <= k + q < nd:
                            row[k + q] += val * ww[a, i, j, q]


@njit(parallel=True)
def table_adjoint(sino, out, kk, ww, a0, accumulate):
    """Back-project ``sino[:, a0 : a0 + na]`` into ``out`` (b, ny, nx).

    The transpose of :func:`table_forward`. ``out`` is overwritten, or
    added to when ``accumulate``. Parallel over (slice, image row) pairs:
    each pair owns one row of ``out``.
    """
    nb, ny, nx = out.shape
    na = kk.shape[0]
    nbins = ww.shape[3]
    nd = sino.shape[2]
    for job in prange(nb * ny):
        b = job // ny
        i = job - b * ny
        orow = out[b, i]
        if not accumulate:
            for j in range(nx):
                orow[j] = 0.0
        for a in range(na):
            srow = sino[b, a0 + a]
            for j in range(nx):
                k = kk[a, i, j]
                acc = 0.0
                if k >= 0 and k + nbins <= nd:
                    if nbins == 3:
                        acc = (srow[k] * ww[a, i, j, 0] + srow[k + 1] * ww[a, i, j, 1]
                               + srow[k + 2] * ww[a, i, j, 2])
                    else:
                        for q in range(nbins):
                            acc += srow[k + q] * ww[a, i, j, q]
                else:
                    for q in range(nbins):
                        if 0 <= k + q < nd:
                            acc += srow[k + q] * ww[a, i, j, q]
                orow[j] += acc


# Parallel beam without a kept table: the same weights (the trapezoid of
# half widths ``w1``, ``w2``, height ``hh``, ``ir = 1 / (w2 - w1)``, from the
# view's cosine ``cs`` and sine ``sn`` divided by the bin width) computed
# on the fly, each kernel an exact transpose of the other.
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
    """Pixel-driven parallel-beam back-projection with linear interpolation.

    ``out[b, i, j] = sum_a weights[a] * sino[b, a, u_a(i, j)]`` with the
    detector read at the pixel centre's position ``u`` (``cs``, ``sn``: the
    view's cosine and sine divided by the bin width) by linear
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


@njit(parallel=True)
def fan_backproject_linear(sino, out, cosb, sinb, weights, geom, inv_d, cx, cy,
                           cdet, big_r, big_rd):
    """Pixel-driven fan-beam back-projection with the FBP distance weights.

    ``out[b, i, j] = sum_a weights[a] * W_a(i, j) * sino[b, a, k_a(i, j)]``,
    the detector read at the ray through the pixel centre by linear
    interpolation; ``W = (R / s)^2`` for a flat detector and ``W = (R /
    L)^2`` for an arc detector (``s`` the pixel's depth along the central
    ray, ``L`` its distance to the source). ``out`` is overwritten.
    """
    nb, ny, nx = out.shape
    na = cosb.shape[0]
    nd = sino.shape[2]
    r2 = big_r * big_r
    for job in prange(nb * ny):
        b = job // ny
        i = job - b * ny
        orow = out[b, i]
        y = cy - i
        for j in range(nx):
            orow[j] = 0.0
        for a in range(na):
            c = cosb[a]
            s = sinb[a]
            wa = weights[a]
            srow = sino[b, a]
            for j in range(nx):
                x = j - cx
                t = x * c + y * s
                depth = big_r - x * s + y * c
                if depth <= 0.0:
                    continue
                if geom == 1:
                    u = big_rd * t / depth * inv_d + cdet
                    w = r2 / (depth * depth)
                else:
                    u = big_rd * math.atan2(t, depth) * inv_d + cdet
                    w = r2 / (t * t + depth * depth)
                k = int(math.floor(u))
                f = u - k
                val = 0.0
                if 0 <= k < nd:
                    val += (1.0 - f) * srow[k]
                if 0 <= k + 1 < nd:
                    val += f * srow[k + 1]
                orow[j] += wa * w * val
