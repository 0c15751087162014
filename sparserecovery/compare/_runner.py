"""Run a grid of (suite, case) tasks locally (joblib) or on a Dask cluster."""

from __future__ import annotations

import math
import statistics
import time
import traceback

from ._suites import load_suite

__all__ = ["run_task", "run_grid"]


def _as_float(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return f


def run_task(suite_path, case, repeats, threads=1):
    """Run every method of one suite on one case; return a list of row dicts.

    Each method is called once untimed (JIT warm-up; skipped for the methods
    a suite lists in ``NO_WARMUP``, e.g. slow pure-Python peers), then
    ``repeats`` timed times. The metrics come from the last timed call. A
    method whose optional dependency is missing (``ImportError``) is reported
    as skipped; any other exception is reported as an error row, so one
    failure never stops a grid.
    BLAS thread pools are limited to ``threads`` for every method alike (on
    small shared machines oversubscribed BLAS distorts timings badly).

    Parameters
    ----------
    suite_path : str or path-like
        The suite file.
    case : dict
        One case of the suite's grid (parameters, ``case`` label, ``seed``).
    repeats : int
        Timed calls per method.
    threads : int, default=1
        BLAS threads.

    Returns
    -------
    list of dict
        One row per method: ``suite``, ``method``, the case parameters,
        ``status`` (``ok``, ``skipped`` or ``error``), ``message``, the
        median/min/max ``seconds`` and the method's metrics.

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
    >>> rows = run_task(d / "suite_demo.py", {"case": "n4", "n": 4}, repeats=1)
    >>> [(r["method"], r["status"], r["err"]) for r in rows]
    [('a', 'ok', 0.25), ('b', 'ok', 0.5)]
    >>> import shutil; shutil.rmtree(d)
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        return _run_task(suite_path, case, repeats)


def _error_message(exc):
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _run_task(suite_path, case, repeats):
    suite = load_suite(suite_path)
    methods = suite.module.methods()
    try:
        problem = suite.module.setup(dict(case))
    except Exception as exc:  # noqa: BLE001 - a broken case must not stop a grid
        msg = f"setup failed: {_error_message(exc)}"
        return [
            {
                "suite": suite.name,
                "method": m,
                **case,
                "status": "error",
                "message": msg,
            }
            for m in methods
        ]
    rows = []
    no_warmup = set(getattr(suite.module, "NO_WARMUP", ()))
    for method, fn in methods.items():
        base = {"suite": suite.name, "method": method, **case}
        try:
            if method not in no_warmup:
                fn(problem)  # warm-up: JIT compilation, caches
            times, metrics = [], {}
            for _ in range(repeats):
                t0 = time.perf_counter()
                metrics = fn(problem)
                times.append(time.perf_counter() - t0)
        except ImportError as exc:
            rows.append({**base, "status": "skipped", "message": str(exc)})
            continue
        except Exception as exc:  # noqa: BLE001 - reported, never hidden
            rows.append({**base, "status": "error", "message": _error_message(exc)})
            continue
        rows.append(
            {
                **base,
                "status": "ok",
                "message": "",
                "seconds": statistics.median(times),
                "seconds_min": min(times),
                "seconds_max": max(times),
                "repeats": repeats,
                **{k: _as_float(v) for k, v in (metrics or {}).items()},
            }
        )
    return rows


def _tasks(suites, quick):
    tasks = []
    for suite in suites:
        for case in suite.cases(quick):
            tasks.append((suite.path, case))
    return tasks


def run_grid(
    suites,
    *,
    quick=False,
    repeats=3,
    workers=None,
    scheduler=None,
    progress=True,
    threads=1,
):
    """Run every case of every suite and return all rows in grid order.

    Parameters
    ----------
    suites : list of Suite
        Loaded suites.
    quick : bool
        Use each suite's quick grid.
    repeats : int
        Timed repetitions per method.
    workers : int or None
        ``None`` or 1: run in this process (timings undisturbed). ``N > 1``
        starts a local Dask cluster with N single-threaded workers.
    scheduler : str or None
        Address of an existing Dask scheduler to run on.
    progress : bool
        Show a tqdm progress bar over the tasks.
    threads : int
        BLAS threads per task (the same for ours and the peers).

    Returns
    -------
    list of dict
        One row per (suite, case, method), in the same order however it ran.

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
    >>> from sparserecovery.compare import load_suite
    >>> rows = run_grid([load_suite(d / "suite_demo.py")], progress=False)
    >>> [(r["method"], r["err"]) for r in rows]
    [('a', 0.25), ('b', 0.5)]
    >>> import shutil; shutil.rmtree(d)
    """
    from tqdm.auto import tqdm

    tasks = _tasks(suites, quick)
    bar = tqdm(total=len(tasks), desc="compare", unit="case", disable=not progress)
    results = [None] * len(tasks)
    try:
        if scheduler is None and (workers is None or workers <= 1):
            for i, (path, case) in enumerate(tasks):
                bar.set_postfix_str(f"{load_suite(path).name}:{case['case']}")
                results[i] = run_task(path, case, repeats, threads)
                bar.update()
        else:
            results = _run_dask(tasks, repeats, threads, workers, scheduler, bar)
    finally:
        bar.close()
    return [row for rows in results for row in rows]


def _run_dask(tasks, repeats, threads, workers, scheduler, bar):
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError(
            "running on Dask needs the 'dask' extra: pip install 'sparserecovery[dask]'"
        ) from exc
    cluster = None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConnectionError(
                f"cannot reach the Dask scheduler at {scheduler!r}: {exc}"
            ) from exc
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(cluster)
    try:
        futures = {
            client.submit(run_task, path, case, repeats, threads, pure=False): i
            for i, (path, case) in enumerate(tasks)
        }
        results = [None] * len(tasks)
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            bar.update()
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def is_number(v):
    """Whether ``v`` is a finite or infinite real number (not NaN, not text)."""
    return (
        isinstance(v, (int, float))
        and not isinstance(v, bool)
        and not (isinstance(v, float) and math.isnan(v))
    )
