"""A tiny suite used by the tests: least squares by three methods."""

import numpy as np

NAME = "toy"
TITLE = "Toy least squares"
METRIC = "residual"
LOWER_IS_BETTER = True
PEER = "lstsq"
X_PARAM = "n"


def cases(quick):
    sizes = [5, 10] if quick else [5, 10, 20]
    return [{"case": f"n={n}", "n": n, "seed": s} for n in sizes for s in (0, 1)]


def setup(case):
    rng = np.random.default_rng(case["seed"])
    A = rng.standard_normal((2 * case["n"], case["n"]))
    return A, rng.standard_normal(2 * case["n"])


def _res(A, b, x):
    return float(np.linalg.norm(A.T @ (A @ x - b)))


def methods():
    def lstsq(p):
        A, b = p
        return {"residual": _res(A, b, np.linalg.lstsq(A, b, rcond=None)[0])}

    def normal_eq(p):
        A, b = p
        return {"residual": _res(A, b, np.linalg.solve(A.T @ A, A.T @ b))}

    def missing_peer(p):
        import not_a_real_package_xyz  # noqa: F401

    def broken(p):
        raise RuntimeError("boom")

    return {
        "lstsq": lstsq,
        "normal_eq": normal_eq,
        "missing_peer": missing_peer,
        "broken": broken,
    }


NO_WARMUP = ("lstsq",)
