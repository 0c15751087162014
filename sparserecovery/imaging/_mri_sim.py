"""MRI simulation: coil sensitivities, a dynamic phantom, k-space with noise."""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_array_arg, check_random_state, check_scalar_arg
from ._fourier import FourierSampling, Sense

__all__ = ["add_noise", "coil_maps", "cardiac_phantom", "simulate_kspace"]


def _grid(shape):
    """Coordinates in [-1, 1) per axis, as broadcastable arrays."""
    nd = len(shape)
    out = []
    for a, n in enumerate(shape):
        s = [1] * nd
        s[a] = n
        out.append(((np.arange(n) - n // 2) / (n / 2.0)).reshape(s))
    return out


def coil_maps(shape, n_coils=8, *, distance=1.5, width=1.0, normalize=True,
              dtype=np.complex128):
    """Smooth complex coil sensitivities of a circular (or cylindrical) array.

    Coil ``c`` sits at angle ``2 pi c / n_coils`` on a circle of radius
    ``distance`` (in units of the half field of view) around the image
    centre; its magnitude decays as ``1 / (1 + (d / width)**2)`` with the
    distance ``d`` to the coil and its phase varies linearly across the
    field of view with a coil-dependent offset. For 3-D shapes the coils
    alternate between two rings at ``z = -0.5`` and ``z = +0.5``.

    Parameters
    ----------
    shape : tuple of int
        Spatial shape ``(ny, nx)`` or ``(nz, ny, nx)``.
    n_coils : int, default=8
        Number of coils.
    distance : float, default=1.5
        Radius of the coil ring (half field of view = 1).
    width : float, default=1.0
        Decay length of the magnitude.
    normalize : bool, default=True
        Scale the maps so that ``sum_c |S_c|**2 = 1`` at every pixel (then
        the SENSE operator has norm 1 for full sampling).
    dtype : dtype, default=complex128
        Complex dtype of the maps.

    Returns
    -------
    ndarray of shape (n_coils,) + shape
        The maps.

    Examples
    --------
    >>> S = coil_maps((32, 32), n_coils=4)
    >>> S.shape, bool(np.allclose((np.abs(S) ** 2).sum(axis=0), 1.0))
    ((4, 32, 32), True)
    """
    try:
        shape = tuple(int(s) for s in np.atleast_1d(shape))
    except (TypeError, ValueError):
        raise TypeError(f"shape must be a tuple of ints, got {shape!r}") from None
    if len(shape) not in (2, 3) or any(s < 1 for s in shape):
        raise ValueError(f"shape must be 2-D or 3-D with positive lengths, got {shape}")
    n_coils = check_scalar_arg(n_coils, "n_coils", lower=1, integer=True)
    distance = check_scalar_arg(distance, "distance", lower=0, lower_inclusive=False)
    width = check_scalar_arg(width, "width", lower=0, lower_inclusive=False)
    coords = _grid(shape)
    y, x = coords[-2], coords[-1]
    z = coords[0] if len(shape) == 3 else 0.0
    maps = np.empty((n_coils,) + shape, dtype=np.complex128)
    for c in range(n_coils):
        theta = 2.0 * np.pi * c / n_coils
        cy, cx = distance * np.sin(theta), distance * np.cos(theta)
        cz = (0.5 if c % 2 else -0.5) if len(shape) == 3 else 0.0
        d2 = (y - cy) ** 2 + (x - cx) ** 2 + (z - cz) ** 2
        mag = 1.0 / (1.0 + d2 / width**2)
        phase = theta + 0.5 * np.pi * (np.cos(theta) * y - np.sin(theta) * x)
        maps[c] = np.broadcast_to(mag * np.exp(1j * phase), shape)
    if normalize:
        maps /= np.sqrt((np.abs(maps) ** 2).sum(axis=0, keepdims=True))
    return maps.astype(dtype)


def _ellipse(y, x, cy, cx, ry, rx, angle=0.0):
    c, s = np.cos(angle), np.sin(angle)
    u = (x - cx) * c + (y - cy) * s
    v = -(x - cx) * s + (y - cy) * c
    return (u / rx) ** 2 + (v / ry) ** 2 <= 1.0


def _texture(shape, correlation, rng):
    """Band-limited Gaussian random field with unit standard deviation."""
    white = rng.standard_normal(shape)
    ky = np.fft.fftfreq(shape[0])[:, None]
    kx = np.fft.fftfreq(shape[1])[None, :]
    filt = np.exp(-2.0 * (np.pi * correlation) ** 2 * (ky**2 + kx**2))
    field = np.fft.ifft2(np.fft.fft2(white) * filt).real
    return field / max(float(field.std()), 1e-12)


def _block_mean(img, s):
    """Average ``s x s`` blocks (supersampled image -> pixels)."""
    if s == 1:
        return img
    ny, nx = img.shape[0] // s, img.shape[1] // s
    return img.reshape(ny, s, nx, s).mean(axis=(1, 3))


def cardiac_phantom(shape=(128, 128), n_frames=24, *, period=8.0, motion=1.0,
                    breathing=0.0, breathing_period=None, contrast=1.0, texture=0.1,
                    shading=0.15, supersample=3, random_state=0):
    """Cardiac-like 2-D + time phantom with periodic motion and contrast uptake.

    A short-axis-like slice of the thorax: a body ellipse with a bright
    subcutaneous fat layer, dark lungs holding a few small vessels, a spine
    and a liver, and a heart whose left ventricular blood pool contracts
    and relaxes with period ``period`` (frames) while its myocardium
    thickens (the epicardium moves less than the endocardium, as in a real
    heart) and the right ventricle follows. When ``breathing > 0`` heart
    and liver also move with a slower breathing period (the default is a
    breath-held scan, as cine and perfusion scans usually are). A contrast
    bolus brightens the right then the left ventricle (gamma-variate curves)
    and, later, the myocardium, as in a perfusion scan.

    Real anatomy is neither piecewise constant nor pixel-aligned, and the
    phantom is built so that no method is favoured by an artefact of the
    simulation: every structure is rasterised with partial-volume edges
    (``supersample**2`` point samples per pixel), so that motion is smooth
    and sub-pixel rather than jumping by whole pixels; the static tissue
    and the liver carry a fine random texture; and a smooth receive-coil
    shading multiplies the whole image. The static background is exactly
    the same in every frame. Values lie in ``[0, 1]``.

    Parameters
    ----------
    shape : (int, int), default=(128, 128)
        Image size.
    n_frames : int, default=24
        Number of time frames.
    period : float, default=8.0
        Cardiac period in frames.
    motion : float, default=1.0
        Scale of the cardiac motion (0 gives a still heart; 1 shrinks the
        left-ventricular cavity radius by 25% at systole).
    breathing : float, default=0.0
        Scale of the respiratory motion (1 shifts heart and liver by 3% of
        the field of view).
    breathing_period : float, optional
        Respiratory period in frames (default: ``n_frames``, one cycle).
    contrast : float, default=1.0
        Scale of the contrast enhancement (0 gives constant intensities).
    texture : float, default=0.1
        Relative amplitude of the tissue texture (a smooth Gaussian random
        field with a correlation length of about 1.5 pixels; 0 gives
        piecewise-constant tissue).
    shading : float, default=0.15
        Relative amplitude of the smooth intensity shading across the field
        of view (0: none).
    supersample : int, default=3
        Point samples per pixel along each axis (1: pixel centres only, hard
        edges).
    random_state : int, RandomState or None, default=0
        Seed of the texture and of the lung vessels.

    Returns
    -------
    ndarray of shape (n_frames,) + shape
        The image sequence, real, in ``[0, 1]``.

    Examples
    --------
    >>> x = cardiac_phantom((64, 64), n_frames=10)
    >>> x.shape, float(x.min()) >= 0.0, float(x.max()) <= 1.0
    ((10, 64, 64), True, True)
    >>> bool(np.abs(x[0] - x[5]).max() > 0.1)
    True
    """
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(f"shape must be a pair of ints, got {shape!r}") from None
    if len(shape) != 2 or min(shape) < 8:
        raise ValueError(f"shape must be 2-D with lengths >= 8, got {shape}")
    n_frames = check_scalar_arg(n_frames, "n_frames", lower=1, integer=True)
    period = check_scalar_arg(period, "period", lower=0, lower_inclusive=False)
    if breathing_period is None:
        breathing_period = float(n_frames)
    breathing_period = check_scalar_arg(
        breathing_period, "breathing_period", lower=0, lower_inclusive=False
    )
    motion = check_scalar_arg(motion, "motion", lower=0)
    breathing = check_scalar_arg(breathing, "breathing", lower=0)
    contrast = check_scalar_arg(contrast, "contrast", lower=0)
    texture = check_scalar_arg(texture, "texture", lower=0)
    shading = check_scalar_arg(shading, "shading", lower=0, upper=0.5)
    ss = check_scalar_arg(supersample, "supersample", lower=1, integer=True)
    rng = check_random_state(random_state)
    fine = (shape[0] * ss, shape[1] * ss)
    y, x = _grid(fine)
    # pixel-level fields, repeated on the fine grid
    tex = (1.0 + texture * _texture(shape, 1.5, rng)) if texture > 0 else None
    tex_fine = None if tex is None else np.repeat(np.repeat(tex, ss, 0), ss, 1)
    yc, xc = _grid(shape)
    shade = 1.0 + shading * (0.6 * xc - 0.8 * yc) / np.sqrt(2.0)

    # static tissue on the fine grid (identical in every frame)
    body = _ellipse(y, x, 0.0, 0.0, 0.8, 0.95)
    static = np.zeros(fine)
    static[body] = 0.7  # subcutaneous fat
    static[_ellipse(y, x, 0.0, 0.0, 0.74, 0.89)] = 0.35  # muscle / soft tissue
    for cx in (-0.5, 0.5):  # lungs
        static[_ellipse(y, x, -0.1, cx, 0.5, 0.3)] = 0.05
    for _ in range(6):  # lung vessels: small bright dots
        side = rng.choice([-0.5, 0.5])
        r, t = rng.uniform(0.0, 0.8), rng.uniform(0.0, 2.0 * np.pi)
        cy, cx = -0.1 + 0.5 * r * np.sin(t), side + 0.3 * r * np.cos(t)
        rad = rng.uniform(0.012, 0.03)
        static[_ellipse(y, x, cy, cx, rad, rad)] = 0.3
    static[_ellipse(y, x, 0.62, 0.0, 0.1, 0.1)] = 0.8  # spine
    static[_ellipse(y, x, 0.62, 0.0, 0.05, 0.05)] = 0.25
    if tex_fine is not None:
        static = static * tex_fine
    liver_value = 0.45 if tex_fine is None else 0.45 * tex_fine
    frames = np.empty((n_frames,) + shape)

    def gamma_variate(t, t0, peak, width):
        s = np.maximum(t - t0, 0.0) / width
        return peak * (s * np.exp(1.0 - s)) ** 2

    for f in range(n_frames):
        t = float(f)
        beat = 0.5 * (1.0 - np.cos(2.0 * np.pi * t / period))  # 0 relaxed, 1 systole
        breath = np.sin(2.0 * np.pi * t / breathing_period)
        dy = 0.06 * breathing * breath  # cranio-caudal shift of heart and liver
        squeeze = 1.0 - 0.25 * motion * beat
        img = static.copy()
        liver = _ellipse(y, x, 0.55 + dy, -0.35, 0.25, 0.4) & body
        img[liver] = liver_value[liver] if tex_fine is not None else liver_value
        # heart: myocardium ring around LV, RV crescent, all moving with dy
        hy, hx = -0.05 + dy, 0.1
        lv_r = 0.2 * squeeze
        epi_r = 0.29 - 0.4 * (0.2 - lv_r)  # wall thickening in systole
        myo = 0.5 + 0.35 * contrast * gamma_variate(t, 0.45 * n_frames, 1.0,
                                                     0.25 * n_frames)
        rv = 0.3 + 0.6 * contrast * gamma_variate(t, 0.1 * n_frames, 1.0,
                                                   0.15 * n_frames)
        lv = 0.3 + 0.65 * contrast * gamma_variate(t, 0.25 * n_frames, 1.0,
                                                    0.18 * n_frames)
        rv_s = 1.0 - 0.15 * motion * beat
        img[_ellipse(y, x, hy + 0.02, hx - 0.3, 0.22 * rv_s, 0.12 * rv_s,
                     0.4)] = rv
        img[_ellipse(y, x, hy, hx, epi_r, 0.9 * epi_r, 0.4)] = myo
        img[_ellipse(y, x, hy, hx, lv_r, 0.9 * lv_r, 0.4)] = lv
        img[_ellipse(y, x, hy + 0.04, hx + 0.03, 0.03, 0.03)] = 0.5  # papillary
        frames[f] = _block_mean(img, ss) * shade
    return np.clip(frames, 0.0, 1.0)


def add_noise(kspace, snr_db, *, random_state=None):
    """Add circular complex Gaussian noise at a given SNR to the sampled entries.

    The signal power is the mean ``|kspace|**2`` over the non-zero (sampled)
    entries; the noise has variance ``power / 10**(snr_db / 10)`` (split
    evenly between real and imaginary parts) and is added to those entries
    only, so unsampled positions stay zero.

    Parameters
    ----------
    kspace : array_like
        K-space (zeros where not sampled); not modified.
    snr_db : float
        Signal-to-noise ratio in dB.
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    ndarray
        The noisy k-space (complex).

    Examples
    --------
    >>> k = np.ones(10000, dtype=complex)
    >>> noisy = add_noise(k, 20.0, random_state=0)
    >>> round(float(np.mean(np.abs(noisy - k) ** 2)), 2)
    0.01
    """
    k = check_array_arg(kspace, "kspace", min_size=1)
    snr_db = check_scalar_arg(snr_db, "snr_db")
    rng = check_random_state(random_state)
    sampled = k != 0
    if not sampled.any():
        raise ValueError("kspace is all zeros; the signal power is undefined")
    power = float(np.mean(np.abs(k[sampled]) ** 2))
    sigma = np.sqrt(power / 10.0 ** (snr_db / 10.0) / 2.0)
    m = int(sampled.sum())
    noise = sigma * (rng.standard_normal(m) + 1j * rng.standard_normal(m))
    out = k.astype(np.result_type(k.dtype, np.complex64), copy=True)
    out[sampled] += noise.astype(out.dtype)
    return out


def simulate_kspace(image, mask, *, coil_maps=None, snr_db=None, axes=None,
                    random_state=None):
    """Undersampled (multi-coil) k-space of an image, optionally noisy.

    Parameters
    ----------
    image : array_like
        Image (2-D, 3-D or 2-D + time with time first).
    mask : array_like of bool
        Sampling mask broadcasting to the image shape.
    coil_maps : array_like of shape (n_coils,) + spatial shape, optional
        Coil sensitivities; k-space then has shape ``(n_coils, *image.shape)``.
    snr_db : float, optional
        Add complex noise at this SNR (see :func:`add_noise`).
    axes : tuple of int, optional
        Fourier axes for single-coil data (default: all; use ``(-2, -1)`` for
        2-D + time). With coil maps the spatial axes of the maps are used.
    random_state : int, RandomState or None
        Seed of the noise.

    Returns
    -------
    ndarray
        Complex k-space with zeros where the mask is off.

    Examples
    --------
    >>> img = np.ones((8, 8))
    >>> mask = np.zeros((8, 8), bool); mask[3:5] = True
    >>> k = simulate_kspace(img, mask)
    >>> k.shape, int(np.count_nonzero(k))
    ((8, 8), 1)
    """
    img = check_array_arg(image, "image", min_size=1)
    if coil_maps is None:
        op = FourierSampling(img.shape, mask=mask, axes=axes)
    else:
        op = Sense(coil_maps, mask=mask, image_shape=img.shape)
    k = op @ img
    if snr_db is not None:
        k = add_noise(k, snr_db, random_state=random_state)
    return k
