"""CoLiDE's order search: exact per-node fits, local optimality, the estimator."""

import itertools
import warnings

import cvxpy as cp
import numpy as np
import pytest

from sparserecovery.base import ConvergenceWarning
from sparserecovery.dag import CoLiDE, _kernels, colide, count_accuracy, is_dag
from sparserecovery.datasets._sem import make_linear_sem


def _cov(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / X.shape[0]


def _correlated_gram(rng, p, n=60):
    # Predictors with a common factor: a badly conditioned Gram matrix.
    Z = rng.standard_normal((n, p)) + 3.0 * rng.standard_normal((n, 1))
    Z *= rng.uniform(0.5, 20.0, p)  # very different scales
    y = Z[:, : p // 2] @ rng.uniform(-2, 2, p // 2) + rng.standard_normal(n)
    return Z.T @ Z / n, Z.T @ y / n, y @ y / n, Z, y


@pytest.mark.parametrize("lam", [0.0, 0.05, 0.5])
def test_lasso_gram_is_exact(lam, rng):
    G, c, _, _, _ = _correlated_gram(rng, 12)
    w = np.zeros(12)
    _kernels.lasso_gram(G, c, lam, w, 1e-12, 1000, False)
    v = cp.Variable(12)
    obj = 0.5 * cp.quad_form(v, cp.psd_wrap(G)) - c @ v + lam * cp.norm1(v)
    cp.Problem(cp.Minimize(obj)).solve(solver=cp.CLARABEL)
    value = 0.5 * w @ G @ w - c @ w + lam * np.abs(w).sum()
    assert value <= obj.value + 1e-8 * max(1.0, abs(obj.value))
    # optimality conditions: G w - c + lam sign(w) = 0 on the support,
    # |c - G w| <= lam off it
    g = c - G @ w
    on = w != 0
    np.testing.assert_allclose(g[on], lam * np.sign(w[on]), atol=1e-8 * np.abs(c).max())
    assert np.all(np.abs(g[~on]) <= lam + 1e-8 * np.abs(c).max())


def test_lasso_gram_warm_start_reaches_the_same_solution(rng):
    G, c, _, _, _ = _correlated_gram(rng, 10)
    cold = np.zeros(10)
    _kernels.lasso_gram(G, c, 0.1, cold, 1e-12, 1000, False)
    warm = rng.standard_normal(10)
    _kernels.lasso_gram(G, c, 0.1, warm, 1e-12, 1000, False)
    np.testing.assert_allclose(warm, cold, atol=1e-9)


def test_active_factor_is_the_cholesky_factor_of_the_support(rng):
    G, _, _, _, _ = _correlated_gram(rng, 40, n=200)
    w = rng.standard_normal(40) * (rng.random(40) < 0.6)
    P = rng.permutation(40)
    ridge = _kernels._ridge(G)
    act, L, m = _kernels._active_factor(G, w, P, ridge, np.zeros((40, 40)))
    assert list(act[:m]) == [a for a in P if w[a] != 0]  # in candidate order
    A = act[:m]
    expected = np.linalg.cholesky(G[np.ix_(A, A)] + ridge * np.eye(m))
    np.testing.assert_allclose(np.tril(L[:m, :m]), expected, rtol=1e-8,
                               atol=1e-10 * np.abs(expected).max())


@pytest.mark.parametrize("equal", [False, True])
def test_node_fit_matches_cvxpy(equal, rng):
    # Node 0 regressed on nodes 1..p of the joint covariance.
    G, c, cyy, Z, y = _correlated_gram(rng, 8)
    C = np.block([[np.array([[cyy]]), c[None, :]], [c[:, None], G]])
    P = np.arange(1, 9)
    alpha, sigma = 0.05, 1.7
    w = np.zeros(8)
    term, scale = _kernels.node_fit(C, 0, P, alpha, sigma, equal, 1e-12, w, True)
    v = cp.Variable(8)
    L = np.linalg.cholesky(G + 1e-12 * np.eye(8))
    # R(v) = cyy - 2 c^T v + v^T G v = |L^T v - L^{-1} c|^2 + cyy - c^T G^{-1} c
    Lc = np.linalg.solve(L, c)
    rest = cyy - Lc @ Lc
    if equal:
        obj = (cp.sum_squares(L.T @ v - Lc) + rest) / (2 * sigma) + alpha * cp.norm1(v)
    else:
        obj = cp.norm(cp.hstack([L.T @ v - Lc, np.sqrt(rest)])) + alpha * cp.norm1(v)
    cp.Problem(cp.Minimize(obj)).solve(solver=cp.CLARABEL)
    assert term == pytest.approx(obj.value, rel=1e-7)
    np.testing.assert_allclose(w, v.value, atol=1e-4 * np.abs(w).max())
    r = cyy - 2 * c @ w + w @ G @ w
    assert scale == pytest.approx(sigma if equal else np.sqrt(r), rel=1e-8)


def _fit_in_order(C, order, alpha, sigma, equal):
    d = C.shape[0]
    W = np.zeros((d, d))
    total = 0.0
    for k, j in enumerate(order):
        P = np.array(order[:k], dtype=np.int64)
        w = np.zeros(k)
        total += _kernels.node_fit(C, j, P, alpha, sigma, equal, 1e-12, w, True)[0]
        W[P, j] = w
    return W, total


@pytest.mark.parametrize("equal", [False, True])
def test_order_search_is_a_local_optimum_of_the_score(equal):
    X, _ = make_linear_sem(7, 400, degree=3, heteroscedastic=not equal,
                           random_state=3)
    C = _cov(X) / _cov(X).diagonal().min()
    alpha, sigma = 0.02, 0.8
    start = np.arange(7)[::-1].copy()  # a bad start: reversed
    _, start_score = _fit_in_order(C, list(start), alpha, sigma, equal)
    order = start.copy()
    W, score, n_pass = _kernels.order_search(C, order, alpha, sigma, equal, 1e-12,
                                             100, 7)
    assert sorted(order) == list(range(7)) and n_pass >= 1
    assert score < start_score
    # The weights and score are those of a fresh fit in the final order ...
    W_ref, score_ref = _fit_in_order(C, list(order), alpha, sigma, equal)
    np.testing.assert_allclose(W, W_ref, atol=1e-7)
    assert score == pytest.approx(score_ref, rel=1e-9)
    # ... which is a DAG compatible with the order ...
    pos = np.argsort(order)
    i, j = np.nonzero(W)
    assert np.all(pos[i] < pos[j]) and is_dag(W)
    # ... and no single move of one node lowers the score (brute force).
    for p, q in itertools.permutations(range(7), 2):
        moved = list(order)
        moved.insert(q, moved.pop(p))
        assert _fit_in_order(C, moved, alpha, sigma, equal)[1] >= score * (1 - 1e-9)


@pytest.mark.parametrize("equal", [False, True])
def test_order_search_kept_factors_give_the_fresh_fits(equal, rng):
    # Every refit of the search starts from the node's kept fit and Cholesky
    # factor, updated as candidates enter and leave; after many moves on
    # dense fits (small alpha) the result must still be the fresh fit of
    # each node on its predecessors in the final order.
    X, _ = make_linear_sem(30, 500, degree=4, heteroscedastic=not equal,
                           random_state=5)
    C = _cov(X) / _cov(X).diagonal().min()
    alpha, sigma = 0.02, 1.3
    order = rng.permutation(30)
    W, score, n_pass = _kernels.order_search(C, order, alpha, sigma, equal,
                                             1e-12, 1000, 10)
    assert n_pass >= 2
    W_ref, score_ref = _fit_in_order(C, list(order), alpha, sigma, equal)
    assert (W_ref != 0).sum() > 150  # dense fits: large kept factors
    np.testing.assert_array_equal(W != 0, W_ref != 0)
    np.testing.assert_allclose(W, W_ref, atol=1e-8)
    assert score == pytest.approx(score_ref, rel=1e-10)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refined_noise_scale_and_adjacency_are_the_refit_in_the_order():
    X, _ = make_linear_sem(8, 300, degree=2, heteroscedastic=True, random_state=4)
    C = _cov(X)
    kappa2 = C.diagonal().min()  # rescale: divide by the smallest column std
    for variance in ("equal", "non-equal"):
        res = colide(X, variance=variance, warm_iter=500, max_iter=2000,
                     refine_alpha=0.03)
        assert res.order is not None and res.n_pass >= 1
        assert 0.0 < res.refine_time < res.time
        equal = variance == "equal"
        if equal:
            # the common scale of the last search is that of its own refit
            sigma = res.noise_scale / np.sqrt(kappa2)
        else:
            sigma = 1.0
        W, _ = _fit_in_order(C / kappa2, list(res.order), 0.03, sigma, equal)
        expected = np.where(np.abs(W) > 0.3, W, 0.0)
        np.testing.assert_allclose(res.adjacency, expected, atol=1e-7)
        I_W = np.eye(8) - W
        r = np.diag(I_W.T @ C @ I_W)
        np.testing.assert_allclose(
            res.noise_scale, np.sqrt(r.mean()) if equal else np.sqrt(r), rtol=1e-6
        )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_refine_recovers_strong_edges_that_thresholding_loses():
    # Heteroscedastic ER4 graph with 20 nodes (seed 2 of the benchmark): the
    # paper's procedure loses 27 true edges; the order search recovers them.
    X, W = make_linear_sem(20, 1000, graph="ER", degree=4, heteroscedastic=True,
                           random_state=2)
    base = CoLiDE(variance="non-equal", refine=False).fit(X)
    refined = CoLiDE(variance="non-equal").fit(X)
    np.testing.assert_array_equal(base.weights_, refined.weights_)
    shd_base = count_accuracy(W, base.adjacency_)["shd"]
    shd_refined = count_accuracy(W, refined.adjacency_)["shd"]
    assert shd_base >= 25 and shd_refined <= 12
    assert is_dag(refined.adjacency_)


def test_refine_is_scale_invariant():
    X, _ = make_linear_sem(6, 300, degree=2, heteroscedastic=True, random_state=0)
    kw = dict(warm_iter=300, max_iter=600)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for variance in ("equal", "non-equal"):
            a = colide(X, variance=variance, **kw)
            b = colide(1e3 * X, variance=variance, **kw)
            np.testing.assert_array_equal(a.order, b.order)
            np.testing.assert_allclose(b.adjacency, a.adjacency, rtol=1e-6,
                                       atol=1e-9)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"refine": "yes"}, TypeError, "refine must be a bool"),
        ({"refine_alpha": -0.1}, ValueError, "refine_alpha"),
        ({"refine_alpha": np.nan}, ValueError, "refine_alpha"),
    ],
)
def test_bad_refine_parameters(params, error, match):
    X, _ = make_linear_sem(4, 30, random_state=0)
    with pytest.raises(error, match=match):
        CoLiDE(**params).fit(X)
