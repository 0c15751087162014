"""Acyclicity test and pruning of a weighted adjacency matrix to a DAG."""

from __future__ import annotations

import numpy as np

from ..utils import check_array_arg, check_scalar_arg, float_dtype
from . import _kernels

__all__ = ["is_dag", "prune_to_dag"]


def _square(W, name):
    W = check_array_arg(W, name, ndim=2, dtype=None, allow_complex=False)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix, got shape {W.shape}")
    return W


def is_dag(W):
    """Whether the graph with adjacency ``W != 0`` has no directed cycle.

    Parameters
    ----------
    W : array_like of shape (d, d)
        (Weighted) adjacency matrix; ``W[i, j] != 0`` is the edge ``i -> j``.
        A nonzero diagonal entry is a self-loop, hence a cycle.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_dag([[0, 1], [0, 0]])
    True
    >>> is_dag([[0, 1], [1, 0]])
    False
    """
    W = _square(W, "W")
    _, n_ordered = _kernels.topological_order(np.ascontiguousarray(W != 0))
    return bool(n_ordered == W.shape[0])


def prune_to_dag(W, threshold=0.0):
    """Threshold a weighted adjacency matrix and drop weak edges until acyclic.

    Edges with ``|w| <= threshold`` (and self-loops) are removed first. The
    remaining edges are then taken from the strongest to the weakest and each
    is kept unless it closes a directed cycle with the stronger edges already
    kept. The result is a DAG, equal to the thresholded graph whenever that
    is already acyclic; only edges that lie on a cycle with stronger edges are
    dropped.

    Parameters
    ----------
    W : array_like of shape (d, d)
        Weighted adjacency matrix (``W[i, j]``: weight of ``i -> j``).
    threshold : float, default=0.0
        Magnitude at or below which an edge is removed.

    Returns
    -------
    ndarray of shape (d, d)
        A copy of ``W`` with the removed edges set to zero.

    Examples
    --------
    >>> W = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.5, 0.0, 0.0]])
    >>> prune_to_dag(W)
    array([[0., 1., 0.],
           [0., 0., 2.],
           [0., 0., 0.]])
    """
    W = _square(W, "W")
    threshold = check_scalar_arg(threshold, "threshold", lower=0)
    out = np.array(W, dtype=float_dtype(W, allow_complex=False), copy=True)
    out[np.abs(out) <= threshold] = 0
    np.fill_diagonal(out, 0)
    if is_dag(out):
        return out
    rows, cols = np.nonzero(out)
    order = np.argsort(-np.abs(out[rows, cols]), kind="stable")
    rows, cols = rows[order], cols[order]
    keep = _kernels.greedy_acyclic(rows.astype(np.int64), cols.astype(np.int64),
                                   out.shape[0])
    out[rows[~keep], cols[~keep]] = 0
    return out
