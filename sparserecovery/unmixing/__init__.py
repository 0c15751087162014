"""Hyperspectral unmixing: robust lp-sparse unmixing and classical baselines.

The estimators are scikit-learn transformers: ``fit(Y)`` with ``Y`` of shape
(n_pixels, n_bands) or a cube (rows, cols, n_bands), and ``transform`` gives
the abundances.

Estimators
    :class:`RobustSparseUnmixing` (l2,1 channel fit, learned per-pixel lp
    sparsity, supervised or blind), :class:`FCLS` (exact fully constrained
    least squares; NNLS with ``sum_to_one=False``), :class:`SUnSAL`.
Functions
    :func:`robust_sparse_unmixing`, :func:`fcls`, :func:`nnls_unmix`,
    :func:`sunsal` return an :class:`UnmixingResult`; :func:`vca` and
    :func:`nfindr` extract endmembers; :func:`as_pixels` / :func:`as_cube`
    reshape cubes.
Metrics
    :func:`abundance_rmse`, :func:`spectral_angle`, :func:`match_endmembers`,
    :func:`sre`.
"""

from ._common import UnmixingResult, as_cube, as_pixels
from ._endmembers import nfindr, vca
from ._estimators import FCLS, RobustSparseUnmixing, SUnSAL
from ._fcls import fcls, nnls_unmix
from ._metrics import abundance_rmse, match_endmembers, spectral_angle, sre
from ._robust import robust_sparse_unmixing
from ._sunsal import sunsal

__all__ = [
    "FCLS",
    "RobustSparseUnmixing",
    "SUnSAL",
    "UnmixingResult",
    "abundance_rmse",
    "as_cube",
    "as_pixels",
    "fcls",
    "match_endmembers",
    "nfindr",
    "nnls_unmix",
    "robust_sparse_unmixing",
    "spectral_angle",
    "sre",
    "sunsal",
    "vca",
]
