"""Matrix-free linear operators with exact adjoints.

Every operator maps arrays of shape ``ishape`` to arrays of shape
``oshape``, has an adjoint ``.H``, composes with ``@``, adds with ``+`` and
scales with ``*``; :func:`dottest` checks the adjoint of any of them.
"""

from ._base import LinearOperator, aslinearoperator, dottest, power_iteration
from ._basic import Dense, Diagonal, Identity, Mask
from ._finite_difference import FiniteDifference
from ._hadamard import Hadamard
from ._kronecker import Kronecker
from ._stack import VStack
from ._wavelet import Wavelet

__all__ = [
    "Dense",
    "Diagonal",
    "FiniteDifference",
    "Hadamard",
    "Identity",
    "Kronecker",
    "LinearOperator",
    "Mask",
    "VStack",
    "Wavelet",
    "aslinearoperator",
    "dottest",
    "power_iteration",
]
