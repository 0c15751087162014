"""Cartesian undersampling masks for compressed-sensing MRI.

Every generator takes the k-space ``shape``, an acceleration factor
``accel`` (number of grid points divided by the number sampled), a fully
sampled calibration region around the centre of k-space and a
``random_state``, and returns a boolean mask of the given shape. Leading
dimensions beyond the sampled ones (frames of a dynamic acquisition) get
independent draws, as in k-t undersampling.
"""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_random_state, check_scalar_arg
from ._kernels_mri import poisson_disc_fill

__all__ = ["poisson_disc_mask", "variable_density_lines", "variable_density_mask"]


def _check_shape(shape, min_ndim, name="shape"):
    try:
        shape = tuple(int(s) for s in np.atleast_1d(shape))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a tuple of ints, got {shape!r}") from None
    if len(shape) < min_ndim or any(s < 1 for s in shape):
        raise ValueError(
            f"{name} must have at least {min_ndim} positive lengths, got {shape}"
        )
    return shape


def _check_calib(calib, ndim):
    if calib is None:
        return (0,) * ndim
    if isinstance(calib, (int, np.integer)) and not isinstance(calib, bool):
        calib = (int(calib),) * ndim
    calib = tuple(calib)
    if len(calib) != ndim or any(
        isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 0
        for c in calib
    ):
        raise ValueError(
            f"calib must be a non-negative int or a tuple of {ndim} of them, "
            f"got {calib!r}"
        )
    return tuple(int(c) for c in calib)


def _centered(n, c):
    """Slice of length ``c`` centred on the k-space centre index ``n // 2``."""
    start = n // 2 - c // 2
    return slice(max(start, 0), min(start + c, n))


def _n_samples(n, accel):
    accel = check_scalar_arg(accel, "accel", lower=1)
    return accel, max(1, int(round(n / accel)))


def variable_density_lines(shape, accel, *, calib=24, power=4.0, axis=-2,
                           random_state=None):
    """Random phase-encoding lines with a polynomial variable density.

    ``round(n / accel)`` of the ``n`` lines along ``axis`` are sampled: the
    ``calib`` central lines always, the others drawn without replacement with
    probability proportional to ``(1 - |k| / k_max) ** power`` (``k`` the
    line's distance from the centre, ``k_max = n / 2``). Every other axis is
    fully sampled (the readout), except leading axes before the image axes,
    which are frames with independent draws.

    Parameters
    ----------
    shape : tuple of int
        K-space shape: ``(ny, nx)``, or ``(nt, ny, nx)`` for a different draw
        per frame (then ``axis`` must be one of the last two).
    accel : float
        Acceleration factor (``>= 1``).
    calib : int, default=24
        Number of fully sampled central lines.
    power : float, default=4.0
        Exponent of the density; larger concentrates the lines near the centre.
    axis : int, default=-2
        Phase-encoding axis (of the last two).
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    ndarray of bool
        The mask, of shape ``shape``.

    Examples
    --------
    >>> m = variable_density_lines((64, 32), accel=4, calib=8, random_state=0)
    >>> m.shape, int(m[:, 0].sum()), bool(m[28:36].all())
    ((64, 32), 16, True)
    >>> variable_density_lines((3, 64, 32), 4, calib=8, random_state=0).shape
    (3, 64, 32)
    """
    shape = _check_shape(shape, 2)
    nd = len(shape)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {axis!r}")
    ax = int(axis) % nd if -nd <= axis < nd else None
    if ax is None or ax < nd - 2:
        raise ValueError(f"axis must be one of the last two axes, got {axis}")
    n = shape[ax]
    accel, n_lines = _n_samples(n, accel)
    (c,) = _check_calib(calib, 1)
    power = check_scalar_arg(power, "power", lower=0)
    if c > n_lines:
        raise ValueError(
            f"calib={c} central lines exceed the {n_lines} lines that "
            f"accel={accel:g} allows for {n} lines; lower calib or accel"
        )
    rng = check_random_state(random_state)
    k = np.arange(n) - n // 2
    pdf = np.clip(1.0 - np.abs(k) / (n / 2.0), 0.0, None) ** power
    calib_idx = np.arange(n)[_centered(n, c)]
    pdf[calib_idx] = 0.0
    n_rand = n_lines - calib_idx.size
    if np.count_nonzero(pdf) < n_rand:
        pdf = np.where(pdf > 0, pdf, 0.0) + 1e-12
        pdf[calib_idx] = 0.0
    n_frames = int(np.prod(shape[: nd - 2]))
    lines = np.zeros((n_frames, n), dtype=bool)
    for f in range(n_frames):
        pick = rng.choice(n, size=n_rand, replace=False, p=pdf / pdf.sum())
        lines[f, pick] = True
        lines[f, calib_idx] = True
    lead = shape[: nd - 2]
    if ax == nd - 2:
        mask = lines.reshape(lead + (n, 1))
    else:
        mask = lines.reshape(lead + (1, n))
    return np.broadcast_to(mask, shape).copy()


def _radius(shape2):
    """Normalised k-space radius in [0, ~sqrt(2)] on a 2-D grid."""
    ky = (np.arange(shape2[0]) - shape2[0] // 2) / max(shape2[0] / 2.0, 1.0)
    kx = (np.arange(shape2[1]) - shape2[1] // 2) / max(shape2[1] / 2.0, 1.0)
    return np.sqrt(ky[:, None] ** 2 + kx[None, :] ** 2)


def _calib_block(shape2, calib):
    block = np.zeros(shape2, dtype=bool)
    block[_centered(shape2[0], calib[0]), _centered(shape2[1], calib[1])] = True
    return block


def variable_density_mask(shape, accel, *, calib=(24, 24), power=3.0,
                          random_state=None):
    """Random 2-D variable-density sampling with a calibration block.

    Points of the last two axes are drawn without replacement with
    probability proportional to ``(1 - r / sqrt(2)) ** power`` (``r`` the
    normalised radius), on top of a fully sampled central ``calib`` block,
    ``round(n / accel)`` points in all.

    Parameters
    ----------
    shape : tuple of int
        ``(ny, nx)`` or ``(..., ny, nx)`` (independent draws per frame).
    accel : float
        Acceleration factor (``>= 1``).
    calib : int or (int, int), default=(24, 24)
        Size of the fully sampled central block.
    power : float, default=3.0
        Exponent of the density.
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    ndarray of bool
        The mask, of shape ``shape``.

    Examples
    --------
    >>> m = variable_density_mask((32, 32), accel=4, calib=8, random_state=0)
    >>> int(m.sum()), bool(m[12:20, 12:20].all())
    (256, True)
    """
    shape = _check_shape(shape, 2)
    shape2 = shape[-2:]
    n = shape2[0] * shape2[1]
    accel, n_pts = _n_samples(n, accel)
    calib = _check_calib(calib, 2)
    power = check_scalar_arg(power, "power", lower=0)
    block = _calib_block(shape2, calib)
    n_calib = int(block.sum())
    if n_calib > n_pts:
        raise ValueError(
            f"the {calib} calibration block has {n_calib} points, more than the "
            f"{n_pts} that accel={accel:g} allows; lower calib or accel"
        )
    rng = check_random_state(random_state)
    pdf = (1.0 - _radius(shape2) / np.sqrt(2.0)) ** power
    pdf = pdf.ravel() + 1e-12
    pdf[block.ravel()] = 0.0
    pdf /= pdf.sum()
    n_frames = int(np.prod(shape[:-2]))
    out = np.zeros((n_frames, n), dtype=bool)
    for f in range(n_frames):
        out[f, rng.choice(n, size=n_pts - n_calib, replace=False, p=pdf)] = True
        out[f, block.ravel()] = True
    return out.reshape(shape)


def poisson_disc_mask(shape, accel, *, calib=(24, 24), slope=3.0, random_state=None,
                      max_iter=40):
    """Variable-density Poisson-disc sampling with a calibration block.

    Points of the last two axes are accepted in a random order when no
    accepted point lies closer than ``s * (1 + slope * r)`` (``r`` the
    normalised k-space radius, so samples thin out towards the edge); the
    scale ``s`` is found by bisection so that, with the fully sampled
    central ``calib`` block, ``round(n / accel)`` points are sampled (to
    within a few points). The minimum-distance rule spreads the samples more
    evenly than independent draws, which keeps aliasing incoherent.

    Parameters
    ----------
    shape : tuple of int
        ``(ny, nx)`` or ``(..., ny, nx)`` (independent draws per frame).
    accel : float
        Acceleration factor (``> 1``).
    calib : int or (int, int), default=(24, 24)
        Size of the fully sampled central block.
    slope : float, default=3.0
        Growth of the exclusion radius with the k-space radius: the density
        at the edge of k-space is ``(1 + slope)**2`` times lower than at the
        centre (``0`` gives uniform Poisson-disc sampling).
    random_state : int, RandomState or None
        Seed.
    max_iter : int, default=40
        Bisection steps.

    Returns
    -------
    ndarray of bool
        The mask, of shape ``shape``.

    Examples
    --------
    >>> m = poisson_disc_mask((64, 64), accel=4, calib=12, random_state=0)
    >>> bool(abs(m.size / m.sum() - 4) < 0.05), bool(m[26:38, 26:38].all())
    (True, True)
    """
    shape = _check_shape(shape, 2)
    shape2 = shape[-2:]
    n = shape2[0] * shape2[1]
    accel = check_scalar_arg(accel, "accel", lower=1, lower_inclusive=False)
    n_pts = max(1, int(round(n / accel)))
    calib = _check_calib(calib, 2)
    slope = check_scalar_arg(slope, "slope", lower=0)
    max_iter = check_scalar_arg(max_iter, "max_iter", lower=1, integer=True)
    block = _calib_block(shape2, calib)
    if block.sum() > n_pts:
        raise ValueError(
            f"the {calib} calibration block has {int(block.sum())} points, more "
            f"than the {n_pts} that accel={accel:g} allows; lower calib or accel"
        )
    rng = check_random_state(random_state)
    radius = 1.0 + slope * _radius(shape2)
    n_frames = int(np.prod(shape[:-2]))
    out = np.zeros((n_frames,) + shape2, dtype=bool)
    for f in range(n_frames):
        order = rng.permutation(n).astype(np.int64)

        def count(scale, order=order):
            taken = block.copy()
            poisson_disc_fill(order, radius, scale, taken)
            return taken

        lo, hi = 0.0, float(np.sqrt(n / n_pts)) * 2.0
        while count(hi).sum() > n_pts:  # make sure the bracket is valid
            hi *= 2.0
        best = count(hi)
        for _ in range(max_iter):
            mid = 0.5 * (lo + hi)
            taken = count(mid)
            got = int(taken.sum())
            if abs(got - n_pts) < abs(int(best.sum()) - n_pts):
                best = taken
            if got == n_pts:
                break
            if got > n_pts:
                lo = mid
            else:
                hi = mid
        out[f] = best
    return out.reshape(shape)
