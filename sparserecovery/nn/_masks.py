"""Mask makers on arrays: magnitude, random, N:M and structured (group).

Every maker takes one array or a dict of arrays (name -> array) and returns
``(masks, report)``: boolean masks of the same structure and shapes (``True``
= the weight is kept) and a :class:`SparsityReport`. Inputs are never
modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..utils.validation import (
    check_array_arg,
    check_choice,
    check_random_state,
    check_scalar_arg,
)
from ._kernels import topk_mask_rows

__all__ = [
    "SparsityReport",
    "group_mask",
    "magnitude_mask",
    "nm_mask",
    "random_mask",
    "sparsity_report",
]

#: Name given to a lone array in reports.
SINGLE = "weight"


@dataclass(frozen=True)
class SparsityReport:
    """Per-layer and global sparsity of a set of masks (or weights).

    Attributes
    ----------
    n_zero : dict of str to int
        Pruned (masked-out) entries per layer.
    n_total : dict of str to int
        Entries per layer.
    errors : dict of str to float
        Relative output error ``||X_t W^T - X W'^T||_F / ||X_t W^T||_F`` of
        each layer pruned by reconstruction (empty for the mask makers).
    """

    n_zero: dict
    n_total: dict
    errors: dict = field(default_factory=dict)

    @property
    def sparsity(self):
        """Global fraction of pruned entries over every layer."""
        total = sum(self.n_total.values())
        return sum(self.n_zero.values()) / total if total else 0.0

    @property
    def layer_sparsity(self):
        """Fraction of pruned entries of every layer (name -> float)."""
        return {
            k: (self.n_zero[k] / t if t else 0.0) for k, t in self.n_total.items()
        }

    def __str__(self):
        lines = [f"{'layer':30s} {'zeros':>10s} {'total':>10s} {'sparsity':>9s}"]
        for k, t in self.n_total.items():
            s = self.n_zero[k] / t if t else 0.0
            err = f"  rel. error {self.errors[k]:.4f}" if k in self.errors else ""
            lines.append(f"{k:30s} {self.n_zero[k]:10d} {t:10d} {s:9.4f}{err}")
        lines.append(
            f"{'global':30s} {sum(self.n_zero.values()):10d} "
            f"{sum(self.n_total.values()):10d} {self.sparsity:9.4f}"
        )
        return "\n".join(lines)


def sparsity_report(masks, errors=None):
    """Sparsity of boolean masks (``True`` = kept) or of weight arrays (zeros).

    Parameters
    ----------
    masks : ndarray or dict of str to ndarray
        Boolean masks, or real weights (or 0/1 masks) whose exact zeros
        count as pruned. Every array must be non-empty, real and finite.
    errors : dict, optional
        Relative reconstruction errors per layer, stored in the report.

    Returns
    -------
    SparsityReport

    Raises
    ------
    TypeError
        If a mask is not a real numeric or boolean array (strings, objects,
        complex).
    ValueError
        If a mask is empty or holds NaN or infinite values.

    Examples
    --------
    >>> rep = sparsity_report({"a": np.array([True, False]), "b": np.zeros(2)})
    >>> rep.layer_sparsity, rep.sparsity
    ({'a': 0.5, 'b': 1.0}, 0.75)
    >>> sparsity_report({"a": np.array([1.0, np.nan])})
    Traceback (most recent call last):
    ...
    ValueError: masks['a'] contains NaN or infinite values
    """
    items = _as_items(masks, "masks", convert=False)
    n_zero, n_total = {}, {}
    for k, v in items.items():
        name = f"masks[{k!r}]" if isinstance(masks, dict) else "masks"
        # dtype kept: boolean masks are counted without a float copy.
        v = check_array_arg(v, name, dtype=None, allow_complex=False)
        n_total[k] = int(v.size)
        n_zero[k] = int(v.size - np.count_nonzero(v))
    return SparsityReport(n_zero=n_zero, n_total=n_total, errors=dict(errors or {}))


def check_sparsity(sparsity):
    """Validate a sparsity level in ``[0, 1)``."""
    return check_scalar_arg(sparsity, "sparsity", lower=0, upper=1,
                            upper_inclusive=False)


def check_nm(n, m):
    """Validate an N:M pattern: integers with ``1 <= n < m``."""
    m = check_scalar_arg(m, "m", lower=2, integer=True)
    n = check_scalar_arg(n, "n", lower=1, integer=True)
    if n >= m:
        raise ValueError(f"n must be < m for N:M sparsity, got n={n}, m={m}")
    return n, m


def n_pruned(sparsity, size):
    """Entries to prune: ``sparsity * size`` rounded half up, keeping at least one."""
    return max(min(int(np.floor(sparsity * size + 0.5)), size - 1), 0)


def _as_items(weights, name, convert=True):
    if isinstance(weights, dict):
        if not weights:
            raise ValueError(f"{name} must not be an empty dict")
        out = {}
        for k, v in weights.items():
            if not isinstance(k, str):
                raise TypeError(f"{name} keys must be str, got {type(k).__name__}")
            out[k] = (check_array_arg(v, f"{name}[{k!r}]", allow_complex=False)
                      if convert else v)
        return out
    if convert:
        return {SINGLE: check_array_arg(weights, name, allow_complex=False)}
    return {SINGLE: weights}


def _wrap(weights, masks):
    return masks if isinstance(weights, dict) else masks[SINGLE]


def _smallest_mask(score, n_zero):
    """Keep all but the ``n_zero`` smallest entries of ``score`` (ties: lower index)."""
    flat = score.ravel()
    mask = np.ones(flat.size, dtype=bool)
    if n_zero:
        order = np.argsort(flat, kind="stable")
        mask[order[:n_zero]] = False
    return mask.reshape(score.shape)


def magnitude_mask(weights, sparsity, *, scope="layer"):
    """Prune the weights of smallest magnitude.

    Parameters
    ----------
    weights : array_like or dict of str to array_like
        One weight array or several (name -> array).
    sparsity : float
        Fraction of entries to prune, in ``[0, 1)``. Exactly
        ``round(sparsity * size)`` entries (rounded half up, at most
        ``size - 1``) are pruned (of every array for
        ``scope="layer"``, of all of them together for ``"global"``); ties
        go to the lower flat index.
    scope : {"layer", "global"}, default="layer"
        Rank the magnitudes within every array, or across all arrays.

    Returns
    -------
    masks : ndarray of bool or dict of str to ndarray of bool
        ``True`` where the weight is kept, shaped like ``weights``.
    report : SparsityReport

    Examples
    --------
    >>> mask, rep = magnitude_mask(np.array([[0.1, -2.0], [3.0, 0.2]]), 0.5)
    >>> mask
    array([[False,  True],
           [ True, False]])
    >>> rep.sparsity
    0.5
    """
    sparsity = check_sparsity(sparsity)
    check_choice("scope", scope, ("layer", "global"))
    items = _as_items(weights, "weights")
    masks = {}
    if scope == "layer":
        for k, w in items.items():
            masks[k] = _smallest_mask(np.abs(w), n_pruned(sparsity, w.size))
    else:
        names = list(items)
        flat = np.concatenate([np.abs(items[k]).ravel() for k in names])
        keep = _smallest_mask(flat, n_pruned(sparsity, flat.size))
        start = 0
        for k in names:
            size = items[k].size
            masks[k] = keep[start : start + size].reshape(items[k].shape)
            start += size
    return _wrap(weights, masks), sparsity_report(masks)


def random_mask(weights, sparsity, *, random_state=None):
    """Prune a uniformly random subset of exactly ``round(sparsity * size)`` entries.

    Parameters
    ----------
    weights : array_like or dict of str to array_like
        One weight array or several (name -> array); only shapes are used.
    sparsity : float
        Fraction of entries to prune in every array, in ``[0, 1)``.
    random_state : int, Generator, RandomState or None
        Seed of the random choice.

    Returns
    -------
    masks : ndarray of bool or dict of str to ndarray of bool
    report : SparsityReport

    Examples
    --------
    >>> mask, rep = random_mask(np.ones((4, 5)), 0.3, random_state=0)
    >>> int(mask.sum()), rep.sparsity
    (14, 0.3)
    """
    sparsity = check_sparsity(sparsity)
    rng = check_random_state(random_state)
    items = _as_items(weights, "weights")
    masks = {}
    for k, w in items.items():
        keep = np.ones(w.size, dtype=bool)
        keep[rng.permutation(w.size)[: n_pruned(sparsity, w.size)]] = False
        masks[k] = keep.reshape(w.shape)
    return _wrap(weights, masks), sparsity_report(masks)


def _groups_along(x, axis, m, name):
    """Move ``axis`` last and cut it into groups of ``m``: shape (-1, m)."""
    if x.ndim == 0:
        raise ValueError(f"{name} must have at least 1 dimension")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"axis={axis} is out of bounds for {name} with shape {x.shape}"
        )
    moved = np.moveaxis(x, axis, -1)
    if moved.shape[-1] % m:
        raise ValueError(
            f"{name} has size {moved.shape[-1]} along axis {axis}, which is not a "
            f"multiple of m={m}"
        )
    return np.ascontiguousarray(moved).reshape(-1, m), moved.shape


def nm_mask(weights, n=2, m=4, *, axis=-1, score=None):
    """N:M mask: in every group of ``m`` consecutive entries along ``axis``, keep ``n``.

    The ``n`` entries of largest magnitude (or of largest ``score``) of every
    group are kept, ties going to the lower index, so every group has
    exactly ``n`` kept entries.

    Parameters
    ----------
    weights : array_like or dict of str to array_like
        One weight array or several (name -> array).
    n, m : int
        Kept entries per group and group length, ``1 <= n < m``. The size of
        every array along ``axis`` must be a multiple of ``m``.
    axis : int, default=-1
        Axis along which groups are formed (the input axis of a PyTorch
        ``Linear`` weight of shape (out, in) is the last one).
    score : array_like or dict, optional
        Importance used instead of ``abs(weights)``, same structure.

    Returns
    -------
    masks : ndarray of bool or dict of str to ndarray of bool
    report : SparsityReport

    Examples
    --------
    >>> w = np.array([[0.1, -3.0, 2.0, 0.5, 1.0, 1.5, -2.0, 0.0]])
    >>> mask, rep = nm_mask(w, 2, 4)
    >>> mask.astype(int)
    array([[0, 1, 1, 0, 0, 1, 1, 0]])
    """
    n, m = check_nm(n, m)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {axis!r}")
    items = _as_items(weights, "weights")
    scores = items if score is None else _as_items(score, "score")
    masks = {}
    for k, w in items.items():
        s = np.abs(scores[k]) if score is None else scores[k]
        if s.shape != w.shape:
            raise ValueError(f"score has shape {s.shape} but weights {w.shape}")
        name = "weights" if k == SINGLE else f"weights[{k!r}]"
        groups, moved_shape = _groups_along(s, int(axis), m, name)
        keep = topk_mask_rows(np.ascontiguousarray(groups, dtype=np.float64),
                              np.full(groups.shape[0], n, dtype=np.int64))
        masks[k] = np.moveaxis(keep.reshape(moved_shape), -1, int(axis))
    return _wrap(weights, masks), sparsity_report(masks)


def group_mask(weights, sparsity, *, axis=0, scope="layer"):
    """Structured mask: remove whole slices along ``axis`` of smallest l2 norm.

    For a weight of shape (out, in) or (out, in, kh, kw), ``axis=0`` removes
    rows / output neurons / conv filters and ``axis=1`` columns / inputs /
    conv input channels. ``round(sparsity * n_groups)`` groups of every
    array are removed (``scope="layer"``), or of all arrays together ranked
    by their l2 norm divided by the square root of the group size
    (``"global"``).

    Parameters
    ----------
    weights : array_like or dict of str to array_like
        One weight array or several (name -> array).
    sparsity : float
        Fraction of groups to remove, in ``[0, 1)``.
    axis : int, default=0
        Axis indexing the groups.
    scope : {"layer", "global"}, default="layer"

    Returns
    -------
    masks : ndarray of bool or dict of str to ndarray of bool
        Constant on every group.
    report : SparsityReport

    Examples
    --------
    >>> w = np.array([[1.0, 1.0], [0.1, 0.2], [3.0, 0.0]])
    >>> mask, rep = group_mask(w, 0.34, axis=0)
    >>> mask
    array([[ True,  True],
           [False, False],
           [ True,  True]])
    """
    sparsity = check_sparsity(sparsity)
    check_choice("scope", scope, ("layer", "global"))
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {axis!r}")
    items = _as_items(weights, "weights")
    norms = {}
    for k, w in items.items():
        if not -w.ndim <= axis < w.ndim:
            raise ValueError(f"axis={axis} is out of bounds for an array of "
                             f"shape {w.shape}")
        rows = np.moveaxis(w, int(axis), 0).reshape(w.shape[axis], -1)
        norms[k] = np.sqrt(np.sum(rows * rows, axis=1))
    keep_groups = {}
    if scope == "layer":
        for k, g in norms.items():
            keep_groups[k] = _smallest_mask(g, n_pruned(sparsity, g.size))
    else:
        names = list(norms)
        flat = np.concatenate(
            [norms[k] / np.sqrt(max(items[k].size // norms[k].size, 1)) for k in names]
        )
        keep = _smallest_mask(flat, n_pruned(sparsity, flat.size))
        start = 0
        for k in names:
            keep_groups[k] = keep[start : start + norms[k].size]
            start += norms[k].size
    masks = {}
    for k, w in items.items():
        shape = [1] * w.ndim
        shape[int(axis)] = w.shape[axis]
        masks[k] = np.broadcast_to(keep_groups[k].reshape(shape), w.shape).copy()
    return _wrap(weights, masks), sparsity_report(masks)
