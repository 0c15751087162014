import numpy as np
import pytest
from numpy.testing import assert_allclose
from prox_reference import rel_err, tv_prox_cvxpy, tv_reference_value

from sparserecovery.proxes import TV


def _image(rng, shape, complex_=False):
    """Piecewise constant blocks plus noise: a typical TV denoising input."""
    grid = np.indices(shape)
    x = (grid[0] >= shape[0] // 2).astype(float) + 0.5 * (grid[-1] >= shape[-1] // 3)
    x = x + 0.3 * rng.standard_normal(shape)
    if complex_:
        x = x + 1j * (0.5 * (grid[0] < 2) + 0.3 * rng.standard_normal(shape))
    return x


CASES = [
    # shape, lam, step, isotropic
    ((9, 8), 0.3, 1.0, True),
    ((9, 8), 0.6, 0.5, False),
    ((10, 10), 1.0, 1.0, True),
    ((5, 4, 6), 0.25, 1.0, True),
    ((5, 4, 6), 0.25, 1.0, False),
    ((30,), 0.4, 1.0, True),
]


@pytest.mark.parametrize(("shape", "lam", "step", "isotropic"), CASES)
def test_tv_matches_cvxpy(rng, shape, lam, step, isotropic):
    x = _image(rng, shape)
    ref = tv_prox_cvxpy(x, lam * step, isotropic)
    g = TV(lam, isotropic=isotropic)
    got = g.prox(x, step)
    assert rel_err(got, ref) < 1e-5
    if g.n_iter_ < g.max_iter:  # stopped by the certificate: check it
        assert np.sqrt(2 * g.gap_) <= g.tol * np.linalg.norm(x - x.mean()) * 1.000001


@pytest.mark.parametrize("isotropic", [True, False])
def test_tv_complex_matches_cvxpy(rng, isotropic):
    x = _image(rng, (7, 8), complex_=True)
    ref = tv_prox_cvxpy(x, 0.4, isotropic)
    got = TV(0.4, isotropic=isotropic).prox(x)
    assert got.dtype == np.complex128
    assert rel_err(got, ref) < 1e-5


@pytest.mark.parametrize("isotropic", [True, False])
@pytest.mark.parametrize("shape", [(6, 7), (3, 4, 5), (11,)])
def test_tv_value_matches_reference(rng, shape, isotropic):
    x = rng.standard_normal(shape)
    assert TV(0.7, isotropic=isotropic).value(x) == pytest.approx(
        0.7 * tv_reference_value(x, isotropic)
    )
    xc = x + 1j * rng.standard_normal(shape)
    assert TV(0.7, isotropic=isotropic).value(xc) == pytest.approx(
        0.7 * tv_reference_value(xc, isotropic)
    )


def test_tv_batch_axes_are_independent(rng):
    x = rng.standard_normal((6, 3, 7))
    g = TV(0.3, axes=(0, 2))
    got = g.prox(x)
    for k in range(3):
        assert_allclose(got[:, k], TV(0.3).prox(x[:, k]), atol=1e-6)
    assert g.value(x) == pytest.approx(sum(TV(0.3).value(x[:, k]) for k in range(3)))
    # negative axes and a single axis (1-D TV along rows)
    assert_allclose(TV(0.3, axes=(-3, -1)).prox(x), got, atol=1e-12)
    rows = TV(0.3, axes=1).prox(x[0])
    for j in range(3):
        assert_allclose(rows[j], TV(0.3).prox(x[0, j]), atol=1e-6)


def test_tv_constant_and_zero_weight(rng):
    x = np.full((4, 5), 2.5)
    g = TV(1.0)
    assert_allclose(g.prox(x), x)
    assert g.n_iter_ == 0
    y = rng.standard_normal((4, 5))
    assert_allclose(TV(0.0).prox(y), y)


def test_tv_warm_start_saves_iterations(rng):
    x = _image(rng, (10, 10))
    cold = TV(0.4)
    ref = cold.prox(x)
    warm = TV(0.4, warm_start=True)
    warm.prox(x + 0.01 * rng.standard_normal(x.shape))
    got = warm.prox(x)
    assert warm.n_iter_ < cold.n_iter_
    assert rel_err(got, ref) < 1e-5
    # the same input again: the stored dual is already certified
    assert_allclose(warm.prox(x), got, atol=1e-12)
    assert warm.n_iter_ == 0
    # a different shape falls back to a cold start
    warm.prox(x[:5])
    assert warm.n_iter_ > 0


def test_tv_float32(rng):
    x = _image(rng, (8, 8))
    out = TV(0.3).prox(x.astype(np.float32))
    assert out.dtype == np.float32
    assert_allclose(out, TV(0.3).prox(x), atol=1e-5)


def test_tv_validation():
    with pytest.raises(ValueError, match="x must be 1-, 2- or 3-D"):
        TV(1.0).prox(np.ones((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="axes must name 1 to 3 axes"):
        TV(1.0, axes=(0, 1, 2, 3))
    with pytest.raises(ValueError, match="axes=3 is out of bounds"):
        TV(1.0, axes=(0, 3)).prox(np.ones((2, 2)))
    with pytest.raises(TypeError, match="isotropic must be a bool"):
        TV(1.0, isotropic="yes")
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        TV(1.0, max_iter=0)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        TV(1.0, tol=-1.0)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        TV(-0.1)
