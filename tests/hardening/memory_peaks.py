"""Peak memory of the largest case of a benchmark suite (issue 14).

Usage::

    python tests/hardening/memory_peaks.py SUITE [METHOD ...]

Runs ``setup`` on the largest case of ``benchmarks/suite_SUITE.py`` (the last
case of the full grid) and each method once (all methods of the suite, or
the ones named), printing one markdown row per method: the tracemalloc peak
of the call after a warm-up on the smallest quick case (NumPy buffers
included; compilation excluded) and the process's peak RSS so far.
Not collected by pytest (the name does not start with ``test_``).
"""

import gc
import os
import resource
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(argv):
    from sparserecovery.compare import load_suite

    suite = load_suite(os.path.join(ROOT, "benchmarks", f"suite_{argv[0]}.py"))
    mod = suite.module
    case = mod.cases(False)[-1]
    label = {k: v for k, v in case.items() if not isinstance(v, (list, dict))}
    problem = mod.setup(case)
    methods = mod.methods()
    names = argv[1:] or list(methods)
    small = mod.setup(mod.cases(True)[0])
    for name in names:
        try:  # JIT warm-up on the smallest quick case, outside the trace
            methods[name](small)
        except Exception:  # noqa: BLE001, S110 - the traced call reports it
            pass
        gc.collect()
        tracemalloc.start()
        t0 = time.perf_counter()
        try:
            methods[name](problem)
            status = "ok"
        except Exception as exc:  # noqa: BLE001 - reported in the table
            status = type(exc).__name__
        wall = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {argv[0]} | {label} | {name} | {peak / 2**20:.1f} | {rss:.0f} "
              f"| {wall:.1f} | {status} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
