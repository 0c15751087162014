"""Numba kernels of the proximal operators.

Module-level functions over arrays and scalars; the Python classes in this
package validate, reshape and allocate, these functions loop. Every kernel
accepts float32 and float64 arrays (numba compiles one version per dtype)
and gives the same results with ``NUMBA_DISABLE_JIT=1``. Scalar
accumulations are done in float64 whatever the array dtype.

Contents
--------
- :func:`lp_shrink_magnitudes`: prox of ``t |z|^p`` (``0 < p < 1``) on
  magnitudes, by a safeguarded Newton iteration on the stationarity
  equation followed by a comparison with zero.
- :func:`project_simplex_rows`: sort-based exact projection of every row
  onto the simplex ``{z >= 0, sum z = r}`` or the set ``{z >= 0, sum z <= r}``.
- :func:`nm_keep_mask`: the entries kept by the N:M projection.
- :func:`tv_prox_fgp`: prox of (vectorial) total variation on 1-, 2- and
  3-D grids by the fast gradient projection of Beck and Teboulle on the
  dual, with gradient restart and a duality-gap stopping rule.
"""

import math

import numpy as np

from ..utils import njit

__all__ = [
    "lp_shrink_magnitudes",
    "nm_keep_mask",
    "project_simplex_rows",
    "tv_prox_fgp",
]


# --------------------------------------------------------------------------
# lp thresholding, 0 < p < 1
# --------------------------------------------------------------------------


@njit
def lp_shrink_magnitudes(mag, t, p, out):
    """Minimize ``0.5 (z - a)^2 + t z^p`` over ``z >= 0`` for every ``a`` in ``mag``.

    ``mag`` and ``out`` are 1-D arrays of non-negative reals, ``t > 0`` and
    ``0 < p < 1``. Below the threshold ``tau`` the minimizer is 0. Above it
    the non-zero local minimizer is the largest root of
    ``f(z) = z - a + t p z^(p-1)``; ``f`` is increasing and convex on
    ``[z0, a]`` where ``z0 = (2 t (1 - p))^(1 / (2 - p))`` is the root at the
    threshold, so Newton's method started at ``a`` decreases monotonically to
    the root; a bisection step guards the bracket against rounding. The
    candidate is finally compared with ``z = 0``.
    """
    z0 = (2.0 * t * (1.0 - p)) ** (1.0 / (2.0 - p))
    tau = z0 + t * p * z0 ** (p - 1.0)
    for i in range(mag.shape[0]):
        a = float(mag[i])
        if a <= tau:
            out[i] = 0.0
            continue
        lo = z0
        hi = a
        z = a
        for _ in range(100):
            tz = t * p * z ** (p - 1.0)  # t p z^(p-1)
            f = z - a + tz
            if f == 0.0:
                break
            if f > 0.0:
                hi = z
            else:
                lo = z
            df = 1.0 + (p - 1.0) * tz / z
            z_new = z - f / df if df > 0.0 else 0.5 * (lo + hi)
            if abs(z_new - z) <= 4e-16 * z:
                break
            if not (lo <= z_new <= hi):
                z_new = 0.5 * (lo + hi)
            z = z_new
        if 0.5 * (z - a) ** 2 + t * z**p < 0.5 * a * a:
            out[i] = z
        else:
            out[i] = 0.0
    return out


# --------------------------------------------------------------------------
# simplex / l1-ball projection
# --------------------------------------------------------------------------


@njit
def project_simplex_rows(y, radius, ball, out):
    """Project every row of ``y`` onto a scaled simplex.

    With ``ball=False`` the set is ``{z >= 0, sum(z) = radius}``; with
    ``ball=True`` it is ``{z >= 0, sum(z) <= radius}`` (rows already inside
    are copied). The projection is ``max(y - theta, 0)`` where ``theta`` is
    found exactly after sorting the row.

    Parameters
    ----------
    y : ndarray, shape (n_rows, n)
        Real input rows.
    radius : float
        Positive radius.
    ball : bool
        Project onto the solid set instead of the simplex.
    out : ndarray, shape (n_rows, n)
        Output, may not alias ``y``.
    """
    n_rows, n = y.shape
    for r in range(n_rows):
        row = y[r]
        if ball:
            total = 0.0
            inside = True
            for i in range(n):
                if row[i] < 0.0:
                    inside = False
                total += row[i]
            if inside and total <= radius:
                for i in range(n):
                    out[r, i] = row[i]
                continue
        u = np.sort(row)
        cumsum = 0.0
        theta = 0.0
        for k in range(n - 1, -1, -1):
            cumsum += u[k]
            cand = (cumsum - radius) / (n - k)
            if u[k] > cand:
                theta = cand
            else:
                break
        if ball and theta < 0.0:
            theta = 0.0
        for i in range(n):
            v = row[i] - theta
            out[r, i] = v if v > 0.0 else 0.0
    return out


# --------------------------------------------------------------------------
# N:M sparsity
# --------------------------------------------------------------------------


@njit
def nm_keep_mask(mag, n):
    """Mask of the ``n`` largest entries of every row of ``mag``.

    Ties are broken in favour of the lower index, so exactly ``n`` entries
    are kept in every row. Short rows (the usual 2:4, 4:8 patterns) use
    repeated selection of the largest remaining entry, long ones a stable
    sort.
    """
    n_groups, m = mag.shape
    mask = np.zeros((n_groups, m), dtype=np.bool_)
    if m > 32:
        for g in range(n_groups):
            order = np.argsort(-mag[g], kind="mergesort")
            for i in range(n):
                mask[g, order[i]] = True
        return mask
    for g in range(n_groups):
        for _ in range(n):
            best = -1
            for i in range(m):
                if not mask[g, i] and (best < 0 or mag[g, i] > mag[g, best]):
                    best = i
            mask[g, best] = True
    return mask


# --------------------------------------------------------------------------
# total variation
#
# Grids are (C, n1, n2, n3): C channels (2 for complex input) coupled in
# the norm, and up to three spatial axes (length-1 axes are inert). The dual
# variable has shape (3, C, n1, n2, n3): one component per axis, zero on the
# last slice along its own axis where the forward difference is zero.
# Loops run along the last axis so that they vectorize.
# --------------------------------------------------------------------------


@njit
def _tv_primal(x, q, t, z):
    """``z = x - t D^T q`` (``D^T`` is minus the divergence)."""
    n_ch, n1, n2, n3 = x.shape
    for c in range(n_ch):
        for i in range(n1):
            for j in range(n2):
                for k in range(n3):
                    z[c, i, j, k] = x[c, i, j, k] + t * (
                        q[0, c, i, j, k] + q[1, c, i, j, k] + q[2, c, i, j, k]
                    )
                if i > 0:
                    for k in range(n3):
                        z[c, i, j, k] -= t * q[0, c, i - 1, j, k]
                if j > 0:
                    for k in range(n3):
                        z[c, i, j, k] -= t * q[1, c, i, j - 1, k]
                for k in range(1, n3):
                    z[c, i, j, k] -= t * q[2, c, i, j, k - 1]


@njit
def _tv_row_gradient(z, i, j, g):
    """Forward differences of the row ``z[:, i, j, :]`` into ``g[d, c, k]``."""
    n_ch, n1, n2, n3 = z.shape
    for c in range(n_ch):
        if i < n1 - 1:
            for k in range(n3):
                g[0, c, k] = z[c, i + 1, j, k] - z[c, i, j, k]
        else:
            for k in range(n3):
                g[0, c, k] = 0.0
        if j < n2 - 1:
            for k in range(n3):
                g[1, c, k] = z[c, i, j + 1, k] - z[c, i, j, k]
        else:
            for k in range(n3):
                g[1, c, k] = 0.0
        for k in range(n3 - 1):
            g[2, c, k] = z[c, i, j, k + 1] - z[c, i, j, k]
        g[2, c, n3 - 1] = 0.0


@njit
def _tv_row_sqnorm(g, d_start, d_stop, s):
    """``s[k] = sum over d in [d_start, d_stop) and c of g[d, c, k]^2``."""
    n_ch = g.shape[1]
    for k in range(s.shape[0]):
        s[k] = 0.0
    for d in range(d_start, d_stop):
        for c in range(n_ch):
            for k in range(s.shape[0]):
                s[k] += g[d, c, k] * g[d, c, k]


@njit
def _tv_row_project(g, isotropic, s):
    """Project every ``g[:, :, k]`` onto the unit ball of the dual norm.

    Isotropic: one ball over axes and channels; anisotropic: one ball over
    channels per axis.
    """
    n_dir, n_ch, n3 = g.shape
    groups = 1 if isotropic else n_dir
    width = n_dir // groups
    for grp in range(groups):
        d0 = grp * width
        _tv_row_sqnorm(g, d0, d0 + width, s)
        for k in range(n3):
            s[k] = 1.0 / math.sqrt(s[k]) if s[k] > 1.0 else 1.0
        for d in range(d0, d0 + width):
            for c in range(n_ch):
                for k in range(n3):
                    g[d, c, k] *= s[k]


@njit
def _tv_dual_step(z, q, p, scale, beta, isotropic, g, s):
    """Projected gradient step from ``q`` into ``p``, then extrapolate ``q``.

    Returns ``<q - p_new, p_new - p_old>``; a positive value triggers a
    momentum restart.
    """
    n_ch, n1, n2, n3 = z.shape
    restart = 0.0
    for i in range(n1):
        for j in range(n2):
            _tv_row_gradient(z, i, j, g)
            for d in range(3):
                for c in range(n_ch):
                    for k in range(n3):
                        g[d, c, k] = q[d, c, i, j, k] + scale * g[d, c, k]
            _tv_row_project(g, isotropic, s)
            for d in range(3):
                for c in range(n_ch):
                    for k in range(n3):
                        new = g[d, c, k]
                        delta = new - p[d, c, i, j, k]
                        restart += (q[d, c, i, j, k] - new) * delta
                        p[d, c, i, j, k] = new
                        q[d, c, i, j, k] = new + beta * delta
    return restart


@njit
def _tv_seminorm_and_pairing(z, p, isotropic, g, s):
    """Return ``TV(z)`` and ``<D z, p>``."""
    n_ch, n1, n2, n3 = z.shape
    tv = 0.0
    pairing = 0.0
    for i in range(n1):
        for j in range(n2):
            _tv_row_gradient(z, i, j, g)
            for d in range(3):
                for c in range(n_ch):
                    for k in range(n3):
                        pairing += g[d, c, k] * p[d, c, i, j, k]
            if isotropic:
                _tv_row_sqnorm(g, 0, 3, s)
                for k in range(n3):
                    tv += math.sqrt(s[k])
            else:
                for d in range(3):
                    _tv_row_sqnorm(g, d, d + 1, s)
                    for k in range(n3):
                        tv += math.sqrt(s[k])
    return tv, pairing


@njit
def _centered_sqnorm(x):
    """Squared norm of ``x`` (C, ...) after removing the mean of each channel."""
    total = 0.0
    for c in range(x.shape[0]):
        xc = x[c].ravel()
        mean = 0.0
        for v in xc:
            mean += v
        mean /= xc.size
        for v in xc:
            total += (v - mean) ** 2
    return total


@njit
def tv_prox_fgp(x, t, isotropic, max_iter, tol, p, check_every):
    """Prox of ``t TV`` for a batch of grids by dual fast gradient projection.

    Solves, for every ``b``, ``min_z 0.5 ||z - x[b]||^2 + t TV(z)`` through
    its dual ``min_{|p| <= 1} 0.5 ||x[b] - t D^T p||^2`` (the primal point is
    ``z = x[b] - t D^T p``), with Nesterov momentum, gradient restart and the
    exact Lipschitz constant of ``D^T D`` for Neumann boundaries.

    Every ``check_every`` iterations the duality gap
    ``t (TV(z) - <D z, p>)`` is computed; it bounds ``0.5 ||z - z*||^2``.
    Iterations stop when ``sqrt(2 gap) <= tol ||x[b] - mean||`` (a certified
    relative accuracy) or after ``max_iter`` iterations.

    Parameters
    ----------
    x : ndarray, shape (B, C, n1, n2, n3)
        Real grids; ``C`` channels are coupled in the pointwise norm.
    t : float
        Positive weight.
    isotropic : bool
        Couple the axes in the pointwise norm (isotropic TV) or not.
    max_iter : int
        Iteration budget per grid.
    tol : float
        Target certified relative accuracy.
    p : ndarray, shape (B, 3, C, n1, n2, n3)
        Dual starting point (zeros for a cold start); overwritten with the
        final dual variable.
    check_every : int
        Iterations between duality-gap evaluations.

    Returns
    -------
    z : ndarray, shape (B, C, n1, n2, n3)
        The primal solutions.
    n_iter : ndarray of int64, shape (B,)
        Iterations run for every grid.
    gap : ndarray of float64, shape (B,)
        Final duality gaps.
    """
    n_batch, n_ch, n1, n2, n3 = x.shape
    lip = 0.0
    for n in (n1, n2, n3):
        lip += 4.0 * math.sin(0.5 * math.pi * (n - 1) / n) ** 2
    z = np.empty_like(x)
    q = np.empty(p.shape[1:], dtype=p.dtype)
    g = np.empty((3, n_ch, n3), dtype=x.dtype)
    s = np.empty(n3, dtype=x.dtype)
    n_iter = np.zeros(n_batch, dtype=np.int64)
    gaps = np.zeros(n_batch)
    if lip == 0.0 or t == 0.0:
        z[...] = x
        return z, n_iter, gaps
    scale = 1.0 / (t * lip)
    for b in range(n_batch):
        xb = x[b]
        zb = z[b]
        pb = p[b]
        q[...] = pb
        spread = _centered_sqnorm(xb)
        if spread == 0.0:
            # constant channels: TV(x) = 0, so x is its own prox
            zb[...] = xb
            pb[...] = 0.0
            continue
        threshold = 0.5 * tol * tol * spread
        tau = 1.0
        it = 0
        gap = 0.0
        while True:
            if it % check_every == 0 or it >= max_iter:
                _tv_primal(xb, pb, t, zb)
                tv, pairing = _tv_seminorm_and_pairing(zb, pb, isotropic, g, s)
                gap = max(t * (tv - pairing), 0.0)
                if gap <= threshold or it >= max_iter:
                    break
            _tv_primal(xb, q, t, zb)
            tau_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * tau * tau))
            beta = (tau - 1.0) / tau_next
            restart = _tv_dual_step(zb, q, pb, scale, beta, isotropic, g, s)
            tau = 1.0 if restart > 0.0 else tau_next
            it += 1
        n_iter[b] = it
        gaps[b] = gap
    return z, n_iter, gaps
