import numpy as np
import pytest

from sparserecovery.transport import (
    check_ot_inputs,
    sinkhorn,
    sinkhorn_newton_sparse,
    wasserstein_distance,
)

A = np.array([0.25, 0.75])
B = np.array([0.5, 0.3, 0.2])
M = np.arange(6.0).reshape(2, 3) / 6


def _sns(a, b, M, reg, **kw):
    return sinkhorn_newton_sparse(a, b, M, reg, **kw)


SOLVERS = [sinkhorn, _sns]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "a, b, M, reg, match",
    [
        ([-0.25, 1.25], B, M, 0.1, "a must be non-negative"),
        (A, [0.5, -0.3, 0.8], M, 0.1, "b must be non-negative"),
        ([0.0, 0.0], B, M, 0.1, "a must have a positive total mass"),
        ([0.5, np.nan], B, M, 0.1, "a contains NaN"),
        (A, [0.5, 0.5, np.inf], M, 0.1, "b contains NaN"),
        (A, B, np.array([[0.0, np.nan, 1], [1, 1, 1]]), 0.1, "M contains NaN"),
        (A, B, np.array([[0.0, np.inf, 1], [1, 1, 1]]), 0.1, "M contains NaN"),
        ([0.2, 0.3, 0.5], B, M, 0.1, "a has 3 entries but M has 2 rows"),
        (A, [0.5, 0.5], M, 0.1, "b has 2 entries but M has 3 columns"),
        (A, B, np.ones(6), 0.1, "M must be 2-dimensional"),
        (np.ones((2, 1)), B, M, 0.1, "a must be 1-dimensional"),
        (A, 2 * B, M, 0.1, "same total mass"),
        (A, B, M, 0.0, "reg must be > 0"),
        (A, B, M, -1.0, "reg must be > 0"),
        (A, B, M, np.nan, "reg must be finite"),
    ],
)
def test_bad_input_raises_value_error(solver, a, b, M, reg, match):
    with pytest.raises(ValueError, match=match):
        solver(a, b, M, reg)


@pytest.mark.parametrize("solver", SOLVERS)
def test_bad_types_raise_type_error(solver):
    with pytest.raises(TypeError, match="M must be real"):
        solver(A, B, M + 1j, 0.1)
    with pytest.raises(TypeError, match="M must be a numeric array"):
        solver(A, B, "cost", 0.1)
    with pytest.raises(TypeError, match="reg must be a real number"):
        solver(A, B, M, "0.1")
    with pytest.raises(TypeError, match="warm_start must be a pair"):
        solver(A, B, M, 0.1, warm_start=np.zeros(2))


@pytest.mark.parametrize("solver", SOLVERS)
def test_bad_options(solver):
    with pytest.raises(ValueError, match="max_iter must be >="):
        solver(A, B, M, 0.1, max_iter=-1)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        solver(A, B, M, 0.1, tol=-1e-3)
    with pytest.raises(ValueError, match="plan_format must be one of"):
        solver(A, B, M, 0.1, plan_format="coo")
    with pytest.raises(ValueError, match="sparse_threshold must be >= 0"):
        solver(A, B, M, 0.1, plan_format="sparse", sparse_threshold=-1.0)
    with pytest.raises(ValueError, match=r"warm_start\[0\] must have shape"):
        solver(A, B, M, 0.1, warm_start=(np.zeros(3), np.zeros(3)))


def test_solver_specific_options():
    with pytest.raises(ValueError, match="method must be one of"):
        sinkhorn(A, B, M, 0.1, method="exact")
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        sinkhorn(A, B, M, 0.1, max_iter=0)
    with pytest.raises(ValueError, match="density must be <= 1"):
        sinkhorn_newton_sparse(A, B, M, 0.1, density=2.0)
    with pytest.raises(ValueError, match="density must be > 0"):
        sinkhorn_newton_sparse(A, B, M, 0.1, density=0.0)
    with pytest.raises(ValueError, match="n_sinkhorn must be >= 0"):
        sinkhorn_newton_sparse(A, B, M, 0.1, n_sinkhorn=-2)
    with pytest.raises(ValueError, match="cg_max_iter must be >= 1"):
        sinkhorn_newton_sparse(A, B, M, 0.1, cg_max_iter=0)
    with pytest.raises(ValueError, match="cg_tol must be >= 0"):
        sinkhorn_newton_sparse(A, B, M, 0.1, cg_tol=-1.0)


def test_wasserstein_distance_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="same number of features"):
        wasserstein_distance(X, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="kind must be one of"):
        wasserstein_distance(X, X, kind="grid")
    with pytest.raises(ValueError, match="p must be >= 1"):
        wasserstein_distance(X, X, p=0.5)
    with pytest.raises(ValueError, match="Y must be non-negative"):
        wasserstein_distance(np.ones((2, 2)), -np.ones((2, 2)), kind="images")
    with pytest.raises(ValueError, match="a and b are taken from the images"):
        wasserstein_distance(np.ones((2, 2)), np.ones((2, 2)), kind="images",
                             a=[1, 1, 1, 1])
    with pytest.raises(ValueError, match="method must be one of"):
        wasserstein_distance(X, X, method="emd")


def test_check_ot_inputs_normalize_and_strip():
    prob = check_ot_inputs([1.0, 0.0, 3.0], [2.0, 2.0], np.ones((3, 2)),
                           normalize=True)
    np.testing.assert_allclose(prob.a, [0.25, 0.75])
    np.testing.assert_array_equal(prob.rows, [0, 2])
    assert prob.cols is None and prob.M.shape == (2, 2) and prob.mass == 1.0
    # a tiny mass mismatch is rescaled away, a large one is refused
    prob = check_ot_inputs([0.5, 0.5], [0.5, 0.5 + 1e-12], np.ones((2, 2)))
    assert prob.b.sum() == pytest.approx(prob.a.sum(), abs=1e-15)
    with pytest.raises(ValueError, match="same total mass"):
        check_ot_inputs([0.5, 0.5], [0.5, 0.5 + 1e-6], np.ones((2, 2)))
    # float32 costs stay float32, integer costs become float64
    assert check_ot_inputs(None, None, np.ones((2, 2), np.float32)).dtype == np.float32
    assert check_ot_inputs(None, None, np.ones((2, 2), int)).M.dtype == np.float64


def test_inputs_not_modified():
    a, b, C = A.copy(), B.copy(), M.copy()
    sinkhorn_newton_sparse(a, b, C, 0.1)
    sinkhorn(a, b, C, 0.1, method="stabilized")
    np.testing.assert_array_equal(a, A)
    np.testing.assert_array_equal(b, B)
    np.testing.assert_array_equal(C, M)
