import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _ot_problems import assert_potentials_close, marginal_error, random_problem

from sparserecovery.base import ConvergenceWarning
from sparserecovery.transport import OTResult, sinkhorn

METHODS = ["log", "stabilized", "scaling"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(30, 30), (25, 40)])
def test_matches_pot(method, shape):
    ot = pytest.importorskip("ot")
    a, b, M = random_problem(*shape, seed=1)
    reg = 0.05
    res = sinkhorn(a, b, M, reg, method=method, tol=1e-13, max_iter=5000)
    P_ref, log = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", stopThr=1e-15,
                             numItermax=20000, log=True)
    assert isinstance(res, OTResult) and res.converged
    np.testing.assert_allclose(res.plan, P_ref, rtol=1e-8, atol=1e-12)
    assert_potentials_close(*res.potentials, reg * log["log_u"], reg * log["log_v"],
                            atol=1e-8)
    assert res.marginal_error <= 1e-12
    assert res.marginal_error == pytest.approx(marginal_error(res.plan, a, b),
                                               abs=1e-15)
    # the potentials generate the plan; the gauge is <a, f> = <b, g>
    f, g = res.potentials
    np.testing.assert_allclose(np.exp((f[:, None] + g[None] - M) / reg), res.plan,
                               rtol=1e-10, atol=1e-300)
    assert a @ f == pytest.approx(b @ g, abs=1e-12)
    # values: transport cost and regularized objective of the plan
    P = res.plan
    assert res.value_linear == pytest.approx(np.sum(M * P), rel=1e-12)
    assert res.value == pytest.approx(np.sum(M * P) + reg * np.sum(P * np.log(P)),
                                      rel=1e-10)
    assert res.n_iter["sinkhorn"] == res.history.size
    assert res.history[-1] <= 1e-13 < res.history[0]


def test_small_reg_is_finite_in_log_domain():
    a, b, M = random_problem(40, 40, seed=3, kind="uniform")
    for method in ("log", "stabilized"):
        with pytest.warns(ConvergenceWarning):
            res = sinkhorn(a, b, M, 1e-4, method=method, max_iter=300)
        assert np.all(np.isfinite(res.plan))
        assert all(np.all(np.isfinite(p)) for p in res.potentials)
        assert np.all(np.isfinite(res.history)) and res.history[-1] < 0.5
    with pytest.warns(ConvergenceWarning, match="broke down"):
        res = sinkhorn(a, b, M, 1e-4, method="scaling")
    assert not res.converged and np.all(np.isfinite(res.plan))
    assert res.info["status"] == "breakdown"


def test_convergence_warning_and_history():
    a, b, M = random_problem(20, 20, seed=4)
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=3"):
        res = sinkhorn(a, b, M, 0.01, max_iter=3)
    assert not res.converged and res.n_iter == {"sinkhorn": 3}
    assert res.history.shape == (3,)
    assert res.marginal_error > 1e-9


@pytest.mark.parametrize("method", METHODS)
def test_float32(method):
    a, b, M = random_problem(20, 30, seed=5)
    ref = sinkhorn(a, b, M, 0.05, method=method, tol=1e-12)
    res = sinkhorn(a, b, M.astype(np.float32), 0.05, method=method, tol=1e-9)
    assert res.plan.dtype == np.float32
    assert res.potentials[0].dtype == np.float32
    assert res.converged and res.marginal_error < 1e-6
    np.testing.assert_allclose(res.plan, ref.plan, rtol=1e-4, atol=1e-7)


def test_zero_mass_points_and_sparse_plan():
    ot = pytest.importorskip("ot")
    a, b, M = random_problem(12, 10, seed=6)
    a[[0, 5]] = 0.0
    b[3] = 0.0
    a, b = a / a.sum(), b / b.sum()
    res = sinkhorn(a, b, M, 0.05, tol=1e-13)
    keep_a, keep_b = a > 0, b > 0
    ref = ot.sinkhorn(a[keep_a], b[keep_b], M[np.ix_(keep_a, keep_b)], 0.05,
                      method="sinkhorn_log", stopThr=1e-15, numItermax=10000)
    assert np.all(res.plan[~keep_a] == 0) and np.all(res.plan[:, ~keep_b] == 0)
    np.testing.assert_allclose(res.plan[np.ix_(keep_a, keep_b)], ref, atol=1e-12)
    f, g = res.potentials
    assert np.all(np.isneginf(f[~keep_a])) and np.all(np.isneginf(g[~keep_b]))
    assert np.all(np.isfinite(f[keep_a])) and np.all(np.isfinite(g[keep_b]))
    for method in ("log", "stabilized"):
        sres = sinkhorn(a, b, M, 0.05, tol=1e-13, method=method,
                        plan_format="sparse")
        assert sp.issparse(sres.plan) and sres.plan.shape == (12, 10)
        np.testing.assert_allclose(sres.plan.toarray(), res.plan, atol=1e-14)
        assert sres.value_linear == pytest.approx(res.value_linear, rel=1e-12)
    # a threshold that drops small entries keeps only the large ones
    sres = sinkhorn(a, b, M, 0.05, tol=1e-13, plan_format="sparse",
                    sparse_threshold=1e-3)
    assert sres.plan.nnz == np.count_nonzero(res.plan > 1e-3)


def test_warm_start_and_normalize():
    a, b, M = random_problem(15, 15, seed=7)
    res = sinkhorn(a, b, M, 0.02, tol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warm = sinkhorn(a, b, M, 0.02, tol=1e-12, warm_start=res.potentials)
    assert warm.n_iter["sinkhorn"] <= 2
    scaled = sinkhorn(3 * a, 5 * b, M, 0.02, tol=1e-12, normalize=True)
    np.testing.assert_allclose(scaled.plan, res.plan, atol=1e-12)
