"""Proximal operators and projections.

Every operator is a :class:`Prox` with ``value(x)`` and
``prox(x, step)``; convex ones also give ``prox_conjugate`` through the
Moreau decomposition.

Norms and penalties
    :class:`L1` (soft thresholding), :class:`L0` (hard thresholding),
    :class:`Lp` (0 < p <= 1), :class:`L21` (group), :class:`Nuclear`
    (singular value thresholding), :class:`TV` (total variation).
Indicators (projections)
    :class:`NonNegative`, :class:`Box`, :class:`Simplex`, :class:`L1Ball`,
    :class:`NM` (N:M sparsity).
Functions
    :func:`soft_threshold`, :func:`hard_threshold`.
"""

from ._base import Prox, Zero
from ._composite import HalfSquaredDistance, SeparableSum
from ._group import L21
from ._indicators import NM, Box, L1Ball, NonNegative, Simplex
from ._nuclear import Nuclear
from ._thresholding import L0, L1, Lp, hard_threshold, soft_threshold
from ._tv import TV

__all__ = [
    "L0",
    "L1",
    "L21",
    "NM",
    "TV",
    "Box",
    "HalfSquaredDistance",
    "L1Ball",
    "Lp",
    "NonNegative",
    "Nuclear",
    "Prox",
    "SeparableSum",
    "Simplex",
    "Zero",
    "hard_threshold",
    "soft_threshold",
]
