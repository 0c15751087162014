"""Sinkhorn-Newton-Sparse against POT: seconds to a target marginal error.

Cases: the random-assignment problem of Tang et al. (ICLR 2024; n = 500,
C ~ U[0, 1], reg = 1/1200) and squared-Euclidean point clouds (n = 1000,
U[0, 1]^2, cost normalized to max 1, reg = 1e-3), each at target L1 marginal
errors ``|P 1 - a|_1 + |P^T 1 - b|_1`` of 1e-8 and 1e-12 (and 1e-10 for the
point clouds). The time of every method is the time to *reach the target*:

* ours (``sns``, ``sinkhorn`` = our stabilised Sinkhorn) stop on the L1
  marginal error itself (``tol``);
* POT's Sinkhorn stops on an L2 column error checked every 10 iterations,
  so in the full grid it is given the exact iteration count at which its
  iterates first reach the target (found untimed in ``setup`` by running POT
  itself in warm-started chunks of 10 iterations), and timed running exactly
  that many iterations; ``pot_sinkhorn_log`` computes the same iterates in the
  log domain; it is ~30-100x slower per iteration (scipy's logsumexp), so it
  runs a capped number of iterations and its row reports the error reached;
* ``pot_emd`` solves the unregularized problem (exact LP) once, for
  reference: its marginal error is that of an exact plan.

The quick grid (``--quick``) skips the probe and caps the Sinkhorn
iterations (POT's and ours: 1000 on the assignment case, which needs
~40,000 for 1e-12, and 200 on the point clouds); those rows report the
marginal error reached within the cap, so their time ratio understates the
speed-up to the target. BLAS is limited to one
thread during POT's calls so that both sides run on one core (our kernels
are single-threaded).

Standalone: ``python benchmarks/suite_sns.py [--quick] [--repeats N]``;
``python benchmarks/suite_sns.py --memory 5000`` runs SNS once on a
5000 x 5000 point-cloud problem and reports time and peak memory.
"""

import warnings

import numpy as np

NAME = "sns"
TITLE = "Sinkhorn-Newton-Sparse vs POT (seconds to a target marginal error)"
METRIC = "marginal_err"
LOWER_IS_BETTER = True
PEER = "pot_sinkhorn"
X_PARAM = None

_ASSIGN = {"problem": "random_assignment", "n": 500, "reg": 1 / 1200}
_SQ = {"problem": "point_clouds", "n": 1000, "reg": 1e-3}


def cases(quick):
    if quick:
        grid = [
            {**_ASSIGN, "tol": 1e-12, "pot_cap": 1000, "log_cap": 10},
            {**_SQ, "tol": 1e-10, "pot_cap": 200, "log_cap": 3},
        ]
    else:
        grid = [{**_ASSIGN, "tol": t, "pot_cap": 200_000, "log_cap": 50}
                for t in (1e-8, 1e-12)]
        grid += [{**_SQ, "tol": t, "pot_cap": 200_000, "log_cap": 10}
                 for t in (1e-8, 1e-10, 1e-12)]
    out = []
    for c in grid:
        label = "assign" if c["problem"] == "random_assignment" else "sqeucl"
        out.append({**c, "quick": quick, "seed": 0,
                    "case": f"{label} n={c['n']} tol={c['tol']:g}"})
    return out


def _marginal_error(P, a, b):
    P = np.asarray(P, dtype=float)
    return float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())


def _problem(case):
    from sparserecovery.datasets import make_ot_problem

    if case["problem"] == "random_assignment":
        # the same draw as the research notes: default_rng(seed).random
        n = case["n"]
        M = np.random.default_rng(case["seed"]).random((n, n))
        a = b = np.full(n, 1.0 / n)
        return a, b, M
    return make_ot_problem("point_clouds", n=case["n"], random_state=case["seed"])


_PROBES = {}


def _pot_iterations_to(a, b, M, reg, tols, cap, key):
    """Iterations at which POT's Sinkhorn first reaches each L1 target.

    Runs ``ot.sinkhorn`` itself in warm-started chunks of 10 iterations (the
    granularity of POT's own stopping test); untimed.
    """
    import ot
    from threadpoolctl import threadpool_limits

    done = _PROBES.setdefault(key, {})
    todo = sorted((t for t in tols if t not in done), reverse=True)
    if not todo:
        return done
    it, ws, chunk = 0, None, 10
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while todo and it < cap:
            P, log = ot.bregman.sinkhorn_knopp(a, b, M, reg, numItermax=chunk,
                                               stopThr=0.0, log=True, warn=False,
                                               warmstart=ws)
            it += chunk
            err = _marginal_error(P, a, b)
            while todo and err <= todo[0]:
                done[todo.pop(0)] = it
            ws = (np.log(log["u"]), np.log(log["v"]))
    for t in todo:
        done[t] = None  # not reached within the cap
    return done


def setup(case):
    a, b, M = _problem(case)
    if case["quick"]:
        pot_iters = case["pot_cap"]
    else:
        key = (case["problem"], case["n"], case["seed"], case["reg"])
        probe = _pot_iterations_to(a, b, M, case["reg"], [case["tol"]],
                                   case["pot_cap"], key)
        pot_iters = probe[case["tol"]] or case["pot_cap"]
    return {"a": a, "b": b, "M": M, "reg": case["reg"], "tol": case["tol"],
            "pot_iters": int(pot_iters),
            "log_iters": int(min(pot_iters, case["log_cap"])),
            "sinkhorn_cap": int(case["pot_cap"])}


def _ours(res, p):
    return {"marginal_err": _marginal_error(res.plan, p["a"], p["b"]),
            "iterations": res.n_iter_total,
            "newton_iterations": res.n_iter.get("newton", 0),
            "reached": float(res.marginal_error <= p["tol"]),
            "cost": res.value_linear}


def methods():
    def sns(p):
        from sparserecovery.transport import sinkhorn_newton_sparse

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sinkhorn_newton_sparse(p["a"], p["b"], p["M"], p["reg"],
                                         tol=p["tol"], max_iter=300)
        return _ours(res, p)

    def sinkhorn(p):
        from sparserecovery.transport import sinkhorn as our_sinkhorn

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = our_sinkhorn(p["a"], p["b"], p["M"], p["reg"], method="stabilized",
                               tol=p["tol"], max_iter=p["sinkhorn_cap"])
        return _ours(res, p)

    def _pot(p, method, iters):
        import ot
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            P = ot.sinkhorn(p["a"], p["b"], p["M"], p["reg"], method=method,
                            numItermax=iters, stopThr=0.0, warn=False)
        err = _marginal_error(P, p["a"], p["b"])
        return {"marginal_err": err, "iterations": iters,
                "reached": float(err <= p["tol"]), "cost": float(np.sum(P * p["M"]))}

    def pot_sinkhorn(p):
        return _pot(p, "sinkhorn", p["pot_iters"])

    def pot_sinkhorn_log(p):
        return _pot(p, "sinkhorn_log", p["log_iters"])

    def pot_emd(p):
        import ot
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            P = ot.emd(p["a"], p["b"], p["M"], numItermax=10_000_000)
        err = _marginal_error(P, p["a"], p["b"])
        return {"marginal_err": err, "iterations": 0,
                "reached": float(err <= p["tol"]), "cost": float(np.sum(P * p["M"]))}

    return {"sns": sns, "sinkhorn": sinkhorn, "pot_sinkhorn": pot_sinkhorn,
            "pot_sinkhorn_log": pot_sinkhorn_log, "pot_emd": pot_emd}


def _memory_check(n):
    import resource
    import time
    import tracemalloc

    from sparserecovery.datasets import make_ot_problem
    from sparserecovery.transport import sinkhorn_newton_sparse

    sinkhorn_newton_sparse(None, None, np.random.default_rng(0).random((50, 50)),
                           1e-3)  # JIT warm-up
    a, b, M = make_ot_problem("point_clouds", n=n, random_state=0)
    tracemalloc.start()  # numpy (and numba's np.empty) allocations
    t0 = time.perf_counter()
    res = sinkhorn_newton_sparse(a, b, M, 1e-3, tol=1e-12)
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    mib = 2**20
    print(f"n={n}: {dt:.2f} s, marginal error {res.marginal_error:.2e}, "
          f"iterations {res.n_iter}, max Hessian entries kept "
          f"{res.info['hessian_nnz'].max()}; cost matrix {M.nbytes / mib:.0f} MiB, "
          f"solver's peak allocation {peak / mib:.0f} MiB (the returned dense "
          f"plan is {res.plan.nbytes / mib:.0f} MiB of it), process peak RSS "
          f"{rss:.0f} MiB")


def _main():
    import argparse
    import statistics
    import time

    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory", type=int, metavar="N",
                        help="only run the n x n memory check")
    args = parser.parse_args()
    if args.memory:
        _memory_check(args.memory)
        return
    print(f"## {TITLE}\n")
    print("| case | method | seconds (median) | marginal err | iterations | "
          f"reached | time vs {PEER} |")
    print("|---|---|---|---|---|---|---|")
    for case in cases(args.quick):
        problem = setup(case)
        rows = {}
        for name, fn in methods().items():
            try:
                fn(problem)  # warm-up (JIT)
            except ImportError as exc:
                rows[name] = (None, {"note": f"skipped: {exc}"})
                continue
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                metrics = fn(problem)
                times.append(time.perf_counter() - t0)
            rows[name] = (statistics.median(times), metrics)
        peer_t = rows.get(PEER, (None,))[0]
        for name, (t, m) in rows.items():
            if t is None:
                print(f"| {case['case']} | {name} | – | – | – | – | {m['note']} |")
                continue
            ratio = f"{peer_t / t:.1f}x faster" if peer_t else "–"
            print(f"| {case['case']} | {name} | {t:.4g} | {m['marginal_err']:.2e} | "
                  f"{m['iterations']} | {bool(m['reached'])} | {ratio} |")


if __name__ == "__main__":
    _main()
