import numpy as np
import pytest
from scipy.spatial.distance import cdist

from sparserecovery.datasets import make_ot_problem
from sparserecovery.transport import (
    ground_cost,
    sinkhorn_newton_sparse,
    wasserstein_distance,
)


def test_ground_cost_matches_cdist():
    rng = np.random.default_rng(0)
    X, Y = rng.random((7, 3)), rng.random((5, 3))
    np.testing.assert_allclose(ground_cost(X, Y), cdist(X, Y, "sqeuclidean"))
    np.testing.assert_allclose(ground_cost(X, Y, p=1), cdist(X, Y))
    np.testing.assert_allclose(ground_cost(X, Y, p=3), cdist(X, Y) ** 3)
    assert ground_cost(X.astype(np.float32), Y.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("p", [1, 2])
def test_point_clouds_approach_exact_wasserstein(p):
    ot = pytest.importorskip("ot")
    a, b, M, X, Y = make_ot_problem("point_clouds", n=40, m=30, p=p,
                                    normalize_cost=False, return_support=True,
                                    random_state=0)
    exact = ot.emd2(a, b, M) ** (1 / p)
    d, res = wasserstein_distance(X, Y, p=p, reg=1e-3 if p == 1 else 1e-4,
                                  return_result=True, tol=1e-11)
    assert res.converged
    assert exact <= d <= exact * (1 + 1e-2)
    d_sinkhorn = wasserstein_distance(X, Y, p=p, reg=5e-2, method="sinkhorn",
                                      max_iter=5000)
    assert d_sinkhorn >= d


def test_weights_and_images():
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(1)
    X, Y = rng.random((10, 2)), rng.random((12, 2))
    a, b = rng.random(10), rng.random(12)
    d = wasserstein_distance(X, Y, a=a, b=b, reg=1e-4, tol=1e-11)
    exact = np.sqrt(ot.emd2(a / a.sum(), b / b.sum(), ground_cost(X, Y)))
    assert d == pytest.approx(exact, rel=1e-2)
    # images: a shifted blob is at distance |shift| (in pixels) for any p
    img = np.zeros((12, 12))
    img[2:5, 3:6] = rng.random((3, 3)) + 0.5
    shifted = np.roll(img, (4, 3), axis=(0, 1))
    for p in (1, 2):
        d = wasserstein_distance(img, shifted, p=p, kind="images", reg=1e-5,
                                 tol=1e-11)
        assert d == pytest.approx(5.0, rel=1e-3)


def test_make_ot_problem():
    for kind in ("random_assignment", "point_clouds", "images"):
        a, b, M = make_ot_problem(kind, n=12, m=9, random_state=3)
        a2, b2, M2 = make_ot_problem(kind, n=12, m=9, random_state=3)
        np.testing.assert_array_equal(M, M2)
        assert a.sum() == pytest.approx(1.0) and b.sum() == pytest.approx(1.0)
        assert np.all(a >= 0) and np.all(b >= 0) and M.min() >= 0
        assert M.shape == (a.size, b.size)
    a, b, M = make_ot_problem("random_assignment", n=12, m=9, random_state=3)
    assert M.shape == (12, 9) and M.max() <= 1
    a, b, M = make_ot_problem("images", image_size=16, random_state=0)
    assert M.shape == (256, 256) and M.max() == 1.0
    a, b, M, X, Y = make_ot_problem("point_clouds", n=5, dim=3, p=1,
                                    normalize_cost=False, return_support=True,
                                    random_state=0)
    np.testing.assert_allclose(M, cdist(X, Y))
    with pytest.raises(ValueError, match="kind must be one of"):
        make_ot_problem("mnist")
    with pytest.raises(ValueError, match="n must be >= 1"):
        make_ot_problem(n=0)
    with pytest.raises(ValueError, match="p must be >= 1"):
        make_ot_problem("point_clouds", p=0.5)


def test_digits_problem_solves():
    a, b, M = make_ot_problem("images", random_state=5)
    res = sinkhorn_newton_sparse(a, b, M, 1e-3, tol=1e-12)
    assert res.converged and res.marginal_error <= 1e-12
    assert np.all(res.plan[a == 0] == 0)
