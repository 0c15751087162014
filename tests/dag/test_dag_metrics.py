"""Graph metrics and DAG pruning against hand-computed cases."""

import numpy as np
import pytest

from sparserecovery.dag import (
    count_accuracy,
    is_dag,
    prune_to_dag,
    structural_hamming_distance,
)

# 0 -> 1, 0 -> 2, 1 -> 2, 2 -> 3
TRUE = np.array(
    [[0, 1, 1, 0],
     [0, 0, 1, 0],
     [0, 0, 0, 1],
     [0, 0, 0, 0]]
)


def test_identical_graph():
    acc = count_accuracy(TRUE, 0.7 * TRUE)  # weights: nonzero means an edge
    assert acc == {"shd": 0, "tpr": 1.0, "fdr": 0.0, "fpr": 0.0, "nnz": 4}


def test_reversed_missing_extra_by_hand():
    est = np.array(
        [[0, 1, 0, 0],   # 0 -> 1 correct; 0 -> 2 missing
         [0, 0, 0, 1],   # 1 -> 3 extra
         [0, 1, 0, 1],   # 2 -> 1 reversed; 2 -> 3 correct
         [0, 0, 0, 0]]
    )
    acc = count_accuracy(TRUE, est)
    # pairs differing: {0,2} missing, {1,2} reversed, {1,3} extra
    assert acc["shd"] == 3
    assert structural_hamming_distance(TRUE, est) == 3
    assert acc["nnz"] == 4
    assert acc["tpr"] == pytest.approx(2 / 4)
    assert acc["fdr"] == pytest.approx(2 / 4)  # reversed + extra over predicted
    # node pairs without a true edge: 6 - 4 = 2
    assert acc["fpr"] == pytest.approx(2 / 2)


def test_reversal_costs_one_and_both_directions_cost_one():
    true = np.array([[0, 1], [0, 0]])
    assert structural_hamming_distance(true, true.T) == 1
    assert structural_hamming_distance(true, np.ones((2, 2)) - np.eye(2)) == 1
    assert structural_hamming_distance(true, np.zeros((2, 2))) == 1


def test_empty_prediction_and_empty_truth():
    acc = count_accuracy(TRUE, np.zeros((4, 4)))
    assert acc == {"shd": 4, "tpr": 0.0, "fdr": 0.0, "fpr": 0.0, "nnz": 0}
    acc = count_accuracy(np.zeros((4, 4)), TRUE)
    assert acc["shd"] == 4 and acc["tpr"] == 0.0 and acc["fdr"] == 1.0
    assert acc["fpr"] == pytest.approx(4 / 6)


def test_self_loop_counts_as_an_extra_edge():
    est = TRUE.copy()
    est[3, 3] = 1
    assert structural_hamming_distance(TRUE, est) == 1
    assert not is_dag(est)


def test_metric_errors():
    with pytest.raises(ValueError, match="same shape"):
        count_accuracy(TRUE, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="square"):
        structural_hamming_distance(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="est"):
        count_accuracy(TRUE, np.full((4, 4), np.nan))


def test_is_dag():
    assert is_dag(TRUE)
    assert is_dag(np.zeros((1, 1)))
    cyc = TRUE.copy()
    cyc[3, 0] = 1  # 0 -> 2 -> 3 -> 0
    assert not is_dag(cyc)
    perm = np.random.default_rng(0).permutation(4)
    assert is_dag(TRUE[np.ix_(perm, perm)])


def test_prune_to_dag_drops_weakest_edge_on_each_cycle():
    W = np.array(
        [[0.0, 2.0, 0.0, 0.0],
         [0.0, 0.0, 1.5, 0.2],
         [0.8, 0.0, 0.0, 0.0],   # 2 -> 0 closes 0 -> 1 -> 2
         [0.0, 0.0, 0.0, 0.0]]
    )
    out = prune_to_dag(W)
    expected = W.copy()
    expected[2, 0] = 0.0
    np.testing.assert_array_equal(out, expected)
    # 1 -> 3 is weaker than every cycle edge but on no cycle: it stays.
    assert out[1, 3] == 0.2
    out = prune_to_dag(W, threshold=0.2)  # |w| <= threshold goes first
    assert out[1, 3] == 0 and out[2, 0] == 0 and out[0, 1] == 2.0
    np.testing.assert_array_equal(W[2, 0], 0.8)  # input not modified


@pytest.mark.parametrize("seed", range(5))
def test_prune_to_dag_on_dense_random_graphs(seed):
    rng = np.random.default_rng(seed)
    d = 15
    W = rng.uniform(-1, 1, (d, d))
    assert not is_dag(np.where(np.abs(W) > 0.3, W, 0))  # thresholding alone fails
    out = prune_to_dag(W, threshold=0.3)
    assert is_dag(out)
    kept = out != 0
    assert np.all(np.abs(out[kept]) > 0.3) and np.all(out[kept] == W[kept])
    # Maximal: every dropped edge above the threshold closes a cycle with the
    # stronger kept edges.
    for i, j in zip(*np.nonzero((np.abs(W) > 0.3) & ~kept), strict=True):
        if i == j:
            continue
        stronger = kept & (np.abs(W) > abs(W[i, j]))
        trial = stronger.copy()
        trial[i, j] = True
        assert not is_dag(trial)
