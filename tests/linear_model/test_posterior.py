"""The SBL E-steps against independent dense computations."""

import numpy as np
import pytest

from sparserecovery.linear_model import kronecker_sbl_posterior, sbl_posterior


def _rand(rng, shape, cplx):
    x = rng.standard_normal(shape)
    if cplx:
        x = x + 1j * rng.standard_normal(shape)
    return x


def _reference(Phi, y, gamma, sigma2):
    """Posterior from the explicit n x n covariance (textbook formula)."""
    prec = Phi.conj().T @ Phi / sigma2 + np.diag(1.0 / gamma)
    Sigma = np.linalg.inv(prec)
    mean = Sigma @ Phi.conj().T @ y / sigma2
    return mean, np.real(np.diag(Sigma))


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("shape", [(12, 7), (7, 12)])  # both internal forms
def test_dense_posterior_matches_textbook(rng, shape, cplx):
    Phi = _rand(rng, shape, cplx)
    y = _rand(rng, shape[0], cplx)
    gamma = rng.uniform(0.2, 2.0, shape[1])
    mean, var = sbl_posterior(Phi, y, gamma, 0.3)
    ref_mean, ref_var = _reference(Phi, y, gamma, 0.3)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(var, ref_var, rtol=1e-10, atol=1e-12)


def _kron_all(mats):
    out = mats[0]
    for m in mats[1:]:
        out = np.kron(out, m)
    return out


SHAPES = {
    2: [(5, 8), (6, 4)],
    3: [(3, 5), (4, 3), (2, 4)],
    4: [(2, 3), (3, 2), (2, 3), (2, 2)],
}


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize("n_factors", [2, 3, 4])
@pytest.mark.parametrize("noise", [1e-2, 1.0])
def test_kronecker_posterior_equals_dense(rng, n_factors, cplx, noise):
    shapes = SHAPES[n_factors]
    factors = [_rand(rng, s, cplx) for s in shapes]
    gammas = [rng.uniform(0.1, 3.0, s[1]) for s in shapes]
    y = _rand(rng, np.prod([s[0] for s in shapes]), cplx)
    mean, var = kronecker_sbl_posterior(factors, y, gammas, noise)
    ref_mean, ref_var = sbl_posterior(_kron_all(factors), y, _kron_all(gammas), noise)
    rel = np.linalg.norm(mean - ref_mean) / np.linalg.norm(ref_mean)
    assert rel < 1e-10
    rel = np.linalg.norm(var - ref_var) / np.linalg.norm(ref_var)
    assert rel < 1e-10
    assert np.iscomplexobj(mean) == cplx
    assert np.isrealobj(var)


def test_kronecker_posterior_tensor_y(rng):
    factors = [rng.standard_normal((3, 4)), rng.standard_normal((5, 2))]
    gammas = [np.ones(4), np.ones(2)]
    y = rng.standard_normal((3, 5))
    a = kronecker_sbl_posterior(factors, y, gammas, 0.5)
    b = kronecker_sbl_posterior(factors, y.ravel(), gammas, 0.5)
    np.testing.assert_array_equal(a[0], b[0])


def test_posterior_bad_inputs(rng):
    factors = [rng.standard_normal((3, 4)), rng.standard_normal((5, 2))]
    gammas = [np.ones(4), np.ones(2)]
    y = rng.standard_normal(15)
    with pytest.raises(ValueError, match="y must have shape"):
        kronecker_sbl_posterior(factors, y[:-1], gammas, 0.5)
    with pytest.raises(ValueError, match=r"gammas\[1\]"):
        kronecker_sbl_posterior(factors, y, [np.ones(4), np.ones(3)], 0.5)
    with pytest.raises(ValueError, match=r"gammas\[0\] must be > 0"):
        kronecker_sbl_posterior(factors, y, [np.zeros(4), np.ones(2)], 0.5)
    with pytest.raises(ValueError, match="gammas must hold one vector"):
        kronecker_sbl_posterior(factors, y, [np.ones(4)], 0.5)
    with pytest.raises(ValueError, match="noise_variance"):
        kronecker_sbl_posterior(factors, y, gammas, 0.0)
    with pytest.raises(ValueError, match=r"factors\[1\]"):
        kronecker_sbl_posterior([factors[0], np.ones(3)], y, gammas, 0.5)
    with pytest.raises(ValueError, match="has 5 rows"):
        sbl_posterior(np.ones((5, 3)), np.ones(4), np.ones(3), 1.0)
    with pytest.raises(ValueError, match="gamma must have 3"):
        sbl_posterior(np.ones((5, 3)), np.ones(5), np.ones(2), 1.0)
