"""FISTA, ADMM and Chambolle-Pock against cvxpy (CLARABEL) on small problems."""

import warnings

import numpy as np
import pytest

from sparserecovery.base import ConvergenceWarning
from sparserecovery.operators import aslinearoperator
from sparserecovery.solvers import (
    LeastSquares,
    QuadraticForm,
    admm,
    chambolle_pock,
    fista,
    ista,
    least_squares_x_update,
)

RTOL = 1e-5


# --------------------------------------------------------------------- FISTA
@pytest.mark.parametrize("restart", ["adaptive", "function", None])
def test_fista_lasso(problems, proxes, rel_error, restart):
    p = problems.lasso
    res = fista(
        LeastSquares(p.A, p.b), proxes.SoftThreshold(p.lam), np.zeros(p.A.shape[1]),
        restart=restart, tol=1e-12, max_iter=20000,
    )
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL
    assert res.history.shape == (res.n_iter,)


def test_fista_lasso_operator_without_lipschitz(problems, proxes, rel_error):
    """A plain smooth object (no lipschitz) forces the backtracking path."""
    p = problems.lasso
    ls = LeastSquares(p.A, p.b)

    class Smooth:
        def value(self, x):
            return ls.value(x)

        def grad(self, x):
            return ls.grad(x)

    res = fista(Smooth(), proxes.SoftThreshold(p.lam), np.zeros(p.A.shape[1]),
                tol=1e-12, max_iter=20000)
    assert rel_error(res.x, p.x_ref) < RTOL
    assert res.info["step"] > 0


def test_fista_backtracking_shrinks_a_too_large_step(problems, proxes, rel_error):
    p = problems.lasso
    L = np.linalg.norm(p.A, 2) ** 2
    res = fista(LeastSquares(p.A, p.b), proxes.SoftThreshold(p.lam),
                np.zeros(p.A.shape[1]), step=64.0 / L, tol=1e-12, max_iter=20000)
    assert res.info["n_backtracks"] > 0
    assert res.info["step"] < 64.0 / L
    assert rel_error(res.x, p.x_ref) < RTOL


def test_fista_complex_lasso(problems, proxes, rel_error):
    p = problems.lasso_complex
    res = fista(LeastSquares(p.A, p.b), proxes.SoftThreshold(p.lam),
                np.zeros(p.A.shape[1]), tol=1e-12, max_iter=20000)
    assert np.iscomplexobj(res.x)
    assert rel_error(res.x, p.x_ref) < RTOL


def test_fista_tv_dual(problems, proxes, rel_error):
    """TV denoising through FISTA on the dual: min_p 0.5||D^T p - b||^2, |p_i|<=lam."""
    p = problems.tv
    DT = aslinearoperator(p.D).H
    res = fista(LeastSquares(DT, p.b), proxes.GroupBall(p.lam),
                np.zeros(p.D.shape[0]), tol=1e-13, max_iter=50000)
    x = p.b - p.D.T @ res.x
    assert rel_error(x, p.x_ref) < RTOL


@pytest.mark.parametrize("case", ["box", "nonneg"])
def test_fista_constrained_ls(problems, proxes, rel_error, case):
    p = getattr(problems, case)
    res = fista(LeastSquares(p.A, p.b), proxes.Box(p.lo, p.hi),
                np.zeros(p.A.shape[1]), tol=1e-12, max_iter=20000)
    assert rel_error(res.x, p.x_ref) < RTOL
    assert res.x.min() >= p.lo and res.x.max() <= p.hi


def test_ista_lasso_monotone(problems, proxes, rel_error):
    p = problems.lasso
    res = ista(LeastSquares(p.A, p.b), proxes.SoftThreshold(p.lam),
               np.zeros(p.A.shape[1]), tol=1e-12, max_iter=50000)
    assert rel_error(res.x, p.x_ref) < 1e-4
    h = res.history
    assert np.all(np.diff(h) <= 1e-12 * abs(h[0]))


def test_fista_function_restart_is_monotone(problems, proxes):
    p = problems.lasso
    res = fista(LeastSquares(p.A, p.b), proxes.SoftThreshold(p.lam),
                np.zeros(p.A.shape[1]), restart="function", tol=1e-10,
                max_iter=5000)
    h = res.history
    assert np.all(np.diff(h) <= 1e-12 * abs(h[0]))
    assert h[-1] <= res.info["initial_objective"]
    assert res.info["n_restarts"] > 0


def test_fista_adaptive_restart_helps_and_decreases(problems, proxes):
    p = problems.lasso
    args = (LeastSquares(p.A, p.b), proxes.SoftThreshold(p.lam),
            np.zeros(p.A.shape[1]))
    with_restart = fista(*args, tol=1e-10, max_iter=20000)
    plain = fista(*args, restart=None, tol=1e-10, max_iter=20000)
    assert with_restart.info["n_restarts"] > 0
    assert with_restart.n_iter < plain.n_iter
    assert with_restart.history[-1] <= with_restart.info["initial_objective"]
    assert with_restart.history[-1] <= with_restart.history.min() + 1e-12


def test_fista_quadratic_form_matches_least_squares(problems, proxes, rel_error):
    """QuadraticForm(A^T A, A^T b) is the least-squares objective up to a constant."""
    p = problems.box
    Q = p.A.T @ p.A
    res = fista(QuadraticForm(Q, p.A.T @ p.b), proxes.Box(p.lo, p.hi),
                np.zeros(p.A.shape[1]), tol=1e-12, max_iter=20000)
    assert rel_error(res.x, p.x_ref) < RTOL


def test_fista_structured_x0_keeps_shape(problems, proxes, rel_error):
    """An operator on images: x keeps its 2-D shape throughout."""
    p = problems.tv
    from sparserecovery.operators import Identity

    f = LeastSquares(Identity(p.shape), p.b.reshape(p.shape))
    res = fista(f, proxes.Box(0.0, 1.0), np.zeros(p.shape), tol=1e-12)
    assert res.x.shape == p.shape
    np.testing.assert_allclose(res.x, np.clip(p.b.reshape(p.shape), 0, 1), atol=1e-10)


# --------------------------------------------------------------------- ADMM
def test_admm_lasso(problems, proxes, rel_error):
    p = problems.lasso
    x_up = least_squares_x_update(p.A, p.b, method="cg")
    res = admm(x_up, proxes.SoftThreshold(p.lam), None, np.zeros(p.A.shape[1]),
               rho=10.0, tol=1e-9, max_iter=20000)
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL
    assert x_up.n_cg_iter > 0 and x_up.n_cg_unconverged == 0
    assert res.info["primal_residual"].shape == (res.n_iter,)


@pytest.mark.parametrize(
    ("method", "relaxation"), [("direct", 1.0), ("direct", 1.6), ("cg", 1.6)]
)
def test_admm_tv(problems, proxes, rel_error, method, relaxation):
    p = problems.tv
    N = p.b.size
    K = aslinearoperator(p.D)
    x_up = least_squares_x_update(np.eye(N), p.b, K=K, method=method)
    res = admm(x_up, proxes.GroupL2(p.lam), K, np.zeros(N), rho=1.0,
               relaxation=relaxation, tol=1e-8, max_iter=20000)
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL
    assert x_up.method == method


@pytest.mark.parametrize("case", ["box", "nonneg"])
def test_admm_constrained_ls(problems, proxes, rel_error, case):
    p = getattr(problems, case)
    x_up = least_squares_x_update(p.A, p.b)
    res = admm(x_up, proxes.Box(p.lo, p.hi), None, np.zeros(p.A.shape[1]),
               rho=10.0, adaptive_rho=True, tol=1e-10, max_iter=20000)
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL
    z = res.info["z"]
    assert z.min() >= p.lo and z.max() <= p.hi


def test_admm_adaptive_rho_changes_rho(problems, proxes, rel_error):
    p = problems.lasso
    res = admm(least_squares_x_update(p.A, p.b), proxes.SoftThreshold(p.lam), None,
               np.zeros(p.A.shape[1]), rho=1e-3, adaptive_rho=True, tol=1e-10,
               max_iter=20000)
    assert res.info["rho"] != 1e-3
    assert rel_error(res.x, p.x_ref) < RTOL


def test_admm_custom_x_update_closed_form(problems, proxes, rel_error):
    """f = 0.5||x - b||^2 with K = I has x = (b + rho v) / (1 + rho)."""
    p = problems.box
    b = p.b[: p.A.shape[1]]
    res = admm(lambda v, rho: (b + rho * v) / (1.0 + rho), proxes.Box(0.0, 0.4),
               None, np.zeros_like(b), tol=1e-12, max_iter=5000)
    np.testing.assert_allclose(res.x, np.clip(b, 0.0, 0.4), atol=1e-10)


# ------------------------------------------------------------ Chambolle-Pock
def test_cp_lasso(problems, proxes, rel_error):
    p = problems.lasso
    res = chambolle_pock(proxes.SoftThreshold(p.lam), proxes.HalfSquaredDistance(p.b),
                         p.A, np.zeros(p.A.shape[1]), tol=1e-8, max_iter=50000)
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL
    # the dual variable is the residual at the solution
    np.testing.assert_allclose(res.info["y"], p.A @ res.x - p.b, atol=1e-6)


@pytest.mark.parametrize("relaxation", [1.0, 1.7])
def test_cp_tv(problems, proxes, rel_error, relaxation):
    p = problems.tv
    res = chambolle_pock(proxes.HalfSquaredDistance(p.b), proxes.GroupL2(p.lam),
                         aslinearoperator(p.D), np.zeros(p.b.size),
                         relaxation=relaxation, tol=1e-8, max_iter=50000)
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL


def test_cp_tv_with_explicit_steps(problems, proxes, rel_error):
    p = problems.tv
    L2 = 8.0  # ||D||^2 <= 8 for 2-D forward differences
    res = chambolle_pock(proxes.HalfSquaredDistance(p.b), proxes.GroupL2(p.lam),
                         p.D, np.zeros(p.b.size), tau=0.05, sigma=0.99 / (0.05 * L2),
                         tol=1e-8, max_iter=50000)
    assert res.info["tau"] == 0.05
    assert rel_error(res.x, p.x_ref) < RTOL


@pytest.mark.parametrize("case", ["box", "nonneg"])
def test_cp_constrained_ls(problems, proxes, rel_error, case):
    p = getattr(problems, case)
    res = chambolle_pock(proxes.Box(p.lo, p.hi), proxes.HalfSquaredDistance(p.b),
                         p.A, np.zeros(p.A.shape[1]), tol=1e-8, max_iter=50000)
    assert res.converged
    assert rel_error(res.x, p.x_ref) < RTOL
    assert res.x.min() >= p.lo and res.x.max() <= p.hi


def test_cp_default_steps_satisfy_condition(problems, proxes):
    p = problems.lasso
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = chambolle_pock(proxes.SoftThreshold(p.lam),
                             proxes.HalfSquaredDistance(p.b), p.A,
                             np.zeros(p.A.shape[1]), sigma=0.1, max_iter=2)
    L = np.linalg.norm(p.A, 2)
    assert res.info["sigma"] == 0.1
    assert res.info["tau"] * res.info["sigma"] * L**2 < 1.0
