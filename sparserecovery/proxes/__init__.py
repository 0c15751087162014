"""Proximal operators and projections."""

from ._base import Prox, Zero

__all__ = ["Prox", "Zero"]
