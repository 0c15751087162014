"""Fast Walsh-Hadamard transform: sparserecovery vs fht-cpu vs plain numpy.

Cases: 1-D float64 transforms of length N (default 2**16, 2**20, 2**22).
Methods (all single-threaded):

- ``fwht``: ``sparserecovery.wht.fwht(x)``, out of place (allocates the
  output, checks for NaN/inf).
- ``fwht_inplace``: ``sparserecovery.wht.fwht_inplace(x, check_finite=False)``.
- ``fht_cpu``: ``fht_cpu.fht(x, inplace=False)``, the SIMD C++ library
  (MIT, ``pip install fht-cpu``), out of place; the peer.
- ``fht_cpu_inplace``: ``fht_cpu.fht(x)`` in place.
- ``numpy``: radix-2 butterflies on reshaped numpy views.

Metric: the largest error relative to the largest entry, against a float64
numpy reference. Time: wall clock, median (and min, max) over ``repeats``
calls after one untimed warm-up call (JIT compilation); the methods of a
case run round-robin so that load on the machine affects them alike, and
before each call the input is copied (untimed) to the work array that
in-place methods transform, so every call starts from the same cache state.
The ratios compare methods of the same kind (out of place with out of place,
in place with in place), measured in this run on this machine only.

Usage::

    python benchmarks/suite_fwht.py --sizes 2**16 2**20 2**22 --repeats 30

The module also follows the ``sparserecovery compare`` suite contract
(``NAME``, ``cases``, ``setup``, ``methods``), and :func:`run` returns the rows
for other callers.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

NAME = "fwht"
TITLE = "Fast Walsh-Hadamard transform (float64, 1 thread)"
METRIC = "max_rel_err"
LOWER_IS_BETTER = True
PEER = "fht_cpu"
X_PARAM = "n"

DEFAULT_SIZES = (2**16, 2**20, 2**22)
# Method -> the peer its time is divided by in the report.
RATIO_TO = {"fwht": "fht_cpu", "fwht_inplace": "fht_cpu_inplace"}


# ------------------------------------------------------------ the methods
def numpy_fwht(x):
    """Plain numpy radix-2 WHT (natural order) of a 1-D array."""
    y = np.array(x, dtype=np.float64, copy=True)
    n = y.shape[0]
    h = 1
    while h < n:
        v = y.reshape(n // (2 * h), 2, h)
        u, w = v[:, 0, :], v[:, 1, :]
        t = u - w
        u += w
        w[...] = t
        h *= 2
    return y


def _methods():
    """name -> (callable(x) -> result, in_place); peers may be missing."""
    from sparserecovery.wht import fwht, fwht_inplace

    out = {
        "fwht": (fwht, False),
        "fwht_inplace": (lambda x: fwht_inplace(x, check_finite=False), True),
    }
    try:
        from fht_cpu import fht
    except ImportError:
        fht = None
    if fht is not None:
        out["fht_cpu"] = (lambda x: fht(x, inplace=False), False)
        out["fht_cpu_inplace"] = (lambda x: fht(x, inplace=True), True)
    out["numpy"] = (numpy_fwht, False)
    return out


def _rel_err(y, ref):
    return float(np.max(np.abs(y - ref)) / np.max(np.abs(ref)))


# ------------------------------------------------------------- the runner
def run(sizes=DEFAULT_SIZES, repeats=20, seed=0):
    """Time every method on every size.

    Parameters
    ----------
    sizes : sequence of int
        Transform lengths (powers of two).
    repeats : int
        Timed calls per method and size (after one warm-up call).
    seed : int
        Seed of the random input.

    Returns
    -------
    list of dict
        One row per (size, method): ``n``, ``log2n``, ``method``,
        ``status`` ("ok" or "skipped"), ``seconds`` (median), ``seconds_min``,
        ``seconds_max``, ``cpu_seconds`` (median thread CPU time, which
        leaves out the time the process waited for a core on a busy
        machine), ``max_rel_err``, ``ratio`` and ``cpu_ratio`` (median time
        over the median time of the peer of the same kind, when there is
        one) and ``message``.
    """
    methods = _methods()
    rows = []
    rng = np.random.default_rng(seed)
    for n in sizes:
        n = int(n)
        if n < 1 or n & (n - 1):
            raise ValueError(f"sizes must be powers of two, got {n}")
        x = rng.standard_normal(n)
        ref = numpy_fwht(x)
        work = np.empty_like(x)
        times = {name: [] for name in methods}
        cpu = {name: [] for name in methods}
        errors = {}
        for name, (fn, in_place) in methods.items():  # warm-up + check
            np.copyto(work, x)
            y = fn(work if in_place else x)
            errors[name] = _rel_err(y, ref)
        for _ in range(repeats):
            for name, (fn, in_place) in methods.items():
                # Same untimed prelude for every method: it leaves x and the
                # work array equally warm in the caches.
                np.copyto(work, x)
                c0 = time.thread_time()
                t0 = time.perf_counter()
                fn(work if in_place else x)
                times[name].append(time.perf_counter() - t0)
                cpu[name].append(time.thread_time() - c0)
        medians = {k: float(np.median(v)) for k, v in times.items()}
        cpu_medians = {k: float(np.median(v)) for k, v in cpu.items()}
        for name in methods:
            peer = RATIO_TO.get(name)
            ratio = cpu_ratio = None
            if peer in medians:
                ratio = medians[name] / medians[peer]
                cpu_ratio = cpu_medians[name] / cpu_medians[peer]
            rows.append(
                {
                    "n": n,
                    "log2n": n.bit_length() - 1,
                    "method": name,
                    "status": "ok",
                    "seconds": medians[name],
                    "seconds_min": float(np.min(times[name])),
                    "seconds_max": float(np.max(times[name])),
                    "cpu_seconds": cpu_medians[name],
                    "max_rel_err": errors[name],
                    "ratio": ratio,
                    "cpu_ratio": cpu_ratio,
                    "message": f"vs {peer}" if ratio is not None else "",
                }
            )
        if "fht_cpu" not in methods:
            rows.append(
                {
                    "n": n,
                    "log2n": n.bit_length() - 1,
                    "method": "fht_cpu",
                    "status": "skipped",
                    "message": "fht-cpu is not installed (pip install fht-cpu)",
                }
            )
    return rows


# ------------------------------------------------------------ the report
def machine():
    """The runner's machine description plus the fht-cpu version."""
    from importlib.metadata import PackageNotFoundError, version

    from sparserecovery.compare import machine_description

    info = machine_description()
    try:
        info["fht-cpu"] = version("fht-cpu")
    except PackageNotFoundError:
        info["fht-cpu"] = "not installed"
    return info


def markdown(rows, info):
    """The rows as a markdown report (machine line + table)."""
    lines = [
        f"# {TITLE}",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "| N | method | median ms | min ms | max ms | CPU ms | max rel err "
        "| ratio | CPU ratio |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        size = f"2^{r['log2n']}"
        if r["status"] != "ok":
            lines.append(f"| {size} | {r['method']} | {r['message']} |" + " |" * 6)
            continue
        ratio = cpu_ratio = ""
        if r["ratio"] is not None:
            ratio = f"{r['ratio']:.2f} {r['message']}"
            cpu_ratio = f"{r['cpu_ratio']:.2f}"
        lines.append(
            f"| {size} | {r['method']} | {1e3 * r['seconds']:.3f} "
            f"| {1e3 * r['seconds_min']:.3f} | {1e3 * r['seconds_max']:.3f} "
            f"| {1e3 * r['cpu_seconds']:.3f} | {r['max_rel_err']:.1e} "
            f"| {ratio} | {cpu_ratio} |"
        )
    lines += [
        "",
        "ratio: median wall time over the median wall time of fht-cpu doing "
        "the same kind of call (out of place or in place); below 1 is faster. "
        "CPU ms / CPU ratio: the same with thread CPU time, which leaves out "
        "the time spent waiting for a core when the machine is busy.",
    ]
    return "\n".join(lines) + "\n"


def write(rows, info, out_dir):
    """Write ``suite_fwht.csv`` and ``suite_fwht.md`` to ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    fields = [
        "n", "log2n", "method", "status", "seconds", "seconds_min",
        "seconds_max", "cpu_seconds", "max_rel_err", "ratio", "cpu_ratio",
        "message",
    ]  # fmt: skip
    csv_path = out_dir / "suite_fwht.csv"
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in fields})
    md_path = out_dir / "suite_fwht.md"
    md_path.write_text(markdown(rows, info))
    return csv_path, md_path


# ---------------------------------------------- `sparserecovery compare`
def cases(quick):
    """Grid of cases for the compare runner."""
    sizes = (2**12, 2**16) if quick else DEFAULT_SIZES
    return [{"case": f"N=2^{n.bit_length() - 1}", "n": n, "seed": 0} for n in sizes]


def setup(case):
    """Random float64 input and its numpy reference transform."""
    x = np.random.default_rng(case["seed"]).standard_normal(case["n"])
    return x, numpy_fwht(x)


def methods():
    """Out-of-place methods for the compare runner (name -> callable)."""

    def wrap(fn):
        def call(problem):
            x, ref = problem
            return {METRIC: _rel_err(fn(x), ref)}

        return call

    out = {}
    for name, (fn, in_place) in _methods().items():
        if not in_place:
            out[name] = wrap(fn)
    if "fht_cpu" not in out:

        def fht_cpu(problem):
            import fht_cpu  # noqa: F401  (raises ImportError: reported as skipped)

        out["fht_cpu"] = fht_cpu
    return out


# ----------------------------------------------------------------- main
def _size(text):
    text = text.strip().replace("^", "**")
    if text.startswith("2**"):
        return 2 ** int(text[3:])
    return int(text)


def main(argv=None):
    """Command line entry: time, print the markdown table, write the files."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes",
        nargs="+",
        type=_size,
        default=list(DEFAULT_SIZES),
        help="transform lengths, e.g. 65536 or 2**16 or 2^16 (default: 2^16 2^20 2^22)",
    )
    p.add_argument("--repeats", type=int, default=20, help="timed calls (default 20)")
    p.add_argument(
        "--out", default="results/suite_fwht", help="output folder for CSV + markdown"
    )
    args = p.parse_args(argv)
    rows = run(args.sizes, args.repeats)
    info = machine()
    if not any(r["method"] == "fht_cpu" and r["status"] == "ok" for r in rows):
        msg = "fht-cpu is not installed: skipped (pip install fht-cpu)"
        print(msg, file=sys.stderr)
    print(markdown(rows, info))
    csv_path, md_path = write(rows, info, args.out)
    print(f"wrote {csv_path} and {md_path}")


if __name__ == "__main__":
    main()
