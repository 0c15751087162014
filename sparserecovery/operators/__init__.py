"""Matrix-free linear operators with exact adjoints."""

from ._base import LinearOperator, aslinearoperator, dottest, power_iteration

__all__ = ["LinearOperator", "aslinearoperator", "dottest", "power_iteration"]
