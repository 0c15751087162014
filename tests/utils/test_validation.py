import warnings

import numpy as np
import pytest

from sparserecovery.base import ConvergenceWarning, IterationMonitor, SolverResult
from sparserecovery.utils import (
    check_array_arg,
    check_choice,
    check_max_iter,
    check_positive,
    check_scalar_arg,
    check_tol,
    float_dtype,
)


def test_check_array_arg_conversions():
    assert check_array_arg([1, 2], "x").dtype == np.float64
    assert check_array_arg(np.ones(2, np.float32), "x").dtype == np.float32
    assert check_array_arg(np.ones(2, np.complex64), "x").dtype == np.complex64
    assert check_array_arg([True, False], "x").dtype == np.float64
    x = np.ones(3)
    assert check_array_arg(x, "x") is x
    assert check_array_arg(x, "x", copy=True) is not x


@pytest.mark.parametrize(
    ("value", "kwargs", "exc", "match"),
    [
        (np.array([1.0, np.inf]), {}, ValueError, "x contains NaN or infinite"),
        (np.array([np.nan]), {}, ValueError, "x contains NaN"),
        (np.ones((2, 2)), {"ndim": 1}, ValueError, "x must be 1-dimensional"),
        (np.ones((2, 3)), {"shape": (2, 2)}, ValueError, r"x must have shape \(2, 2\)"),
        (np.ones(0), {}, ValueError, "at least 1 entries"),
        (np.array(["a"]), {}, TypeError, "x must be a numeric array"),
        (np.array([object()]), {}, TypeError, "x must be a numeric array"),
        (None, {}, TypeError, "x must be an array"),
        ("abc", {}, TypeError, "x must be a numeric array"),
        (np.ones(2) * 1j, {"allow_complex": False}, TypeError, "x must be real"),
    ],
)
def test_check_array_arg_errors(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        check_array_arg(value, "x", **kwargs)


def test_shape_with_wildcards():
    check_array_arg(np.ones((2, 5)), "x", shape=(2, None))
    with pytest.raises(ValueError, match=r"\(3, 'any'\)"):
        check_array_arg(np.ones((2, 5)), "x", shape=(3, None))


def test_scalars():
    assert check_scalar_arg(3, "n", lower=1, integer=True) == 3
    assert check_positive(0.1, "reg") == 0.1
    with pytest.raises(ValueError, match="reg must be > 0, got 0"):
        check_positive(0, "reg")
    with pytest.raises(ValueError, match="p must be <= 1"):
        check_scalar_arg(2.0, "p", upper=1)
    with pytest.raises(TypeError, match="n must be an int"):
        check_scalar_arg(2.5, "n", integer=True)
    with pytest.raises(TypeError, match="flag must be a real number"):
        check_scalar_arg(True, "flag")
    with pytest.raises(ValueError, match="reg must be finite"):
        check_scalar_arg(float("nan"), "reg")
    with pytest.raises(ValueError, match="max_iter must be >= 0"):
        check_max_iter(-1)
    with pytest.raises(ValueError, match="tol must be >= 0"):
        check_tol(-1e-3)
    with pytest.raises(ValueError, match="method must be one of 'a', 'b'; got 'c'"):
        check_choice("method", "c", ("a", "b"))


def test_float_dtype():
    assert float_dtype(np.ones(1, int)) == np.float64
    assert float_dtype(np.ones(1, np.float32), np.ones(1, np.complex64)) == np.complex64
    with pytest.raises(TypeError, match="complex"):
        float_dtype(np.ones(1, complex), allow_complex=False)


def test_monitor_converges_and_warns():
    mon = IterationMonitor("s", max_iter=3, tol=1e-3)
    for k in range(3):
        if mon.update(k, 1.0 / (k + 1), crit=1.0, x=None):
            break
    with pytest.warns(ConvergenceWarning, match="s did not converge in max_iter=3"):
        res = mon.result(np.zeros(1))
    assert isinstance(res, SolverResult)
    assert res.n_iter == 3 and not res.converged
    np.testing.assert_allclose(res.history, [1.0, 0.5, 1.0 / 3])
    with pytest.raises(Exception, match="cannot assign"):
        res.n_iter = 4  # frozen

    seen = []
    mon = IterationMonitor("s", max_iter=10, tol=0.0, callback=lambda k, x: k == 1)
    for k in range(10):
        seen.append(k)
        if mon.update(k, 0.0, crit=1.0, x=None):
            break
    assert seen == [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mon.result(None).converged
