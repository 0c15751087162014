"""Proxes built from others: separable sums over blocks, squared distance."""

from __future__ import annotations

from math import prod

import numpy as np

from ..utils.validation import check_array_arg
from ._base import Prox

__all__ = ["HalfSquaredDistance", "SeparableSum"]


class HalfSquaredDistance(Prox):
    """``g(z) = ||z - b||^2 / 2``, the least-squares data term.

    Parameters
    ----------
    b : array_like
        The data.

    Examples
    --------
    >>> g = HalfSquaredDistance(np.array([1.0, 3.0]))
    >>> g.prox(np.array([3.0, 3.0]), step=1.0)
    array([2., 3.])
    """

    def __init__(self, b):
        self.b = check_array_arg(b, "b", min_size=0)

    def _check_against_b(self, x):
        if np.broadcast_shapes(x.shape, self.b.shape) != x.shape:
            raise ValueError(
                f"x has shape {x.shape}, which b of shape {self.b.shape} does "
                "not broadcast to"
            )
        if np.iscomplexobj(self.b) and not np.iscomplexobj(x):
            raise TypeError(f"x is real ({x.dtype}) but b is complex ({self.b.dtype})")

    def value(self, x):
        """Return ``||x - b||^2 / 2``."""
        x = self._check_input(x)
        self._check_against_b(x)
        d = x - self.b
        return 0.5 * float(np.vdot(d, d).real)

    def _prox(self, x, step):
        self._check_against_b(x)
        return (x + step * self.b) / (1.0 + step)


class SeparableSum(Prox):
    """``g(z) = sum_i g_i(z_i)`` over consecutive blocks of a flat vector.

    Pairs with :class:`sparserecovery.operators.VStack`: block ``i`` has
    ``prod(shapes[i])`` entries and is reshaped to ``shapes[i]`` before
    ``g_i`` sees it. The prox (and the conjugate prox) act block by block.

    Parameters
    ----------
    proxes : sequence of Prox
        The block functions.
    shapes : sequence of tuple
        The block shapes (e.g. ``[op.oshape for op in stack.ops]``).

    Examples
    --------
    >>> from sparserecovery.proxes import L1, NonNegative
    >>> g = SeparableSum([L1(1.0), NonNegative()], [(2,), (2,)])
    >>> g.prox(np.array([2.0, -0.5, -1.0, 4.0]), step=1.0)
    array([1., 0., 0., 4.])
    """

    def __init__(self, proxes, shapes):
        self.proxes = list(proxes)
        self.shapes = [tuple(s) for s in shapes]
        if len(self.proxes) != len(self.shapes):
            raise ValueError(
                f"proxes and shapes must have the same length, got "
                f"{len(self.proxes)} and {len(self.shapes)}"
            )
        for i, p in enumerate(self.proxes):
            if not isinstance(p, Prox):
                raise TypeError(f"proxes[{i}] must be a Prox, got {type(p).__name__}")
        sizes = [prod(s) for s in self.shapes]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        self.convex = all(p.convex for p in self.proxes)

    def _blocks(self, x):
        x = np.asarray(x).reshape(-1)
        if x.size != self.offsets[-1]:
            raise ValueError(f"x must have {self.offsets[-1]} entries, got {x.size}")
        return [
            x[self.offsets[i] : self.offsets[i + 1]].reshape(s)
            for i, s in enumerate(self.shapes)
        ]

    def value(self, x):
        """Sum of the block values."""
        return float(
            sum(p.value(b) for p, b in zip(self.proxes, self._blocks(x), strict=True))
        )

    def _prox(self, x, step):
        parts = [
            p._prox(b, step).ravel()
            for p, b in zip(self.proxes, self._blocks(x), strict=True)
        ]
        return np.concatenate(parts).reshape(np.shape(x))

    def prox_conjugate(self, x, step=1.0):
        """Block-wise prox of the conjugate (Moreau decomposition per block)."""
        parts = [
            (b - step * p._prox(b / step, 1.0 / step)).ravel()
            for p, b in zip(self.proxes, self._blocks(x), strict=True)
        ]
        return np.concatenate(parts).reshape(np.shape(x))
