"""Test images built from ellipses: Shepp-Logan, random ellipses, dynamic series.

Every phantom is rasterised on a pixel grid with optional supersampling
(each pixel is the average of ``supersample**2`` point samples), which
anti-aliases the edges so that a phantom is a fair stand-in for a
continuous object. The image plane is ``[-1, 1]`` along the longer side,
with square pixels; ``x`` runs to the right and ``y`` upwards (row 0 is the
top).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..utils.validation import (
    check_array_arg,
    check_random_state,
    check_scalar_arg,
)

__all__ = [
    "SHEPP_LOGAN_ELLIPSES",
    "dynamic_phantom",
    "ellipse_phantom",
    "random_ellipses",
    "shepp_logan",
]

#: Ellipses of the Shepp-Logan head phantom, one row each:
#: ``(value, a, b, x0, y0, phi)`` with semi-axes ``a`` (along ``x`` before
#: rotation) and ``b``, centre ``(x0, y0)`` and rotation ``phi`` in degrees,
#: counter-clockwise. Values are those of the original phantom (Shepp &
#: Logan, 1974); :func:`shepp_logan` swaps in the higher-contrast values of
#: the modified phantom (Toft, 1996) by default.
SHEPP_LOGAN_ELLIPSES = np.array(
    [
        [2.00, 0.6900, 0.9200, 0.00, 0.0000, 0.0],
        [-0.98, 0.6624, 0.8740, 0.00, -0.0184, 0.0],
        [-0.02, 0.1100, 0.3100, 0.22, 0.0000, -18.0],
        [-0.02, 0.1600, 0.4100, -0.22, 0.0000, 18.0],
        [0.01, 0.2100, 0.2500, 0.00, 0.3500, 0.0],
        [0.01, 0.0460, 0.0460, 0.00, 0.1000, 0.0],
        [0.01, 0.0460, 0.0460, 0.00, -0.1000, 0.0],
        [0.01, 0.0460, 0.0230, -0.08, -0.6050, 0.0],
        [0.01, 0.0230, 0.0230, 0.00, -0.6060, 0.0],
        [0.01, 0.0230, 0.0460, 0.06, -0.6050, 0.0],
    ]
)

_MODIFIED_VALUES = np.array([1.0, -0.8, -0.2, -0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])


def _check_shape(shape):
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape), int(shape))
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError as exc:
        raise TypeError(f"shape must be an int or (ny, nx), got {shape!r}") from exc
    if len(shape) != 2 or any(s < 1 for s in shape):
        raise ValueError(
            f"shape must be an int or (ny, nx) with ny, nx >= 1, got {shape}"
        )
    return shape


def _check_supersample(supersample):
    return check_scalar_arg(supersample, "supersample", lower=1, integer=True)


def _check_ellipses(ellipses):
    e = check_array_arg(ellipses, "ellipses", allow_complex=False, dtype=np.float64)
    if e.ndim == 1 and e.size == 6:
        e = e[None, :]
    if e.ndim != 2 or e.shape[1] != 6:
        raise ValueError(
            "ellipses must have shape (n_ellipses, 6) with rows "
            f"(value, a, b, x0, y0, phi_degrees), got {e.shape}"
        )
    if np.any(e[:, 1:3] <= 0):
        raise ValueError(
            "ellipses: the semi-axes a and b (columns 1 and 2) must be > 0"
        )
    return e


def ellipse_phantom(shape, ellipses, *, supersample=2, dtype=np.float64):
    """Rasterise a sum of constant ellipses.

    Parameters
    ----------
    shape : int or (int, int)
        Image size ``(ny, nx)`` (an int gives a square).
    ellipses : array_like of shape (n_ellipses, 6)
        One ellipse per row: ``(value, a, b, x0, y0, phi)`` in the
        ``[-1, 1]`` image plane (longer side), ``phi`` in degrees
        counter-clockwise. Overlapping values add up.
    supersample : int, default=2
        Point samples per pixel along each axis (1: pixel centres only).
    dtype : dtype, default=float64
        Output dtype.

    Returns
    -------
    ndarray of shape (ny, nx)

    Examples
    --------
    >>> img = ellipse_phantom(5, [[1.0, 0.5, 0.5, 0.0, 0.0, 0.0]], supersample=1)
    >>> img.astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 0]])
    """
    ny, nx = _check_shape(shape)
    s = _check_supersample(supersample)
    e = _check_ellipses(ellipses)
    half = 1.0 / max(ny, nx)  # half a pixel width in plane units
    out = np.zeros((ny, nx), dtype=np.float64)
    # sub-sample offsets inside a pixel, in plane units
    offs = ((np.arange(s) + 0.5) / s - 0.5) * 2.0 * half
    xs = (np.arange(nx) - (nx - 1) / 2) * 2.0 * half
    ys = ((ny - 1) / 2 - np.arange(ny)) * 2.0 * half
    for value, a, b, x0, y0, phi in e:
        if value == 0:
            continue
        t = np.radians(phi)
        ct, st = np.cos(t), np.sin(t)
        # bounding box of the rotated ellipse, with a pixel of margin
        rx = np.hypot(a * ct, b * st) + 2 * half
        ry = np.hypot(a * st, b * ct) + 2 * half
        jx = np.nonzero(np.abs(xs - x0) <= rx)[0]
        iy = np.nonzero(np.abs(ys - y0) <= ry)[0]
        if jx.size == 0 or iy.size == 0:
            continue
        X = xs[jx][None, :, None, None] + offs[None, None, None, :] - x0
        Y = ys[iy][:, None, None, None] - offs[None, None, :, None] - y0
        u = X * ct + Y * st
        v = -X * st + Y * ct
        inside = (u / a) ** 2 + (v / b) ** 2 <= 1.0
        frac = inside.mean(axis=(2, 3))
        out[iy[0] : iy[-1] + 1, jx[0] : jx[-1] + 1] += value * frac
    return out.astype(dtype, copy=False)


def shepp_logan(shape=256, *, modified=True, supersample=2, dtype=np.float64):
    """The Shepp-Logan head phantom.

    Parameters
    ----------
    shape : int or (int, int), default=256
        Image size.
    modified : bool, default=True
        Use the higher-contrast values of the modified phantom (range
        ``[0, 1]``: skull 1, brain 0.2, ventricles 0, tumours 0.3); with
        ``False`` the original values (skull 2, brain 1.02, small features
        differing by 1-2%).
    supersample : int, default=2
        Point samples per pixel along each axis (anti-aliasing).
    dtype : dtype, default=float64
        Output dtype.

    Returns
    -------
    ndarray of shape (ny, nx)

    See Also
    --------
    ellipse_phantom, SHEPP_LOGAN_ELLIPSES

    Examples
    --------
    >>> img = shepp_logan(64)
    >>> img.shape, float(img.max())
    ((64, 64), 1.0)
    >>> round(float(img[32, 32]), 2)   # brain tissue
    0.2
    """
    e = SHEPP_LOGAN_ELLIPSES.copy()
    if modified:
        e[:, 0] = _MODIFIED_VALUES
    img = ellipse_phantom(shape, e, supersample=supersample, dtype=np.float64)
    # overlapping ellipses add rounding noise: snap near-zero values to zero
    img[np.abs(img) < 1e-12] = 0.0
    return img.astype(dtype, copy=False)


def random_ellipses(
    shape=128, n_ellipses=12, *, random_state=None, supersample=2, dtype=np.float64
):
    """A random piecewise-constant image in ``[0, 1]`` (a disc of ellipses).

    A background disc of value 0.2 holds ``n_ellipses`` random ellipses
    with values added and the result clipped to ``[0, 1]``: a generic
    sparse-gradient test image that differs from draw to draw.

    Parameters
    ----------
    shape : int or (int, int), default=128
        Image size.
    n_ellipses : int, default=12
        Number of ellipses inside the disc.
    random_state : int, RandomState or None
        Seed.
    supersample : int, default=2
        Point samples per pixel along each axis.
    dtype : dtype, default=float64
        Output dtype.

    Returns
    -------
    ndarray of shape (ny, nx)

    Examples
    --------
    >>> a = random_ellipses(32, random_state=0)
    >>> b = random_ellipses(32, random_state=0)
    >>> bool(np.array_equal(a, b)), float(a.min()) >= 0, float(a.max()) <= 1
    (True, True, True)
    """
    n_ellipses = check_scalar_arg(n_ellipses, "n_ellipses", lower=0, integer=True)
    rng = check_random_state(random_state)
    rows = [[0.2, 0.9, 0.9, 0.0, 0.0, 0.0]]
    for _ in range(n_ellipses):
        r = rng.uniform(0.0, 0.6)
        t = rng.uniform(0, 2 * np.pi)
        rows.append([
            rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 0.6),
            rng.uniform(0.03, 0.3),
            rng.uniform(0.03, 0.3),
            r * np.cos(t),
            r * np.sin(t),
            rng.uniform(0.0, 180.0),
        ])
    img = ellipse_phantom(shape, np.array(rows), supersample=supersample)
    return np.clip(img, 0.0, 1.0).astype(dtype, copy=False)


def dynamic_phantom(
    shape=128, n_frames=20, *, period=10.0, motion=0.15, enhancement=0.3,
    supersample=2, dtype=np.float64,
):
    """A time series of Shepp-Logan frames with motion and contrast uptake.

    A test object for dynamic reconstruction (e.g. low-rank plus sparse
    MRI): the two ventricles (the dark inner ellipses) expand and contract
    periodically ("beating"), and the small bright features near the bottom
    take up contrast along a smooth sigmoid over the series. The static
    background is exactly the same in every frame.

    Parameters
    ----------
    shape : int or (int, int), default=128
        Frame size.
    n_frames : int, default=20
        Number of frames.
    period : float, default=10.0
        Period of the motion, in frames.
    motion : float, default=0.15
        Relative amplitude of the ventricles' size change.
    enhancement : float, default=0.3
        Value added to the enhancing features at the end of the series.
    supersample : int, default=2
        Point samples per pixel along each axis.
    dtype : dtype, default=float64
        Output dtype.

    Returns
    -------
    ndarray of shape (n_frames, ny, nx)

    Examples
    --------
    >>> v = dynamic_phantom(32, n_frames=4)
    >>> v.shape
    (4, 32, 32)
    >>> bool(np.allclose(v[0], v[1]))
    False
    """
    n_frames = check_scalar_arg(n_frames, "n_frames", lower=1, integer=True)
    period = check_scalar_arg(period, "period", lower=0, lower_inclusive=False)
    motion = check_scalar_arg(motion, "motion", lower=0, upper=0.5)
    enhancement = check_scalar_arg(enhancement, "enhancement")
    base = SHEPP_LOGAN_ELLIPSES.copy()
    base[:, 0] = _MODIFIED_VALUES
    frames = []
    for t in range(n_frames):
        e = base.copy()
        scale = 1.0 + motion * np.sin(2 * np.pi * t / period)
        e[2:4, 1:3] *= scale
        uptake = 1.0 / (1.0 + np.exp(-(t - 0.4 * n_frames) / max(n_frames / 10, 0.5)))
        e[7:10, 0] += enhancement * uptake
        frames.append(ellipse_phantom(shape, e, supersample=supersample))
    out = np.stack(frames)
    out[np.abs(out) < 1e-12] = 0.0
    return out.astype(dtype, copy=False)
