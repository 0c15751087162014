"""``sparserecovery reconstruct ct``: simulate a sparse-view scan and reconstruct it.

The input image (a CT DICOM slice, a NumPy / MATLAB / NIfTI array or a PNG
/ JPEG / TIFF picture) is projected onto ``--views`` equally spaced views
(over a half turn for parallel beams, a full turn for fan beams) over a
detector that covers the whole image, with Poisson photon noise by
default, then reconstructed by FBP and by ``--method``. The reconstruction
is written as ``OUT.npy`` and the side-by-side figure (input, FBP,
reconstruction) as ``OUT.png``.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np

from ..utils._argparse import positive

__all__ = ["add_ct_arguments", "run_ct"]

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")


def add_ct_arguments(parser):
    """Add the arguments of ``reconstruct ct`` to an argparse parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)parser to extend.

    Returns
    -------
    argparse.ArgumentParser
        The same parser.

    Examples
    --------
    >>> import argparse
    >>> p = add_ct_arguments(argparse.ArgumentParser())
    >>> args = p.parse_args(["slice.dcm", "--views", "60"])
    >>> args.views, args.method, args.out
    (60, 'tv', 'ct_reconstruction')
    """
    parser.add_argument(
        "input", metavar="INPUT",
        help="CT DICOM slice (.dcm), array (.npy/.npz/.mat/.nii) or picture (.png ...)",
    )
    parser.add_argument(
        "--views", type=positive(int, "--views"), default=30,
        help="number of projection views over 180 degrees (default 30)",
    )
    parser.add_argument(
        "--out", default="ct_reconstruction",
        help="output path without suffix: writes OUT.npy and OUT.png",
    )
    parser.add_argument(
        "--method", choices=("tv", "wavelet", "sart", "sirt", "fbp"), default="tv",
        help="reconstruction method (default tv)",
    )
    parser.add_argument(
        "--lam", type=positive(float, "--lam"), default=None,
        help="regularization weight for tv / wavelet (default: scaled to the data)",
    )
    parser.add_argument(
        "--max-iter", type=positive(int, "--max-iter"), default=None,
        help="iterations (default: 300 for tv/wavelet, 10 sweeps sart, 100 sirt)",
    )
    parser.add_argument(
        "--noise", choices=("poisson", "gaussian", "none"), default="poisson",
        help="noise of the simulated scan (default poisson)",
    )
    parser.add_argument(
        "--photons", type=positive(float, "--photons"), default=1e5,
        help="blank-scan photons per detector bin for poisson noise (default 1e5)",
    )
    parser.add_argument(
        "--geometry", choices=("parallel", "fanflat", "fanarc"), default="parallel",
        help="beam geometry: parallel, or fan beam with a flat or an arc "
        "detector (default parallel)",
    )
    parser.add_argument(
        "--source-distance", type=positive(float, "--source-distance"),
        default=None,
        help="fan beam: source to rotation centre, in pixels (default 2 x the "
        "image size)",
    )
    parser.add_argument(
        "--detector-distance", type=float, default=0.0,
        help="fan beam: rotation centre to detector, in pixels (default 0)",
    )
    parser.add_argument(
        "--filter", default="ramp",
        choices=("ramp", "shepp-logan", "cosine", "hamming", "hann"),
        help="FBP filter window (default ramp)",
    )
    parser.add_argument("--seed", type=int, default=0, help="noise seed (default 0)")
    return parser


def _read_input(path):
    """Attenuation image (2-D or 3-D) and pixel size in cm (None if unknown)."""
    from ._ct_sim import hu_to_mu, read_dicom_ct
    from .io import read_array

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file: {str(p)!r}")
    name = p.name.lower()
    if name.endswith((".dcm", ".dicom", ".ima")):
        return read_dicom_ct(p)
    if p.is_dir():
        return hu_to_mu(read_array(p)), None
    if name.endswith(_IMAGE_SUFFIXES):
        import matplotlib.image as mpimg

        img = np.asarray(mpimg.imread(str(p)), dtype=np.float64)
        if img.ndim == 3:  # RGB(A) picture: grey level of the colour channels
            img = img[..., :3].mean(axis=-1)
        if img.max() > 1.0:
            img = img / 255.0
        return img, None
    img = np.asarray(read_array(p))
    if np.iscomplexobj(img):
        img = np.abs(img)
    return img.astype(np.float64), None


def _reconstruct(ct, args, sino, op, recon_fbp):
    if args.method == "fbp":
        return recon_fbp, "fbp"
    if args.method in ("tv", "wavelet"):
        res = ct.reconstruct_ct(
            sino, op, regularizer=args.method, lam=args.lam,
            max_iter=args.max_iter or 300,
        )
        return res.image, f"{args.method} ({res.n_iter} it)"
    if args.method == "sart":
        res = ct.sart(sino, op, max_iter=args.max_iter or 10)
        return res.image, f"sart ({res.n_iter} sweeps)"
    res = ct.sirt(sino, op, max_iter=args.max_iter or 100)
    return res.image, f"sirt ({res.n_iter} it)"


def _projector(args, shape):
    """The scan's projector on the image grid; its detector covers the image."""
    from ._fanbeam import FanBeam
    from ._radon import Radon

    ny, nx = shape
    if args.geometry == "parallel":
        return Radon(shape, args.views, n_detectors=int(math.ceil(math.hypot(ny, nx))))
    big_r = args.source_distance or 2.0 * max(ny, nx)
    if args.detector_distance < 0:
        raise ValueError(
            f"--detector-distance must be >= 0, got {args.detector_distance}"
        )
    half = 0.5 * math.hypot(ny, nx)
    if big_r <= half:
        raise ValueError(
            f"--source-distance must exceed half the image diagonal ({half:g} "
            f"pixels), got {big_r:g}"
        )
    gam = math.asin(half / big_r)
    big_rd = big_r + args.detector_distance
    reach = big_rd * (math.tan(gam) if args.geometry == "fanflat" else gam)
    return FanBeam(
        shape, args.views, source_distance=big_r,
        detector_distance=args.detector_distance,
        n_detectors=int(math.ceil(2 * reach)) + 1,
        detector="flat" if args.geometry == "fanflat" else "arc",
    )


def run_ct(args):
    """Run ``reconstruct ct`` with parsed arguments; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        Arguments from a parser set up by :func:`add_ct_arguments`.

    Returns
    -------
    int
        0 on success, 2 on bad input (the message goes to stderr).

    Examples
    --------
    >>> import argparse, os, tempfile
    >>> from sparserecovery.imaging.phantoms import shepp_logan
    >>> p = add_ct_arguments(argparse.ArgumentParser())
    >>> with tempfile.TemporaryDirectory() as d:
    ...     np.save(os.path.join(d, "x.npy"), shepp_logan(32))
    ...     args = p.parse_args([os.path.join(d, "x.npy"), "--views", "12",
    ...                          "--method", "sart", "--out", os.path.join(d, "r")])
    ...     status = run_ct(args)
    ...     status, sorted(os.listdir(d))
    fbp  PSNR ...
    (0, ['r.npy', 'r.png', 'x.npy'])
    """
    from sklearn.exceptions import ConvergenceWarning

    from . import ct
    from ._ct_sim import simulate_sinogram
    from .io import save_png, write_npy
    from .metrics import psnr

    try:
        image, pixel_size = _read_input(args.input)
        if image.ndim not in (2, 3):
            raise ValueError(
                f"input must be a 2-D image or a 3-D volume, got shape {image.shape}"
            )
        if args.noise == "poisson" and image.min() < 0:
            image = np.maximum(image, 0.0)
        op = _projector(args, image.shape[-2:])
        sino = simulate_sinogram(
            image, op, noise=None if args.noise == "none" else args.noise,
            photons=args.photons, pixel_size=pixel_size, random_state=args.seed,
        )
    except (OSError, ValueError, TypeError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    recon_fbp = ct.fbp(sino, op, filter=args.filter)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        recon, label = _reconstruct(ct, args, sino, op, recon_fbp)
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        print(f"note: {args.method} stopped at the iteration limit (--max-iter)")

    out = Path(args.out)
    if out.suffix.lower() in (".npy", ".png"):
        out = out.with_suffix("")
    peak = float(image.max()) or 1.0
    p_fbp = psnr(image, recon_fbp, data_range=peak)
    p_rec = psnr(image, recon, data_range=peak)
    print(f"fbp  PSNR {p_fbp:6.2f} dB")
    if args.method != "fbp":
        print(f"{args.method:4s} PSNR {p_rec:6.2f} dB")
    write_npy(out.with_name(out.name + ".npy"), recon)
    mid = image.shape[0] // 2 if image.ndim == 3 else None
    panels = [image, recon_fbp, recon] if mid is None else [
        image[mid], recon_fbp[mid], recon[mid]
    ]
    save_png(
        out.with_name(out.name + ".png"), panels,
        titles=[
            "input", f"fbp {p_fbp:.1f} dB",
            f"{label} {p_rec:.1f} dB",
        ],
        vmax=peak,
    )
    return 0
