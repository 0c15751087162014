"""scikit-learn estimator contract for CoLiDE (small budgets keep it fast)."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecovery.dag import CoLiDE

# Budgets far below convergence: the warning is expected.
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)

_FAST = {"warm_iter": 30, "max_iter": 30, "checkpoint": 10, "s": (1.0, 0.9)}


@parametrize_with_checks(
    [CoLiDE(**_FAST), CoLiDE(variance="non-equal", **_FAST)],
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
