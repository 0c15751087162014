import cvxpy as cp
import numpy as np
import pytest
from numpy.testing import assert_allclose
from prox_reference import rel_err, solve_prox

from sparserecovery.proxes import L21, Nuclear


@pytest.mark.parametrize("axis", [1, 0])
def test_l21_rows_and_columns_match_cvxpy(rng, axis):
    x = rng.standard_normal((5, 4))
    x[1] *= 0.1  # a row that is zeroed
    lam, step = 0.8, 0.9
    ref = solve_prox(x.shape, x, step, lambda z: lam * cp.sum(cp.norm(z, 2, axis=axis)))
    g = L21(lam, axis=axis)
    assert rel_err(g.prox(x, step), ref) < 1e-5
    assert g.value(x) == pytest.approx(lam * np.sum(np.linalg.norm(x, axis=axis)))


def test_l21_default_axis_is_last(rng):
    x = rng.standard_normal((3, 4))
    assert_allclose(L21(0.5).prox(x), L21(0.5, axis=1).prox(x))


def test_l21_label_groups_match_cvxpy(rng):
    x = rng.standard_normal(9)
    labels = np.array([3, 3, 7, 1, 7, 3, 1, 1, 7])
    x[labels == 1] *= 0.2
    lam, step = 1.1, 0.7
    idx = [np.flatnonzero(labels == k) for k in (1, 3, 7)]

    def penalty(z):
        return lam * sum(cp.norm(z[i], 2) for i in idx)

    ref = solve_prox(x.shape, x, step, penalty)
    got = L21(lam, groups=labels).prox(x, step)
    assert rel_err(got, ref) < 1e-5
    assert np.all(got[labels == 1] == 0)


def test_l21_groups_nd_and_tuple_axis(rng):
    x = rng.standard_normal((2, 3, 4))
    labels = np.arange(24).reshape(2, 3, 4) % 4  # groups along the last axis' index
    by_label = L21(0.7, groups=labels).prox(x)
    by_axes = L21(0.7, axis=(0, 1)).prox(x)
    assert_allclose(by_label, by_axes, atol=1e-15)


def test_l21_complex(rng):
    x = rng.standard_normal((3, 4)) + 1j * rng.standard_normal((3, 4))
    out = L21(1.0, axis=1).prox(x)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    assert_allclose(out, x * np.maximum(1 - 1 / norms, 0))


def test_l21_validation():
    with pytest.raises(ValueError, match="either axis or groups"):
        L21(1.0, axis=0, groups=[0, 1])
    with pytest.raises(TypeError, match="groups must be an array of integer"):
        L21(1.0, groups=[0.5, 1.0])
    with pytest.raises(TypeError, match="axis must be an int"):
        L21(1.0, axis="rows")
    with pytest.raises(ValueError, match="groups has shape"):
        L21(1.0, groups=[0, 1, 1]).prox(np.ones(4))
    with pytest.raises(ValueError, match="axis=2 is out of bounds"):
        L21(1.0, axis=2).prox(np.ones((2, 2)))
    with pytest.raises(ValueError, match="lam must be >= 0, got -1"):
        L21(-1)


@pytest.mark.parametrize("shape", [(5, 4), (3, 6)])
def test_nuclear_matches_cvxpy(rng, shape):
    x = rng.standard_normal(shape)
    lam, step = 0.9, 1.3
    ref = solve_prox(x.shape, x, step, lambda z: lam * cp.normNuc(z))
    g = Nuclear(lam)
    got = g.prox(x, step)
    assert rel_err(got, ref) < 1e-5
    kept = np.sum(np.linalg.svd(x, compute_uv=False) > lam * step)
    assert np.linalg.matrix_rank(got, tol=1e-8) == kept
    assert g.value(x) == pytest.approx(lam * np.linalg.norm(x, "nuc"))


def test_nuclear_complex_matches_cvxpy(rng):
    x = rng.standard_normal((4, 3)) + 1j * rng.standard_normal((4, 3))
    lam, step = 1.2, 1.0
    # cvxpy on the real embedding [[A, -B], [B, A]] whose nuclear norm is twice
    # that of A + iB
    zr, zi = cp.Variable(x.shape), cp.Variable(x.shape)
    emb = cp.bmat([[zr, -zi], [zi, zr]])
    obj = 0.5 * cp.sum_squares(zr - x.real) + 0.5 * cp.sum_squares(zi - x.imag)
    prob = cp.Problem(cp.Minimize(obj + step * lam * 0.5 * cp.normNuc(emb)))
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    ref = zr.value + 1j * zi.value
    got = Nuclear(lam).prox(x, step)
    assert got.dtype == np.complex128
    assert rel_err(got, ref) < 1e-5


def test_nuclear_batched(rng):
    x = rng.standard_normal((3, 4, 5))
    g = Nuclear(0.7)
    got = g.prox(x, 0.5)
    for k in range(3):
        assert_allclose(got[k], g.prox(x[k], 0.5), atol=1e-13)
    assert g.value(x) == pytest.approx(sum(g.value(x[k]) for k in range(3)))


def test_nuclear_rejects_vectors():
    with pytest.raises(ValueError, match="x must be a matrix"):
        Nuclear(1.0).prox(np.ones(3))
