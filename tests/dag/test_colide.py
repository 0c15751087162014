"""CoLiDE: gradient, domain test, Adam loop, DAG guarantee, recovery, errors."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from sparserecovery.base import ConvergenceWarning
from sparserecovery.dag import (
    CoLiDE,
    _kernels,
    colide,
    colide_objective,
    count_accuracy,
    is_dag,
)
from sparserecovery.datasets._sem import make_linear_sem


def _cov(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


@pytest.mark.parametrize("equal", [True, False])
def test_objective_gradient_matches_finite_differences(equal, rng):
    d = 7
    X, _ = make_linear_sem(d, 300, degree=2, heteroscedastic=True, random_state=0)
    C = _cov(X)
    W = rng.uniform(-0.4, 0.4, (d, d))
    np.fill_diagonal(W, 0)
    sigma = 1.3 if equal else rng.uniform(0.5, 2.0, d)
    kw = {"mu": 0.3, "s": 0.9, "alpha": 0.05, "equal_variance": equal}
    value, grad = colide_objective(W, C, sigma, **kw)
    h = 1e-6
    fd = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            if i != j:
                E = np.zeros((d, d))
                E[i, j] = h
                fp = colide_objective(W + E, C, sigma, **kw)[0]
                fm = colide_objective(W - E, C, sigma, **kw)[0]
                fd[i, j] = (fp - fm) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-6 * np.abs(fd).max())
    assert np.all(np.diag(grad) == 0)
    # The value itself, computed the long way.
    R = (np.eye(d) - W).T @ C @ (np.eye(d) - W)
    if equal:
        score = np.trace(R) / (2 * sigma) + d * sigma / 2
    else:
        score = np.sum(np.diag(R) / (2 * sigma) + sigma / 2)
    h_val = -np.log(np.linalg.det(0.9 * np.eye(d) - W * W)) + d * np.log(0.9)
    assert value == pytest.approx(0.3 * (score + 0.05 * np.abs(W).sum()) + h_val)


@pytest.mark.parametrize("d", [5, 40, 70])
def test_m_matrix_inverse_and_domain_test(d, rng):
    """sI - A (A >= 0) is a nonsingular M-matrix iff rho(A) < s; then inverse >= 0."""
    for trial in range(6):
        A = rng.uniform(0, 1, (d, d)) * (rng.random((d, d)) < 0.3)
        rho = np.max(np.abs(np.linalg.eigvals(A)))
        s = rho * (0.9 if trial % 2 else 1.1)  # outside, inside
        M = s * np.eye(d) - A
        ok, inv = _kernels.m_matrix_inverse(M, np.empty(d), np.empty(d))
        assert ok == (s > rho)
        if ok:
            np.testing.assert_allclose(inv, np.linalg.inv(M), rtol=1e-9,
                                       atol=1e-12 * np.abs(inv).max())
            assert inv.min() >= 0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_adam_iterations_match_a_numpy_reference():
    """Three iterations of the kernel against Adam written out in numpy."""
    X, _ = make_linear_sem(6, 200, degree=2, random_state=1)
    C = _cov(X)
    lr, b1, b2, alpha = 0.05, 0.9, 0.99, 0.05
    for equal in (True, False):
        res = colide(X, variance="equal" if equal else "non-equal", alpha=alpha,
                     rescale=False,
                     s=(1.0,), max_iter=3, checkpoint=1, tol=0.0, learning_rate=lr,
                     beta1=b1, beta2=b2, threshold=0.0)
        W = np.zeros((6, 6))
        m = np.zeros_like(W)
        v = np.zeros_like(W)
        for t in range(1, 4):
            r = np.diag((np.eye(6) - W).T @ C @ (np.eye(6) - W))
            sigma = np.sqrt(r.mean()) if equal else np.sqrt(r)
            _, g = colide_objective(W, C, sigma, mu=1.0, s=1.0, alpha=alpha,
                                    equal_variance=equal)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            W = W - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
        np.testing.assert_allclose(res.weights, W, rtol=1e-10, atol=1e-12)
        assert res.n_iter == 3 and res.history.shape == (3,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_noise_scale_is_the_closed_form_of_the_weights():
    # Without the order search; with it, see test_order_search.py.
    X, _ = make_linear_sem(8, 300, degree=2, heteroscedastic=True, random_state=4)
    C = _cov(X)
    for variance in ("equal", "non-equal"):
        model = CoLiDE(variance=variance, warm_iter=500, max_iter=500,
                       refine=False).fit(X)
        I_W = np.eye(8) - model.weights_
        r = np.diag(I_W.T @ C @ I_W)
        expected = np.sqrt(r.mean()) if variance == "equal" else np.sqrt(r)
        np.testing.assert_allclose(model.noise_scale_, expected, rtol=1e-10)
        assert np.ndim(model.noise_scale_) == (0 if variance == "equal" else 1)
        res = model.result_  # the estimator's attributes are its result's
        assert res.weights is model.weights_ and res.n_iter == model.n_iter_
        assert res.refine_time == 0.0 and res.time > 0.0


def test_adjacency_is_a_dag_when_thresholding_is_not_enough():
    # A large step and few iterations leave strong two-way edges.
    X, _ = make_linear_sem(10, 200, degree=4, random_state=2)
    model = CoLiDE(s=(1.0,), max_iter=60, learning_rate=0.05, alpha=0.0,
                   threshold=0.05, refine=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
        refined = clone(model).set_params(refine=True).fit(X)
    thresholded = np.where(np.abs(model.weights_) > 0.05, model.weights_, 0)
    assert not is_dag(thresholded)
    assert is_dag(model.adjacency_)
    kept = model.adjacency_ != 0
    np.testing.assert_array_equal(model.adjacency_[kept], model.weights_[kept])
    # The order search starts from the same continuous solution.
    np.testing.assert_array_equal(refined.weights_, model.weights_)
    assert is_dag(refined.adjacency_)
    assert refined.order_ is not None and model.order_ is None


def test_recovers_small_graph_and_noise_scale():
    X, W, std = make_linear_sem(10, 500, degree=2, noise_scale=1.5,
                                return_noise_scale=True, random_state=1)
    model = CoLiDE().fit(X)
    assert count_accuracy(W, model.adjacency_)["shd"] == 0
    assert model.noise_scale_ == pytest.approx(1.5, rel=0.05)
    assert model.n_iter_ == len(model.objective_history_) * 1000
    # The same alpha after scaling the noise variance by 10 (which scales X):
    # with rescale=True the fit is the same up to rounding.
    model10 = CoLiDE().fit(X * np.sqrt(10))
    np.testing.assert_allclose(model10.adjacency_, model.adjacency_, atol=1e-6)
    assert model10.noise_scale_ == pytest.approx(model.noise_scale_ * np.sqrt(10))


def test_non_equal_variance_estimates_each_scale():
    X, W, std = make_linear_sem(10, 500, degree=2, heteroscedastic=True,
                                return_noise_scale=True, random_state=1)
    model = CoLiDE(variance="non-equal").fit(X)
    assert count_accuracy(W, model.adjacency_)["shd"] <= 1
    np.testing.assert_allclose(model.noise_scale_, std, rtol=0.1)


def test_deterministic():
    X, _ = make_linear_sem(6, 100, degree=2, random_state=3)
    model = CoLiDE(warm_iter=300, max_iter=300, checkpoint=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = clone(model).fit(X)
        b = clone(model).fit(X)
        c = clone(model).fit(np.asfortranarray(X))
    np.testing.assert_array_equal(a.weights_, b.weights_)
    np.testing.assert_array_equal(a.objective_history_, b.objective_history_)
    # Another memory layout may change BLAS rounding, nothing more.
    np.testing.assert_allclose(a.weights_, c.weights_, rtol=1e-9, atol=1e-12)

@pytest.mark.parametrize("refine", [False, True])
def test_result_does_not_depend_on_the_blas_thread_count(refine):
    # Without the fit's own one-thread limit, X^T X and the central path's
    # products differ in the last bits between 1 and 2 BLAS threads here,
    # and with the order search the adjacency too.
    from threadpoolctl import threadpool_limits

    X, _ = make_linear_sem(100, 1000, degree=4, heteroscedastic=True, random_state=0)
    fits = []
    for threads in (1, 2):
        with threadpool_limits(threads), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits.append(colide(X, variance="non-equal", s=(1.0,), max_iter=200,
                               refine=refine))
    np.testing.assert_array_equal(fits[0].weights, fits[1].weights)
    np.testing.assert_array_equal(fits[0].adjacency, fits[1].adjacency)
    np.testing.assert_array_equal(fits[0].noise_scale, fits[1].noise_scale)



def test_single_variable_is_the_trivial_graph():
    X = np.random.default_rng(0).normal(2.0, 3.0, (50, 1))
    model = CoLiDE().fit(X)
    np.testing.assert_array_equal(model.adjacency_, [[0.0]])
    assert model.noise_scale_ == pytest.approx(X.std())
    assert model.n_iter_ == 0


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.c_[np.arange(5.0), np.ones(5), np.arange(5.0) ** 2], "constant column"),
        (np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]), "NaN"),
        (np.ones((1, 3)), "1 sample"),
        (np.ones((3, 0)), "feature"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        CoLiDE().fit(X)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"variance": "unequal"}, "variance"),
        ({"alpha": -1.0}, "alpha"),
        ({"s": ()}, "s must hold"),
        ({"s": (1.0, -0.5)}, "s must be"),
        ({"max_iter": -1}, "max_iter"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"threshold": -0.1}, "threshold"),
    ],
)
def test_bad_parameters(params, match):
    X, _ = make_linear_sem(4, 30, random_state=0)
    with pytest.raises(ValueError, match=match):
        CoLiDE(**params).fit(X)
    with pytest.raises(TypeError, match="sequence"):
        CoLiDE(s=0.9).fit(X)


def test_convergence_warning_and_stage_restart():
    X, _ = make_linear_sem(6, 100, degree=2, random_state=5)
    with pytest.warns(ConvergenceWarning, match="max_iter=5"):
        CoLiDE(warm_iter=5, max_iter=5).fit(X)
    # A stage that starts outside the domain of h(.; s) is retried with s + 0.1.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = colide(X, s=(1.0, 0.05), warm_iter=3000, max_iter=200, tol=0.0)
    assert res.s[0] == 1.0 and res.s[1] > 0.05
    assert is_dag(res.adjacency)


def test_stage_settles_when_adam_circles_the_minimiser():
    # Heteroscedastic ER4, d = 15: at a constant step size the last stage's
    # objective rises and falls between checkpoints and never meets tol in
    # its 70000 iterations; halving the step whenever the objective rose
    # lets it settle (here in 19000).
    X, _ = make_linear_sem(15, 500, graph="ER", degree=4, heteroscedastic=True,
                           random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = colide(X, variance="non-equal", n_jobs=1, refine=False,
                     init="zeros")
    assert res.converged and res.refine_time == 0.0 and res.order is None
    assert res.n_iter_stages[-1] < 70000
    last = res.history[res.history_stage == res.history_stage.max()]
    assert np.any(np.diff(last) > 0)  # the halving was exercised
    assert last[-1] <= last.min() * (1 + 1e-5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_progress_bar(capsys):
    X, _ = make_linear_sem(4, 50, random_state=0)
    CoLiDE(verbose=True, warm_iter=200, max_iter=200, checkpoint=100).fit(X)
    assert "CoLiDE" in capsys.readouterr().err


def test_without_jit_gives_the_same_result():
    # d = 34 also exercises the block (Schur complement) inverse.
    kw = {"s": (1.0, 0.9), "warm_iter": 10, "max_iter": 10, "checkpoint": 5}
    code = (
        "import numpy as np;"
        "from sparserecovery.dag import colide;"
        "from sparserecovery.datasets._sem import make_linear_sem;"
        "X, _ = make_linear_sem(34, 100, degree=2, random_state=0);"
        f"r = colide(X, **{kw!r});"
        "print(repr(r.weights.tolist()))"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONWARNINGS="ignore")
    no_jit = subprocess.run([sys.executable, "-c", code], env=env,
                            capture_output=True, text=True, check=True).stdout
    X, _ = make_linear_sem(34, 100, degree=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        jit = colide(X, **kw).weights
    np.testing.assert_allclose(np.array(eval(no_jit)), jit, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("d", [20, 70])
def test_float32_m_matrix_inverse(d, rng):
    """The float32 inverse (used from _FLOAT32_INVERSE_MIN_D on) is accurate."""
    for trial in range(4):
        A = rng.uniform(0, 1, (d, d)) * (rng.random((d, d)) < 0.3)
        rho = np.max(np.abs(np.linalg.eigvals(A)))
        s = rho * (0.9 if trial % 2 else 1.1)
        M = s * np.eye(d) - A
        work = np.empty(d, dtype=np.float32), np.empty(d, dtype=np.float32)
        ok, inv = _kernels.m_matrix_inverse(M.astype(np.float32), *work)
        assert ok == (s > rho)
        if ok:
            assert inv.dtype == np.float32
            ref = np.linalg.inv(M)
            np.testing.assert_allclose(inv, ref, atol=1e-5 * np.abs(ref).max())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_inverse_path_follows_the_float64_path(monkeypatch):
    from sparserecovery.dag import _colide

    X, _ = make_linear_sem(12, 200, degree=2, heteroscedastic=True, random_state=6)
    kw = {"s": (1.0, 0.9), "warm_iter": 100, "max_iter": 100, "checkpoint": 50,
          "variance": "non-equal"}
    ref = colide(X, **kw)
    monkeypatch.setattr(_colide, "_FLOAT32_INVERSE_MIN_D", 2)
    low = colide(X, **kw)
    assert not np.array_equal(low.weights, ref.weights)  # the float32 path ran
    np.testing.assert_allclose(low.weights, ref.weights, atol=1e-9)
    np.testing.assert_allclose(low.noise_scale, ref.noise_scale, rtol=1e-9)
    assert low.n_iter == ref.n_iter


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_default_path_has_one_more_stage_for_non_equal_variances():
    X, _ = make_linear_sem(5, 100, degree=1, random_state=0)
    kw = {"warm_iter": 20, "max_iter": 20, "checkpoint": 10}
    assert colide(X, variance="equal", **kw).s == (1.0, 0.9, 0.8, 0.7)
    assert colide(X, variance="non-equal", **kw).s == (1.0, 0.9, 0.8, 0.7, 0.6)


@pytest.mark.parametrize(
    ("W", "C", "match"),
    [
        (np.zeros((4, 4)), np.eye(4)[:1], "C must have the shape"),  # was OOB
        (np.zeros((4, 4)), np.eye(3), "C must have the shape"),
        (np.zeros((4, 3)), np.eye(4), "W must be a square"),
        (np.zeros((4, 4)), np.full((4, 4), np.nan), "C contains NaN"),
        (np.full((4, 4), np.inf), np.eye(4), "W contains NaN"),
        (np.triu(np.ones((4, 4)), 1) * 1e200, np.eye(4), "overflow"),
    ],
)
def test_objective_validates_w_and_c(W, C, match):
    with pytest.raises(ValueError, match=match):
        colide_objective(W, C, 1.0, mu=1.0, s=1.0, alpha=0.1)


def test_objective_rejects_non_numeric_and_bad_sigma():
    with pytest.raises(TypeError, match="C"):
        colide_objective(np.zeros((2, 2)), np.eye(2).astype(str), 1.0, mu=1.0,
                         s=1.0, alpha=0.1)
    with pytest.raises(ValueError, match="sigma"):
        colide_objective(np.zeros((3, 3)), np.eye(3), [1.0, 2.0], mu=1.0, s=1.0,
                         alpha=0.1, equal_variance=False)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("equal", [True, False])
def test_stale_inverse_iterations_match_a_numpy_reference(equal):
    """Within a chunk the inverse of sI - W o W is refreshed every few steps."""
    from sparserecovery.dag._colide import _INVERSE_EVERY

    assert 1 < _INVERSE_EVERY < 5  # five steps below see a stale inverse
    X, _ = make_linear_sem(6, 200, degree=2, heteroscedastic=True, random_state=1)
    C = _cov(X)
    lr, b1, b2, alpha, mu, s = 0.02, 0.9, 0.99, 0.05, 1.0, 1.0
    res = colide(X, variance="equal" if equal else "non-equal", alpha=alpha,
                 rescale=False, s=(s,), max_iter=5, checkpoint=100, tol=0.0,
                 learning_rate=lr, beta1=b1, beta2=b2, threshold=0.0,
                 init="zeros")
    d = 6
    W = np.zeros((d, d))
    m = np.zeros_like(W)
    v = np.zeros_like(W)
    for t in range(5):
        if t % _INVERSE_EVERY == 0:  # the steps that refresh the inverse
            MinvT = np.linalg.inv(s * np.eye(d) - W * W).T
        r = np.diag((np.eye(d) - W).T @ C @ (np.eye(d) - W))
        sigma = np.full(d, np.sqrt(r.mean())) if equal else np.sqrt(r)
        g = mu * (C @ W - C) / sigma + mu * alpha * np.sign(W) + 2 * W * MinvT
        np.fill_diagonal(g, 0.0)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        W = W - lr * (m / (1 - b1 ** (t + 1))) / (np.sqrt(v / (1 - b2 ** (t + 1)))
                                                  + 1e-8)
    np.testing.assert_allclose(res.weights, W, rtol=1e-10, atol=1e-12)


def test_step_outside_the_domain_returns_to_the_last_checked_iterate():
    """A huge step leaves the domain; W goes back and the step is halved."""
    d = 5
    X, _ = make_linear_sem(d, 200, degree=2, random_state=2)
    C = _cov(X)
    W = np.zeros((d, d))
    MT, CW, G, m, v, W_ok = (np.zeros((d, d)) for _ in range(6))
    row, col, work, sigma = np.empty(d), np.empty(d), np.empty(d), np.ones(d)
    lr0 = 2.0  # the first Adam step moves every weight by about lr0
    status, done, lr = _kernels.adam_chunk(
        C, W, sigma, MT, CW, G, m, v, W_ok, row, col, work, 0, 6, 1.0, 1.0, 0.05,
        lr0, 1e-16, 0.9, 0.99, 1e-8, True, 1e-12, 2,
    )
    assert status == _kernels.OK and done == 6
    assert lr < lr0  # at least one step was rejected and halved
    inside, _ = _kernels.m_matrix_inverse(
        np.ascontiguousarray((np.eye(d) - W * W).T), row, col
    )
    assert inside  # the returned iterate is always checked
    np.testing.assert_array_equal(W, W_ok)


def _hetero(d=8, seed=4):
    return make_linear_sem(d, 300, degree=2, heteroscedastic=True, random_state=seed)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_best_init_keeps_the_start_with_the_lower_objective():
    X, _ = _hetero()
    kw = {"variance": "non-equal", "warm_iter": 300, "max_iter": 300,
          "checkpoint": 100}
    best = colide(X, **kw)  # the default for non-equal variances
    assert set(best.start_objectives) == {"zeros", "equal-variance"}
    assert best.init == min(best.start_objectives, key=best.start_objectives.get)
    singles = {init: colide(X, init=init, **kw)
               for init in ("zeros", "equal-variance")}
    for init, res in singles.items():
        assert res.init == init and set(res.start_objectives) == {init}
        assert res.start_objectives[init] == pytest.approx(
            best.start_objectives[init], rel=1e-12)
    chosen = singles[best.init]
    np.testing.assert_array_equal(best.weights, chosen.weights)
    np.testing.assert_array_equal(best.history, chosen.history)
    assert best.n_iter == sum(r.n_iter for r in singles.values())
    # Threads change nothing: each start runs on its own arrays.
    serial = colide(X, n_jobs=1, **kw)
    np.testing.assert_array_equal(serial.weights, best.weights)
    # The equal-variance start is the EV path with the last stage non-equal.
    ev = colide(X, variance="equal", s=(1.0, 0.9, 0.8, 0.7), warm_iter=300,
                max_iter=300, checkpoint=100)
    ev_hist = ev.history[ev.history_stage < 4]
    ve = singles["equal-variance"]
    np.testing.assert_allclose(ve.history[ve.history_stage < 3],
                               ev_hist[ev.history_stage[ev.history_stage < 4] < 3],
                               rtol=1e-12)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimator_reports_the_chosen_start():
    X, _ = _hetero()
    model = CoLiDE(variance="non-equal", warm_iter=200, max_iter=200,
                   checkpoint=100).fit(X)
    assert model.init_ in ("zeros", "equal-variance")
    assert CoLiDE(warm_iter=200, max_iter=200).fit(X).init_ == "zeros"


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"init": "best"}, "only applies to variance='non-equal'"),
        ({"init": "equal-variance"}, "only applies"),
        ({"init": "random", "variance": "non-equal"}, "init"),
        ({"n_jobs": 0, "variance": "non-equal"}, "n_jobs"),
        ({"n_jobs": -2, "variance": "non-equal"}, "n_jobs"),
    ],
)
def test_bad_init_and_n_jobs(params, match):
    X, _ = make_linear_sem(4, 30, random_state=0)
    with pytest.raises(ValueError, match=match):
        CoLiDE(**params).fit(X)
