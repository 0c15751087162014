"""Layer-wise reconstruction pruning against magnitude and exact references."""

import itertools

import numpy as np
import pytest

from sparserecovery.nn import (
    group_mask,
    magnitude_mask,
    nm_mask,
    reconstruct_layer,
)
from sparserecovery.nn._kernels import masked_refit_rows, obs_rows, omp_gram_rows
from sparserecovery.solvers import omp

SOLVERS = ["obs", "omp", "iht", "fista", "sbl"]


@pytest.fixture
def layer(rng):
    # correlated inputs, some of them dead (constant zero), like image pixels
    X = rng.standard_normal((300, 24)) @ rng.standard_normal((24, 24))
    X[:, [3, 17]] = 0.0
    W = rng.standard_normal((10, 24))
    return W, X


def _objective(X, W, Wp):
    return float(np.linalg.norm(X @ (W - Wp).T) ** 2)


@pytest.mark.parametrize("solver", SOLVERS)
def test_unstructured_beats_magnitude_with_exact_count(layer, solver):
    W, X = layer
    res = reconstruct_layer(W, X, sparsity=0.7, solver=solver)
    mask, _ = magnitude_mask(W, 0.7)
    assert res.mask.sum() == mask.sum() == 72
    assert np.all(res.weight[~res.mask] == 0)
    assert res.objective == pytest.approx(_objective(X, W, res.weight))
    assert res.objective < 0.7 * _objective(X, W, np.where(mask, W, 0))


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("n", "m"), [(2, 4), (4, 8), (1, 3)])
def test_nm_exact_and_beats_magnitude(layer, solver, n, m):
    W, X = layer
    res = reconstruct_layer(W, X, n=n, m=m, solver=solver)
    assert np.all(res.mask.reshape(10, -1, m).sum(axis=-1) == n)
    mask, _ = nm_mask(W, n, m)
    assert res.objective < _objective(X, W, np.where(mask, W, 0))


@pytest.mark.parametrize("solver", ["obs", "omp", "iht", "fista"])
def test_group_columns_whole_and_beats_magnitude(layer, solver):
    W, X = layer
    res = reconstruct_layer(W, X, sparsity=0.5, pattern="group", solver=solver)
    cols = res.mask.any(axis=0)
    assert np.array_equal(res.mask, np.broadcast_to(cols, res.mask.shape))
    assert int(cols.sum()) == 12
    mask, _ = group_mask(W, 0.5, axis=1)
    assert res.objective < _objective(X, W, np.where(mask, W, 0))


def test_masked_refit_matches_lstsq(rng):
    X = rng.standard_normal((40, 9))
    W = rng.standard_normal((5, 9))
    mask = rng.random((5, 9)) < 0.5
    mask[0] = False
    H = X.T @ X
    out = np.empty_like(W)
    masked_refit_rows(H, W @ H, mask, out)
    for i in range(5):
        ref = np.zeros(9)
        S = np.flatnonzero(mask[i])
        if S.size:
            ref[S] = np.linalg.lstsq(X[:, S], X @ W[i], rcond=None)[0]
        np.testing.assert_allclose(out[i], ref, rtol=1e-9, atol=1e-10)


def test_omp_kernel_matches_library_omp(rng):
    X = rng.standard_normal((60, 12))
    W = rng.standard_normal((4, 12))
    H = X.T @ X
    norms = np.linalg.norm(X, axis=0)
    mask = np.zeros((4, 12), dtype=bool)
    omp_gram_rows(H, W @ H, np.full(4, 5, dtype=np.int64), 0, 0, mask)
    for i in range(4):
        ref = omp(X / norms, X @ W[i], n_nonzero_coefs=5)
        assert set(ref.info["support"]) == set(np.flatnonzero(mask[i]))


def test_omp_finds_planted_support_like_brute_force(rng):
    X = rng.standard_normal((50, 10))
    w = np.zeros(10)
    w[[1, 4, 8]] = [2.0, -1.5, 1.0]
    H = X.T @ X
    best = min(
        itertools.combinations(range(10), 3),
        key=lambda S: np.linalg.norm(
            X @ w - X[:, S] @ np.linalg.lstsq(X[:, S], X @ w, rcond=None)[0]
        ),
    )
    mask = np.zeros((1, 10), dtype=bool)
    omp_gram_rows(H, (w @ H)[None], np.array([3]), 0, 0, mask)
    assert tuple(np.flatnonzero(mask[0])) == best == (1, 4, 8)


def test_obs_single_removal_is_the_brute_force_optimum(rng):
    X = rng.standard_normal((30, 7)) @ rng.standard_normal((7, 7))
    W = rng.standard_normal((3, 7))
    H = X.T @ X
    mask = np.zeros((3, 7), dtype=bool)
    obs_rows(np.linalg.inv(H), W, np.full(3, 6, dtype=np.int64), 0, 0, mask)
    for i in range(3):
        errs = []
        for j in range(7):
            S = [a for a in range(7) if a != j]
            x = np.linalg.lstsq(X[:, S], X @ W[i], rcond=None)[0]
            errs.append(np.linalg.norm(X @ W[i] - X[:, S] @ x))
        assert np.flatnonzero(~mask[i]).tolist() == [int(np.argmin(errs))]


def test_target_inputs_are_fitted(rng):
    Xt = rng.standard_normal((200, 8))
    X = Xt + 0.3 * rng.standard_normal((200, 8))  # inputs of a pruned network
    W = rng.standard_normal((4, 8))
    res = reconstruct_layer(W, X, X_target=Xt, sparsity=0.25)
    plain = reconstruct_layer(W, X, sparsity=0.25)
    target = Xt @ W.T
    err = np.linalg.norm(target - X @ res.weight.T) ** 2
    assert res.objective == pytest.approx(err)
    assert err < np.linalg.norm(target - X @ plain.weight.T) ** 2


def test_dtype_and_input_untouched(layer):
    W, X = layer
    W32 = W.astype(np.float32)
    W_copy = W32.copy()
    res = reconstruct_layer(W32, X, n=2, m=4)
    assert res.weight.dtype == np.float32
    assert np.array_equal(W32, W_copy)


def test_errors(layer):
    W, X = layer
    with pytest.raises(ValueError, match="sparsity"):
        reconstruct_layer(W, X, sparsity=1.0)
    with pytest.raises(ValueError, match="n must be < m"):
        reconstruct_layer(W, X, n=4, m=4)
    with pytest.raises(ValueError, match="multiple of m=5"):
        reconstruct_layer(W, X, n=2, m=5)
    with pytest.raises(ValueError, match="solver"):
        reconstruct_layer(W, X, solver="lars")
    with pytest.raises(ValueError, match="columns"):
        reconstruct_layer(W, X[:, :5])
    with pytest.raises(ValueError, match="sbl"):
        reconstruct_layer(W, X, pattern="group", solver="sbl")
    with pytest.raises(ValueError, match="pattern"):
        reconstruct_layer(W, X, pattern="blocks")
