import cvxpy as cp
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from prox_reference import brute_force_scalar_prox, rel_err, solve_prox

from sparserecovery.proxes import L0, L1, Lp, hard_threshold, soft_threshold
from sparserecovery.proxes._thresholding import _lp_magnitude


def test_soft_threshold_values():
    x = np.array([3.0, -0.5, -2.0, 1.0, 0.0])
    assert_array_equal(soft_threshold(x, 1.0), [2.0, 0.0, -1.0, 0.0, 0.0])
    # weights per entry
    assert_array_equal(
        soft_threshold(x, np.array([0, 0, 3, 0.5, 0])), [3.0, -0.5, 0.0, 0.5, 0.0]
    )


def test_soft_threshold_complex_shrinks_modulus():
    x = np.array([3 + 4j, 0.3 - 0.4j, 0j])
    out = soft_threshold(x, 1.0)
    assert_allclose(out, [(3 + 4j) * 0.8, 0, 0], atol=1e-15)
    assert out.dtype == np.complex128


def test_hard_threshold_values():
    x = np.array([3.0, -0.5, -2.0, 1.0])
    assert_array_equal(hard_threshold(x, 1.0), [3.0, 0.0, -2.0, 0.0])
    assert_array_equal(hard_threshold(x.astype(np.complex64), 1.0), [3, 0, -2, 0])


def test_threshold_functions_validate():
    with pytest.raises(ValueError, match="thresh must be >= 0, got -1"):
        soft_threshold(np.ones(2), -1)
    with pytest.raises(ValueError, match="thresh with shape"):
        soft_threshold(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="x contains NaN"):
        hard_threshold(np.array([np.nan]), 1.0)
    with pytest.raises(TypeError, match="x must be a numeric array"):
        soft_threshold("abc", 1.0)


@pytest.mark.parametrize("weighted", [False, True])
def test_l1_matches_cvxpy(rng, weighted):
    x = rng.standard_normal((4, 5))
    lam = rng.uniform(0.1, 1.0, size=(4, 5)) if weighted else 0.6
    step = 0.7
    ref = solve_prox(x.shape, x, step, lambda z: cp.sum(cp.multiply(lam, cp.abs(z))))
    got = L1(lam).prox(x, step)
    assert rel_err(got, ref) < 1e-5
    assert L1(lam).value(x) == pytest.approx(np.sum(lam * np.abs(x)))


def test_l1_complex_matches_cvxpy(rng):
    x = rng.standard_normal(6) + 1j * rng.standard_normal(6)
    ref = solve_prox(x.shape, x, 0.5, lambda z: 1.2 * cp.sum(cp.abs(z)), complex_=True)
    assert rel_err(L1(1.2).prox(x, 0.5), ref) < 1e-5


def _scalar_cases(rng):
    # magnitudes on both sides of every threshold, both signs, and zero
    a = np.concatenate([rng.uniform(-4, 4, 60), [0.0, 1e-3, -1e-3, 4.0]])
    return a


def test_l0_against_brute_force(rng):
    a = _scalar_cases(rng)
    lam, step = 0.8, 0.9
    got = L0(lam).prox(a, step)
    ref_z, ref_v = brute_force_scalar_prox(a, lambda z: lam * (z != 0), step)
    got_v = step * lam * (got != 0) + 0.5 * (got - a) ** 2
    assert np.all(got_v <= ref_v + 1e-12)
    far = np.abs(np.abs(a) - np.sqrt(2 * lam * step)) > 1e-3
    assert_allclose(got[far], ref_z[far], atol=1e-6)
    assert L0(lam).value(got) == lam * np.count_nonzero(got)
    assert not L0(lam).convex


@pytest.mark.parametrize("p", [0.5, 2.0 / 3.0, 0.3, 0.8, 0.1])
@pytest.mark.parametrize("t", [0.2, 1.0, 2.5])
def test_lp_against_brute_force(rng, p, t):
    a = _scalar_cases(rng) * (1 + t)
    lam, step = t / 0.5, 0.5
    got = Lp(lam, p).prox(a, step)
    ref_z, ref_v = brute_force_scalar_prox(a, lambda z: lam * np.abs(z) ** p, step)
    got_v = step * lam * np.abs(got) ** p + 0.5 * (got - a) ** 2
    # never worse than the global brute-force minimum ...
    assert np.all(got_v <= ref_v + 1e-10)
    # ... and the same minimizer away from the jump at the threshold
    same = np.isclose(got_v, ref_v, rtol=0, atol=1e-8)
    assert np.all(same)
    apart = np.abs(got_v - 0.5 * a**2) > 1e-6
    assert_allclose(got[apart], ref_z[apart], atol=1e-6)


@pytest.mark.parametrize("p", [0.5, 2.0 / 3.0])
def test_lp_closed_forms_match_newton(p):
    a = np.linspace(0, 6, 3001)
    for t in [0.05, 0.7, 3.0]:
        closed = _lp_magnitude(a, t, p, method="closed")
        newton = _lp_magnitude(a, t, p, method="newton")
        assert_allclose(closed, newton, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="no closed form"):
        _lp_magnitude(a, 1.0, 0.3, method="closed")


def test_lp_threshold_location():
    # the prox jumps from 0 at tau = (2 - p) / (2 - 2 p) * (2 t (1 - p))^(1/(2-p))
    for p in [0.5, 2 / 3, 0.25]:
        t = 0.7
        tau = (2 - p) / (2 - 2 * p) * (2 * t * (1 - p)) ** (1 / (2 - p))
        below, above = Lp(t, p).prox(np.array([tau * (1 - 1e-9), tau * (1 + 1e-6)]))
        assert below == 0
        assert above >= (2 * t * (1 - p)) ** (1 / (2 - p)) * (1 - 1e-6)


def test_lp_p1_is_soft_threshold_and_convex(rng):
    x = rng.standard_normal(20)
    assert_allclose(Lp(0.4, 1.0).prox(x, 2.0), soft_threshold(x, 0.8))
    assert Lp(0.4, 1.0).convex
    assert not Lp(0.4, 0.5).convex


def test_lp_complex_and_value(rng):
    x = rng.standard_normal(10) + 1j * rng.standard_normal(10)
    g = Lp(0.5, 0.5)
    out = g.prox(x)
    mag = Lp(0.5, 0.5).prox(np.abs(x))
    assert_allclose(np.abs(out), mag, atol=1e-14)
    nz = mag > 0
    assert_allclose(np.angle(out[nz]), np.angle(x[nz]))
    assert g.value(x) == pytest.approx(0.5 * np.sum(np.abs(x) ** 0.5))


def test_zero_weight_is_identity(rng):
    x = rng.standard_normal(7)
    for g in [L1(0), L0(0), Lp(0, 0.5)]:
        assert_allclose(g.prox(x), x)
