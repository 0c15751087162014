import numpy as np
import pytest
import scipy.sparse as sp
from _ot_problems import assert_potentials_close, marginal_error, random_problem

from sparserecovery.base import ConvergenceWarning
from sparserecovery.transport import _kernels as kern
from sparserecovery.transport import sinkhorn, sinkhorn_newton_sparse


@pytest.mark.parametrize("shape", [(40, 40), (30, 50), (50, 20)])
@pytest.mark.parametrize("kind", ["sq", "uniform"])
def test_matches_pot(shape, kind):
    ot = pytest.importorskip("ot")
    a, b, M = random_problem(*shape, seed=11, kind=kind)
    reg = 0.02
    res = sinkhorn_newton_sparse(a, b, M, reg, tol=1e-13)
    P_ref, log = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", stopThr=1e-15,
                             numItermax=100000, log=True)
    assert res.converged and res.marginal_error <= 1e-13
    np.testing.assert_allclose(res.plan, P_ref, rtol=1e-8, atol=1e-12)
    assert_potentials_close(*res.potentials, reg * log["log_u"], reg * log["log_v"],
                            atol=1e-8)
    assert res.marginal_error == pytest.approx(marginal_error(res.plan, a, b),
                                               abs=1e-15)
    P = res.plan
    assert res.value_linear == pytest.approx(np.sum(M * P), rel=1e-12)
    assert res.value == pytest.approx(np.sum(M * P) + reg * np.sum(P * np.log(P)),
                                      rel=1e-10)


def test_machine_precision_random_assignment():
    # the paper's random-assignment case, at a small size
    rng = np.random.default_rng(0)
    M = rng.random((100, 100))
    res = sinkhorn_newton_sparse(None, None, M, 1 / 1200, tol=1e-12)
    assert res.converged and res.marginal_error <= 1e-12
    assert res.n_iter["sinkhorn"] == 20 and res.n_iter["newton"] <= 40
    assert res.history.size == res.n_iter_total
    assert np.all(np.isfinite(res.plan))
    # a plain Sinkhorn budget of the same size is nowhere near
    with pytest.warns(ConvergenceWarning):
        slow = sinkhorn(None, None, M, 1 / 1200, max_iter=res.n_iter_total,
                        method="stabilized")
    assert slow.marginal_error > 1e3 * res.marginal_error


def test_small_reg_no_nan():
    rng = np.random.default_rng(1)
    M = rng.random((60, 45))
    a = rng.random(60) + 0.1
    b = rng.random(45) + 0.1
    res = sinkhorn_newton_sparse(a / a.sum(), b / b.sum(), M, 1e-4, tol=1e-11,
                                 max_iter=200)
    assert res.converged and res.marginal_error <= 1e-11
    assert np.all(np.isfinite(res.plan)) and np.all(res.plan >= 0)
    assert all(np.all(np.isfinite(p)) for p in res.potentials)
    assert np.isfinite(res.value) and np.isfinite(res.value_linear)


def test_reg_to_zero_approaches_emd():
    ot = pytest.importorskip("ot")
    a, b, M = random_problem(30, 25, seed=12)
    emd = ot.emd2(a, b, M)
    gaps = []
    warm = None
    for reg in (1e-1, 1e-2, 1e-3, 1e-4):
        res = sinkhorn_newton_sparse(a, b, M, reg, tol=1e-12, warm_start=warm,
                                     max_iter=300)
        assert res.converged
        warm = res.potentials
        gaps.append(res.value_linear - emd)
    assert all(g >= -1e-12 for g in gaps)  # the entropic plan is feasible
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-3 * emd


def test_float32():
    a, b, M = random_problem(40, 30, seed=13)
    ref = sinkhorn_newton_sparse(a, b, M, 0.01, tol=1e-13)
    res = sinkhorn_newton_sparse(a, b, M.astype(np.float32), 0.01, tol=1e-10)
    assert res.plan.dtype == np.float32
    assert all(p.dtype == np.float32 for p in res.potentials)
    assert res.converged and res.marginal_error < 1e-6
    np.testing.assert_allclose(res.plan, ref.plan, rtol=1e-4, atol=1e-7)
    assert res.value_linear == pytest.approx(ref.value_linear, rel=1e-5)


def test_sparse_plan_zero_mass_and_stages():
    a, b, M = random_problem(30, 20, seed=14)
    a[4] = 0.0
    a /= a.sum()
    dense = sinkhorn_newton_sparse(a, b, M, 0.002, tol=1e-12)
    sres = sinkhorn_newton_sparse(a, b, M, 0.002, tol=1e-12, plan_format="sparse")
    assert sp.issparse(sres.plan) and sres.plan.shape == (30, 20)
    thr = 1e-16 / M.size  # default threshold: drops < 1e-16 of the mass
    assert sres.plan.nnz == np.count_nonzero(dense.plan > thr) < M.size
    np.testing.assert_allclose(sres.plan.toarray(), dense.plan, atol=1e-15)
    assert np.all(dense.plan[4] == 0) and np.isneginf(dense.potentials[0][4])
    assert sres.marginal_error < 1e-12
    # timings and per-step information
    assert set(dense.timings) >= {"sinkhorn", "newton", "total"}
    n_newton = dense.n_iter["newton"]
    assert dense.info["cg_iter"].shape == (n_newton,)
    assert np.all(dense.info["step"] > 0) and np.all(dense.info["hessian_nnz"] > 0)


def test_early_stop_in_sinkhorn_stage_and_pure_newton():
    a, b, M = random_problem(20, 20, seed=15)
    easy = sinkhorn_newton_sparse(a, b, M, 5.0, tol=1e-9)
    assert easy.converged and easy.n_iter["newton"] == 0
    assert easy.n_iter["sinkhorn"] < 20
    newton_only = sinkhorn_newton_sparse(a, b, M, 0.05, n_sinkhorn=0, tol=1e-12)
    assert newton_only.converged and newton_only.n_iter["sinkhorn"] == 0
    warm = sinkhorn_newton_sparse(a, b, M, 0.05, tol=1e-12,
                                  warm_start=newton_only.potentials)
    assert warm.n_iter_total <= 2


def test_convergence_warning():
    a, b, M = random_problem(30, 30, seed=16, kind="uniform")
    with pytest.warns(ConvergenceWarning, match="did not converge in max_iter=1"):
        res = sinkhorn_newton_sparse(a, b, M, 1e-3, n_sinkhorn=2, max_iter=1)
    assert not res.converged and res.n_iter == {"sinkhorn": 2, "newton": 1}


def test_density_budget_changes_kept_entries():
    a, b, M = random_problem(40, 40, seed=17)
    lean = sinkhorn_newton_sparse(a, b, M, 1e-3, tol=1e-12)
    rich = sinkhorn_newton_sparse(a, b, M, 1e-3, tol=1e-12, density=0.25)
    assert lean.converged and rich.converged
    assert rich.info["hessian_nnz"].max() >= 400 > lean.info["hessian_nnz"][0]
    np.testing.assert_allclose(rich.plan, lean.plan, atol=1e-13)


# --- the dual potential, its gradient and Hessian vs finite differences ----------


def _phi(f, g, a, b, M, reg):
    return a @ f + b @ g - reg * np.exp((f[:, None] + g[None] - M) / reg).sum()


def _setup(seed=18, n=7, m=5, reg=0.3):
    a, b, M = random_problem(n, m, seed=seed)
    rng = np.random.default_rng(seed)
    return a, b, M, reg, 0.1 * rng.standard_normal(n), 0.1 * rng.standard_normal(m)


def _gradient(a, b, M, reg, f, g):
    n, m = M.shape
    r, c = np.empty(n), np.empty(m)
    hist = np.empty(kern.N_BINS, dtype=np.int64)
    z = np.zeros(max(n, m))
    kern.log_pass(M, f, g, reg, z[:n], z[:m], z[:n], z[:m], r, c, hist, 0.0,
                  np.empty((1, 1)), False)
    return np.concatenate([a - r, b - c])


def test_gradient_matches_finite_differences():
    a, b, M, reg, f, g = _setup()
    n = f.size
    grad = _gradient(a, b, M, reg, f, g)
    h = 1e-6
    fd = np.empty_like(grad)
    for k in range(grad.size):
        e = np.zeros(grad.size)
        e[k] = h
        fd[k] = (_phi(f + e[:n], g + e[n:], a, b, M, reg)
                 - _phi(f - e[:n], g - e[n:], a, b, M, reg)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)


def test_hessian_matches_finite_differences():
    a, b, M, reg, f, g = _setup()
    n, m = M.shape
    P = np.exp((f[:, None] + g[None] - M) / reg)
    S = sp.csr_array(P)
    d = np.random.default_rng(0).standard_normal(n + m)
    out = np.empty(n + m)
    kern._hess_matvec(S.indptr.astype(np.int64), S.indices.astype(np.int64),
                      S.data, P.sum(1), P.sum(0), np.zeros(n), np.zeros(m), d, out)
    h = 1e-6
    fd = (_gradient(a, b, M, reg, f + h * d[:n], g + h * d[n:])
          - _gradient(a, b, M, reg, f - h * d[:n], g - h * d[n:])) / (2 * h)
    # grad Phi = (a - P1, b - P^T 1), Hessian = -(1/reg) [[D_r, P], [P^T, D_c]]
    np.testing.assert_allclose(-out / reg, fd, rtol=1e-6, atol=1e-9)
    # the null direction (1, -1)
    v = np.concatenate([np.ones(n), -np.ones(m)])
    kern._hess_matvec(S.indptr.astype(np.int64), S.indices.astype(np.int64),
                      S.data, P.sum(1), P.sum(0), np.zeros(n), np.zeros(m), v, out)
    np.testing.assert_allclose(out, 0.0, atol=1e-15)


def test_rank_one_correction_keeps_marginals_and_null_direction():
    a, b, M, reg, f, g = _setup(n=9, m=6)
    n, m = M.shape
    P = np.exp((f[:, None] + g[None] - M) / reg)
    S = sp.csr_array(np.where(P > np.median(P), P, 0.0))
    ip, ix = S.indptr.astype(np.int64), S.indices.astype(np.int64)
    sr, sc = np.empty(n), np.empty(m)
    kern.dropped_sums(ip, ix, S.data, P.sum(1), P.sum(0), sr, sc)
    np.testing.assert_allclose(sr, P.sum(1) - S.sum(1), atol=1e-15)
    np.testing.assert_allclose(sc, P.sum(0) - S.sum(0), atol=1e-15)
    v = np.concatenate([np.ones(n), -np.ones(m)])
    out = np.empty(n + m)
    kern._hess_matvec(ip, ix, S.data, P.sum(1), P.sum(0), sr, sc, v, out)
    np.testing.assert_allclose(out, 0.0, atol=1e-14)
    # the sparsified matrix solves by projected CG to the requested residual
    rhs = _gradient(a, b, M, reg, f, g)
    z = np.empty(n + m)
    R = np.outer(sr, sc) / sr.sum()
    A = np.block([[np.diag(P.sum(1)), S.toarray() + R],
                  [(S.toarray() + R).T, np.diag(P.sum(0))]])
    proj = np.eye(n + m) - np.outer(v, v) / (n + m)
    for shift in (0.0, 1e-3):
        it, rel = kern.hessian_cg(ip, ix, S.data, P.sum(1), P.sum(0), sr, sc, shift,
                                  rhs, z, 1e-12, 200, np.empty((4, n + m)))
        assert rel <= 1e-12 and abs(z[:n].sum() - z[n:].sum()) < 1e-12
        A_shift = A + shift * np.diag(np.diag(A))
        z_ref = proj @ np.linalg.lstsq(A_shift, rhs, rcond=1e-13)[0]
        np.testing.assert_allclose(z, z_ref, rtol=1e-8, atol=1e-8)


def test_line_search_gain_is_exact():
    a, b, M, reg, f, g = _setup()
    n, m = M.shape
    rng = np.random.default_rng(3)
    P = np.exp((f[:, None] + g[None] - M) / reg)
    r, c = P.sum(1), P.sum(0)
    for scale in (1e-7, 1e-3, 0.5):
        xs, ys = scale * rng.standard_normal(n), scale * rng.standard_normal(m)
        wa, wb = -np.expm1(-xs), -np.expm1(-ys)
        r2, c2 = np.empty(n), np.empty(m)
        hist = np.empty(kern.N_BINS, dtype=np.int64)
        _, cross = kern.scaled_pass(P, np.exp(xs), np.exp(ys), np.exp(xs) * wa,
                                    np.exp(ys) * wb, np.ones(n), np.ones(m), r2, c2,
                                    hist, np.inf)
        gain = ((a - r) @ xs + (b - c) @ ys - kern.phi2_sum(r, xs)
                - kern.phi2_sum(c, ys) - cross)
        exact = (_phi(f + reg * xs, g + reg * ys, a, b, M, reg)
                 - _phi(f, g, a, b, M, reg)) / reg
        assert gain == pytest.approx(exact, rel=1e-6 if scale > 1e-6 else 1e-2)


def test_results_without_jit():
    """NUMBA_DISABLE_JIT=1 (pure-Python kernels) gives the same plans."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, numpy as np\n"
        "from sparserecovery.transport import sinkhorn, sinkhorn_newton_sparse\n"
        "M = np.random.default_rng(0).random((6, 5))\n"
        "out = [sinkhorn_newton_sparse(None, None, M, 0.02, tol=1e-13).plan,\n"
        "       sinkhorn_newton_sparse(None, None, M, 1e-4, tol=1e-12).plan,\n"
        "       sinkhorn(None, None, M, 0.02, tol=1e-13).plan]\n"
        "print(json.dumps([p.tolist() for p in out]))\n"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c",
                           code], capture_output=True, text=True, env=env,
                          check=True, timeout=300)
    plans = [np.array(p) for p in json.loads(proc.stdout)]
    M = np.random.default_rng(0).random((6, 5))
    ref = [sinkhorn_newton_sparse(None, None, M, 0.02, tol=1e-13).plan,
           sinkhorn_newton_sparse(None, None, M, 1e-4, tol=1e-12).plan,
           sinkhorn(None, None, M, 0.02, tol=1e-13).plan]
    for p, q in zip(plans, ref, strict=True):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
