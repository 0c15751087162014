"""scikit-learn estimator contract for the unmixing transformers."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sparserecovery.unmixing import FCLS, RobustSparseUnmixing, SUnSAL

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)

_BATCH = (
    "all pixels are one ADMM iterate: the stopping rule uses the residuals "
    "of the whole batch, so a subset can stop at another iteration"
)


_OUTER = (
    "the outer (reweighting / lp majorisation) loop stops when the change of "
    "the whole batch is small, so a subset can stop at another iteration"
)


def _expected(estimator):
    if isinstance(estimator, SUnSAL):
        return {"check_methods_subset_invariance": _BATCH}
    if isinstance(estimator, RobustSparseUnmixing):
        return {"check_methods_subset_invariance": _OUTER}
    return {}


@parametrize_with_checks(
    [
        FCLS(n_endmembers=2, random_state=0),
        FCLS(n_endmembers=2, sum_to_one=False, random_state=0),
        SUnSAL(n_endmembers=2, max_iter=50, random_state=0),
        RobustSparseUnmixing(n_endmembers=2, max_iter=3, random_state=0),
    ],
    expected_failed_checks=_expected,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
