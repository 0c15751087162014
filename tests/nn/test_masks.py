"""Mask makers: exact counts, exact N:M, whole groups, no in-place change."""

import numpy as np
import pytest

from sparserecovery.nn import (
    group_mask,
    magnitude_mask,
    nm_mask,
    random_mask,
    sparsity_report,
)


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.7, 0.9, 0.99])
@pytest.mark.parametrize("shape", [(7, 13), (4, 3, 3, 3)])
def test_magnitude_meets_sparsity_to_the_element(rng, sparsity, shape):
    w = rng.standard_normal(shape)
    mask, rep = magnitude_mask(w, sparsity)
    n_zero = min(int(np.floor(sparsity * w.size + 0.5)), w.size - 1)
    assert mask.shape == w.shape and mask.dtype == bool
    assert int((~mask).sum()) == n_zero == rep.n_zero["weight"]
    # every kept weight is at least as large as every pruned one
    if 0 < n_zero:
        assert np.abs(w[mask]).min() >= np.abs(w[~mask]).max()


def test_magnitude_ties_still_exact():
    w = np.ones((5, 8))
    mask, _ = magnitude_mask(w, 0.25)
    assert int((~mask).sum()) == 10


def test_magnitude_global_vs_layer(rng):
    ws = {"a": rng.standard_normal((10, 10)), "b": 10 * rng.standard_normal((10, 10))}
    masks, rep = magnitude_mask(ws, 0.5, scope="global")
    assert sum(int((~m).sum()) for m in masks.values()) == 100
    # the small-scale layer loses more than half, the large one less
    assert rep.layer_sparsity["a"] > 0.8 and rep.layer_sparsity["b"] < 0.2
    assert rep.sparsity == 0.5
    masks, rep = magnitude_mask(ws, 0.5, scope="layer")
    assert rep.layer_sparsity == {"a": 0.5, "b": 0.5}


def test_random_mask_exact_and_reproducible(rng):
    w = rng.standard_normal((6, 11))
    m1, rep = random_mask(w, 0.4, random_state=3)
    m2, _ = random_mask(w, 0.4, random_state=3)
    m3, _ = random_mask(w, 0.4, random_state=4)
    assert np.array_equal(m1, m2) and not np.array_equal(m1, m3)
    assert int((~m1).sum()) == round(0.4 * 66) == rep.n_zero["weight"]


@pytest.mark.parametrize(("n", "m"), [(1, 2), (2, 4), (4, 8), (3, 7), (1, 16)])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_nm_exactly_n_per_group(rng, n, m, axis):
    shape = [2 * m, 3 * m]
    w = rng.standard_normal(shape)
    w[0, :] = 0.0  # all-zero groups must still keep exactly n
    w[:, 1] = 1.0  # ties
    mask, rep = nm_mask(w, n, m, axis=axis)
    groups = np.moveaxis(mask, axis, -1).reshape(-1, m)
    assert np.all(groups.sum(axis=1) == n)
    assert rep.sparsity == pytest.approx(1 - n / m)
    # within each group the kept entries are the largest ones
    wg = np.moveaxis(np.abs(w), axis, -1).reshape(-1, m)
    for g, k in zip(wg, groups, strict=True):
        assert g[k].min() >= g[~k].max()


def test_nm_4d_conv_channels(rng):
    w = rng.standard_normal((6, 8, 3, 3))
    mask, _ = nm_mask(w, 2, 4, axis=1)
    assert np.all(mask.reshape(6, 2, 4, 3, 3).sum(axis=2) == 2)


def test_group_mask_removes_whole_groups(rng):
    w = rng.standard_normal((8, 6, 3, 3))
    for axis in (0, 1):
        mask, rep = group_mask(w, 0.5, axis=axis)
        per_group = np.moveaxis(mask, axis, 0).reshape(w.shape[axis], -1)
        assert np.all(per_group.all(axis=1) | ~per_group.any(axis=1))
        assert int((~per_group.any(axis=1)).sum()) == w.shape[axis] // 2
        norms = np.linalg.norm(np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1),
                               axis=1)
        kept = per_group.all(axis=1)
        assert norms[kept].min() >= norms[~kept].max()
        assert rep.sparsity == 0.5


def test_group_global_scope(rng):
    ws = {"a": rng.standard_normal((10, 4)), "b": 5 * rng.standard_normal((6, 4))}
    masks, rep = group_mask(ws, 0.5, axis=0, scope="global")
    removed = sum(int((~m.any(axis=1)).sum()) for m in masks.values())
    assert removed == 8
    assert rep.layer_sparsity["a"] > rep.layer_sparsity["b"]


def test_inputs_untouched(rng):
    w = rng.standard_normal((8, 8))
    ws = {"x": w.copy()}
    for fn in (lambda a: magnitude_mask(a, 0.5), lambda a: random_mask(a, 0.5),
               lambda a: nm_mask(a, 2, 4), lambda a: group_mask(a, 0.5)):
        fn(ws)
        fn(w)
        assert np.array_equal(ws["x"], w)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan")])
def test_bad_sparsity(rng, bad):
    w = rng.standard_normal((4, 4))
    for fn in (magnitude_mask, random_mask, group_mask):
        with pytest.raises(ValueError, match="sparsity"):
            fn(w, bad)


def test_bad_nm(rng):
    w = rng.standard_normal((4, 8))
    with pytest.raises(ValueError, match="n must be < m"):
        nm_mask(w, 4, 4)
    with pytest.raises(ValueError, match="n must be < m"):
        nm_mask(w, 5, 4)
    with pytest.raises(ValueError, match="not a multiple of m=3"):
        nm_mask(w, 1, 3)
    with pytest.raises(ValueError, match=">= 1"):
        nm_mask(w, 0, 4)
    with pytest.raises(TypeError, match="int"):
        nm_mask(w, 2.0, 4)
    with pytest.raises(TypeError, match="axis"):
        nm_mask(w, 2, 4, axis=1.5)


def test_bad_types():
    with pytest.raises(TypeError, match="numeric"):
        magnitude_mask("abc", 0.5)
    with pytest.raises(TypeError, match="keys"):
        magnitude_mask({1: np.ones((2, 2))}, 0.5)
    with pytest.raises(ValueError, match="scope"):
        magnitude_mask(np.ones((2, 2)), 0.5, scope="model")


def test_report_text_and_weights():
    rep = sparsity_report({"a": np.array([[1.0, 0.0], [0.0, 0.0]])})
    assert rep.n_zero == {"a": 3} and rep.sparsity == 0.75
    assert sparsity_report(np.array([2, 0, -3])).n_zero == {"weight": 1}
    for bad, exc in ((np.array([1.0, np.nan]), ValueError),
                     (np.array([np.inf, 0.0]), ValueError),
                     (np.zeros(0), ValueError),
                     (np.array(["1", "0"]), TypeError),
                     (np.array([1, 0], dtype=object), TypeError),
                     (np.array([1j, 0]), TypeError)):
        with pytest.raises(exc, match=r"masks\['a'\]"):
            sparsity_report({"ok": np.ones(2, bool), "a": bad})
        with pytest.raises(exc, match="masks"):
            sparsity_report(bad)
    text = str(rep)
    assert "global" in text and "0.7500" in text
