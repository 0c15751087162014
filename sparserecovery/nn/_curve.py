"""Essential sparsity: performance against one-shot sparsity and its drop point."""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass

import numpy as np

from ..utils.validation import check_array_arg, check_scalar_arg
from ._hooks import sparsify

__all__ = ["EssentialSparsityResult", "essential_sparsity_curve"]


@dataclass(frozen=True)
class EssentialSparsityResult:
    """Outcome of :func:`essential_sparsity_curve`.

    Attributes
    ----------
    levels : ndarray
        Sparsity levels, increasing.
    scores : ndarray
        ``evaluate`` of the one-shot pruned model at every level.
    dense_score : float
        ``evaluate`` of the dense model.
    drop_level : float
        The essential sparsity: the largest level such that at that level
        and at every smaller one the score stays within ``tol`` of the
        dense score (``0.0`` when already the first level falls out).
        Beyond it the performance drops sharply.
    tol : float
        The tolerance, in the units of the score.
    greater_is_better : bool
        Orientation of the score.
    method : str
        The pruning method.
    seconds : ndarray
        Wall-clock seconds spent pruning at every level.
    """

    levels: np.ndarray
    scores: np.ndarray
    dense_score: float
    drop_level: float
    tol: float
    greater_is_better: bool
    method: str
    seconds: np.ndarray

    def plot(self, ax=None, label=None):
        """Plot score against sparsity, the dense level and the drop point.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (default: a new figure).
        label : str, optional
            Legend label of the curve (default: the method).

        Returns
        -------
        matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 3.8))
        line = ax.plot(self.levels, self.scores, marker="o",
                       label=label or self.method)[0]
        ax.axhline(self.dense_score, color="0.5", lw=0.8, ls="--")
        ax.axvline(self.drop_level, color=line.get_color(), lw=0.8, ls=":")
        ax.set_xlabel("sparsity")
        ax.set_ylabel("score")
        ax.legend(fontsize=8)
        return ax


def _score(evaluate, model, where):
    """``evaluate(model)`` as a finite float, or a clear error naming it."""
    value = evaluate(model)
    if not isinstance(value, numbers.Real) and hasattr(value, "item"):
        try:  # 1-element numpy arrays and torch tensors
            value = value.item()
        except (ValueError, RuntimeError, TypeError):
            pass
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"evaluate must return a real number, got "
                        f"{type(value).__name__} for {where}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"evaluate returned {value} for {where}; scores must "
                         "be finite")
    return value


def essential_sparsity_curve(evaluate, model, levels, *, method="magnitude",
                             tol=0.01, greater_is_better=True, **kwargs):
    """Score of one-shot pruned copies of ``model`` at increasing sparsity.

    At every level the dense ``model`` is pruned once by :func:`sparsify`
    (never in place) and scored; the sharp drop point is the largest level
    up to which the score stays within ``tol`` of the dense score (the
    "essential sparsity" of Jaiswal et al., 2023, with ``tol=0.01`` for an
    accuracy in [0, 1], i.e. one point).

    Parameters
    ----------
    evaluate : callable
        ``evaluate(model) -> float``, e.g. test accuracy. It must return a
        finite real number (a NaN or infinite score raises, it would make
        the drop point meaningless).
    model : dict, MLPClassifier, MLPRegressor or torch.nn.Module
        The dense model (left untouched).
    levels : array_like of float
        Sparsity levels in ``[0, 1)``, at least one, finite; evaluated in
        increasing order.
    method : str, default="magnitude"
        Pruning method of :func:`sparsify` (N:M has no level to vary).
    tol : float, default=0.01
        Allowed loss, in the units of the score.
    greater_is_better : bool, default=True
        Whether a larger score is better (accuracy) or worse (a loss).
    **kwargs
        Passed on to :func:`sparsify` (``calibration``, ``solver``, ...).

    Returns
    -------
    EssentialSparsityResult

    Raises
    ------
    TypeError
        If ``evaluate`` is not callable or returns something that is not a
        real number, or ``greater_is_better`` is not a bool.
    ValueError
        If ``levels`` is empty, not 1-D, or has a value outside ``[0, 1)``;
        if ``tol`` is negative or not finite; if ``evaluate`` returns NaN or
        an infinite score (the message names the level).

    Examples
    --------
    >>> w = {"w": np.linspace(-1, 1, 40).reshape(4, 10)}
    >>> ev = lambda m: -float(np.sum((m["w"] - w["w"]) ** 2))
    >>> res = essential_sparsity_curve(ev, w, [0.1, 0.3, 0.6], tol=0.5)
    >>> res.scores.round(3)
    array([-0.013, -0.376, -3.024])
    >>> res.drop_level
    0.3
    """
    if not callable(evaluate):
        raise TypeError(f"evaluate must be callable, got {type(evaluate).__name__}")
    if not isinstance(greater_is_better, (bool, np.bool_)):
        raise TypeError("greater_is_better must be a bool, got "
                        f"{type(greater_is_better).__name__}")
    if method == "nm" or kwargs.get("pattern") == "nm" or "n" in kwargs:
        raise ValueError("an N:M pattern has a fixed sparsity; use an unstructured "
                         "or group method for a curve")
    lv = check_array_arg(levels, "levels", ndim=1, allow_complex=False)
    if np.any(lv < 0) or np.any(lv >= 1):
        raise ValueError(f"levels must lie in [0, 1), got {lv.tolist()}")
    lv = np.sort(lv.astype(np.float64))
    tol = check_scalar_arg(tol, "tol", lower=0)
    dense = _score(evaluate, model, "the dense model")
    scores, seconds = [], []
    for s in lv:
        t0 = time.perf_counter()
        pruned = sparsify(model, method=method, sparsity=float(s), inplace=False,
                          **kwargs)
        seconds.append(time.perf_counter() - t0)
        scores.append(_score(evaluate, pruned, f"sparsity {float(s):g}"))
    scores = np.asarray(scores)
    ok = scores >= dense - tol if greater_is_better else scores <= dense + tol
    bad = np.flatnonzero(~ok)
    first_bad = bad[0] if bad.size else lv.size
    drop = float(lv[first_bad - 1]) if first_bad > 0 else 0.0
    return EssentialSparsityResult(
        levels=lv, scores=scores, dense_score=dense, drop_level=drop, tol=tol,
        greater_is_better=bool(greater_is_better), method=method,
        seconds=np.asarray(seconds),
    )
