"""CoLiDE-EV / CoLiDE-NV against DAGMA on random linear SEMs.

Problem: a random DAG with about 4 edges per node ("ER4": Erdos-Renyi,
"SF4": scale-free), weights uniform in +-[0.5, 2], n = 1000 samples of the
linear SEM ``X = X W + E`` from ``make_linear_sem``. Noise: Gaussian, Laplace
or exponential (zero mean), either with unit variance for every node
("equal") or with per-node variances drawn from U[0.5, 10] ("hetero", the
CoLiDE paper's non-equal variance setting).

Methods
-------
colide_ev   CoLiDE(variance="equal"), defaults (alpha=0.05, threshold=0.3,
            order search with refine_alpha=0.02)
colide_nv   CoLiDE(variance="non-equal", n_jobs=1), defaults otherwise: five
            central-path stages from two starts (zeros and equal-variance
            stages), the lower final objective kept, then the order search;
            ``n_jobs=1`` runs the two starts one after the other so that its
            time is single-core like DAGMA's (the default runs them in two
            threads)
colide_ev_paper, colide_nv_paper
            the same with refine=False: the paper's output (threshold the
            continuous solution, then drop the weakest edges on cycles)
dagma       dagma.linear.DagmaLinear(loss_type="l2").fit, defaults
            (lambda1=0.03, w_threshold=0.3, s=[1.0, 0.9, 0.8, 0.7, 0.6] passed
            as a fresh list: dagma 1.1.1 mutates its default); skipped when
            dagma is missing

Metric: structural Hamming distance to the true graph (a reversed edge counts
1); also recorded: TPR, FDR, number of edges and whether the output is a DAG
(DAGMA's is not guaranteed to be), and for colide_ev / colide_nv the seconds
of the order search (``refine_seconds``, part of the fit's time). The peer
for ratios is DAGMA. Every method runs with single-threaded BLAS (CoLiDE sets
it itself; DAGMA is wrapped), so the timings compare algorithms, not thread
counts.

Environment: ``SPARSERECOVERY_COLIDE_ONLY`` keeps the cases whose name
contains one of its comma-separated parts (e.g. ``ER4-d50-gaussian``);
``SPARSERECOVERY_COLIDE_SEEDS`` sets the number of seeds (default 3, quick 1);
``SPARSERECOVERY_COLIDE_METHODS`` keeps the named methods (comma-separated,
e.g. ``colide_ev,colide_nv,dagma`` to skip the paper rows on long runs).
Paper setting, 5 seeds, one timed run each::

    SPARSERECOVERY_COLIDE_ONLY=ER4-d50-gaussian SPARSERECOVERY_COLIDE_SEEDS=5 \
        nice python benchmarks/suite_colide.py --repeats 1
"""

import contextlib
import io
import os

NAME = "colide"
TITLE = "Linear DAG learning: CoLiDE vs DAGMA (ER4/SF4, n=1000)"
METRIC = "shd"
LOWER_IS_BETTER = True
PEER = "dagma"
X_PARAM = "d"

N_SAMPLES = 1000
DEGREE = 4


def cases(quick):
    if quick:
        grid = [("ER", 20, "gaussian", v) for v in ("equal", "hetero")]
        seeds = (0,)
    else:
        grid = [
            (g, d, noise, v)
            for g in ("ER", "SF")
            for d in (20, 50, 100, 200)
            for noise in ("gaussian", "laplace", "exponential")
            for v in ("equal", "hetero")
        ]
        seeds = (0, 1, 2)
    n_seeds = os.environ.get("SPARSERECOVERY_COLIDE_SEEDS")
    if n_seeds:
        seeds = tuple(range(int(n_seeds)))
    only = [p for p in os.environ.get("SPARSERECOVERY_COLIDE_ONLY", "").split(",") if p]
    out = [
        {
            "case": f"{g}{DEGREE}-d{d}-{noise}-{v}",
            "graph": g,
            "d": d,
            "noise": noise,
            "variance": v,
            "seed": s,
        }
        for g, d, noise, v in grid
        for s in seeds
    ]
    return [c for c in out if not only or any(p in c["case"] for p in only)]


def setup(case):
    from sparserecovery.datasets import make_linear_sem

    X, W = make_linear_sem(
        case["d"],
        N_SAMPLES,
        graph=case["graph"],
        degree=DEGREE,
        noise=case["noise"],
        heteroscedastic=case["variance"] == "hetero",
        random_state=case["seed"],
    )
    # JIT warm-up here (two iterations at this size, so that the float32
    # kernels of d >= 128 compile too) instead of a full untimed fit.
    import warnings

    from sparserecovery.dag import colide

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # two iterations do not converge
        for variance in ("equal", "non-equal"):
            colide(X, variance=variance, s=(1.0,), max_iter=2, checkpoint=1)
    return {"X": X, "W": W}


def _metrics(p, W_est):
    from sparserecovery.dag import count_accuracy, is_dag

    acc = count_accuracy(p["W"], W_est)
    return {
        "shd": acc["shd"],
        "tpr": acc["tpr"],
        "fdr": acc["fdr"],
        "nnz": acc["nnz"],
        "dag": float(is_dag(W_est)),
    }


# DAGMA compiles nothing and CoLiDE is compiled in ``setup``: a warm-up call
# would only double the grid's time.
NO_WARMUP = ("dagma", "colide_ev", "colide_nv", "colide_ev_paper",
             "colide_nv_paper")


def methods():
    from sparserecovery.dag import CoLiDE

    def refined(p, model):
        # the order search's share of the fit's seconds
        return {**_metrics(p, model.adjacency_),
                "refine_seconds": model.result_.refine_time}

    def colide_ev(p):
        return refined(p, CoLiDE(variance="equal").fit(p["X"]))

    def colide_nv(p):
        return refined(p, CoLiDE(variance="non-equal", n_jobs=1).fit(p["X"]))

    def colide_ev_paper(p):
        model = CoLiDE(variance="equal", refine=False).fit(p["X"])
        return _metrics(p, model.adjacency_)

    def colide_nv_paper(p):
        model = CoLiDE(variance="non-equal", n_jobs=1, refine=False).fit(p["X"])
        return _metrics(p, model.adjacency_)

    def dagma(p):
        from dagma.linear import DagmaLinear  # ImportError -> skipped
        from threadpoolctl import threadpool_limits

        # DagmaLinear centres X in place and always draws a progress bar.
        # Its fit adds 0.1 to s[i] in place when a stage restarts, and s
        # defaults to a shared list: left to the default, one restart raises
        # the s of every later fit in the process (ER4-d20-gaussian-equal
        # seed 2 turned it into [..., 0.8], and the grid's heteroscedastic
        # d = 50 SHDs became 61/62/35 instead of 10/28/34). A fresh list of
        # the same default values each call.
        with threadpool_limits(1), contextlib.redirect_stderr(io.StringIO()):
            W_est = DagmaLinear(loss_type="l2").fit(
                p["X"].copy(), s=[1.0, 0.9, 0.8, 0.7, 0.6]
            )
        return _metrics(p, W_est)

    out = {"colide_ev": colide_ev, "colide_nv": colide_nv,
           "colide_ev_paper": colide_ev_paper, "colide_nv_paper": colide_nv_paper,
           "dagma": dagma}
    env = os.environ.get("SPARSERECOVERY_COLIDE_METHODS", "")
    keep = [m for m in env.split(",") if m]
    unknown = sorted(set(keep) - set(out))
    if unknown:
        raise ValueError(f"SPARSERECOVERY_COLIDE_METHODS: unknown method(s) {unknown}; "
                         f"choose from {sorted(out)}")
    return {k: v for k, v in out.items() if not keep or k in keep}


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from sparserecovery.cli import main

    here = str(Path(__file__).resolve().parent)
    sys.exit(main(["compare", NAME, "--suites-dir", here, *sys.argv[1:]]))
