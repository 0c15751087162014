"""Stress check: is LDPSparseRegression ever worse than the zero estimator?

Not a ``compare`` suite (no peer, no timing): it counts, over a grid of
sample sizes, privacy budgets, signal strengths and both protocols, the fits
whose l2 error exceeds ``||coef||`` (the error of predicting zero), at the
documented default settings. The firm threshold is calibrated so that noise
alone passes it with probability about ``significance`` (default 0.01) per
fit, so a handful of failures per thousand fits would be within design.

Usage::

    python benchmarks/stress_ldp_zero.py [--seeds 25] [--coef-scales 0.25 0.05 0.02]
"""

import argparse
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from sparserecovery.datasets import make_sparse_regression
from sparserecovery.privacy import LDPSparseRegression


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=25)
    parser.add_argument("--coef-scales", type=float, nargs="+",
                        default=[0.25, 0.05, 0.02])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--epsilons", type=float, nargs="+",
                        default=[0.5, 1.0, 4.0, 16.0])
    args = parser.parse_args(argv)
    worse = total = 0
    t0 = time.perf_counter()
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for scale in args.coef_scales:
            for proto in ("non-interactive", "interactive"):
                for n in args.sizes:
                    for eps in args.epsilons:
                        bad = 0
                        for seed in range(args.seeds):
                            X, y, coef = make_sparse_regression(
                                n, 32, 4, coef_scale=scale,
                                random_state=1000 + seed,
                            )
                            est = LDPSparseRegression(
                                epsilon=eps, protocol=proto, random_state=seed
                            ).fit(X, y)
                            err = np.linalg.norm(est.coef_ - coef)
                            bad += int(err > np.linalg.norm(coef))
                        worse += bad
                        total += args.seeds
                        if bad:
                            print(f"coef_scale={scale} {proto} n={n} eps={eps}: "
                                  f"{bad}/{args.seeds} worse than zero")
    print(f"worse than zero in {worse} of {total} fits "
          f"({time.perf_counter() - t0:.0f} s)")
    return int(worse > 0)


if __name__ == "__main__":
    raise SystemExit(main())
