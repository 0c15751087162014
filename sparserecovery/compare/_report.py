"""Tables, CSV, markdown report and figures from the rows of a grid run."""

from __future__ import annotations

import csv
import os
import platform
import statistics
from collections import defaultdict
from pathlib import Path

from ._runner import is_number

__all__ = ["machine_description", "summarize", "write_outputs", "markdown_table"]


def machine_description():
    """A dict describing the machine and library versions of this run.

    Returns
    -------
    dict of str to str or int
        CPU model, cores, 1-minute load average, memory, Python, numpy,
        scipy and numba versions, platform.

    Examples
    --------
    >>> sorted(machine_description())[:4]
    ['cores', 'cpu', 'load average (1 min)', 'memory']
    """
    import numba
    import numpy
    import scipy

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load average (1 min)": load,
        "memory": mem,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "platform": platform.platform(),
    }


def _fmt(v):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e4 or a < 1e-3:
        return f"{v:.2e}"
    if a >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"


def summarize(rows, suite):
    """Aggregate rows of one suite over seeds.

    Parameters
    ----------
    rows : list of dict
        Rows of a grid run (:func:`run_grid`); other suites' rows are ignored.
    suite : Suite
        The suite to summarize.

    Returns
    -------
    list of dict
        One dict per case label and method with the mean and standard
        deviation of the suite's metric, the median of the per-case median
        times, and the ratios to the suite's peer on the same case.

    Examples
    --------
    A one-case suite with two methods, written to a temporary folder:

    >>> import os, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = ["NAME = 'demo'", "METRIC = 'err'", "PEER = 'b'",
    ...        "def cases(quick): return [{'case': 'n4', 'n': 4}]",
    ...        "def setup(case): return case['n']",
    ...        "def methods(): return {'a': lambda n: {'err': 1 / n},",
    ...        "                       'b': lambda n: {'err': 2 / n}}"]
    >>> _ = (d / "suite_demo.py").write_text(os.linesep.join(src))
    >>> from sparserecovery.compare import load_suite, run_grid
    >>> suite = load_suite(d / "suite_demo.py")
    >>> rows = run_grid([suite], repeats=1, progress=False)
    >>> [(e["method"], e["metric"], e["metric_ratio"]) for e in summarize(rows, suite)]
    [('a', 0.25, 0.5), ('b', 0.5, 1.0)]
    >>> import shutil; shutil.rmtree(d)
    """
    groups = defaultdict(list)
    order = []
    for r in rows:
        if r["suite"] != suite.name:
            continue
        key = (r["case"], r["method"])
        if key not in groups:
            order.append(key)
        groups[key].append(r)
    out = []
    for case, method in order:
        rs = groups[(case, method)]
        ok = [r for r in rs if r["status"] == "ok"]
        entry = {"case": case, "method": method, "n": len(ok)}
        if not ok:
            entry["status"] = rs[0]["status"]
            entry["message"] = rs[0].get("message", "")
            out.append(entry)
            continue
        entry["status"] = "ok"
        vals = [r.get(suite.metric) for r in ok if is_number(r.get(suite.metric))]
        entry["metric"] = statistics.fmean(vals) if vals else None
        entry["metric_sd"] = statistics.stdev(vals) if len(vals) > 1 else 0.0
        entry["seconds"] = statistics.median(r["seconds"] for r in ok)
        entry["seconds_min"] = min(r["seconds_min"] for r in ok)
        entry["seconds_max"] = max(r["seconds_max"] for r in ok)
        if suite.x_param is not None:
            entry["x"] = ok[0].get(suite.x_param)
        out.append(entry)
    peers = {
        e["case"]: e for e in out if e["method"] == suite.peer and e["status"] == "ok"
    }
    for e in out:
        p = peers.get(e["case"])
        if e["status"] != "ok" or p is None:
            continue
        if p["seconds"] > 0:
            e["time_ratio"] = e["seconds"] / p["seconds"]
        if is_number(e.get("metric")) and is_number(p.get("metric")) and p["metric"]:
            e["metric_ratio"] = e["metric"] / p["metric"]
    return out


def markdown_table(summary, suite):
    """Markdown table of one suite's summary.

    Parameters
    ----------
    summary : list of dict
        The output of :func:`summarize`.
    suite : Suite
        The suite it summarizes.

    Returns
    -------
    str
        A markdown table, one row per case and method.

    Examples
    --------
    A one-case suite with two methods, written to a temporary folder:

    >>> import os, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = ["NAME = 'demo'", "METRIC = 'err'", "PEER = 'b'",
    ...        "def cases(quick): return [{'case': 'n4', 'n': 4}]",
    ...        "def setup(case): return case['n']",
    ...        "def methods(): return {'a': lambda n: {'err': 1 / n},",
    ...        "                       'b': lambda n: {'err': 2 / n}}"]
    >>> _ = (d / "suite_demo.py").write_text(os.linesep.join(src))
    >>> from sparserecovery.compare import load_suite, run_grid
    >>> suite = load_suite(d / "suite_demo.py")
    >>> rows = run_grid([suite], repeats=1, progress=False)
    >>> table = markdown_table(summarize(rows, suite), suite)
    >>> print(table.splitlines()[0][:40])
    | case | method | err (lower is better)
    >>> [cell.strip() for cell in table.splitlines()[2].split("|")[1:4]]
    ['n4', 'a', '0.25']
    >>> import shutil; shutil.rmtree(d)
    """
    peer = suite.peer or "–"
    arrow = "lower is better" if suite.lower_is_better else "higher is better"
    head = (
        f"| case | method | {suite.metric} ({arrow}) | seconds (median) "
        f"| min–max | time / {peer} | {suite.metric} / {peer} |"
    )
    lines = [head, "|" + "---|" * 7]
    for e in summary:
        if e["status"] != "ok":
            msg = e.get("message", "")[:60].replace("|", "/")
            lines.append(
                f"| {e['case']} | {e['method']} | {e['status']}: {msg} | | | | |"
            )
            continue
        metric = _fmt(e["metric"])
        if e.get("metric_sd"):
            metric += f" ± {_fmt(e['metric_sd'])}"
        lines.append(
            f"| {e['case']} | {e['method']} | {metric} | {_fmt(e['seconds'])} "
            f"| {_fmt(e['seconds_min'])}–{_fmt(e['seconds_max'])} "
            f"| {_fmt(e.get('time_ratio'))} | {_fmt(e.get('metric_ratio'))} |"
        )
    return "\n".join(lines)


def _figures(summary, suite, out_dir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    ok = [e for e in summary if e["status"] == "ok" and is_number(e.get("metric"))]
    if not ok:
        return paths
    methods = list(dict.fromkeys(e["method"] for e in ok))
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for m in methods:
        pts = [e for e in ok if e["method"] == m]
        ax.scatter([e["seconds"] for e in pts], [e["metric"] for e in pts], label=m)
    ax.set_xscale("log")
    if all(e["metric"] > 0 for e in ok):
        ax.set_yscale("log")
    ax.set_xlabel("seconds (median)")
    ax.set_ylabel(suite.metric)
    ax.set_title(f"{suite.title}: quality vs time")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    p = out_dir / f"{suite.name}_quality_vs_time.png"
    fig.savefig(p, dpi=110)
    plt.close(fig)
    paths.append(p)
    xs = [e.get("x") for e in ok]
    if suite.x_param is not None and all(is_number(x) for x in xs):
        fig, ax = plt.subplots(figsize=(6, 4.2))
        for m in methods:
            by_x = defaultdict(list)
            for e in ok:
                if e["method"] == m:
                    by_x[e["x"]].append(e["metric"])
            x_sorted = sorted(by_x)
            ax.plot(
                x_sorted,
                [statistics.fmean(by_x[x]) for x in x_sorted],
                marker="o",
                label=m,
            )
        ax.set_xlabel(suite.x_param)
        ax.set_ylabel(suite.metric)
        ax.set_title(f"{suite.title}: {suite.metric} vs {suite.x_param}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        p = out_dir / f"{suite.name}_{suite.metric}_vs_{suite.x_param}.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths


def write_outputs(rows, suites, out_dir, *, machine=None, figures=True):
    """Write ``runs.csv``, ``report.md`` and PNG figures into ``out_dir``.

    Parameters
    ----------
    rows : list of dict
        Rows of a grid run (:func:`run_grid`).
    suites : list of Suite
        The suites to report, in order.
    out_dir : str or path-like
        Output folder (created if missing).
    machine : dict, optional
        Machine description for the report (default:
        :func:`machine_description`).
    figures : bool, default=True
        Also draw one PNG figure per suite (needs matplotlib).

    Returns
    -------
    dict
        Paths written (``csv``, ``report``, ``figures``) and the markdown text.

    Examples
    --------
    A one-case suite with two methods, written to a temporary folder:

    >>> import os, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = ["NAME = 'demo'", "METRIC = 'err'", "PEER = 'b'",
    ...        "def cases(quick): return [{'case': 'n4', 'n': 4}]",
    ...        "def setup(case): return case['n']",
    ...        "def methods(): return {'a': lambda n: {'err': 1 / n},",
    ...        "                       'b': lambda n: {'err': 2 / n}}"]
    >>> _ = (d / "suite_demo.py").write_text(os.linesep.join(src))
    >>> from sparserecovery.compare import load_suite, run_grid
    >>> suite = load_suite(d / "suite_demo.py")
    >>> rows = run_grid([suite], repeats=1, progress=False)
    >>> out = write_outputs(rows, [suite], d / "report", figures=False)
    >>> out["csv"].name, out["report"].name
    ('runs.csv', 'report.md')
    >>> import shutil; shutil.rmtree(d)
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    machine = machine or machine_description()
    keys = list(dict.fromkeys(k for r in rows for k in r))
    csv_path = out_dir / "runs.csv"
    with open(csv_path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        for r in rows:
            w.writerow(r)
    parts = ["# sparserecovery comparison report", ""]
    parts.append(
        "Machine: "
        + ", ".join(f"{k} {v}" for k, v in machine.items())
        + ". Times are medians over repeats after an untimed warm-up call, "
        "measured in this run only; ratios compare methods on the same case."
    )
    fig_paths = []
    for suite in suites:
        summ = summarize(rows, suite)
        parts += ["", f"## {suite.title}", "", markdown_table(summ, suite), ""]
        if figures:
            for p in _figures(summ, suite, out_dir):
                fig_paths.append(p)
                parts.append(f"![{p.stem}]({p.name})")
    text = "\n".join(parts) + "\n"
    report = out_dir / "report.md"
    report.write_text(text)
    return {"csv": csv_path, "report": report, "figures": fig_paths, "text": text}
