import cvxpy as cp
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from prox_reference import best_nm_kept_magnitude, rel_err, solve_prox

from sparserecovery.proxes import NM, Box, L1Ball, NonNegative, Simplex


def test_nonnegative_matches_cvxpy(rng):
    x = rng.standard_normal((3, 4))
    ref = solve_prox(x.shape, x, 1.0, None, [lambda z: z >= 0])
    g = NonNegative()
    assert rel_err(g.prox(x, 3.0), ref) < 1e-5  # the step does not matter
    assert g.value(np.abs(x)) == 0.0
    assert g.value(x) == np.inf
    assert g.value(np.array([-1e-12, 1.0])) == 0.0  # slack


@pytest.mark.parametrize("array_bounds", [False, True])
def test_box_matches_cvxpy(rng, array_bounds):
    x = 2 * rng.standard_normal((4, 3))
    if array_bounds:
        lower = -rng.uniform(0, 1, size=(4, 1))
        upper = rng.uniform(0, 1, size=(3,))
    else:
        lower, upper = -0.5, 0.8
    lo, up = np.broadcast_to(lower, x.shape), np.broadcast_to(upper, x.shape)
    ref = solve_prox(x.shape, x, 1.0, None, [lambda z: z >= lo, lambda z: z <= up])
    g = Box(lower, upper)
    got = g.prox(x)
    assert rel_err(got, ref) < 1e-5
    assert g.value(got) == 0.0
    assert g.value(x) == np.inf


def test_box_one_sided_and_validation():
    x = np.array([-2.0, 0.5, 3.0])
    assert_array_equal(Box(upper=1.0).prox(x), [-2.0, 0.5, 1.0])
    assert_array_equal(Box(lower=0.0).prox(x), [0.0, 0.5, 3.0])
    assert_array_equal(Box(lower=np.array([0.0, -np.inf, 0.0])).prox(x), [0, 0.5, 3])
    with pytest.raises(ValueError, match="lower must be <= upper"):
        Box(1.0, 0.0)
    with pytest.raises(ValueError, match="lower must not be NaN"):
        Box(np.nan, 0.0)
    with pytest.raises(ValueError, match="upper must not be NaN or -inf"):
        Box(0.0, -np.inf)
    with pytest.raises(TypeError, match="lower must be a real number"):
        Box("a", 1.0)
    with pytest.raises(ValueError, match="do not broadcast together"):
        Box(np.zeros(2), np.ones(3))
    with pytest.raises(ValueError, match="upper with shape"):
        Box(0.0, np.ones(2)).prox(np.ones(3))
    with pytest.raises(TypeError, match="x must be real"):
        Box(0.0, 1.0).prox(np.ones(2, dtype=complex))


@pytest.mark.parametrize("radius", [1.0, 2.5])
def test_simplex_matches_cvxpy(rng, radius):
    x = rng.standard_normal(7)
    constraints = [lambda z: z >= 0, lambda z: cp.sum(z) == radius]
    ref = solve_prox(x.shape, x, 1.0, None, constraints)
    g = Simplex(radius)
    got = g.prox(x)
    assert rel_err(got, ref) < 1e-5
    assert g.value(got) == 0.0
    assert g.value(x) == np.inf


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_simplex_per_axis_matches_cvxpy(rng, axis):
    x = rng.standard_normal((4, 5))
    ref = solve_prox(
        x.shape,
        x,
        1.0,
        None,
        [lambda z: z >= 0, lambda z: cp.sum(z, axis=axis) == 1.0],
    )
    got = Simplex(axis=axis).prox(x)
    assert rel_err(got, ref) < 1e-5
    assert_allclose(got.sum(axis=axis), 1.0)


def test_simplex_whole_array_and_ties():
    x = np.array([[0.5, 0.5], [0.5, 0.5]])
    assert_allclose(Simplex().prox(x), np.full((2, 2), 0.25))
    x = np.array([5.0, 5.0, -1.0])
    assert_allclose(Simplex(radius=2.0).prox(x), [1.0, 1.0, 0.0])


@pytest.mark.parametrize("inside", [False, True])
def test_l1ball_matches_cvxpy(rng, inside):
    x = rng.standard_normal(8)
    if inside:
        x *= 0.5 / np.abs(x).sum()
    ref = solve_prox(x.shape, x, 1.0, None, [lambda z: cp.norm1(z) <= 1.5])
    g = L1Ball(1.5)
    got = g.prox(x)
    assert rel_err(got, ref) < 1e-5
    assert g.value(got) == 0.0
    if inside:
        assert_array_equal(got, x)
    else:
        assert g.value(x) == np.inf


def test_l1ball_axis_and_complex(rng):
    x = rng.standard_normal((3, 6))
    got = L1Ball(1.0, axis=1).prox(x)
    for k in range(3):
        assert_allclose(got[k], L1Ball(1.0).prox(x[k]))
    xc = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    ref = solve_prox(
        xc.shape, xc, 1.0, None, [lambda z: cp.sum(cp.abs(z)) <= 1.0], complex_=True
    )
    assert rel_err(L1Ball(1.0).prox(xc), ref) < 1e-5


@pytest.mark.parametrize(("n", "m"), [(2, 4), (1, 3), (3, 6), (4, 4), (0, 2)])
def test_nm_is_the_exact_projection(rng, n, m):
    x = rng.standard_normal((5, 4 * m))
    g = NM(n, m)
    got = g.prox(x)
    groups_in = x.reshape(-1, m)
    groups_out = got.reshape(-1, m)
    for gi, go in zip(groups_in, groups_out, strict=True):
        kept = go != 0
        assert kept.sum() == n  # exactly n per group (entries are distinct, non-zero)
        assert_array_equal(go[kept], gi[kept])  # kept entries unchanged
        assert np.abs(gi[kept]).sum() == pytest.approx(best_nm_kept_magnitude(gi, n))
    assert g.value(got) == 0.0
    if n < m:
        assert g.value(x) == np.inf
    assert not g.convex


def test_nm_axis_ties_and_length_check():
    x = np.array([[1.0, 2.0], [3.0, -4.0], [1.0, 1.0], [5.0, 0.5]])
    out = NM(1, 2, axis=0).prox(x)
    assert_array_equal(out, [[0, 0], [3, -4], [0, 1], [5, 0]])
    # ties keep the first entries
    assert_array_equal(NM(2, 4).prox(np.ones(4)), [1, 1, 0, 0])
    with pytest.raises(ValueError, match="multiple of m=4"):
        NM(2, 4).prox(np.ones(6))
    with pytest.raises(ValueError, match="n must be <= 4, got 5"):
        NM(5, 4)
    with pytest.raises(ValueError, match="m must be >= 1, got 0"):
        NM(0, 0)
    with pytest.raises(TypeError, match="n must be an int"):
        NM(1.5, 4)
    with pytest.raises(TypeError, match="axis must be an int"):
        NM(2, 4, axis=(0, 1))


def test_nm_complex(rng):
    x = rng.standard_normal(8) + 1j * rng.standard_normal(8)
    out = NM(2, 4).prox(x)
    for gi, go in zip(x.reshape(-1, 4), out.reshape(-1, 4), strict=True):
        keep = np.argsort(-np.abs(gi))[:2]
        assert_array_equal(np.flatnonzero(go), np.sort(keep))


def test_radius_validation():
    with pytest.raises(ValueError, match="radius must be > 0, got 0"):
        Simplex(0)
    with pytest.raises(ValueError, match="radius must be > 0, got -1"):
        L1Ball(-1)
    with pytest.raises(TypeError, match="axis must be an int"):
        Simplex(axis=(0, 1))
