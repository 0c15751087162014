"""Neural-network weight sparsification (pruning) hooks.

Mask makers on arrays
    :func:`magnitude_mask`, :func:`random_mask`, :func:`nm_mask` (N:M along
    an axis), :func:`group_mask` (whole rows / columns / conv filters or
    channels); each returns masks and a :class:`SparsityReport`.
Layer-wise reconstruction pruning
    :func:`reconstruct_layer`: the sparse (unstructured, N:M or
    input-group) ``W'`` that best reproduces a layer's outputs on
    calibration data, chosen by OBS, OMP, IHT, FISTA (L1 / L21) or SBL and
    refitted by least squares.
Hooks
    :func:`sparsify` prunes a dict of NumPy arrays, a scikit-learn
    ``MLPClassifier`` / ``MLPRegressor`` or a ``torch.nn.Module`` (Linear
    and Conv2d layers, masks through ``torch.nn.utils.prune``; torch is
    imported only when a torch model is given).
    :func:`essential_sparsity_curve` measures performance against one-shot
    sparsity and finds the sharp drop point.
"""

from ._curve import EssentialSparsityResult, essential_sparsity_curve
from ._hooks import sparsify
from ._masks import (
    SparsityReport,
    group_mask,
    magnitude_mask,
    nm_mask,
    random_mask,
    sparsity_report,
)
from ._reconstruct import LayerPruneResult, reconstruct_layer

__all__ = [
    "EssentialSparsityResult",
    "LayerPruneResult",
    "SparsityReport",
    "essential_sparsity_curve",
    "group_mask",
    "magnitude_mask",
    "nm_mask",
    "random_mask",
    "reconstruct_layer",
    "sparsify",
    "sparsity_report",
]
