"""Group sparsity: the mixed l2,1 norm."""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_scalar_arg
from ._base import Prox, check_axes, normalize_axes, real_dtype

__all__ = ["L21"]


class L21(Prox):
    r"""Group l2,1 norm ``g(x) = lam * sum_groups ||x_group||_2``.

    The prox shrinks every group towards zero:
    ``x_g * max(1 - lam step / ||x_g||_2, 0)`` (block soft thresholding).

    Groups are either the slices along ``axis`` (the l2 norm is taken along
    ``axis``: for a 2-D array, ``axis=1`` makes every row a group and
    ``axis=0`` every column), or arbitrary groups given by an integer label
    per entry (``groups=``).

    Parameters
    ----------
    lam : float
        Non-negative weight.
    axis : int or tuple of int, optional
        Axis (or axes) along which the l2 norm is taken; default ``-1``
        (the last axis) when ``groups`` is not given.
    groups : array_like of int, optional
        Group label of every entry; the inputs must have its shape. Cannot be
        combined with ``axis``.

    Examples
    --------
    >>> x = np.array([[3.0, 4.0], [0.3, 0.4]])
    >>> L21(lam=1.0, axis=1).prox(x)
    array([[2.4, 3.2],
           [0. , 0. ]])
    >>> L21(lam=1.0, groups=[0, 1, 0]).prox(np.array([3.0, 0.5, 4.0]))
    array([2.4, 0. , 3.2])
    """

    _repr_params = ("lam", "axis", "groups")

    def __init__(self, lam=1.0, axis=None, groups=None):
        self.lam = check_scalar_arg(lam, "lam", lower=0)
        if groups is not None and axis is not None:
            raise ValueError("give either axis or groups, not both")
        if groups is None:
            self.axis = -1 if axis is None else check_axes(axis, "axis")
            self.groups = None
            self._labels = None
        else:
            self.axis = None
            labels = np.asarray(groups)
            if labels.dtype == bool or not np.issubdtype(labels.dtype, np.integer):
                raise TypeError(
                    "groups must be an array of integer labels, got dtype "
                    f"{labels.dtype}"
                )
            if labels.size == 0:
                raise ValueError("groups must have at least 1 entry, got 0")
            self.groups = labels
            _, inverse = np.unique(labels, return_inverse=True)
            self._labels = inverse.reshape(labels.shape)
            self._n_groups = int(inverse.max()) + 1

    def _group_norms(self, x):
        """Group norms (float64) and a function mapping per-group values to entries."""
        sq = (x.real**2 + x.imag**2) if np.iscomplexobj(x) else x * x
        if self._labels is None:
            axes = normalize_axes(self.axis, x.ndim, "axis")
            norms = np.sqrt(np.sum(sq, axis=axes, keepdims=True, dtype=np.float64))
            return norms, lambda v: v
        if self._labels.shape != x.shape:
            raise ValueError(
                f"groups has shape {self._labels.shape} but x has shape {x.shape}"
            )
        flat = self._labels.ravel()
        norms = np.sqrt(np.bincount(flat, weights=sq.ravel(), minlength=self._n_groups))
        return norms, lambda v: v[flat].reshape(x.shape)

    def value(self, x):
        """``lam`` times the sum of the group l2 norms."""
        x = self._check_input(x)
        norms, _ = self._group_norms(x)
        return self.lam * float(np.sum(norms))

    def _prox(self, x, step):
        norms, spread = self._group_norms(x)
        t = step * self.lam
        scale = np.maximum(norms - t, 0.0) / np.where(norms > 0, norms, 1.0)
        return x * spread(scale).astype(real_dtype(x.dtype), copy=False)
