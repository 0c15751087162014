"""Numba kernels of the MRI module (sampling-mask generation)."""

from __future__ import annotations

import numpy as np

from ..utils import njit

__all__ = ["poisson_disc_fill"]


@njit
def poisson_disc_fill(order, radius, scale, taken):
    """Dart throwing over a fixed random order of grid points.

    Visits the flat indices ``order`` of the 2-D grid ``taken`` (shape
    ``(ny, nx)``, boolean, modified in place: ``True`` on entry marks points
    already sampled, e.g. the calibration region) and accepts a point when no
    accepted point lies closer than ``scale * radius[point]`` (Euclidean
    distance in grid units). Returns the number of points accepted.
    """
    ny, nx = taken.shape
    n_new = 0
    for t in range(order.shape[0]):
        p = order[t]
        py = p // nx
        px = p - py * nx
        if taken[py, px]:
            continue
        r = scale * radius[py, px]
        r2 = r * r
        w = int(np.ceil(r))
        ok = True
        y0 = max(py - w, 0)
        y1 = min(py + w + 1, ny)
        x0 = max(px - w, 0)
        x1 = min(px + w + 1, nx)
        for qy in range(y0, y1):
            dy = qy - py
            for qx in range(x0, x1):
                if taken[qy, qx]:
                    dx = qx - px
                    if dy * dy + dx * dx < r2:
                        ok = False
                        break
            if not ok:
                break
        if ok:
            taken[py, px] = True
            n_new += 1
    return n_new
