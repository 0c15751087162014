import dataclasses
import math

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from sparserecovery.privacy import (
    GradientMessage,
    LDPClient,
    LDPIHTServer,
    NLDPMessage,
    NLDPServer,
    analytic_gaussian_sigma,
)

INF = float("inf")


def _data(rng, n=4000, d=5, noise=0.1):
    X = rng.standard_normal((n, d))
    coef = np.zeros(d)
    coef[:2] = [0.8, -0.5]
    return X, X @ coef + noise * rng.standard_normal(n), coef


# ---------------------------------------------------------------- messages
def test_message_holds_only_noisy_statistics(rng):
    X, y, _ = _data(rng, n=50)
    client = LDPClient(1.0, 1e-6, clip_x=3.0, clip_y=2.0)
    state = dict(vars(client))
    msg = client.privatize(X, y, random_state=0)
    # the client keeps nothing about the data
    assert vars(client) == state
    names = {f.name for f in dataclasses.fields(NLDPMessage)}
    assert names == {
        "xy",
        "xx",
        "n_users",
        "summed",
        "std_xy",
        "std_xx",
        "clip_x",
        "clip_y",
        "fit_intercept",
        "guarantee",
    }
    for arr in (msg.xy, msg.xx):
        assert not arr.flags.writeable
        assert not np.shares_memory(arr, X) and not np.shares_memory(arr, y)
        # no raw value of x or y appears anywhere in the message
        assert not np.isin(arr, X).any() and not np.isin(arr, y).any()
    grad = client.privatize_gradient(X, y, np.zeros(5), random_state=0)
    assert {f.name for f in dataclasses.fields(GradientMessage)} == {
        "grad",
        "coef",
        "std",
        "guarantee",
    }
    assert not np.isin(grad.grad, X).any()


@pytest.mark.parametrize("mechanism", ["gaussian", "laplace"])
def test_per_user_message_noise_matches_calibration(rng, mechanism):
    m, d = 20000, 3
    X, y = rng.standard_normal((m, d)), rng.standard_normal(m)
    kw = dict(clip_x=2.0, clip_y=1.0, mechanism=mechanism)
    noisy = LDPClient(1.0, 1e-6, **kw).privatize(X, y, random_state=0)
    clean = LDPClient(INF, 1e-6, **kw).privatize(X, y)
    for block, std in ((("xy"), noisy.std_xy), (("xx"), noisy.std_xx)):
        z = getattr(noisy, block) - getattr(clean, block)
        # every coordinate: sample std within 6 standard errors of the target
        se = math.sqrt((3.0 if mechanism == "laplace" else 0.5) / m)
        np.testing.assert_array_less(np.abs(z.std(axis=0) / std - 1), 6 * se)
        np.testing.assert_array_less(np.abs(z.mean(axis=0)), 6 * std / math.sqrt(m))


def test_gaussian_calibration_uses_the_joint_sensitivity():
    # R = clip_x: ||upper(aa^T) - upper(bb^T)|| <= sqrt(2) R^2, ||ay - by'|| <= 2RT
    R, T, eps, delta = 2.0, 1.5, 0.8, 1e-6
    msg = LDPClient(eps, delta, clip_x=R, clip_y=T).privatize(np.ones(4), 0.0)
    s_xx, s_xy = math.sqrt(2) * R * R, 2 * R * T
    sigma = analytic_gaussian_sigma(math.sqrt(2) * s_xx, eps, delta)
    assert msg.std_xx == pytest.approx(sigma)
    assert msg.std_xy == pytest.approx(sigma * s_xy / s_xx)
    # without the covariance block the whole budget goes to a * y
    pub = LDPClient(eps, delta, clip_x=R, clip_y=T, release_covariance=False)
    m = pub.privatize(np.ones(4), 0.0)
    assert m.xx is None
    assert m.std_xy == pytest.approx(analytic_gaussian_sigma(s_xy, eps, delta))


def test_clipping_bounds_the_sensitivity_property(rng):
    # clean (eps = inf) statistics of arbitrary records stay within the
    # sensitivities the noise is calibrated to
    R, T, d = 1.5, 2.0, 4
    for fit_intercept in (False, True):
        client = LDPClient(INF, clip_x=R, clip_y=T, fit_intercept=fit_intercept)
        X = rng.standard_cauchy((400, d)) * 10.0 ** rng.integers(-2, 3, (400, 1))
        y = rng.standard_cauchy(400) * 100
        msg = client.privatize(X, y)
        Rt = math.hypot(R, 1.0) if fit_intercept else R
        p = d + int(fit_intercept)
        i, j = rng.integers(0, 400, (2, 3000))
        dxx, dxy = msg.xx[i] - msg.xx[j], msg.xy[i] - msg.xy[j]
        tol = 1 + 1e-12
        assert np.linalg.norm(dxx, axis=1).max() <= math.sqrt(2) * Rt**2 * tol
        assert np.linalg.norm(dxy, axis=1).max() <= 2 * Rt * T * tol
        assert np.abs(dxx).sum(axis=1).max() <= (p + 1) * Rt**2 * tol
        assert np.abs(dxy).sum(axis=1).max() <= 2 * math.sqrt(p) * Rt * T * tol
        g = client.privatize_gradient(X, y, rng.standard_normal(p) * 50).grad
        dg = g[i] - g[j]
        assert np.linalg.norm(dg, axis=1).max() <= 2 * Rt * T * tol


def test_rank_one_sensitivity_bound_is_attained():
    R = 3.0
    client = LDPClient(INF, clip_x=R, clip_y=1.0)
    msg = client.privatize(np.array([[10.0, 0.0], [0.0, 10.0]]), [0.0, 0.0])
    assert np.linalg.norm(msg.xx[0] - msg.xx[1]) == pytest.approx(math.sqrt(2) * R**2)


@pytest.mark.parametrize("mechanism", ["gaussian", "laplace"])
def test_summed_message_has_the_distribution_of_a_sum(rng, mechanism):
    m, reps = 50, 2000
    X, y = rng.standard_normal((m, 2)), rng.standard_normal(m)
    client = LDPClient(1.0, 1e-6, clip_x=2.0, clip_y=1.0, mechanism=mechanism)
    clean = LDPClient(INF, clip_x=2.0, clip_y=1.0).privatize(X, y, summed=True)
    gen = np.random.default_rng(0)
    z = (
        np.array(
            [
                client.privatize(X, y, random_state=gen, summed=True).xy
                for _ in range(reps)
            ]
        )
        - clean.xy
    )
    std = client.privatize(X, y, summed=True).std_xy * math.sqrt(m)
    np.testing.assert_allclose(z.std(axis=0) / std, 1.0, atol=6 / math.sqrt(2 * reps))
    np.testing.assert_allclose(z.mean(axis=0) / std, 0.0, atol=6 / math.sqrt(reps))


# ---------------------------------------------------------------- servers
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_nldp_without_noise_is_least_squares(rng, fit_intercept):
    X, y, _ = _data(rng)
    y = y + (0.7 if fit_intercept else 0.0)
    client = LDPClient(INF, clip_x=100.0, clip_y=100.0, fit_intercept=fit_intercept)
    res = NLDPServer(alpha=0.0).aggregate([client.privatize(X, y)])
    ols = LinearRegression(fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(res.coef, ols.coef_, atol=1e-10)
    assert res.intercept == pytest.approx(ols.intercept_, abs=1e-10)
    # and very large epsilon is close to it
    client = LDPClient(1e12, clip_x=100.0, clip_y=100.0, fit_intercept=fit_intercept)
    res = NLDPServer(alpha=0.0).aggregate([client.privatize(X, y, random_state=0)])
    np.testing.assert_allclose(res.coef, ols.coef_, atol=1e-3)


def test_nldp_standard_errors_match_least_squares(rng):
    # without privacy noise the group-based standard errors estimate the
    # sampling standard errors of least squares
    X, y, _ = _data(rng, n=20000, noise=1.0)
    client = LDPClient(INF, clip_x=100.0, clip_y=100.0)
    res = NLDPServer(n_groups=64).aggregate([client.privatize(X, y)])
    resid = y - X @ res.coef_raw
    ols_se = np.sqrt(np.diag(np.linalg.inv(X.T @ X)) * resid.var())
    np.testing.assert_allclose(res.coef_std, ols_se, rtol=0.35)


def test_public_covariates_variant(rng):
    X, y, coef = _data(rng, n=20000)
    Xpub = rng.standard_normal((20000, 5))
    client = LDPClient(INF, clip_x=100.0, clip_y=100.0, release_covariance=False)
    res = NLDPServer(public_X=Xpub, alpha=0.0).aggregate([client.privatize(X, y)])
    expected = np.linalg.solve(Xpub.T @ Xpub / 20000, X.T @ y / 20000)
    np.testing.assert_allclose(res.coef, expected, atol=1e-10)
    with pytest.raises(ValueError, match="public_X"):
        NLDPServer().aggregate([client.privatize(X, y)])
    with pytest.raises(ValueError, match="public_X"):
        NLDPServer(public_X=Xpub[:, :3]).aggregate([client.privatize(X, y)])


def test_nldp_server_rejects_inconsistent_messages(rng):
    X, y, _ = _data(rng, n=100)
    a = LDPClient(1.0, clip_x=1.0, clip_y=1.0).privatize(X, y, random_state=0)
    b = LDPClient(2.0, clip_x=1.0, clip_y=1.0).privatize(X, y, random_state=0)
    with pytest.raises(ValueError, match="different settings"):
        NLDPServer().aggregate([a, b])
    with pytest.raises(TypeError, match="NLDPMessage"):
        NLDPServer().aggregate([])
    one = LDPClient(1.0, clip_x=1.0, clip_y=1.0).privatize(X, y, summed=True)
    with pytest.raises(ValueError, match="at least 2 groups"):
        NLDPServer().aggregate([one])
    with pytest.raises(ValueError, match="n_groups"):
        NLDPServer(n_groups=1).aggregate([a])


def test_iht_server_recovers_support_and_checks_protocol(rng):
    X, y, coef = _data(rng, n=8000)
    client = LDPClient(INF, clip_x=100.0, clip_y=100.0)
    server = LDPIHTServer(5, n_rounds=8, step_size=1.0)
    for t in range(8):
        server.update(client.privatize_gradient(X[t::8], y[t::8], server.coef))
    res = server.result()
    np.testing.assert_array_equal(res.coef != 0, coef != 0)
    np.testing.assert_allclose(res.coef, coef, atol=0.02)
    assert res.n_iter == 8 and res.n_users == 8000
    with pytest.raises(ValueError, match="rounds are done"):
        server.update(client.privatize_gradient(X[:10], y[:10], server.coef))
    fresh = LDPIHTServer(5, n_rounds=2)
    with pytest.raises(ValueError, match="different iterate"):
        fresh.update(client.privatize_gradient(X[:10], y[:10], np.ones(5)))
    with pytest.raises(ValueError, match="no round"):
        fresh.result()
    with pytest.raises(ValueError, match="step_size"):
        LDPIHTServer(5, n_rounds=2, step_size=0.0)


def test_client_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="epsilon"):
        LDPClient(0.0, clip_x=1.0, clip_y=1.0)
    with pytest.raises(ValueError, match="delta"):
        LDPClient(1.0, 1.5, clip_x=1.0, clip_y=1.0)
    with pytest.raises(ValueError, match="clip_x"):
        LDPClient(1.0, clip_x=-1.0, clip_y=1.0)
    with pytest.raises(ValueError, match="mechanism"):
        LDPClient(1.0, clip_x=1.0, clip_y=1.0, mechanism="exponential")
    with pytest.raises(ValueError, match="classical-gaussian"):
        LDPClient(2.0, clip_x=1.0, clip_y=1.0, mechanism="classical-gaussian")
    client = LDPClient(1.0, clip_x=1.0, clip_y=1.0)
    with pytest.raises(ValueError, match="x contains NaN"):
        client.privatize([np.nan, 1.0], 1.0)
    with pytest.raises(ValueError, match="y contains NaN"):
        client.privatize([0.0, 1.0], np.inf)
    with pytest.raises(ValueError, match="rows"):
        client.privatize(np.ones((3, 2)), np.ones(2))
    # pure LDP: delta may be 0 with the Laplace mechanism
    lap = LDPClient(1.0, 0.0, clip_x=1.0, clip_y=1.0, mechanism="laplace")
    assert lap.guarantee.delta == 0.0


def test_firm_threshold_is_never_worse_than_zero_when_noise_is_below_it(rng):
    # the property the calibrated threshold relies on: |t - theta| <= lam
    # implies the output lies between 0 and theta, coordinatewise
    from sparserecovery.privacy._protocols import _firm_threshold

    theta = rng.standard_normal(100_000) * 10.0 ** rng.integers(-3, 2, 100_000)
    lam = 10.0 ** rng.uniform(-3, 1, 100_000)
    t = theta + rng.uniform(-1, 1, 100_000) * lam
    out = _firm_threshold(t, lam)
    assert np.all(np.abs(out - theta) <= np.abs(theta) * (1 + 1e-12))
    assert np.all(out * theta >= 0)
    # identity above 2 lam, zero below lam
    big = np.abs(t) > 2 * lam
    np.testing.assert_array_equal(out[big], t[big])
    assert np.all(out[np.abs(t) <= lam] == 0)
    # soft thresholding has the same property but shrinks large values
    assert not np.signbit(_firm_threshold(np.array([-0.1]), 1.0)).any()
