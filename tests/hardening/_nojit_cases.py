"""Kernel-backed computations run with and without numba (see
test_hardening_nojit.py). ``python _nojit_cases.py OUT.npz`` writes them."""

import sys

import numpy as np


def compute():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unconverged on purpose: few iterations
        return _compute()


def _compute():
    from sparserecovery import proxes, transport, wht
    from sparserecovery.datasets import make_ot_problem

    rng = np.random.default_rng(7)
    out = {}
    x64 = rng.standard_normal(64)
    out["fwht64"] = wht.fwht(x64)
    out["fwht32"] = wht.fwht(x64.astype(np.float32)).astype(np.float64)
    out["fwht2d"] = wht.fwht(rng.standard_normal((4, 16)), axis=1)
    v = rng.standard_normal(12)
    img = rng.standard_normal((6, 7))
    out["tv"] = proxes.TV(0.3, max_iter=40, tol=1e-10).prox(img, 1.0)
    out["tv_aniso"] = proxes.TV(0.3, isotropic=False, max_iter=40).prox(img, 1.0)
    out["simplex"] = proxes.Simplex(1.0).prox(v, 1.0)
    out["l1ball"] = proxes.L1Ball(1.5).prox(v, 1.0)
    out["nm"] = proxes.NM(2, 4).prox(rng.standard_normal((3, 8)), 1.0)
    out["lp"] = proxes.Lp(0.4, 0.5).prox(v, 1.0)
    out["soft"] = proxes.soft_threshold(v, 0.3)
    out["nuclear"] = proxes.Nuclear(0.5).prox(img, 1.0)
    a, b, M = make_ot_problem("random_assignment", 8, 6, random_state=0)
    res = transport.sinkhorn(a, b, M, 0.05, max_iter=100)
    out["sinkhorn_plan"] = np.asarray(res.plan)
    sns = transport.sinkhorn_newton_sparse(a, b, M, 0.05, max_iter=5)
    out["sns_plan"] = np.asarray(sns.plan)
    out["sns_value"] = np.asarray(sns.value)
    return out


if __name__ == "__main__":
    np.savez(sys.argv[1], **compute())
