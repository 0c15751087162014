"""Matrix-free linear operators with exact adjoints."""

from ._base import LinearOperator, aslinearoperator, dottest, power_iteration
from ._basic import Dense, Diagonal, Identity, Mask

__all__ = [
    "Dense",
    "Diagonal",
    "Identity",
    "LinearOperator",
    "Mask",
    "aslinearoperator",
    "dottest",
    "power_iteration",
]
