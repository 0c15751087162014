"""Image-quality metrics: PSNR, SSIM and NMSE.

Complex images are compared through their magnitudes, the usual practice in
MRI (the phase of a reconstruction is not what a reader sees).
"""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_array_arg, check_scalar_arg

__all__ = ["nmse", "psnr", "ssim"]


def _pair(reference, image, magnitude=True):
    ref = check_array_arg(reference, "reference", min_size=1)
    img = check_array_arg(image, "image", min_size=1)
    if ref.shape != img.shape:
        raise ValueError(
            f"image has shape {img.shape} but reference has shape {ref.shape}"
        )
    if magnitude:
        ref = np.abs(ref) if np.iscomplexobj(ref) else ref
        img = np.abs(img) if np.iscomplexobj(img) else img
    return ref.astype(np.float64, copy=False), img.astype(np.float64, copy=False)


def _data_range(ref, data_range):
    if data_range is None:
        data_range = float(ref.max() - min(ref.min(), 0.0))
        if data_range <= 0.0:
            raise ValueError(
                "reference is constant zero; give data_range explicitly"
            )
        return data_range
    return check_scalar_arg(data_range, "data_range", lower=0, lower_inclusive=False)


def psnr(reference, image, *, data_range=None):
    """Peak signal-to-noise ratio in dB.

    ``10 log10(data_range**2 / mean((reference - image)**2))`` on magnitudes.

    Parameters
    ----------
    reference, image : array_like
        Ground truth and estimate, of the same shape (real or complex).
    data_range : float, optional
        Peak value. Default: ``max(reference) - min(min(reference), 0)``, i.e.
        the maximum for non-negative images.

    Returns
    -------
    float
        PSNR in dB (``inf`` for identical images).

    Examples
    --------
    >>> ref = np.array([0.0, 0.5, 1.0])
    >>> round(psnr(ref, ref + 0.01), 6)
    40.0
    """
    ref, img = _pair(reference, image)
    dr = _data_range(ref, data_range)
    mse = float(np.mean((ref - img) ** 2))
    if mse == 0.0:
        return float("inf")
    return float(10.0 * np.log10(dr * dr / mse))


def nmse(reference, image):
    """Normalised mean squared error ``||reference - image||^2 / ||reference||^2``.

    Computed on the complex values (phase errors count).

    Parameters
    ----------
    reference, image : array_like
        Ground truth and estimate, of the same shape.

    Returns
    -------
    float
        The NMSE (0 for a perfect estimate).

    Examples
    --------
    >>> nmse(np.array([1.0, 1.0]), np.array([1.0, 0.0]))
    0.5
    """
    ref = check_array_arg(reference, "reference", min_size=1)
    img = check_array_arg(image, "image", min_size=1)
    if ref.shape != img.shape:
        raise ValueError(
            f"image has shape {img.shape} but reference has shape {ref.shape}"
        )
    den = float(np.vdot(ref, ref).real)
    if den == 0.0:
        raise ValueError("reference is zero; NMSE is undefined")
    d = (ref - img).ravel()
    return float(np.vdot(d, d).real) / den


def ssim(reference, image, *, data_range=None, **kwargs):
    """Structural similarity index (scikit-image), on magnitudes.

    Parameters
    ----------
    reference, image : array_like
        Ground truth and estimate, of the same shape (2-D or 3-D).
    data_range : float, optional
        Peak value (default as in :func:`psnr`).
    **kwargs
        Passed to :func:`skimage.metrics.structural_similarity`.

    Returns
    -------
    float
        The mean SSIM, in ``[-1, 1]``.

    Raises
    ------
    ImportError
        When scikit-image is missing (install the ``imaging`` extra).

    Examples
    --------
    >>> ref = np.outer(np.hanning(16), np.hanning(16))
    >>> round(ssim(ref, ref), 6)
    1.0
    """
    try:
        from skimage.metrics import structural_similarity
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "ssim needs scikit-image; install it with "
            "`pip install sparserecovery[imaging]` (or `pip install scikit-image`)"
        ) from exc
    ref, img = _pair(reference, image)
    dr = _data_range(ref, data_range)
    # SSIM is invariant to scaling the images and the data range together;
    # working in units of the data range keeps its products (fourth powers
    # of the intensities) finite for images of any magnitude.
    return float(structural_similarity(ref / dr, img / dr, data_range=1.0, **kwargs))
