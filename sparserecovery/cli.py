"""The ``sparserecovery`` command.

``sparserecovery compare`` runs the comparison suites against peers and
writes a report; later subcommands (``reconstruct``, ``sparsify``) join it.
"""

from __future__ import annotations

import argparse
import os
import sys

from ._version import __version__
from .utils._argparse import positive

__all__ = ["main"]


def _build_parser():
    parser = argparse.ArgumentParser(
        prog="sparserecovery",
        description="Sparse signal recovery: compare algorithms against peers.",
    )
    parser.add_argument(
        "--version", action="version", version=f"sparserecovery {__version__}"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    cmp = sub.add_parser(
        "compare",
        help="run comparison suites against peer packages",
        description=(
            "Run every suite's grid of cases x methods x seeds, print the "
            "summary tables and write runs.csv, report.md and PNG figures."
        ),
    )
    cmp.add_argument("suites", nargs="*", metavar="SUITE", help="suites to run")
    cmp.add_argument("--quick", action="store_true", help="small grid (demo)")
    cmp.add_argument(
        "--repeats",
        type=positive(int, "--repeats"),
        default=3,
        help="timed repetitions per method (median reported; default 3)",
    )
    cmp.add_argument("--out", default="results/compare", help="output folder")
    cmp.add_argument(
        "--suites-dir",
        default=os.environ.get("SPARSERECOVERY_SUITES", "benchmarks"),
        help="folder holding suite_*.py files (default: ./benchmarks)",
    )
    where = cmp.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on an existing Dask scheduler"
    )
    where.add_argument(
        "--workers",
        type=positive(int, "--workers"),
        metavar="N",
        help="start a local Dask cluster with N workers",
    )
    cmp.add_argument(
        "--threads",
        type=positive(int, "--threads"),
        default=1,
        help="BLAS threads per run, the same for every method (default 1)",
    )
    cmp.add_argument("--no-figures", action="store_true", help="skip PNG figures")
    cmp.add_argument("--list", action="store_true", help="list suites and exit")

    rec = sub.add_parser(
        "reconstruct",
        help="reconstruct an image from undersampled MRI or sparse-view CT data",
        description=(
            "Simulate undersampled acquisition of an image (or take measured "
            "data) and write the reconstruction and a side-by-side PNG."
        ),
    )
    modality = rec.add_subparsers(dest="modality", metavar="MODALITY")
    modality.required = True
    _add_modality(modality, "mri", "compressed-sensing MRI", "_cli_mri", "mri")
    _add_modality(modality, "ct", "sparse-view CT", "_cli_ct", "ct")

    from .nn._cli import add_sparsify_arguments, run_sparsify

    spr = sub.add_parser(
        "sparsify",
        help="prune neural-network weights stored in a .npz or .pt file",
        description=(
            "Prune every weight array (ndim >= 2, PyTorch layout) of a .npz or "
            ".pt state dict by magnitude, at random, N:M, by groups, or by "
            "layer-wise reconstruction on calibration inputs."
        ),
    )
    add_sparsify_arguments(spr)
    spr.set_defaults(_run=run_sparsify)
    return parser


def _add_modality(sub, name, helptext, module, stem):
    import importlib

    mod = importlib.import_module(f".imaging.{module}", __package__)
    p = sub.add_parser(name, help=helptext, description=f"{helptext} reconstruction")
    getattr(mod, f"add_{stem}_arguments")(p)
    p.set_defaults(_run=getattr(mod, f"run_{stem}"))


def _compare(args):
    from .compare import discover_suites, run_grid, write_outputs
    from .compare._report import machine_description, markdown_table, summarize

    available = discover_suites(args.suites_dir)
    if args.list:
        for name, s in available.items():
            print(f"{name:12s} {s.title}")
        return 0
    if not available:
        if args.suites:
            print(f"error: no suites found in {args.suites_dir!r}", file=sys.stderr)
            return 2
        print(f"no comparison suites yet (looked in {args.suites_dir!r})")
        return 0
    unknown = [s for s in args.suites if s not in available]
    if unknown:
        print(
            f"error: unknown suite(s) {', '.join(unknown)}; "
            f"available: {', '.join(available)}",
            file=sys.stderr,
        )
        return 2
    suites = [available[s] for s in (args.suites or available)]
    machine = machine_description()
    try:
        rows = run_grid(
            suites,
            quick=args.quick,
            repeats=args.repeats,
            workers=args.workers,
            scheduler=args.scheduler,
            threads=args.threads,
        )
    except (ConnectionError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = write_outputs(
        rows, suites, args.out, machine=machine, figures=not args.no_figures
    )
    for suite in suites:
        print(f"\n## {suite.title}\n")
        print(markdown_table(summarize(rows, suite), suite))
    print(f"\nreport: {out['report']}\nruns:   {out['csv']}")
    for p in out["figures"]:
        print(f"figure: {p}")
    return 0


def main(argv=None):
    """Entry point of the ``sparserecovery`` console command."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "compare":
        return _compare(args)
    if args.command in ("reconstruct", "sparsify"):
        return args._run(args)
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
