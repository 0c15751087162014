"""Hostile input to :func:`sparserecovery.nn.essential_sparsity_curve`.

Its arrays are pruned by ``nn.sparsify`` (hardened by the array specs); what
is left to attack are the arguments of its own: the ``levels``, the
``evaluate`` callback (not callable, or returning NaN/inf/non-numbers), and
the scalars ``tol`` and ``greater_is_better``. The contract is the suite's:
a finite result or a ValueError/TypeError naming the argument.
"""

import math

import numpy as np
from _hardening import EXAMPLES, Raised, check_call, hardening_settings
from hypothesis import given
from hypothesis import strategies as st

from sparserecovery import nn

_W = np.linspace(-1.0, 1.0, 32).reshape(4, 8)


def _model():
    return {"w": _W.copy()}


def _loss(model):
    return -float(np.sum((model["w"] - _W) ** 2))


def _curve(evaluate=_loss, levels=(0.25, 0.5), **kw):
    return nn.essential_sparsity_curve(evaluate, _model(), levels, **kw)


def _check_result(res, levels):
    assert isinstance(res, nn.EssentialSparsityResult)
    want = np.sort(np.asarray(levels, dtype=float))
    np.testing.assert_array_equal(res.levels, want)
    assert res.scores.shape == want.shape and res.seconds.shape == want.shape
    assert np.all(np.isfinite(res.scores)) and math.isfinite(res.dense_score)
    assert res.drop_level == 0.0 or res.drop_level in res.levels


def test_essential_sparsity_curve_bad_args():
    # levels: empty, outside [0, 1), non-finite, wrong type or shape
    for levels in ([], [1.0], [0.5, 1.0], [-0.1], [1.5], [math.nan], [math.inf],
                   [-math.inf], [[0.1, 0.2]], 0.5, "0.5", ["a"], None,
                   [0.1 + 1j], np.array([0.1], dtype=object)):
        res = check_call(lambda levels=levels: _curve(levels=levels), "levels")
        assert isinstance(res, Raised), f"levels={levels!r} accepted"
    # evaluate: not callable
    for evaluate in (None, 3, "accuracy", [_loss]):
        res = check_call(lambda evaluate=evaluate: _curve(evaluate), "evaluate")
        assert isinstance(res, Raised), f"evaluate={evaluate!r} accepted"
    # evaluate returning non-finite or non-numeric scores, on the dense model
    # or only once pruned
    for bad in (math.nan, math.inf, -math.inf, np.float32("nan"), "0.9", None,
                np.array([1.0, 2.0]), True, 1j):
        for dense_ok in (False, True):
            def evaluate(model, bad=bad, dense_ok=dense_ok):
                dense = np.array_equal(model["w"], _W)
                return _loss(model) if dense and dense_ok else bad

            res = check_call(lambda ev=evaluate: _curve(ev), "evaluate")
            assert isinstance(res, Raised), f"evaluate -> {bad!r} accepted"
    # tol and greater_is_better
    for tol in (-1.0, math.nan, math.inf, "0.1", None, 1j):
        res = check_call(lambda tol=tol: _curve(tol=tol), "tol")
        assert isinstance(res, Raised), f"tol={tol!r} accepted"
    for gib in ("yes", None, 1, 0.0):
        res = check_call(lambda gib=gib: _curve(greater_is_better=gib),
                         "greater_is_better")
        assert isinstance(res, Raised), f"greater_is_better={gib!r} accepted"


def test_essential_sparsity_curve_edge_values():
    # Scores of other numeric types are accepted as floats.
    for good in (np.float32(0.5), np.int64(1), 2, np.array(0.25), np.array([0.75])):
        res = check_call(lambda good=good: _curve(lambda m, g=good: g), ())
        _check_result(res, (0.25, 0.5))
        assert res.drop_level == 0.5  # a constant score never drops
    # Level 0 prunes nothing: the score is the dense score; duplicates are kept.
    res = check_call(lambda: _curve(levels=[0.0, 0.5, 0.0], tol=0.0), ())
    _check_result(res, [0.0, 0.5, 0.0])
    assert res.scores[0] == res.scores[1] == res.dense_score
    assert res.drop_level == 0.0  # the first pruning loses something
    # The model is never modified.
    model = _model()
    nn.essential_sparsity_curve(_loss, model, [0.5])
    np.testing.assert_array_equal(model["w"], _W)


@hardening_settings
@given(
    levels=st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4),
    tol=st.floats(allow_nan=True, allow_infinity=True),
    greater_is_better=st.booleans(),
)
def test_essential_sparsity_curve_property(levels, tol, greater_is_better):
    EXAMPLES[0] += 1
    res = check_call(lambda: _curve(levels=levels, tol=tol,
                                    greater_is_better=greater_is_better),
                     ("levels", "tol"))
    valid = (len(levels) > 0 and all(0 <= v < 1 for v in levels)
             and math.isfinite(tol) and tol >= 0)
    assert isinstance(res, Raised) != valid, (levels, tol, res)
    if valid:
        _check_result(res, levels)
