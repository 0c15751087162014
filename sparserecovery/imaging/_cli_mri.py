"""The ``sparserecovery reconstruct mri`` subcommand.

Two modes:

- ``INPUT`` is an image (``.npy``, ``.npz``, ``.mat``, DICOM, NIfTI): its
  k-space is simulated with a sampling mask of the requested acceleration
  (and optional coils and noise), then reconstructed; PSNR and SSIM against
  the image are printed.
- ``INPUT`` is complex k-space and ``--mask`` names the mask file (and
  ``--coil-maps`` the sensitivities for multi-coil data): it is
  reconstructed as it is.

Both write ``OUT.npy`` (the complex reconstruction) and ``OUT.png`` (side by
side: reference, zero-filled, reconstruction).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ..utils._argparse import positive

__all__ = ["add_mri_arguments", "run_mri"]


def add_mri_arguments(parser):
    """Add the arguments of ``reconstruct mri`` to an argparse parser.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)parser to fill.

    Returns
    -------
    argparse.ArgumentParser
        The same parser.

    Examples
    --------
    >>> import argparse
    >>> p = add_mri_arguments(argparse.ArgumentParser())
    >>> args = p.parse_args(["img.npy", "--accel", "4", "--out", "rec"])
    >>> args.accel, args.regularizer, args.mask_type
    (4.0, 'wavelet', 'poisson')
    """
    parser.add_argument(
        "input", metavar="INPUT",
        help="image (.npy/.npz/.mat/DICOM/NIfTI) to undersample, or complex "
             "k-space when --mask is given",
    )
    parser.add_argument("--out", required=True, metavar="OUT",
                        help="output prefix: writes OUT.npy and OUT.png")
    parser.add_argument("--accel", type=positive(float, "--accel"), default=4.0,
                        help="acceleration factor of the simulated mask (default 4)")
    parser.add_argument("--mask-type", choices=("poisson", "lines", "random"),
                        default="poisson",
                        help="simulated mask: variable-density Poisson disc, "
                             "random lines, or random points (default poisson)")
    parser.add_argument("--calib", type=int, default=24,
                        help="size of the fully sampled centre (default 24)")
    parser.add_argument("--coils", type=int, default=0,
                        help="simulate this many receive coils (default 0: "
                             "single coil)")
    parser.add_argument("--snr", type=float, default=None, metavar="DB",
                        help="add complex noise at this SNR in dB")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--mask", metavar="MASK", default=None,
                        help="mask file: INPUT is then measured k-space")
    parser.add_argument("--coil-maps", metavar="MAPS", default=None,
                        help="coil sensitivity file for multi-coil k-space")
    parser.add_argument("--key", default=None,
                        help="array name inside .npz/.mat inputs")
    parser.add_argument("--slice", type=int, default=None,
                        help="slice of a 3-D image volume along its first axis "
                             "(default: the middle one)")
    parser.add_argument("--regularizer", choices=("wavelet", "tv"),
                        default="wavelet", help="regulariser (default wavelet)")
    parser.add_argument("--lam", type=positive(float, "--lam"), default=None,
                        help="regularisation weight (default: relative to the "
                             "zero-filled image)")
    parser.add_argument("--max-iter", type=positive(int, "--max-iter"),
                        default=100, help="iterations (default 100)")
    return parser


def _image_2d(arr, slice_index):
    arr = np.asarray(arr)
    arr = np.squeeze(arr)
    if arr.ndim == 3:
        idx = arr.shape[0] // 2 if slice_index is None else slice_index
        if not -arr.shape[0] <= idx < arr.shape[0]:
            raise ValueError(
                f"--slice {idx} is out of range for a volume of {arr.shape[0]} slices"
            )
        arr = arr[idx]
    if arr.ndim != 2:
        raise ValueError(f"INPUT must be a 2-D image or a 3-D volume, got {arr.shape}")
    if np.iscomplexobj(arr):
        return arr.astype(np.complex128)
    return arr.astype(np.float64)


def _simulate(args, image):
    from ._masks import poisson_disc_mask, variable_density_lines, variable_density_mask
    from ._mri_sim import coil_maps, simulate_kspace

    calib = min(args.calib, *image.shape)
    if args.mask_type == "poisson":
        mask = poisson_disc_mask(image.shape, args.accel, calib=calib,
                                 random_state=args.seed)
    elif args.mask_type == "lines":
        mask = variable_density_lines(image.shape, args.accel, calib=calib,
                                      random_state=args.seed)
    else:
        mask = variable_density_mask(image.shape, args.accel, calib=calib,
                                     random_state=args.seed)
    maps = coil_maps(image.shape, args.coils) if args.coils > 0 else None
    kspace = simulate_kspace(image, mask, coil_maps=maps, snr_db=args.snr,
                             random_state=args.seed)
    return kspace, mask, maps


def run_mri(args):
    """Run ``reconstruct mri`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        From a parser filled by :func:`add_mri_arguments`.

    Returns
    -------
    int
        Exit status: 0 on success, 2 on bad input (the message goes to
        stderr).

    Examples
    --------
    >>> import argparse, os, tempfile
    >>> p = add_mri_arguments(argparse.ArgumentParser())
    >>> with tempfile.TemporaryDirectory() as d:
    ...     img = np.zeros((32, 32)); img[8:24, 8:24] = 1.0
    ...     np.save(os.path.join(d, "img.npy"), img)
    ...     args = p.parse_args([os.path.join(d, "img.npy"), "--calib", "8",
    ...                          "--max-iter", "20", "--out",
    ...                          os.path.join(d, "rec")])
    ...     status = run_mri(args)
    ...     status, sorted(os.listdir(d))  # doctest: +ELLIPSIS
    PSNR ...
    (0, ['img.npy', 'rec.npy', 'rec.png'])
    """
    from .io import read_array, save_png, write_npy
    from .metrics import psnr, ssim
    from .mri import reconstruct_mri

    try:
        data = read_array(args.input, key=args.key)
        if args.mask is None:
            if args.coil_maps is not None:
                raise ValueError("--coil-maps needs --mask (k-space input)")
            if args.coils < 0:
                raise ValueError(f"--coils must be >= 0, got {args.coils}")
            reference = _image_2d(data, args.slice)
            kspace, mask, maps = _simulate(args, reference)
        else:
            reference = None
            kspace = data
            mask = read_array(args.mask)
            maps = None if args.coil_maps is None else read_array(args.coil_maps)
        res = reconstruct_mri(kspace, mask, maps, regularizer=args.regularizer,
                              lam=args.lam, max_iter=args.max_iter)
    except (OSError, ValueError, TypeError, KeyError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    image = res.image
    from ._fourier import FourierSampling, Sense

    if maps is None:
        A = FourierSampling(image.shape, mask=mask)
    else:
        A = Sense(maps, mask=mask, image_shape=image.shape)
    zero_filled = A.H @ (kspace * A.mask)
    out = Path(args.out)
    npy = write_npy(out.with_name(out.name + ".npy") if out.suffix != ".npy" else out,
                    image)
    panels, titles = [], []
    vmax = float(np.abs(image).max())
    if reference is not None:
        panels.append(reference)
        titles.append("reference")
        vmax = float(np.abs(reference).max())
    panels += [zero_filled, image]
    accel = mask.size / max(int(np.count_nonzero(mask)), 1) if mask.ndim else 1.0
    titles += ["zero-filled", f"{args.regularizer} ({res.n_iter} it.)"]
    if reference is not None:
        p_zf = psnr(reference, zero_filled, data_range=vmax)
        p = psnr(reference, image, data_range=vmax)
        try:
            s = ssim(reference, image, data_range=vmax)
            s_text = f"  SSIM {s:.4f}"
        except ImportError:
            s_text = ""
        titles[-2] += f"\n{p_zf:.2f} dB"
        titles[-1] += f"\n{p:.2f} dB"
        print(f"PSNR {p:.2f} dB (zero-filled {p_zf:.2f} dB){s_text}  "
              f"accel {accel:.2f}  {res.time:.2f} s")
    else:
        print(f"reconstructed {image.shape} in {res.n_iter} iterations, "
              f"{res.time:.2f} s")
    png = npy.with_suffix(".png")
    try:
        save_png(png, panels, titles=titles, vmax=vmax)
    except ImportError as exc:
        print(f"warning: {exc}; wrote {npy} only", file=sys.stderr)
    return 0
