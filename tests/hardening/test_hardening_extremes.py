"""Numerical extremes named in issue 14 and degenerate problems.

SNS and Sinkhorn at reg 1e-4 on badly scaled costs, all-zero data, one-point
marginals, max_iter 0 and 1, and all-zero reconstructions: each returns a
finite answer whose reported diagnostics are true (an unconverged run says
so), or raises a clear ValueError.
"""

import warnings

import numpy as np
import pytest
from _hardening import assert_finite, check_call

from sparserecovery import imaging, privacy, proxes, solvers, transport
from sparserecovery.base import ConvergenceWarning


def _marginals(a, b, plan):
    plan = np.asarray(plan.toarray() if hasattr(plan, "toarray") else plan)
    return np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum()


def _badly_scaled_costs(rng, n, m):
    X = rng.standard_normal((n, 2))
    Y = rng.standard_normal((m, 2)) * [1e3, 1e-3]
    return {
        "anisotropic": transport.ground_cost(X, Y),
        "row-scaled": rng.uniform(0, 1, (n, m)) * np.logspace(-3, 3, n)[:, None],
        "1e6": rng.uniform(0, 1, (n, m)) * 1e6,
    }


@pytest.mark.parametrize("solver", ["sns", "sinkhorn"])
def test_sns_small_reg_badly_scaled_cost(solver):
    rng = np.random.default_rng(0)
    n, m = 20, 15
    a = rng.uniform(0.5, 1.5, n)
    a /= a.sum()
    b = rng.uniform(0.5, 1.5, m)
    b /= b.sum()
    for name, M in _badly_scaled_costs(rng, n, m).items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if solver == "sns":
                res = transport.sinkhorn_newton_sparse(a, b, M, 1e-4, max_iter=30)
            else:
                res = transport.sinkhorn(a, b, M, 1e-4, max_iter=300)
        plan = np.asarray(res.plan)
        assert np.all(np.isfinite(plan)) and plan.min() >= 0, name
        assert np.isfinite(res.value), name
        # The reported marginal error is the plan's true one ...
        np.testing.assert_allclose(res.marginal_error, _marginals(a, b, plan),
                                   rtol=1e-6, atol=1e-12, err_msg=name)
        # ... and an unconverged run is flagged and warned about, never silent.
        warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        assert res.converged or warned, name


def test_ot_reg_below_cost_resolution_is_refused():
    a = np.full(3, 1 / 3)
    M = np.random.default_rng(1).uniform(0, 1, (3, 3)) * 1e100
    for fn in (transport.sinkhorn, transport.sinkhorn_newton_sparse):
        with pytest.raises(ValueError, match="reg"):
            fn(a, a, M, 0.1)


def test_ot_all_zero_and_degenerate():
    rng = np.random.default_rng(2)
    a = rng.uniform(0.5, 1.5, 5)
    a /= a.sum()
    b = rng.uniform(0.5, 1.5, 4)
    b /= b.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for fn in (transport.sinkhorn, transport.sinkhorn_newton_sparse):
            # zero cost: the entropic optimum is the independent coupling a b^T
            res = fn(a, b, np.zeros((5, 4)), 0.1)
            np.testing.assert_allclose(np.asarray(res.plan), np.outer(a, b),
                                       atol=1e-9)
            # one-point marginal: the plan is b itself
            res = fn(np.ones(1), b, rng.uniform(0, 1, (1, 4)), 0.1)
            np.testing.assert_allclose(np.asarray(res.plan).ravel(), b, atol=1e-9)
            # zero-mass entries are allowed and get no mass
            a0 = a.copy()
            a0[0] = 0.0
            a0 /= a0.sum()
            res = fn(a0, b, rng.uniform(0, 1, (5, 4)), 0.1)
            assert np.allclose(np.asarray(res.plan)[0], 0.0)
        check_call(lambda: fn(np.zeros(5), b, np.zeros((5, 4)), 0.1), ("a",))


def _problem():
    rng = np.random.default_rng(3)
    return rng.standard_normal((8, 5)), rng.standard_normal(8)


@pytest.mark.parametrize("max_iter", [0, 1])
def test_solvers_max_iter_zero_one(max_iter):
    A, b = _problem()
    x0 = np.zeros(5)
    runs = {
        "fista": lambda: solvers.fista(solvers.LeastSquares(A, b), proxes.L1(0.1),
                                       x0, max_iter=max_iter),
        "ista": lambda: solvers.ista(solvers.LeastSquares(A, b), proxes.L1(0.1), x0,
                                     max_iter=max_iter),
        "cg": lambda: solvers.cg(A.T @ A, A.T @ b, max_iter=max_iter),
        "iht": lambda: solvers.iht(A, b, 2, max_iter=max_iter),
        "admm": lambda: solvers.admm(solvers.least_squares_x_update(A, b),
                                     proxes.L1(0.1), None, x0, max_iter=max_iter),
        "chambolle_pock": lambda: solvers.chambolle_pock(
            proxes.L1(0.1), proxes.HalfSquaredDistance(b), A, x0,
            max_iter=max_iter),
    }
    for name, run in runs.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = check_call(run, ("max_iter",))
        if max_iter == 0 and not hasattr(res, "x"):
            continue  # a clear ValueError on max_iter=0 is acceptable
        assert res.x.shape == (5,), name
        assert_finite(res.x, name)
        assert res.n_iter <= max_iter, name
        if max_iter == 0 and name != "cg":
            np.testing.assert_array_equal(res.x, x0, err_msg=name)


def test_proxes_at_zero():
    """prox of the zero vector: the documented closed forms."""
    z = np.zeros(6)
    for p in (proxes.L0(1.0), proxes.L1(1.0), proxes.Lp(1.0, 0.5), proxes.Box(-1, 1),
              proxes.L1Ball(1.0), proxes.NonNegative(), proxes.Zero(),
              proxes.L21(1.0)):
        np.testing.assert_array_equal(p.prox(z, 1.0), z, err_msg=repr(p))
    np.testing.assert_allclose(proxes.Simplex(1.0).prox(z, 1.0), np.full(6, 1 / 6))
    np.testing.assert_array_equal(proxes.TV(1.0).prox(np.zeros((4, 4)), 1.0), 0.0)
    np.testing.assert_array_equal(proxes.Nuclear(1.0).prox(np.zeros((3, 2)), 1.0), 0)
    # reg -> 0 is the identity, and huge reg the minimiser of g
    x = np.random.default_rng(4).standard_normal(6)
    np.testing.assert_allclose(proxes.L1(1e-300).prox(x, 1.0), x)
    np.testing.assert_array_equal(proxes.L1(1e300).prox(x, 1.0), 0.0)
    np.testing.assert_allclose(proxes.soft_threshold(x * 1e300, 1e299),
                               np.sign(x) * np.maximum(np.abs(x) * 1e300 - 1e299, 0))


def test_ldp_all_zero_and_single_sample():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 4))
    for protocol in ("non-interactive", "interactive"):
        est = privacy.LDPSparseRegression(2.0, protocol=protocol, random_state=0)
        # all-zero design: nothing can be learnt, the estimate must stay finite
        assert_finite(est.fit(np.zeros((300, 4)), rng.standard_normal(300)).coef_)
        # all-zero response: the true coefficients are zero
        coef = est.fit(X, np.zeros(300)).coef_
        assert_finite(coef)
        # one user: a finite estimate or a clear error
        check_call(lambda est=est: est.fit(X[:1], np.ones(1)), ("X", "sample"))
    # huge rows are clipped, not overflowed
    big = privacy.clip_rows_l2(X * 1e200, 1.0)
    np.testing.assert_allclose(np.linalg.norm(big, axis=1), 1.0)


def test_reconstructions_all_zero_data():
    angles = np.linspace(0, np.pi, 6, endpoint=False)
    sino = np.zeros((6, 12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for res in (
            imaging.reconstruct_ct(sino, angles, shape=(8, 8), max_iter=5).image,
            imaging.fbp(sino, angles, shape=(8, 8)),
            imaging.sirt(sino, angles, shape=(8, 8), max_iter=5).image,
        ):
            np.testing.assert_array_equal(res, 0.0)
        mask = np.ones((8, 8), bool)
        with pytest.raises(ValueError, match="kspace"):
            imaging.reconstruct_mri(np.zeros((8, 8), complex), mask, max_iter=5)
