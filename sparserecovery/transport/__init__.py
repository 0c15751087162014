"""Entropic optimal transport: Sinkhorn and Sinkhorn-Newton-Sparse.

:func:`sinkhorn_newton_sparse` solves POT's entropic problem
``min <M, P> + reg * sum P log P`` (plan ``P`` with marginals ``a`` and
``b``) to machine precision in tens of iterations: a short Sinkhorn warm-up,
then Newton steps on the dual potential with a sparsified Hessian solved by
conjugate gradient (Tang et al., ICLR 2024). :func:`sinkhorn` is the
first-order baseline (log-domain, stabilised or plain scaling).
:func:`wasserstein_distance` wraps both for point clouds and images. Every
solver returns an :class:`OTResult`.
"""

from ._distance import ground_cost, wasserstein_distance
from ._result import OTResult
from ._sinkhorn import sinkhorn
from ._sns import sinkhorn_newton_sparse
from ._validation import check_ot_inputs

__all__ = [
    "OTResult",
    "check_ot_inputs",
    "ground_cost",
    "sinkhorn",
    "sinkhorn_newton_sparse",
    "wasserstein_distance",
]
