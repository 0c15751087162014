"""CG against a dense solve; OMP against scikit-learn; IHT exact recovery."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import OrthogonalMatchingPursuit, orthogonal_mp

from sparserecovery.base import ConvergenceWarning
from sparserecovery.operators import Dense, Diagonal, aslinearoperator
from sparserecovery.solvers import cg, iht, omp


def _hpd(rng, n, cplx):
    B = rng.standard_normal((n, n))
    if cplx:
        B = B + 1j * rng.standard_normal((n, n))
    return B.conj().T @ B + 0.5 * np.eye(n)


# ------------------------------------------------------------------------ CG
@pytest.mark.parametrize("cplx", [False, True])
def test_cg_matches_dense_solve(rng, cplx):
    A = _hpd(rng, 30, cplx)
    b = rng.standard_normal(30) + (1j * rng.standard_normal(30) if cplx else 0)
    res = cg(A, b, tol=1e-13)
    ref = np.linalg.solve(A, b)
    assert res.converged
    np.testing.assert_allclose(res.x, ref, rtol=1e-9, atol=1e-11)
    assert res.x.dtype == (np.complex128 if cplx else np.float64)
    assert res.history[-1] <= 1e-13


def test_cg_operator_preconditioner_and_x0(rng):
    d = np.linspace(1.0, 1e4, 200)
    A = Diagonal(d) + aslinearoperator(sp.random(200, 200, density=0.0, random_state=0))
    b = rng.standard_normal(200)
    plain = cg(A, b, tol=1e-10)
    pre = cg(A, b, M=Diagonal(1.0 / d), tol=1e-10)
    np.testing.assert_allclose(pre.x, b / d, rtol=1e-8)
    assert pre.n_iter < plain.n_iter
    warm = cg(A, b, x0=b / d, tol=1e-10)
    assert warm.n_iter == 0 and warm.converged


def test_cg_structured_shape(rng):
    """An image-shaped operator: b and x keep the 2-D shape."""
    d = rng.random((5, 6)) + 1.0
    b = rng.standard_normal((5, 6))
    res = cg(Diagonal(d), b, tol=1e-12)
    assert res.x.shape == (5, 6)
    np.testing.assert_allclose(res.x, b / d, rtol=1e-10)


def test_cg_zero_rhs_and_indefinite():
    res = cg(np.eye(3), np.zeros(3))
    assert res.converged and np.all(res.x == 0)
    with pytest.raises(ValueError, match="positive definite"):
        cg(np.diag([1.0, -1.0]), np.array([1.0, 1.0]))


# ----------------------------------------------------------------------- OMP
def _dictionary(rng, m, n, cplx=False):
    A = rng.standard_normal((m, n))
    if cplx:
        A = A + 1j * rng.standard_normal((m, n))
    return A / np.linalg.norm(A, axis=0)


@pytest.mark.parametrize("k", [1, 5, 12])
def test_omp_matches_sklearn_n_nonzero(rng, k):
    A = _dictionary(rng, 50, 120)
    x = np.zeros(120)
    x[rng.choice(120, 8, replace=False)] = rng.standard_normal(8) + 2.0
    y = A @ x + 0.05 * rng.standard_normal(50)
    res = omp(A, y, n_nonzero_coefs=k)
    ref = orthogonal_mp(A, y, n_nonzero_coefs=k)
    np.testing.assert_array_equal(np.flatnonzero(res.x), np.flatnonzero(ref))
    np.testing.assert_allclose(res.x, ref, rtol=0, atol=1e-10)
    assert res.n_iter == k and res.converged
    est = OrthogonalMatchingPursuit(n_nonzero_coefs=k, fit_intercept=False).fit(A, y)
    np.testing.assert_allclose(res.x, est.coef_, rtol=0, atol=1e-10)
    # history: squared residual norms, non-increasing
    assert np.all(np.diff(res.history) <= 1e-12)
    np.testing.assert_allclose(res.history[-1], np.sum((y - A @ res.x) ** 2))


def test_omp_matches_sklearn_tol(rng):
    A = _dictionary(rng, 40, 100)
    y = rng.standard_normal(40)
    tol = 0.3 * np.sum(y**2)
    res = omp(A, y, tol=tol)
    ref = orthogonal_mp(A, y, tol=tol)
    np.testing.assert_array_equal(np.flatnonzero(res.x), np.flatnonzero(ref))
    np.testing.assert_allclose(res.x, ref, rtol=0, atol=1e-10)
    assert np.sum((y - A @ res.x) ** 2) <= tol


def test_omp_default_sparsity_and_operator_input(rng):
    A = _dictionary(rng, 30, 70)
    y = rng.standard_normal(30)
    ref = orthogonal_mp(A, y)  # default: max(int(0.1 * n), 1) = 7 atoms
    dense = omp(A, y)
    matfree = omp(Dense(A), y)
    sparse = omp(sp.csr_matrix(A), y)
    for res in (dense, matfree, sparse):
        assert res.n_iter == 7
        np.testing.assert_allclose(res.x, ref, rtol=0, atol=1e-10)


def test_omp_complex_exact_recovery(rng):
    A = _dictionary(rng, 40, 80, cplx=True)
    x = np.zeros(80, complex)
    supp = rng.choice(80, 4, replace=False)
    x[supp] = rng.standard_normal(4) + 1j * rng.standard_normal(4) + 1.0
    res = omp(A, A @ x, n_nonzero_coefs=4)
    np.testing.assert_allclose(res.x, x, atol=1e-10)
    assert set(res.info["support"]) == set(supp)


def test_omp_exact_fit_stops_early_without_warning(rng):
    A = np.eye(6)
    y = np.array([0.0, 3.0, 0.0, -1.0, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = omp(A, y, n_nonzero_coefs=4)
    assert res.n_iter == 2 and res.converged
    np.testing.assert_allclose(res.x, y)


def test_omp_callback_stops(rng):
    A = _dictionary(rng, 30, 60)
    y = rng.standard_normal(30)
    seen = []
    res = omp(A, y, n_nonzero_coefs=10, callback=lambda k, x: seen.append(x) or k == 2)
    assert res.n_iter == 3 and len(seen) == 3
    assert np.count_nonzero(seen[-1]) == 3
    np.testing.assert_allclose(seen[-1], res.x)


# ----------------------------------------------------------------------- IHT
@pytest.mark.parametrize("cplx", [False, True])
def test_iht_exact_recovery(rng, cplx):
    m, n, k = 80, 160, 6
    A = _dictionary(rng, m, n, cplx) * 3.7  # scaling must not matter for NIHT
    x = np.zeros(n, complex if cplx else float)
    supp = rng.choice(n, k, replace=False)
    x[supp] = (1.0 + rng.random(k)) * rng.choice([-1, 1], k)
    if cplx:
        x[supp] *= np.exp(2j * np.pi * rng.random(k))
    res = iht(A, A @ x, k, tol=1e-13, max_iter=2000)
    assert res.converged
    assert np.count_nonzero(res.x) == k
    np.testing.assert_allclose(res.x, x, atol=1e-9)
    assert res.history[-1] < 1e-10


def test_iht_fixed_step_and_operator(rng):
    m, n, k = 60, 100, 4
    A = _dictionary(rng, m, n)
    x = np.zeros(n)
    x[rng.choice(n, k, replace=False)] = rng.choice([-1.0, 1.0], k) * 2
    step = 0.9 / np.linalg.norm(A, 2) ** 2
    res = iht(Dense(A), A @ x, k, step=step, tol=1e-12, max_iter=5000)
    assert np.count_nonzero(res.x) <= k
    np.testing.assert_allclose(res.x, x, atol=1e-8)


def test_iht_noisy_output_is_exactly_k_sparse(rng):
    A = _dictionary(rng, 30, 90)
    y = rng.standard_normal(30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = iht(A, y, 5, max_iter=300)
    assert np.count_nonzero(res.x) == 5
    np.testing.assert_array_equal(res.info["support"], np.flatnonzero(res.x))
