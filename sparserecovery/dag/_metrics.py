"""Accuracy of a learned graph against the true one (SHD, TPR, FDR, FPR)."""

from __future__ import annotations

import numpy as np

from ._graph import _square

__all__ = ["count_accuracy", "structural_hamming_distance"]


def _edge_sets(true, est):
    true = _square(true, "true") != 0
    est = _square(est, "est") != 0
    if true.shape != est.shape:
        raise ValueError(
            f"true and est must have the same shape, got {true.shape} and {est.shape}"
        )
    return true, est


def _shd(true, est):
    """Pairs {i, j} whose edge state differs, plus differing self-loops."""
    # State of pair (i, j), i < j: bit 0 is i -> j, bit 1 is j -> i.
    iu = np.triu_indices(true.shape[0], k=1)
    state_true = true[iu] + 2 * true.T[iu].astype(np.int64)
    state_est = est[iu] + 2 * est.T[iu].astype(np.int64)
    loops = np.count_nonzero(np.diag(true) != np.diag(est))
    return int(np.count_nonzero(state_true != state_est)) + int(loops)


def structural_hamming_distance(true, est):
    """Structural Hamming distance between two directed graphs.

    The number of edge insertions, deletions and reversals that turn ``est``
    into ``true``: every node pair ``{i, j}`` whose edges differ counts once,
    so a reversed edge costs 1, not 2 (the NOTEARS / DAGMA convention).

    Parameters
    ----------
    true, est : array_like of shape (d, d)
        Adjacency matrices; any nonzero ``[i, j]`` is the edge ``i -> j``.

    Returns
    -------
    int

    Examples
    --------
    >>> true = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]  # 0 -> 1 -> 2
    >>> structural_hamming_distance(true, [[0, 0, 0], [1, 0, 1], [0, 0, 0]])
    1
    >>> structural_hamming_distance(true, [[0, 0, 1], [0, 0, 0], [0, 0, 0]])
    3
    """
    return _shd(*_edge_sets(true, est))


def count_accuracy(true, est):
    """Edge-recovery metrics of an estimated graph.

    With ``P`` the predicted edges, ``T`` the true edges, ``TP`` the predicted
    edges that are true with the right orientation:

    - ``shd``: :func:`structural_hamming_distance` (a reversed edge counts 1);
    - ``tpr``: ``|TP| / |T|``;
    - ``fdr``: ``(|P| - |TP|) / |P|``, reversed plus extra edges over the
      predicted ones;
    - ``fpr``: ``(|P| - |TP|) / (d (d - 1) / 2 - |T|)``, reversed plus extra
      edges over the node pairs without a true edge;
    - ``nnz``: ``|P|``.

    A denominator of 0 is replaced by 1 (so an empty prediction has
    ``fdr = 0``), as in the NOTEARS / DAGMA ``count_accuracy``.

    Parameters
    ----------
    true, est : array_like of shape (d, d)
        Adjacency matrices (weights allowed; nonzero means an edge).

    Returns
    -------
    dict
        ``{"shd": int, "tpr": float, "fdr": float, "fpr": float, "nnz": int}``.

    Examples
    --------
    >>> true = [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    >>> est = [[0, 1, 0], [0, 0, 0], [0, 1, 0]]  # one hit, one reversed
    >>> acc = count_accuracy(true, est)
    >>> acc["shd"], acc["tpr"], acc["fdr"], acc["nnz"]
    (2, 0.3333333333333333, 0.5, 2)
    """
    true, est = _edge_sets(true, est)
    d = true.shape[0]
    n_pred = int(np.count_nonzero(est))
    n_true = int(np.count_nonzero(true))
    n_tp = int(np.count_nonzero(est & true))
    n_wrong = n_pred - n_tp
    n_neg = d * (d - 1) // 2 - n_true
    return {
        "shd": _shd(true, est),
        "tpr": n_tp / max(n_true, 1),
        "fdr": n_wrong / max(n_pred, 1),
        "fpr": n_wrong / max(n_neg, 1),
        "nnz": n_pred,
    }

