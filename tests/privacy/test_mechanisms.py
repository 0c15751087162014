import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import norm

from sparserecovery.privacy import (
    GaussianMechanism,
    LaplaceMechanism,
    PrivacyGuarantee,
    analytic_gaussian_sigma,
    classical_gaussian_sigma,
    clip_rows_l2,
    gaussian_delta,
    laplace_scale,
    truncate,
)

INF = float("inf")


def _delta_reference(sigma, sens, eps):
    # Balle & Wang (2018), Thm 8, evaluated directly with scipy.stats.norm
    a, b = sens / (2 * sigma), eps * sigma / sens
    return norm.cdf(a - b) - math.exp(eps) * norm.cdf(-a - b)


@pytest.mark.parametrize(
    "sens, eps, delta",
    [(1.0, 0.1, 1e-5), (1.0, 1.0, 1e-5), (2.5, 4.0, 1e-6), (0.3, 16.0, 1e-6)],
)
def test_analytic_sigma_matches_independent_root(sens, eps, delta):
    ref = brentq(
        lambda s: _delta_reference(s, sens, eps) - delta,
        1e-4 * sens,
        1e4 * sens,
        xtol=1e-14,
        rtol=1e-13,
    )
    sigma = analytic_gaussian_sigma(sens, eps, delta)
    assert sigma == pytest.approx(ref, rel=1e-9)
    # the returned sigma satisfies the condition and is tight
    assert gaussian_delta(sigma, sens, eps) <= delta
    assert gaussian_delta(0.999 * sigma, sens, eps) > delta


def test_analytic_sigma_large_epsilon_has_no_overflow():
    sigma = analytic_gaussian_sigma(1.0, 2000.0, 1e-6)
    assert 0 < sigma < 0.1
    assert gaussian_delta(sigma, 1.0, 2000.0) <= 1e-6


@pytest.mark.parametrize("eps", [0.1, 0.5, 1.0])
def test_classical_gaussian_is_the_textbook_formula_and_not_tighter(eps):
    delta = 1e-6
    s = classical_gaussian_sigma(2.0, eps, delta)
    assert s == pytest.approx(2.0 * math.sqrt(2 * math.log(1.25 / delta)) / eps)
    assert analytic_gaussian_sigma(2.0, eps, delta) < s
    # the classical calibration is (eps, delta)-DP: its exact delta is smaller
    assert gaussian_delta(s, 2.0, eps) <= delta


def test_classical_gaussian_refuses_epsilon_above_one():
    with pytest.raises(ValueError, match="epsilon must be <= 1"):
        classical_gaussian_sigma(1.0, 2.0, 1e-6)
    with pytest.raises(ValueError, match="epsilon must be <= 1"):
        GaussianMechanism(2.0, 1e-6, 1.0, method="classical")


def test_laplace_scale():
    assert laplace_scale(3.0, 1.5) == 2.0
    assert laplace_scale(3.0, INF) == 0.0


def test_gaussian_noise_scale_matches_calibration():
    mech = GaussianMechanism(epsilon=0.7, delta=1e-5, sensitivity=1.3)
    n = 200_000
    z = mech.noise(n, random_state=0)
    # std of the sample std of n normals is about sigma / sqrt(2 n)
    assert abs(z.std() / mech.sigma - 1) < 5 / math.sqrt(2 * n)
    assert abs(z.mean()) < 5 * mech.sigma / math.sqrt(n)
    assert mech.guarantee == PrivacyGuarantee(0.7, 1e-5)


def test_laplace_noise_scale_matches_calibration():
    mech = LaplaceMechanism(epsilon=0.5, sensitivity=2.0)
    n = 200_000
    z = mech.noise(n, random_state=1)
    # E|Z| = b, Var|Z| = b^2 for Laplace(b)
    assert abs(np.abs(z).mean() / mech.scale - 1) < 5 / math.sqrt(n)
    assert mech.std == pytest.approx(math.sqrt(2) * 4.0)
    assert mech.guarantee == PrivacyGuarantee(0.5, 0.0)


def test_laplace_privacy_loss_is_bounded_by_epsilon():
    # the density ratio of f(x) + Lap(b) vs f(x') + Lap(b), |f(x) - f(x')| <=
    # sensitivity, never exceeds exp(epsilon)
    mech = LaplaceMechanism(epsilon=0.8, sensitivity=1.0)
    t = np.linspace(-20, 20, 4001)
    logp0 = -np.abs(t - 0.0) / mech.scale
    logp1 = -np.abs(t - 1.0) / mech.scale
    assert np.max(np.abs(logp0 - logp1)) <= 0.8 + 1e-12


def test_infinite_epsilon_means_no_noise():
    assert analytic_gaussian_sigma(1.0, INF, 1e-6) == 0.0
    mech = GaussianMechanism(INF, 1e-6, 1.0)
    np.testing.assert_array_equal(mech.randomize([1.0, 2.0], random_state=0), [1, 2])
    assert not mech.guarantee.is_private


def test_randomize_does_not_modify_input():
    x = np.array([1.0, 2.0, 3.0])
    out = LaplaceMechanism(1.0, 1.0).randomize(x, random_state=0)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    assert not np.shares_memory(x, out)


def test_clip_rows_l2_property(rng):
    # heavy-tailed rows of wildly different scales
    X = rng.standard_cauchy((500, 6)) * 10.0 ** rng.integers(-3, 4, (500, 1))
    for radius in (0.1, 1.0, 7.0):
        C = clip_rows_l2(X, radius)
        norms = np.linalg.norm(C, axis=1)
        assert np.all(norms <= radius * (1 + 1e-12))
        inside = np.linalg.norm(X, axis=1) <= radius
        np.testing.assert_array_equal(C[inside], X[inside])
        # clipped rows keep their direction
        out = ~inside
        cos = np.sum(C[out] * X[out], axis=1) / (
            norms[out] * np.linalg.norm(X[out], axis=1)
        )
        np.testing.assert_allclose(cos, 1.0)
        # any two clipped rows are within 2 * radius: bounded sensitivity
        i, j = rng.integers(0, 500, (2, 2000))
        assert np.all(np.linalg.norm(C[i] - C[j], axis=1) <= 2 * radius * (1 + 1e-12))


def test_truncate():
    np.testing.assert_array_equal(truncate([-1e9, -0.5, 3.0], 2.0), [-2.0, -0.5, 2.0])


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: GaussianMechanism(0.0, 1e-6, 1.0), "epsilon"),
        (lambda: GaussianMechanism(-1.0, 1e-6, 1.0), "epsilon"),
        (lambda: GaussianMechanism(float("nan"), 1e-6, 1.0), "epsilon"),
        (lambda: GaussianMechanism(1.0, 0.0, 1.0), "delta"),
        (lambda: GaussianMechanism(1.0, 1.0, 1.0), "delta"),
        (lambda: GaussianMechanism(1.0, 1e-6, -1.0), "sensitivity"),
        (lambda: GaussianMechanism(1.0, 1e-6, 1.0, method="foo"), "method"),
        (lambda: LaplaceMechanism(0.0, 1.0), "epsilon"),
        (lambda: analytic_gaussian_sigma(1.0, 1.0, 2.0), "delta"),
        (lambda: clip_rows_l2([[1.0]], 0.0), "radius"),
        (lambda: clip_rows_l2([[np.nan]], 1.0), "X"),
        (lambda: truncate([1.0], -1.0), "bound"),
    ],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match="epsilon"):
        GaussianMechanism("1", 1e-6, 1.0)
    with pytest.raises(TypeError, match="delta"):
        GaussianMechanism(1.0, None, 1.0)
