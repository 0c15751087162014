"""Common solver behaviour: results, warnings, callbacks, datafits, bad input."""

import warnings

import numpy as np
import pytest
import scipy.sparse.linalg as spla

from sparserecovery.base import ConvergenceWarning, SolverResult
from sparserecovery.operators import Dense
from sparserecovery.proxes import Zero
from sparserecovery.solvers import (
    LeastSquares,
    QuadraticForm,
    admm,
    cg,
    chambolle_pock,
    fista,
    iht,
    ista,
    least_squares_x_update,
    omp,
)


@pytest.fixture
def small(rng):
    A = rng.standard_normal((15, 10))
    b = rng.standard_normal(15)
    return A, b


def _runners(A, b, proxes):
    n = A.shape[1]
    l1 = proxes.SoftThreshold(0.1)
    return {
        "fista": lambda **kw: fista(LeastSquares(A, b), l1, np.zeros(n), **kw),
        "ista": lambda **kw: ista(LeastSquares(A, b), l1, np.zeros(n), **kw),
        "admm": lambda **kw: admm(least_squares_x_update(A, b), l1, None,
                                  np.zeros(n), **kw),
        "chambolle_pock": lambda **kw: chambolle_pock(
            l1, proxes.HalfSquaredDistance(b), A, np.zeros(n), **kw),
        "cg": lambda **kw: cg(A.T @ A, A.T @ b, **kw),
        "iht": lambda **kw: iht(A, b, 3, **kw),
    }


SOLVERS = ["fista", "ista", "admm", "chambolle_pock", "cg", "iht"]


@pytest.mark.parametrize("name", SOLVERS)
def test_convergence_warning_at_max_iter(small, proxes, name):
    A, b = small
    run = _runners(A, b, proxes)[name]
    with pytest.warns(ConvergenceWarning, match=name):
        res = run(max_iter=2, tol=1e-15)
    assert isinstance(res, SolverResult)
    assert res.n_iter == 2 and not res.converged
    assert res.history.shape == (2,)
    assert res.time >= 0


@pytest.mark.parametrize("name", SOLVERS)
def test_callback_stops_early(small, proxes, name):
    A, b = small
    calls = []

    def callback(k, x):
        calls.append(k)
        assert x.shape == (A.shape[1],)
        return k == 3

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = _runners(A, b, proxes)[name](callback=callback, tol=0.0, max_iter=100)
    assert calls == [0, 1, 2, 3]
    assert res.n_iter == 4 and res.converged


@pytest.mark.parametrize("name", SOLVERS)
def test_max_iter_zero_and_verbose(small, proxes, name, capsys):
    A, b = small
    run = _runners(A, b, proxes)[name]
    res = run(max_iter=0)
    assert res.n_iter == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        run(max_iter=3, verbose=True)
    assert f"[{name}]" in capsys.readouterr().out


def test_inputs_not_modified(small, proxes):
    A, b = small
    A0, b0 = A.copy(), b.copy()
    x0 = np.ones(A.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fista(LeastSquares(A, b), proxes.SoftThreshold(0.1), x0, max_iter=5)
        admm(least_squares_x_update(A, b), proxes.SoftThreshold(0.1), None, x0,
             max_iter=5)
        chambolle_pock(None, proxes.HalfSquaredDistance(b), A, x0, max_iter=5)
        cg(A.T @ A, A.T @ b, x0=x0, max_iter=5)
        iht(A, b, 3, x0=x0, max_iter=5)
    np.testing.assert_array_equal(x0, 1.0)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(b, b0)


# ------------------------------------------------------------------- datafits
@pytest.mark.parametrize("cplx", [False, True])
def test_least_squares_datafit(rng, cplx):
    A = rng.standard_normal((8, 5)) + (1j * rng.standard_normal((8, 5)) if cplx else 0)
    b = rng.standard_normal(8) + (1j * rng.standard_normal(8) if cplx else 0)
    x = rng.standard_normal(5) + (1j * rng.standard_normal(5) if cplx else 0)
    f = LeastSquares(A, b)
    r = A @ x - b
    assert isinstance(f.value(x), float)
    np.testing.assert_allclose(f.value(x), 0.5 * np.vdot(r, r).real)
    np.testing.assert_allclose(f.grad(x), A.conj().T @ r)
    v, g = f.value_and_grad(x)
    np.testing.assert_allclose(v, f.value(x))
    np.testing.assert_allclose(g, f.grad(x))
    np.testing.assert_allclose(f.lipschitz, np.linalg.norm(A, 2) ** 2, rtol=1e-6)
    # gradient is the derivative of the real objective along any direction
    d = rng.standard_normal(5) + (1j * rng.standard_normal(5) if cplx else 0)
    h = 1e-6
    fd = (f.value(x + h * d) - f.value(x - h * d)) / (2 * h)
    np.testing.assert_allclose(fd, np.vdot(f.grad(x), d).real, rtol=1e-6)
    assert LeastSquares(A, b, lipschitz=3.0).lipschitz == 3.0


def test_least_squares_with_scipy_operator(rng):
    A = rng.standard_normal((8, 5))
    b = rng.standard_normal(8)
    f = LeastSquares(spla.aslinearoperator(A), b)
    x = rng.standard_normal(5)
    np.testing.assert_allclose(f.grad(x), A.T @ (A @ x - b))


def test_quadratic_form(rng):
    B = rng.standard_normal((6, 6))
    Q = B.T @ B
    q = rng.standard_normal(6)
    f = QuadraticForm(Q, q)
    x = rng.standard_normal(6)
    np.testing.assert_allclose(f.value(x), 0.5 * x @ Q @ x - q @ x)
    np.testing.assert_allclose(f.grad(x), Q @ x - q)
    np.testing.assert_allclose(f.lipschitz, np.linalg.eigvalsh(Q)[-1], rtol=1e-6)
    res = fista(f, Zero(), np.zeros(6), tol=1e-13, max_iter=100000)
    np.testing.assert_allclose(res.x, np.linalg.solve(Q, q), rtol=1e-6)


def test_x_update_solves_its_subproblem(rng):
    A = rng.standard_normal((12, 7))
    b = rng.standard_normal(12)
    K = rng.standard_normal((9, 7))
    v = rng.standard_normal(9)
    ref = np.linalg.solve(A.T @ A + 2.0 * K.T @ K, A.T @ b + 2.0 * K.T @ v)
    for method in ("cg", "direct"):
        x_up = least_squares_x_update(A, b, K, method=method)
        np.testing.assert_allclose(x_up(v, 2.0), ref, rtol=1e-8)
    matfree = least_squares_x_update(Dense(A.T).H, b, K)  # not explicit
    assert matfree.method == "cg"
    np.testing.assert_allclose(matfree(v, 2.0), ref, rtol=1e-8)


# ------------------------------------------------------------------ bad input
def test_bad_inputs_raise_naming_the_argument(small, proxes):
    A, b = small
    n = A.shape[1]
    l1 = proxes.SoftThreshold(0.1)
    bad_b = b.copy()
    bad_b[0] = np.nan
    with pytest.raises(ValueError, match="b contains NaN"):
        LeastSquares(A, bad_b)
    with pytest.raises(ValueError, match="b must have shape"):
        LeastSquares(A, b[:-1])
    with pytest.raises(ValueError, match="x0 must have shape"):
        fista(LeastSquares(A, b), l1, np.zeros(n + 1))
    with pytest.raises(ValueError, match="step must be > 0"):
        fista(LeastSquares(A, b), l1, np.zeros(n), step=-1.0)
    with pytest.raises(ValueError, match="restart must be one of"):
        fista(LeastSquares(A, b), l1, np.zeros(n), restart="sometimes")
    with pytest.raises(TypeError, match="smooth must have value"):
        fista(A, l1, np.zeros(n))
    with pytest.raises(TypeError, match="prox must be a Prox"):
        fista(LeastSquares(A, b), "l1", np.zeros(n))
    with pytest.raises(ValueError, match="max_iter must be >= 0"):
        fista(LeastSquares(A, b), l1, np.zeros(n), max_iter=-1)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        fista(LeastSquares(A, b), l1, np.zeros(n), tol=-1e-3)
    x_up = least_squares_x_update(A, b)
    for rho in (0.0, -1.0):
        with pytest.raises(ValueError, match="rho must be > 0"):
            admm(x_up, l1, None, np.zeros(n), rho=rho)
    with pytest.raises(ValueError, match="relaxation must be < 2"):
        admm(x_up, l1, None, np.zeros(n), relaxation=2.0)
    with pytest.raises(TypeError, match="x_update must be callable"):
        admm(None, l1, None, np.zeros(n))
    with pytest.raises(ValueError, match="x_update returned shape"):
        admm(lambda v, rho: np.zeros(3), l1, None, np.zeros(n))
    with pytest.raises(ValueError, match="x0 contains NaN"):
        admm(x_up, l1, None, np.full(n, np.nan))
    with pytest.raises(ValueError, match="method must be one of"):
        least_squares_x_update(A, b, method="qr")
    with pytest.raises(ValueError, match="K must act on the same space"):
        least_squares_x_update(A, b, K=np.eye(n + 1))
    hs = proxes.HalfSquaredDistance(b)
    with pytest.raises(ValueError, match="tau must be > 0"):
        chambolle_pock(l1, hs, A, np.zeros(n), tau=-0.1)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        chambolle_pock(l1, hs, A, np.zeros(n), sigma=0.0)
    with pytest.raises(ValueError, match="theta must be <= 1"):
        chambolle_pock(l1, hs, A, np.zeros(n), theta=1.5)
    with pytest.raises(ValueError, match="x0 must have shape"):
        chambolle_pock(l1, hs, A, np.zeros(n + 2))
    with pytest.raises(TypeError, match="K must be a matrix"):
        chambolle_pock(l1, hs, None, np.zeros(n))
    with pytest.raises(TypeError, match="prox_g must provide prox_conjugate"):

        class NoConj:
            def prox(self, x, step):
                return x

        chambolle_pock(l1, NoConj(), A, np.zeros(n))
    with pytest.raises(ValueError, match="A must be square"):
        cg(A, b)
    with pytest.raises(ValueError, match="b contains NaN"):
        cg(A.T @ A, np.full(n, np.nan))
    with pytest.raises(ValueError, match="b must have shape"):
        cg(A.T @ A, np.ones(n + 1))
    with pytest.raises(ValueError, match="y contains NaN"):
        omp(A, bad_b)
    with pytest.raises(ValueError, match="y must have shape"):
        omp(A, b[:3])
    with pytest.raises(ValueError, match="n_nonzero_coefs must be <="):
        omp(A, b, n_nonzero_coefs=n + 1)
    with pytest.raises(ValueError, match="n_nonzero_coefs must be >= 1"):
        omp(A, b, n_nonzero_coefs=0)
    with pytest.raises(TypeError, match="n_nonzero_coefs must be an int"):
        omp(A, b, n_nonzero_coefs=2.5)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        omp(A, b, tol=-1.0)
    with pytest.raises(ValueError, match="A must be 2-dimensional"):
        omp(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="n_nonzero must be <="):
        iht(A, b, n + 1)
    with pytest.raises(ValueError, match="step must be > 0"):
        iht(A, b, 2, step=-0.5)
    with pytest.raises(ValueError, match="y contains NaN"):
        iht(A, bad_b, 2)
    with pytest.raises(TypeError, match="callback must be callable"):
        iht(A, b, 2, callback=3)


def test_backtracking_false_needs_a_step(small, proxes):
    A, b = small
    ls = LeastSquares(A, b)

    class NoLipschitz:
        value = staticmethod(ls.value)
        grad = staticmethod(ls.grad)

    with pytest.raises(ValueError, match="give a step"):
        fista(NoLipschitz(), None, np.zeros(A.shape[1]), backtracking=False)
    res = fista(NoLipschitz(), None, np.zeros(A.shape[1]), backtracking=False,
                step=1.0 / np.linalg.norm(A, 2) ** 2, tol=1e-12, max_iter=10000)
    np.testing.assert_allclose(res.x, np.linalg.lstsq(A, b, rcond=None)[0], rtol=1e-7)


def test_compute_objective_false_records_change(small, proxes):
    A, b = small
    res = fista(LeastSquares(A, b), proxes.SoftThreshold(0.1), np.zeros(A.shape[1]),
                compute_objective=False, backtracking=False, tol=1e-10,
                max_iter=10000)
    assert res.converged and res.history[-1] <= 1e-10
    with pytest.raises(ValueError, match="compute_objective"):
        fista(LeastSquares(A, b), None, np.zeros(A.shape[1]), restart="function",
              compute_objective=False)
