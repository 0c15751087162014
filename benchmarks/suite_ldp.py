"""Sparse linear regression under local DP: l2 error against n and epsilon.

Problem (Zhu et al., ICLR 2024 setting): d = 32 standard Gaussian features,
k = 4 non-zero coefficients of magnitude 0.25 (||coef|| = 0.5, the error of
the zero estimator), Gaussian noise of std 0.1; delta = 1e-6 per user.

Methods
-------
nldp         LDPSparseRegression, non-interactive, defaults
nldp_public  same, the server holds n public unlabeled rows (independent draw)
ldp_iht      LDPSparseRegression(protocol="interactive"), defaults
lasso        non-private sklearn Lasso, alpha = sigma sqrt(2 log d / n)
             (sigma = 0.1 known: an oracle-tuned non-private reference)
zero         the zero estimator (the sanity floor private methods must meet)

Metric: l2 error ||coef_hat - coef||; also recorded: ratio_to_zero (error / 0.5)
and nnz. The peer for ratios is the non-private Lasso.
"""

import math

import numpy as np

NAME = "ldp"
TITLE = "Sparse regression under local DP (d=32, k=4)"
METRIC = "l2_error"
LOWER_IS_BETTER = True
PEER = "lasso"
X_PARAM = "n"

D, K, NOISE, COEF = 32, 4, 0.1, 0.25


def cases(quick):
    if quick:
        grid = [(n, eps) for n in (10_000, 100_000) for eps in (1.0, 16.0)]
        grid.append((1_000_000, 16.0))
        seeds = (0,)
    else:
        grid = [
            (n, eps)
            for n in (10_000, 100_000, 1_000_000)
            for eps in (0.5, 1.0, 4.0, 16.0)
        ]
        seeds = (0, 1)
    return [
        {"case": f"n={n:.0e},eps={eps:g}", "n": n, "epsilon": eps, "seed": s}
        for n, eps in grid
        for s in seeds
    ]


def setup(case):
    from sparserecovery.datasets._regression import make_sparse_regression

    n, seed = case["n"], case["seed"]
    X, y, coef = make_sparse_regression(
        n, D, K, coef_scale=COEF, noise=NOISE, random_state=seed
    )
    X_public, _, _ = make_sparse_regression(n, D, K, random_state=10_000 + seed)
    return {
        "X": X,
        "y": y,
        "coef": coef,
        "X_public": X_public,
        "epsilon": case["epsilon"],
        "seed": seed,
    }


def _metrics(p, coef_hat):
    err = float(np.linalg.norm(coef_hat - p["coef"]))
    return {
        "l2_error": err,
        "ratio_to_zero": err / float(np.linalg.norm(p["coef"])),
        "nnz": int(np.count_nonzero(coef_hat)),
    }


def methods():
    from sparserecovery.privacy import LDPSparseRegression

    def nldp(p):
        est = LDPSparseRegression(p["epsilon"], random_state=p["seed"])
        return _metrics(p, est.fit(p["X"], p["y"]).coef_)

    def nldp_public(p):
        est = LDPSparseRegression(
            p["epsilon"], public_X=p["X_public"], random_state=p["seed"]
        )
        return _metrics(p, est.fit(p["X"], p["y"]).coef_)

    def ldp_iht(p):
        est = LDPSparseRegression(
            p["epsilon"], protocol="interactive", random_state=p["seed"]
        )
        return _metrics(p, est.fit(p["X"], p["y"]).coef_)

    def lasso(p):
        from sklearn.linear_model import Lasso

        n = p["X"].shape[0]
        alpha = NOISE * math.sqrt(2 * math.log(D) / n)
        est = Lasso(alpha=alpha, fit_intercept=False).fit(p["X"], p["y"])
        return _metrics(p, est.coef_)

    def zero(p):
        return _metrics(p, np.zeros(D))

    return {
        "nldp": nldp,
        "nldp_public": nldp_public,
        "ldp_iht": ldp_iht,
        "lasso": lasso,
        "zero": zero,
    }


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from sparserecovery.cli import main

    here = str(Path(__file__).resolve().parent)
    sys.exit(main(["compare", NAME, "--suites-dir", here, *sys.argv[1:]]))
