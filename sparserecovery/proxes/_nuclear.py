"""Low rank: the nuclear norm and singular value thresholding."""

from __future__ import annotations

import numpy as np

from ..utils.validation import check_scalar_arg
from ._base import Prox

__all__ = ["Nuclear"]


class Nuclear(Prox):
    """Nuclear norm ``g(X) = lam * sum of the singular values of X``.

    The prox is singular value thresholding: ``U max(S - lam step, 0) V^H``.
    Inputs are real or complex matrices; a 3-D input is a batch of matrices
    along its first axis, and ``g`` is then the sum of their nuclear norms.

    Parameters
    ----------
    lam : float
        Non-negative weight.

    Examples
    --------
    >>> X = np.diag([3.0, 0.5])
    >>> Nuclear(lam=1.0).prox(X)
    array([[2., 0.],
           [0., 0.]])
    >>> Nuclear(lam=2.0).value(X)
    7.0
    """

    _repr_params = ("lam",)

    def __init__(self, lam=1.0):
        self.lam = check_scalar_arg(lam, "lam", lower=0)

    def _check_input(self, x, name="x"):
        x = super()._check_input(x, name)
        if x.ndim not in (2, 3):
            raise ValueError(
                f"{name} must be a matrix (2-D) or a batch of matrices (3-D), "
                f"got shape {x.shape}"
            )
        return x

    def value(self, x):
        """``lam`` times the nuclear norm (summed over a batch)."""
        x = self._check_input(x)
        return self.lam * float(np.sum(np.linalg.svd(x, compute_uv=False)))

    def _prox(self, x, step):
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        s = np.maximum(s - step * self.lam, 0)
        return (u * s[..., None, :]) @ vh
