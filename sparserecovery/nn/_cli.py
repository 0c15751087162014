"""``sparserecovery sparsify``: prune the weights stored in a .npz or .pt file.

Weights are read without executing code (``np.load(allow_pickle=False)``,
``torch.load(weights_only=True)``); every array (tensor) with at least two
dimensions, in the PyTorch layout ``(out, in[, kh, kw])``, is pruned, the
others (biases) are copied. The output is written to a temporary file next
to ``--out`` and renamed at the end, so an error never leaves a partial
file behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from ..utils._argparse import positive

__all__ = ["add_sparsify_arguments", "run_sparsify"]

_TORCH_SUFFIXES = (".pt", ".pth")


def _fraction(text):
    try:
        v = float(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(
            f"--sparsity must be a number, got {text!r}") from None
    if not 0.0 <= v < 1.0:
        import argparse

        raise argparse.ArgumentTypeError(f"--sparsity must be in [0, 1), got {text}")
    return v


def add_sparsify_arguments(parser):
    """Add the arguments of ``sparsify`` to an argparse parser.

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
    >>> p = add_sparsify_arguments(argparse.ArgumentParser())
    >>> a = p.parse_args(["w.npz", "--method", "nm", "--out", "o.npz"])
    >>> a.method, a.n, a.m, a.sparsity
    ('nm', 2, 4, 0.5)
    """
    parser.add_argument("weights", metavar="WEIGHTS",
                        help="weights: .npz (NumPy) or .pt/.pth (PyTorch state dict)")
    parser.add_argument(
        "--method", default="magnitude",
        choices=("magnitude", "random", "nm", "group", "reconstruct"),
        help="pruning method (default magnitude)")
    parser.add_argument("--sparsity", type=_fraction, default=0.5,
                        help="fraction of weights (groups) removed, in [0, 1) "
                             "(default 0.5)")
    parser.add_argument("--n", type=positive(int, "--n"), default=2,
                        help="N of the N:M pattern (default 2)")
    parser.add_argument("--m", type=positive(int, "--m"), default=4,
                        help="M of the N:M pattern (default 4)")
    parser.add_argument(
        "--pattern", choices=("unstructured", "nm", "group"), default="unstructured",
        help="pattern of --method reconstruct (default unstructured)")
    parser.add_argument("--solver", choices=("obs", "omp", "iht", "fista", "sbl"),
                        default="obs", help="solver of --method reconstruct")
    parser.add_argument(
        "--calibration", metavar="CALIB.npz",
        help="for --method reconstruct: .npz with one input array (n_samples, in) "
             "per layer, under the layer's name")
    parser.add_argument("--scope", choices=("layer", "global"), default="layer",
                        help="rank magnitudes per layer or globally (default layer)")
    parser.add_argument("--axis", type=int, default=None,
                        help="N:M axis (default 1) or group axis (default 0)")
    parser.add_argument("--layers", default=None,
                        help="comma-separated names of the arrays to prune "
                             "(default: all with ndim >= 2)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of --method random (default 0)")
    parser.add_argument("--out", required=True,
                        help="output file (.npz, or .pt/.pth for a state dict)")
    return parser


def _load(path):
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {str(p)!r}")
    if p.suffix.lower() in _TORCH_SUFFIXES:
        try:
            import torch
        except ImportError:
            raise ImportError(
                f"reading {p.name} needs torch: pip install 'sparserecovery[torch]'"
            ) from None
        try:
            obj = torch.load(str(p), map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file
            msg = f"cannot read {str(p)!r} as a PyTorch file: {exc}"
            raise ValueError(msg) from None
        if not isinstance(obj, dict) or not all(
            isinstance(v, torch.Tensor) for v in obj.values()
        ):
            raise ValueError(f"{str(p)!r} does not hold a state dict of tensors")
        return dict(obj), "torch"
    try:
        with np.load(str(p), allow_pickle=False) as data:
            if not hasattr(data, "files"):
                raise ValueError("a .npy file holds one array; use a .npz")
            return {k: data[k] for k in data.files}, "numpy"
    except Exception as exc:  # noqa: BLE001 - any unreadable file
        raise ValueError(f"cannot read {str(p)!r} as a .npz file: {exc}") from None


def _save(weights, kind, out):
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if kind == "torch":
                import torch

                torch.save(weights, fh)
            else:
                np.savez(fh, **weights)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_sparsify(args):
    """Run ``sparsify`` with parsed arguments; return the exit status."""
    from ._hooks import sparsify

    try:
        weights, kind = _load(args.weights)
        out_kind = "torch" if Path(args.out).suffix.lower() in _TORCH_SUFFIXES else (
            "numpy")
        if out_kind == "torch" and kind != "torch":
            import torch

            weights = {k: torch.as_tensor(v) for k, v in weights.items()}
        calibration = None
        if args.method == "reconstruct":
            if args.calibration is None:
                raise ValueError("--method reconstruct needs --calibration CALIB.npz")
            calibration, _ = _load(args.calibration)
            calibration = {k: np.asarray(v) for k, v in calibration.items()}
        layers = args.layers.split(",") if args.layers else None
        kwargs = {"scope": args.scope, "axis": args.axis, "layers": layers}
        if args.method == "nm" or (args.method == "reconstruct"
                                   and args.pattern == "nm"):
            kwargs.update(n=args.n, m=args.m)
        if args.method == "reconstruct":
            kwargs.update(pattern=args.pattern, solver=args.solver,
                          calibration=calibration)
            kwargs.pop("scope")
        pruned, report = sparsify(weights, method=args.method, sparsity=args.sparsity,
                                  random_state=args.seed, return_report=True,
                                  **kwargs)
        if out_kind == "numpy":
            pruned = {
                k: (v.numpy() if hasattr(v, "numpy") else np.asarray(v))
                for k, v in pruned.items()
            }
        _save(pruned, out_kind, args.out)
    except (OSError, ValueError, TypeError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report)
    print(f"wrote {args.out}")
    return 0
