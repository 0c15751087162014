"""Vertical stacking of operators that share an input."""

from __future__ import annotations

from math import prod

import numpy as np

from ._base import LinearOperator

__all__ = ["VStack"]


class VStack(LinearOperator):
    """Vertical stack ``[K_1; ...; K_m]`` with the outputs concatenated flat.

    Every block maps the common input shape; its output is flattened and the
    blocks are concatenated into one vector (the form primal-dual solvers
    need for ``g(Kx) = sum_i g_i(K_i x)``, see
    :class:`sparserecovery.proxes.SeparableSum`).

    Parameters
    ----------
    ops : sequence of LinearOperator
        The blocks, all with the same ``ishape``.

    Examples
    --------
    >>> from sparserecovery.operators import Diagonal, Identity
    >>> K = VStack([Identity(2), Diagonal([2.0, 3.0])])
    >>> K @ np.array([1.0, 1.0])
    array([1., 1., 2., 3.])
    >>> K.block(K @ np.array([1.0, 1.0]), 1)
    array([2., 3.])
    """

    def __init__(self, ops):
        ops = list(ops)
        if not ops:
            raise ValueError("ops must contain at least one operator")
        for i, op in enumerate(ops):
            if not isinstance(op, LinearOperator):
                raise TypeError(
                    f"ops[{i}] must be a LinearOperator, got {type(op).__name__}"
                )
            if op.ishape != ops[0].ishape:
                raise ValueError(
                    f"ops[{i}] acts on shape {op.ishape} but ops[0] on "
                    f"{ops[0].ishape}: all blocks must share the input shape"
                )
        self.ops = ops
        sizes = [prod(op.oshape) for op in ops]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        super().__init__(
            ops[0].ishape,
            int(self.offsets[-1]),
            np.result_type(*[o.dtype for o in ops]),
        )

    def block(self, v, i):
        """View of block ``i`` of a stacked vector, in that block's shape."""
        return v[self.offsets[i] : self.offsets[i + 1]].reshape(self.ops[i].oshape)

    def _matvec(self, x):
        parts = [op._matvec(x).ravel() for op in self.ops]
        return np.concatenate(parts)

    def _rmatvec(self, y):
        acc = None
        for i, op in enumerate(self.ops):
            part = op._rmatvec(self.block(y, i)).reshape(self.ishape)
            acc = part if acc is None else acc + part
        return acc
