"""Sparse linear regression under local differential privacy.

Mechanisms with exact calibration (Laplace, classical and analytic
Gaussian), clipping helpers, the client / server protocols of Zhu et al.
(ICLR 2024) -- non-interactive with or without public covariates, and the
sequentially interactive LDP iterative hard thresholding -- and the
:class:`LDPSparseRegression` estimator that simulates the users.
"""

from ._estimator import LDPSparseRegression
from ._mechanisms import (
    GaussianMechanism,
    LaplaceMechanism,
    PrivacyGuarantee,
    analytic_gaussian_sigma,
    classical_gaussian_sigma,
    clip_rows_l2,
    gaussian_delta,
    laplace_scale,
    truncate,
)
from ._protocols import (
    GradientMessage,
    LDPClient,
    LDPIHTServer,
    LDPRegressionResult,
    NLDPMessage,
    NLDPServer,
)

__all__ = [
    "GaussianMechanism",
    "GradientMessage",
    "LDPClient",
    "LDPIHTServer",
    "LDPRegressionResult",
    "LDPSparseRegression",
    "LaplaceMechanism",
    "NLDPMessage",
    "NLDPServer",
    "PrivacyGuarantee",
    "analytic_gaussian_sigma",
    "classical_gaussian_sigma",
    "clip_rows_l2",
    "gaussian_delta",
    "laplace_scale",
    "truncate",
]
