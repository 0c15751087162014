"""Linear DAG structure learning: CoLiDE (EV / NV) and graph metrics.

:class:`CoLiDE` learns the weighted adjacency matrix of a linear structural
equation model with concomitant noise-scale estimation; :func:`colide` is the
function behind it. :func:`count_accuracy`,
:func:`structural_hamming_distance` and :func:`is_dag` score a learned graph;
:func:`prune_to_dag` turns a weighted matrix into a DAG.
"""

from ._colide import CoLiDEResult, colide, colide_objective
from ._estimator import CoLiDE
from ._graph import is_dag, prune_to_dag
from ._metrics import count_accuracy, structural_hamming_distance

__all__ = [
    "CoLiDE",
    "CoLiDEResult",
    "colide",
    "colide_objective",
    "count_accuracy",
    "is_dag",
    "prune_to_dag",
    "structural_hamming_distance",
]
