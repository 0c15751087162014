"""CT data simulation: noisy sinograms from any image, and real CT slices.

The noise model of a transmission scan: each ray of a blank-scan intensity
of ``photons`` is attenuated by ``exp(-line integral)`` and counted with
Poisson noise; the log-transformed counts are the measured line integrals.
The real slices are the CT images that pydicom ships with its test data
(no download), converted from Hounsfield units to linear attenuation.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..utils.validation import (
    check_array_arg,
    check_choice,
    check_random_state,
    check_scalar_arg,
)
from ._fanbeam import FanBeam
from ._radon import Radon

__all__ = [
    "MU_WATER",
    "counts_to_sinogram",
    "hu_to_mu",
    "load_ct_sample",
    "read_dicom_ct",
    "simulate_counts",
    "simulate_sinogram",
]

#: Linear attenuation of water (1/cm) near 70 keV, used to convert
#: Hounsfield units.
MU_WATER = 0.19

_SAMPLES = {"small": "CT_small.dcm", "large": "693_J2KI.dcm"}

_EXTRA = "install the imaging extra: `pip install sparserecovery[imaging]`"


def _check_image(image):
    img = check_array_arg(image, "image", allow_complex=False)
    if img.ndim not in (2, 3):
        raise ValueError(
            "image must be 2-D (ny, nx) or 3-D (n_slices, ny, nx), got shape "
            f"{img.shape}"
        )
    return img


def _project(img, angles, shape, n_detectors, detector_spacing, center):
    """Line integrals of ``img`` in the pixel units of the grid ``shape``."""
    if isinstance(angles, (Radon, FanBeam)):
        grid = angles
        shape = grid.image_shape if shape is None else shape
    elif shape is None:
        shape = img.shape[-2:]
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape), int(shape))
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2:
        raise ValueError(f"shape must be (ny, nx), got {shape}")
    fy, rem_y = divmod(img.shape[-2], shape[0])
    fx, rem_x = divmod(img.shape[-1], shape[1])
    if rem_y or rem_x or fy != fx or fy < 1:
        raise ValueError(
            f"image shape {img.shape[-2:]} must be the grid shape {shape} times "
            "one integer factor"
        )
    f = fy
    if isinstance(angles, (Radon, FanBeam)):
        if shape != grid.image_shape:
            raise ValueError(
                f"shape {shape} differs from the operator's grid {grid.image_shape}"
            )
    else:
        if f > 1 and center != "geometric":
            raise ValueError("a finer image than the grid needs center='geometric'")
        grid = Radon(
            shape, angles, n_detectors=n_detectors,
            detector_spacing=detector_spacing, center=center, precompute=False,
        )
    fine = grid.refine(f, precompute=False).with_slices(
        img.shape[0] if img.ndim == 3 else None
    )
    return (fine @ img) / f


def simulate_sinogram(
    image, angles, *, shape=None, n_detectors=None, detector_spacing=1.0,
    center="geometric", noise=None, photons=1e5, sigma=None, pixel_size=None,
    random_state=None,
):
    """Sinogram of an image, noiseless or with Poisson or Gaussian noise.

    Parameters
    ----------
    image : ndarray of shape (ny, nx) or (n_slices, ny, nx)
        Attenuation image (non-negative for Poisson noise).
    angles : int, array_like, Radon or FanBeam
        View angles in radians, a number of views over ``[0, pi)``, or the
        projector of the scan on the reconstruction grid (a
        :class:`FanBeam` for fan-beam data; then ``n_detectors``,
        ``detector_spacing`` and ``center`` are taken from it).
    shape : int or (int, int), optional
        Reconstruction grid. When ``image`` is an integer factor ``f`` finer
        than ``shape`` (e.g. a 512 x 512 phantom for a 256 x 256 grid), it is
        projected as a finer sampling of the same field of view, with bins
        of ``f`` of its pixels, and the line integrals are expressed in grid
        pixels: the data then do not come from the reconstruction model
        itself (no "inverse crime"). Default: ``image``'s own grid.
    n_detectors, detector_spacing, center
        Detector geometry on the grid, as in :class:`Radon`.
    noise : {None, "poisson", "gaussian"}
        ``"poisson"``: photon counting (:func:`simulate_counts`) followed by
        the log transform (:func:`counts_to_sinogram`); ``"gaussian"``:
        additive white noise of standard deviation ``sigma``.
    photons : float, default=1e5
        Blank-scan photon count per detector bin (Poisson noise).
    sigma : float, optional
        Gaussian noise level (default: 1% of the largest line integral).
    pixel_size : float, optional
        Length of a grid pixel in the units in which ``image`` is an
        attenuation (e.g. cm for an image in 1/cm); it converts line
        integrals into optical depths for Poisson noise. Default: the value
        that gives the most attenuated ray an optical depth of 3 (5%
        transmission).
    random_state : int, RandomState or None
        Seed of the noise.

    Returns
    -------
    ndarray of shape (n_views, n_detectors) or (n_slices, n_views, n_detectors)
        Line integrals in grid pixel units (``Radon(shape, angles, ...) @
        image`` without noise).

    Examples
    --------
    >>> from sparserecovery.imaging.phantoms import shepp_logan
    >>> sino = simulate_sinogram(shepp_logan(64), 30, noise="poisson",
    ...                          photons=1e4, random_state=0)
    >>> sino.shape
    (30, 64)
    """
    img = _check_image(image)
    noise = check_choice("noise", noise, (None, "poisson", "gaussian"))
    clean = _project(img, angles, shape, n_detectors, detector_spacing, center)
    if noise is None:
        return clean
    rng = check_random_state(random_state)
    if noise == "gaussian":
        if sigma is None:
            sigma = 0.01 * float(np.abs(clean).max())
        sigma = check_scalar_arg(sigma, "sigma", lower=0)
        return clean + sigma * rng.standard_normal(clean.shape)
    if np.any(img < 0):
        raise ValueError(
            "image must be non-negative (an attenuation) for Poisson noise, "
            f"got a minimum of {float(img.min()):g}"
        )
    photons = check_scalar_arg(photons, "photons", lower=0, lower_inclusive=False)
    if pixel_size is None:
        peak = float(clean.max())
        pixel_size = 3.0 / peak if peak > 0 else 1.0
    pixel_size = check_scalar_arg(
        pixel_size, "pixel_size", lower=0, lower_inclusive=False
    )
    counts = rng.poisson(photons * np.exp(-clean * pixel_size))
    return counts_to_sinogram(counts, photons, pixel_size=pixel_size)


def simulate_counts(sinogram, photons, *, pixel_size=1.0, random_state=None):
    """Poisson photon counts behind a sinogram of line integrals.

    Parameters
    ----------
    sinogram : ndarray
        Line integrals (non-negative), in pixel units.
    photons : float
        Blank-scan count per detector bin.
    pixel_size : float, default=1.0
        Pixel length converting line integrals into optical depths.
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    ndarray of int64
        Counts ``~ Poisson(photons * exp(-sinogram * pixel_size))``.

    Examples
    --------
    >>> simulate_counts(np.zeros(3), 100.0, random_state=0).shape
    (3,)
    """
    sino = check_array_arg(sinogram, "sinogram", allow_complex=False)
    if np.any(sino < 0):
        raise ValueError("sinogram must be non-negative line integrals")
    photons = check_scalar_arg(photons, "photons", lower=0, lower_inclusive=False)
    pixel_size = check_scalar_arg(
        pixel_size, "pixel_size", lower=0, lower_inclusive=False
    )
    rng = check_random_state(random_state)
    return rng.poisson(photons * np.exp(-sino * pixel_size)).astype(np.int64)


def counts_to_sinogram(counts, photons, *, pixel_size=1.0, min_count=0.5):
    """Log transform of photon counts into line integrals.

    ``-log(max(counts, min_count) / photons) / pixel_size``.

    Parameters
    ----------
    counts : array_like
        Detected photon counts (non-negative).
    photons : float or array_like
        Blank-scan counts (a scalar or one per detector bin, broadcasting
        against ``counts``).
    pixel_size : float, default=1.0
        Pixel length (the sinogram is returned in pixel units).
    min_count : float, default=0.5
        Counts below this (zeros: photon starvation) are raised to it so
        that the logarithm stays finite.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        For negative or non-finite counts, or non-positive ``photons``.

    Examples
    --------
    >>> counts_to_sinogram([100, 10], 100.0).round(3)
    array([-0.   ,  2.303])
    >>> counts_to_sinogram([-1], 100.0)
    Traceback (most recent call last):
    ...
    ValueError: counts must be non-negative photon counts, got a minimum of -1
    """
    c = check_array_arg(counts, "counts", allow_complex=False, dtype=np.float64)
    if np.any(c < 0):
        raise ValueError(
            f"counts must be non-negative photon counts, got a minimum of {c.min():g}"
        )
    i0 = check_array_arg(photons, "photons", allow_complex=False, dtype=np.float64)
    if np.any(i0 <= 0):
        raise ValueError("photons (blank-scan counts) must be > 0")
    pixel_size = check_scalar_arg(
        pixel_size, "pixel_size", lower=0, lower_inclusive=False
    )
    min_count = check_scalar_arg(min_count, "min_count", lower=0, lower_inclusive=False)
    return -np.log(np.maximum(c, min_count) / i0) / pixel_size


def hu_to_mu(hu, *, mu_water=MU_WATER):
    """Hounsfield units to linear attenuation (1/cm), clipped at zero.

    Parameters
    ----------
    hu : array_like
        CT numbers.
    mu_water : float, default=MU_WATER
        Attenuation of water.

    Returns
    -------
    ndarray
        ``max(0, mu_water * (1 + hu / 1000))``.

    Examples
    --------
    >>> hu_to_mu([-1000.0, 0.0, 1000.0])
    array([0.  , 0.19, 0.38])
    """
    hu = check_array_arg(hu, "hu", allow_complex=False)
    mu_water = check_scalar_arg(mu_water, "mu_water", lower=0, lower_inclusive=False)
    return np.maximum(mu_water * (1.0 + hu / 1000.0), 0.0)


def _pydicom():
    try:
        import pydicom
    except ImportError as exc:
        raise ImportError(f"reading DICOM needs pydicom; {_EXTRA}") from exc
    return pydicom


def read_dicom_ct(path, *, units="mu"):
    """Read one CT slice from a DICOM file.

    Parameters
    ----------
    path : str or path-like
        The DICOM file.
    units : {"mu", "hu"}, default="mu"
        Return linear attenuation in 1/cm (:func:`hu_to_mu`) or Hounsfield
        units (rescale slope and intercept applied).

    Returns
    -------
    image : ndarray of shape (ny, nx), float64
    pixel_size : float
        Pixel spacing in cm (from ``PixelSpacing``; 0.1 when absent).

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> img, size = read_dicom_ct(get_testdata_file("CT_small.dcm"))
    >>> img.shape, round(size, 4)
    ((128, 128), 0.0661)
    """
    units = check_choice("units", units, ("mu", "hu"))
    ds = _pydicom().dcmread(str(path))
    if "PixelData" not in ds:
        raise ValueError(f"DICOM file {str(path)!r} holds no image")
    arr = np.asarray(ds.pixel_array, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(
            f"expected one 2-D CT slice, got pixel data of shape {arr.shape}"
        )
    slope = float(getattr(ds, "RescaleSlope", 1.0) or 1.0)
    intercept = float(getattr(ds, "RescaleIntercept", 0.0) or 0.0)
    hu = arr * slope + intercept
    spacing = getattr(ds, "PixelSpacing", None)
    pixel_size = float(spacing[0]) / 10.0 if spacing else 0.1
    return (hu_to_mu(hu) if units == "mu" else hu), pixel_size


def load_ct_sample(name="small", *, units="mu"):
    """A real CT slice shipped with pydicom's test data (no download).

    Parameters
    ----------
    name : {"small", "large"}, default="small"
        ``"small"``: ``CT_small.dcm``, 128 x 128; ``"large"``:
        ``693_J2KI.dcm``, 512 x 512 (JPEG 2000, decoded by Pillow).
    units : {"mu", "hu"}, default="mu"
        Linear attenuation in 1/cm or Hounsfield units.

    Returns
    -------
    image : ndarray of shape (ny, nx)
    pixel_size : float
        Pixel spacing in cm.

    Raises
    ------
    ImportError
        Without pydicom (the ``imaging`` extra).

    Examples
    --------
    >>> img, size = load_ct_sample("small")
    >>> img.shape, bool(img.min() >= 0)
    ((128, 128), True)
    """
    name = check_choice("name", name, tuple(_SAMPLES))
    _pydicom()
    from pydicom.data import get_testdata_file

    path = get_testdata_file(_SAMPLES[name])
    if path is None:  # pragma: no cover - pydicom always ships both files
        raise FileNotFoundError(f"pydicom does not ship {_SAMPLES[name]}")
    return read_dicom_ct(path, units=units)

