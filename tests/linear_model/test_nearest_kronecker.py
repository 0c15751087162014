"""Factor recovery from a full Kronecker product."""

import numpy as np
import pytest

from sparserecovery.linear_model import nearest_kronecker


def _kron_all(mats):
    out = mats[0]
    for m in mats[1:]:
        out = np.kron(out, m)
    return out


@pytest.mark.parametrize("cplx", [False, True])
@pytest.mark.parametrize(
    "shapes", [[(3, 4), (5, 2)], [(2, 3), (3, 3), (4, 2)], [(1, 3), (2, 1), (2, 2)]]
)
def test_exact_on_kronecker_products(rng, shapes, cplx):
    mats = [rng.standard_normal(s) for s in shapes]
    if cplx:
        mats = [m + 1j * rng.standard_normal(m.shape) for m in mats]
    X = _kron_all(mats)
    factors, res = nearest_kronecker(X, shapes, rtol=1e-10, return_residual=True)
    assert res < 1e-13
    assert [f.shape for f in factors] == [tuple(s) for s in shapes]
    np.testing.assert_allclose(_kron_all(factors), X, atol=1e-12 * np.abs(X).max())
    # each factor equals the original up to a scalar (the scale is shared)
    for f, m in zip(factors, mats, strict=True):
        c = np.vdot(m, f) / np.vdot(m, m)
        np.testing.assert_allclose(f, c * m, atol=1e-12 * np.abs(f).max())
    norms = [np.linalg.norm(f) for f in factors]
    np.testing.assert_allclose(norms, norms[0])


def test_nearest_two_factor_is_optimal(rng):
    # for two factors the answer is the Frobenius-nearest Kronecker product:
    # no random perturbation of it gets closer to X
    X = rng.standard_normal((12, 10))
    (A, B), res = nearest_kronecker(X, [(3, 5), (4, 2)], return_residual=True)
    best = np.linalg.norm(X - np.kron(A, B))
    for _ in range(20):
        dA = 1e-3 * rng.standard_normal(A.shape)
        dB = 1e-3 * rng.standard_normal(B.shape)
        assert np.linalg.norm(X - np.kron(A + dA, B + dB)) >= best
    assert res == pytest.approx(best / np.linalg.norm(X))


def test_errors(rng):
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((5, 2))
    X = np.kron(A, B)
    with pytest.raises(ValueError, match="not a Kronecker product"):
        nearest_kronecker(
            X + 0.01 * rng.standard_normal(X.shape), [(3, 4), (5, 2)], rtol=1e-6
        )
    with pytest.raises(ValueError, match=r"implies X of shape \(15, 10\)"):
        nearest_kronecker(X, [(3, 5), (5, 2)])
    with pytest.raises(ValueError, match="factor_shapes"):
        nearest_kronecker(X, [(3, 4, 1)])
    with pytest.raises(ValueError, match="factor_shapes"):
        nearest_kronecker(X, [(3, 0), (5, 2)])
    with pytest.raises(ValueError, match="factor_shapes"):
        nearest_kronecker(X, [])
    with pytest.raises(TypeError, match="factor_shapes"):
        nearest_kronecker(X, 3)
    with pytest.raises(ValueError, match="X must be 2-dimensional"):
        nearest_kronecker(X.ravel(), [(3, 4), (5, 2)])
    with pytest.raises(ValueError, match="rtol"):
        nearest_kronecker(X, [(3, 4), (5, 2)], rtol=-1.0)
