"""Sparse Bayesian learning: dense EM-SBL and Kronecker-structured KroSBL.

Estimators (scikit-learn API): :class:`SBLRegressor` (dense dictionary) and
:class:`KroneckerSBL` (dictionary ``A_1 ⊗ ... ⊗ A_I`` given in full, factors
recovered by :func:`nearest_kronecker`). Functions with result objects:
:func:`sbl`, and :func:`kronecker_sbl`, which takes the factors and never
forms their product (SVD, AM and pattern-coupled PC-KroSBL M-steps).
:func:`sbl_posterior` and :func:`kronecker_sbl_posterior` are the E-steps;
:func:`nmse` and :func:`support_recovery_rate` score recoveries.
"""

from ._estimators import KroneckerSBL, SBLRegressor
from ._kronecker_sbl import KroneckerSBLResult, kronecker_sbl, kronecker_sbl_posterior
from ._metrics import nmse, support_recovery_rate
from ._nearest_kronecker import nearest_kronecker
from ._sbl import SBLResult, sbl, sbl_posterior

__all__ = [
    "KroneckerSBL",
    "KroneckerSBLResult",
    "SBLRegressor",
    "SBLResult",
    "kronecker_sbl",
    "kronecker_sbl_posterior",
    "nearest_kronecker",
    "nmse",
    "sbl",
    "sbl_posterior",
    "support_recovery_rate",
]
