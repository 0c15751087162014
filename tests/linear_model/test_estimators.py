"""scikit-learn compatibility and input handling of the SBL estimators."""

import numpy as np
import pytest
from sklearn.linear_model import ARDRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecovery.linear_model import (
    KroneckerSBL,
    SBLRegressor,
    kronecker_sbl,
    sbl,
)


# The checks fit random, non-sparse data on which EM does not settle within
# max_iter; the resulting ConvergenceWarning is expected there.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks([SBLRegressor(), KroneckerSBL()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _kron_problem(rng, cplx=False):
    A = rng.standard_normal((6, 9))
    B = rng.standard_normal((7, 8))
    if cplx:
        A = A + 1j * rng.standard_normal(A.shape)
        B = B + 1j * rng.standard_normal(B.shape)
    a, b = np.zeros(9), np.zeros(8)
    a[[1, 5]] = [1.0, -1.5]
    b[[2, 6]] = [2.0, 1.0]
    x = np.kron(a, b)
    X = np.kron(A, B)
    y = X @ x + 0.01 * rng.standard_normal(X.shape[0])
    return A, B, X, x, y


def test_kronecker_estimator_matches_function(rng):
    A, B, X, x, y = _kron_problem(rng)
    est = KroneckerSBL([(6, 9), (7, 8)], noise_variance=1e-4).fit(X, y)
    res = kronecker_sbl([A, B], y, noise_variance=1e-4)
    np.testing.assert_allclose(est.coef_, res.coef, rtol=1e-7, atol=1e-10)
    assert est.n_iter_ == res.n_iter
    np.testing.assert_array_equal(est.support_, x != 0)
    assert [g.shape for g in est.gamma_] == [(9,), (8,)]
    assert est.noise_variance_ == 1e-4
    np.testing.assert_allclose(est.predict(X), X @ est.coef_)
    # the recovered factors reproduce X
    np.testing.assert_allclose(np.kron(*est.factors_), X, atol=1e-12)


def test_kronecker_estimator_complex(rng):
    A, B, X, x, y = _kron_problem(rng, cplx=True)
    with pytest.raises(ValueError, match="allow_complex=True"):
        KroneckerSBL([(6, 9), (7, 8)]).fit(X, y)
    est = KroneckerSBL([(6, 9), (7, 8)], noise_variance=1e-4, allow_complex=True)
    est.fit(X, y)
    assert np.iscomplexobj(est.coef_)
    assert np.linalg.norm(est.coef_ - x) < 0.01 * np.linalg.norm(x)
    assert np.iscomplexobj(est.predict(X))
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :5])


def test_kronecker_estimator_bad_inputs(rng):
    A, B, X, x, y = _kron_problem(rng)
    with pytest.raises(ValueError, match="factor_shapes"):
        KroneckerSBL([(6, 9), (7, 9)]).fit(X, y)
    with pytest.raises(ValueError, match="factor_shapes"):
        KroneckerSBL([(6, 9, 1)]).fit(X, y)
    X_bad = X + 0.1 * rng.standard_normal(X.shape)
    with pytest.raises(ValueError, match="not a Kronecker product"):
        KroneckerSBL([(6, 9), (7, 8)]).fit(X_bad, y)
    with pytest.raises(ValueError, match="method"):
        KroneckerSBL(method="lasso").fit(X, y)
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KroneckerSBL([(6, 9), (7, 8)]).fit(X, y_nan)
    with pytest.raises(ValueError, match="noise_variance"):
        KroneckerSBL([(6, 9), (7, 8)], noise_variance=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="prune_threshold"):
        KroneckerSBL([(6, 9), (7, 8)], prune_threshold=(0.1, 0.1, 0.1)).fit(X, y)
    with pytest.raises(TypeError, match="allow_complex"):
        KroneckerSBL(allow_complex="yes").fit(X, y)


def test_sbl_regressor_intercept_and_support(rng):
    X = rng.standard_normal((60, 40))
    coef = np.zeros(40)
    coef[[3, 11, 29]] = [1.0, -2.0, 0.5]
    y = X @ coef + 3.0 + 0.01 * rng.standard_normal(60)
    reg = SBLRegressor().fit(X, y)
    np.testing.assert_array_equal(np.flatnonzero(reg.support_), [3, 11, 29])
    assert abs(reg.intercept_ - 3.0) < 0.02
    np.testing.assert_allclose(reg.coef_[[3, 11, 29]], coef[[3, 11, 29]], atol=0.02)
    assert reg.score(X, y) > 0.999
    # same answer as the function on centred data
    res = sbl(X - X.mean(0), y - y.mean())
    np.testing.assert_allclose(reg.coef_, res.coef)


def test_sbl_regressor_agrees_with_ard(rng):
    # an easy problem: both Bayesian methods must find the same support
    X = rng.standard_normal((50, 30))
    coef = np.zeros(30)
    coef[[2, 9, 17, 25]] = [1.5, -1.0, 2.0, -0.8]
    y = X @ coef + 0.05 * rng.standard_normal(50)
    ours = SBLRegressor().fit(X, y)
    ard = ARDRegression().fit(X, y)
    np.testing.assert_array_equal(np.abs(ours.coef_) > 0.05, np.abs(ard.coef_) > 0.05)
    assert np.count_nonzero(np.abs(ours.coef_) > 0.05) == 4
    np.testing.assert_allclose(ours.coef_, ard.coef_, atol=0.02)
    assert abs(ours.noise_variance_ - 1.0 / ard.alpha_) < 0.5 * (1.0 / ard.alpha_)


def test_sbl_regressor_complex(rng):
    X = rng.standard_normal((40, 30)) + 1j * rng.standard_normal((40, 30))
    coef = np.zeros(30, complex)
    coef[[4, 20]] = [1 + 1j, -2.0]
    y = X @ coef
    with pytest.raises(ValueError, match="allow_complex=True"):
        SBLRegressor().fit(X, y)
    reg = SBLRegressor(allow_complex=True, noise_variance=1e-6).fit(X, y)
    np.testing.assert_allclose(reg.coef_, coef, atol=1e-3)
    assert abs(reg.intercept_) < 1e-3


def test_estimators_are_deterministic(rng):
    A, B, X, x, y = _kron_problem(rng)
    a = KroneckerSBL([(6, 9), (7, 8)], method="am").fit(X, y)
    b = KroneckerSBL([(6, 9), (7, 8)], method="am").fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    c = SBLRegressor().fit(X, y)
    d = SBLRegressor().fit(X, y)
    np.testing.assert_array_equal(c.coef_, d.coef_)
