"""Shared machinery of the hardening suite: the hypothesis profile in use,
input corruptions, and the outcome contract every entry point must meet.

The contract (issue 14): a call either returns a finite answer or raises a
``ValueError``/``TypeError`` whose message names the offending argument.
Anything else -- a numba ``TypingError``, an ``IndexError``, a
``ZeroDivisionError``, a ``RuntimeWarning`` escalated to an error by the
suite's warning filter, a NaN in the answer -- fails the test.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import warnings

import numpy as np
from hypothesis import settings

_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
hardening_settings = settings.get_profile(
    _PROFILE if _PROFILE in ("ci", "thorough") else "ci"
)

# Hypothesis examples run by the property tests of this session (printed in
# the terminal summary by conftest.py; quoted in docs/hardening.rst).
EXAMPLES = [0]

# Every corruption the generic property tests can apply to an array argument.
CORRUPTIONS = (
    "nan",
    "inf",
    "ninf",
    "empty",
    "object",
    "str",
    "complex",
    "int",
    "bool",
    "float32",
    "tiny",
    "huge",
    "ndim_up",
    "ndim_down",
    "one",
    "zeros",
)

# Corruptions after which a finite answer is not acceptable for an argument
# that must be finite (the call must raise).
MUST_RAISE = ("nan", "inf", "ninf", "str")


def corrupt(arr, kind, rng, *, magnitude=300):
    """Return a corrupted copy of ``arr`` (never a view of it)."""
    arr = np.array(arr, copy=True)
    if kind in ("nan", "inf", "ninf"):
        out = arr.astype(np.result_type(arr.dtype, np.float64), copy=True)
        if out.size:
            flat = out.reshape(-1)
            flat[rng.integers(flat.size)] = {
                "nan": np.nan, "inf": np.inf, "ninf": -np.inf
            }[kind]
        return out
    if kind == "empty":
        if arr.ndim == 0:
            return np.zeros(0)
        shape = list(arr.shape)
        shape[int(rng.integers(arr.ndim))] = 0
        return np.zeros(shape, dtype=arr.dtype)
    if kind == "object":
        return arr.astype(object)
    if kind == "str":
        return arr.astype(str)
    if kind == "complex":
        return arr + 1j * arr[::-1] if arr.ndim else arr + 1j
    if kind == "int":
        return np.rint(np.real(arr) * 3).astype(np.int64)
    if kind == "bool":
        return np.real(arr) > 0
    if kind == "float32":
        return arr.astype(np.complex64 if np.iscomplexobj(arr) else np.float32)
    if kind == "tiny":
        return arr * 10.0 ** (-magnitude)
    if kind == "huge":
        return arr * 10.0**magnitude
    if kind == "ndim_up":
        return arr[..., None]
    if kind == "ndim_down":
        return arr.reshape(-1)[0] if arr.ndim <= 1 else arr.reshape(-1)
    if kind == "one":
        return arr[:1] if arr.ndim else arr
    if kind == "zeros":
        return np.zeros_like(arr)
    raise AssertionError(kind)


def _leaves(obj, skip=("history", "times", "timings", "info", "time",
                       "refine_time")):
    """Numeric leaves of a result: arrays, scalars, dataclass fields, tuples,
    fitted estimator attributes (names ending in ``_``), without the
    wall-clock and history fields named in ``skip``."""
    if obj is None or isinstance(obj, (str, bytes, bool, np.bool_)):
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype != object:
            yield obj
        else:
            for o in obj.ravel():
                yield from _leaves(o, skip)
        return
    if isinstance(obj, (int, float, complex, np.number)):
        yield np.asarray(obj)
        return
    if hasattr(obj, "tocoo") and hasattr(obj, "data"):  # scipy sparse
        yield np.asarray(obj.data)
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name not in skip:
                yield from _leaves(getattr(obj, f.name), skip)
        return
    if isinstance(obj, (tuple, list)):
        for o in obj:
            yield from _leaves(o, skip)
        return
    if isinstance(obj, dict):
        for k, o in obj.items():
            if k not in skip:
                yield from _leaves(o, skip)
        return
    if hasattr(obj, "get_params"):  # fitted estimator
        for k, v in vars(obj).items():
            if k.endswith("_") and not k.startswith("_") and k not in skip:
                yield from _leaves(v, skip)


def assert_finite(result, what="result"):
    """Every numeric leaf of ``result`` is finite (no silent NaN/inf)."""
    for leaf in _leaves(result):
        if np.issubdtype(leaf.dtype, np.inexact):
            assert np.all(np.isfinite(leaf)), f"{what} holds NaN/inf: {leaf!r}"[:400]


class Raised:
    """Marker returned by :func:`check_call` when the call raised cleanly."""

    def __init__(self, exc):
        self.exc = exc

    def __repr__(self):
        return f"Raised({self.exc!r})"


# A call running longer than this is reported as a hang. The problems are
# tiny (every valid call takes well under a second once compiled); the
# margin covers numba compiling a new signature on a cold cache, which must
# not be interrupted.
CALL_TIMEOUT = 180


class Hang(Exception):
    """Raised inside a call that exceeded :data:`CALL_TIMEOUT` seconds."""


def _alarm(signum, frame):
    raise Hang(f"call did not return within {CALL_TIMEOUT} s")


def _timed(fn):
    if not hasattr(signal, "SIGALRM"):
        return fn()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CALL_TIMEOUT)
    try:
        return fn()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check_call(fn, names, *, must_raise=False, finite=True, nan_in=False):
    """Run ``fn()`` and enforce the hardening contract.

    ``names``: the argument names one of which a ValueError/TypeError message
    must contain; ``nan_in``: the input is deliberately non-finite and the
    entry point documents NaN propagation, so numpy's RuntimeWarnings about
    it are expected. Returns the result, or a :class:`Raised` marker.
    """
    if isinstance(names, str):
        names = (names,)
    with warnings.catch_warnings():
        # Convergence warnings are a documented outcome; RuntimeWarnings are
        # escalated by the project's filterwarnings and fail the test.
        warnings.filterwarnings("ignore", message=".*did not converge.*")
        warnings.filterwarnings("ignore", category=UserWarning)
        if nan_in:  # NaN in -> NaN out is documented (linear operators)
            warnings.filterwarnings("ignore", category=RuntimeWarning)
        try:
            result = _timed(fn)
        except (ValueError, TypeError) as exc:
            msg = str(exc)
            assert type(exc).__module__.split(".")[0] != "numba", (
                f"numba error leaked: {exc!r}"
            )
            assert any(n in msg for n in names), (
                f"{type(exc).__name__} does not name the argument {names}: {msg!r}"
            )
            return Raised(exc)
    assert not must_raise, f"expected ValueError/TypeError naming {names}"
    if finite:
        assert_finite(result)
    return result
