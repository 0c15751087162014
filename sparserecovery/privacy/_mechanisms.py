"""Additive-noise mechanisms, their calibration and clipping helpers.

Every mechanism adds noise calibrated to a *sensitivity*: the largest change
of the released statistic when one user's record is replaced by any other
record. In the local model each user releases a statistic of their own record
only, so the sensitivity is the diameter of the set of values that statistic
can take; the clipping helpers below make that set bounded.

Calibrations (all exact, none asymptotic):

* Laplace (pure ``epsilon``-DP): i.i.d. Laplace noise of scale
  ``b = sensitivity_l1 / epsilon``; per-coordinate standard deviation
  ``sqrt(2) * b``.
* Classical Gaussian (Dwork & Roth 2014, Thm A.1), valid for
  ``epsilon <= 1`` only:
  ``sigma = sensitivity_l2 * sqrt(2 * log(1.25 / delta)) / epsilon``.
* Analytic Gaussian (Balle & Wang 2018, Thm 8), valid for every
  ``epsilon > 0``: the smallest ``sigma`` with
  ``Phi(D / (2 sigma) - epsilon sigma / D)
  - exp(epsilon) Phi(-D / (2 sigma) - epsilon sigma / D) <= delta``
  where ``D`` is the l2 sensitivity; this condition is necessary and
  sufficient, so the analytic ``sigma`` is never larger than the classical
  one. We solve it by bisection on ``log(sigma)`` with the exact condition
  evaluated through :func:`scipy.special.log_ndtr` (no overflow at large
  ``epsilon``) and return the upper end of the final bracket, so the
  returned ``sigma`` always satisfies the condition.

``epsilon = inf`` is accepted everywhere and means *no privacy*: the noise
scale is zero. It exists so that the non-private limit of every protocol can
be computed by the same code.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..utils import check_array_arg, check_choice, check_random_state

__all__ = [
    "GaussianMechanism",
    "LaplaceMechanism",
    "PrivacyGuarantee",
    "analytic_gaussian_sigma",
    "classical_gaussian_sigma",
    "clip_rows_l2",
    "gaussian_delta",
    "laplace_scale",
    "truncate",
]


# --------------------------------------------------------------------------
# argument checks shared by the privacy package
# --------------------------------------------------------------------------
def _check_rng(random_state):
    """A numpy ``Generator`` from ``random_state`` (int, RandomState, None...).

    A ``Generator`` passes through; anything else goes through
    :func:`check_random_state` and seeds a fresh ``Generator`` from one draw,
    so results are reproducible for an int seed and follow ``np.random.seed``
    for ``None``. (``Generator`` draws normals about four times faster than
    the legacy ``RandomState``.)
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------
# --------------------------------------------------------------------------
def _check_epsilon(epsilon, name="epsilon"):
    """Privacy budget: a real number > 0; ``inf`` means no privacy."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
        raise TypeError(f"{name} must be a real number > 0, got {epsilon!r}")
    epsilon = float(epsilon)
    if math.isnan(epsilon) or epsilon <= 0:
        raise ValueError(f"{name} must be > 0 (or inf for no privacy), got {epsilon!r}")
    return epsilon


def _check_delta(delta, name="delta"):
    """Failure probability of approximate DP: a real number in (0, 1)."""
    if isinstance(delta, bool) or not isinstance(delta, numbers.Real):
        raise TypeError(f"{name} must be a real number in (0, 1), got {delta!r}")
    delta = float(delta)
    if not (0.0 < delta < 1.0):
        raise ValueError(f"{name} must be in the open interval (0, 1), got {delta!r}")
    return delta


def _check_sensitivity(value, name="sensitivity"):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number >= 0, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return value


# --------------------------------------------------------------------------
# the guarantee
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class PrivacyGuarantee:
    """The ``(epsilon, delta)``-local-DP guarantee one user gets.

    Attributes
    ----------
    epsilon : float
        Privacy loss bound; ``inf`` means no privacy.
    delta : float
        Failure probability; ``0`` for pure ``epsilon``-DP.

    Examples
    --------
    >>> print(PrivacyGuarantee(1.0, 1e-6))
    (1, 1e-06)-LDP
    >>> PrivacyGuarantee(float("inf"), 0.0).is_private
    False
    """

    epsilon: float
    delta: float

    def __post_init__(self):
        _check_epsilon(self.epsilon)
        if isinstance(self.delta, bool) or not isinstance(self.delta, numbers.Real):
            raise TypeError(
                f"delta must be a real number in [0, 1), got {self.delta!r}"
            )
        if not 0.0 <= self.delta < 1.0:
            raise ValueError(f"delta must be in [0, 1), got {self.delta!r}")

    @property
    def is_private(self):
        """Whether the guarantee is non-trivial (``epsilon`` finite)."""
        return math.isfinite(self.epsilon)

    def __str__(self):
        return f"({self.epsilon:g}, {self.delta:g})-LDP"


# --------------------------------------------------------------------------
# calibration functions
# --------------------------------------------------------------------------
def laplace_scale(sensitivity_l1, epsilon):
    """Scale ``b`` of the Laplace mechanism: ``sensitivity_l1 / epsilon``.

    Adding i.i.d. ``Laplace(0, b)`` noise to every coordinate of a statistic
    whose l1 sensitivity is ``sensitivity_l1`` gives pure ``epsilon``-DP.

    Parameters
    ----------
    sensitivity_l1 : float
        l1 sensitivity of the released statistic.
    epsilon : float
        Privacy budget, > 0 (``inf`` gives ``0``).

    Returns
    -------
    float
        The noise scale ``b`` (standard deviation ``sqrt(2) * b``).

    Examples
    --------
    >>> laplace_scale(2.0, 0.5)
    4.0
    """
    sensitivity_l1 = _check_sensitivity(sensitivity_l1, "sensitivity_l1")
    epsilon = _check_epsilon(epsilon)
    return 0.0 if math.isinf(epsilon) else sensitivity_l1 / epsilon


def classical_gaussian_sigma(sensitivity_l2, epsilon, delta):
    """Noise std of the classical Gaussian mechanism (valid for ``epsilon <= 1``).

    ``sigma = sensitivity_l2 * sqrt(2 log(1.25 / delta)) / epsilon`` gives
    ``(epsilon, delta)``-DP for ``0 < epsilon <= 1`` (Dwork & Roth 2014,
    Theorem A.1). For larger ``epsilon`` the formula has no proof; use
    :func:`analytic_gaussian_sigma`.

    Parameters
    ----------
    sensitivity_l2 : float
        l2 sensitivity of the released statistic.
    epsilon : float
        Privacy budget in ``(0, 1]``.
    delta : float
        Failure probability in ``(0, 1)``.

    Returns
    -------
    float
        The per-coordinate noise standard deviation.

    Examples
    --------
    >>> round(classical_gaussian_sigma(1.0, 1.0, 1e-5), 4)
    4.8448
    """
    sensitivity_l2 = _check_sensitivity(sensitivity_l2, "sensitivity_l2")
    epsilon = _check_epsilon(epsilon)
    delta = _check_delta(delta)
    if epsilon > 1.0:
        raise ValueError(
            "epsilon must be <= 1 for the classical Gaussian mechanism, got "
            f"{epsilon!r}; use the analytic Gaussian mechanism for larger epsilon"
        )
    sigma = sensitivity_l2 * math.sqrt(2.0 * math.log(1.25 / delta)) / epsilon
    if not math.isfinite(sigma):
        raise ValueError(
            f"epsilon={epsilon!r} is too small: the noise scale overflows float64"
        )
    return sigma


def gaussian_delta(sigma, sensitivity_l2, epsilon):
    """Exact ``delta`` of the Gaussian mechanism at noise std ``sigma``.

    The smallest ``delta`` for which adding ``N(0, sigma^2 I)`` to a
    statistic of l2 sensitivity ``sensitivity_l2`` is
    ``(epsilon, delta)``-DP (Balle & Wang 2018, Theorem 8), with
    ``a = D / (2 sigma)`` and ``b = epsilon sigma / D``:
    ``Phi(a - b) - exp(epsilon) Phi(-a - b)``.

    Parameters
    ----------
    sigma : float
        Noise standard deviation, > 0.
    sensitivity_l2 : float
        l2 sensitivity ``D``.
    epsilon : float
        Privacy loss, > 0 and finite.

    Returns
    -------
    float
        The exact ``delta`` (in ``[0, 1]``).

    Examples
    --------
    >>> d = gaussian_delta(analytic_gaussian_sigma(1.0, 1.0, 1e-5), 1.0, 1.0)
    >>> bool(d <= 1e-5) and bool(d > 0.999e-5)
    True
    """
    from scipy.special import log_ndtr, ndtr

    sensitivity_l2 = _check_sensitivity(sensitivity_l2, "sensitivity_l2")
    epsilon = _check_epsilon(epsilon)
    if math.isinf(epsilon):
        raise ValueError("epsilon must be finite to compute delta, got inf")
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"sigma must be a real number >= 0, got {sigma!r}")
    sigma = float(sigma)
    if math.isnan(sigma) or sigma < 0:
        raise ValueError(f"sigma must be >= 0, got {sigma!r}")
    if math.isinf(sigma):
        return 0.0  # infinite noise: no privacy loss at all
    if sensitivity_l2 == 0:
        return 0.0
    if not (sigma > 0):
        return 1.0
    a = sensitivity_l2 / (2.0 * sigma)
    b = epsilon * sigma / sensitivity_l2
    first = float(ndtr(a - b))
    # delta >= 0 makes this exponent <= 0 in exact arithmetic; the cap only
    # keeps rounding at huge epsilon from overflowing math.exp
    second = math.exp(min(epsilon + float(log_ndtr(-a - b)), 700.0))
    return max(first - second, 0.0)


def analytic_gaussian_sigma(sensitivity_l2, epsilon, delta, *, rtol=1e-12):
    """Smallest noise std of the Gaussian mechanism for ``(epsilon, delta)``-DP.

    Solves the exact (necessary and sufficient) condition of Balle & Wang
    (2018, Theorem 8), ``gaussian_delta(sigma) <= delta``, by bisection on
    ``log(sigma)``. Valid for every ``epsilon > 0``.

    Parameters
    ----------
    sensitivity_l2 : float
        l2 sensitivity of the released statistic.
    epsilon : float
        Privacy budget, > 0 (``inf`` gives ``0``).
    delta : float
        Failure probability in ``(0, 1)``.
    rtol : float
        Relative width of the final bisection bracket.

    Returns
    -------
    float
        The noise standard deviation; the upper end of the final bracket, so
        ``gaussian_delta(sigma, sensitivity_l2, epsilon) <= delta`` holds.

    Examples
    --------
    >>> s = analytic_gaussian_sigma(1.0, 1.0, 1e-5)
    >>> bool(s < classical_gaussian_sigma(1.0, 1.0, 1e-5))
    True
    >>> round(s, 3)
    3.731
    """
    sensitivity_l2 = _check_sensitivity(sensitivity_l2, "sensitivity_l2")
    epsilon = _check_epsilon(epsilon)
    delta = _check_delta(delta)
    if math.isinf(epsilon) or sensitivity_l2 == 0:
        return 0.0
    D = sensitivity_l2
    # gaussian_delta is decreasing in sigma; bracket the root in log space.
    hi = D * max(1.0, math.sqrt(2.0 * math.log(1.25 / delta)) / epsilon)
    while math.isfinite(hi) and gaussian_delta(hi, D, epsilon) > delta:
        hi *= 2.0
    if not math.isfinite(hi):
        raise ValueError(
            f"epsilon={epsilon!r} is too small: the noise scale overflows float64"
        )
    lo = hi / 2.0
    while gaussian_delta(lo, D, epsilon) <= delta and lo > 1e-300:
        hi, lo = lo, lo / 2.0
    log_lo, log_hi = math.log(lo), math.log(hi)
    while log_hi - log_lo > rtol:
        mid = 0.5 * (log_lo + log_hi)
        if gaussian_delta(math.exp(mid), D, epsilon) <= delta:
            log_hi = mid
        else:
            log_lo = mid
    return math.exp(log_hi)


# --------------------------------------------------------------------------
# mechanisms
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class LaplaceMechanism:
    """Laplace mechanism: pure ``epsilon``-DP for a statistic of bounded l1 range.

    Parameters
    ----------
    epsilon : float
        Privacy budget, > 0 (``inf``: no noise).
    sensitivity : float
        l1 sensitivity of the statistic the mechanism is applied to.

    Attributes
    ----------
    scale : float
        Laplace scale ``b = sensitivity / epsilon``.
    std : float
        Per-coordinate noise standard deviation ``sqrt(2) b``.
    guarantee : PrivacyGuarantee
        ``(epsilon, 0)``.

    Examples
    --------
    >>> mech = LaplaceMechanism(epsilon=1.0, sensitivity=2.0)
    >>> mech.scale
    2.0
    >>> print(mech.guarantee)
    (1, 0)-LDP
    >>> mech.randomize([0.0, 0.0], random_state=0).shape
    (2,)
    """

    epsilon: float
    sensitivity: float

    def __post_init__(self):
        object.__setattr__(self, "epsilon", _check_epsilon(self.epsilon))
        object.__setattr__(
            self, "sensitivity", _check_sensitivity(self.sensitivity, "sensitivity")
        )

    @property
    def scale(self):
        """Laplace scale ``b``."""
        return laplace_scale(self.sensitivity, self.epsilon)

    @property
    def std(self):
        """Per-coordinate noise standard deviation."""
        return math.sqrt(2.0) * self.scale

    @property
    def guarantee(self):
        """The ``(epsilon, 0)`` guarantee."""
        return PrivacyGuarantee(self.epsilon, 0.0)

    def noise(self, shape, random_state=None):
        """Draw noise of the calibrated scale with the given shape."""
        rng = _check_rng(random_state)
        if self.scale == 0:
            return np.zeros(shape)
        return rng.laplace(0.0, self.scale, size=shape)

    def randomize(self, value, random_state=None):
        """Return ``value`` plus calibrated noise (``value`` is not modified).

        The caller is responsible for ``value`` having the stated
        sensitivity (see :func:`clip_rows_l2` and :func:`truncate`).
        """
        value = check_array_arg(value, "value", allow_complex=False)
        return value + self.noise(value.shape, random_state)


@dataclass(frozen=True)
class GaussianMechanism:
    """Gaussian mechanism: ``(epsilon, delta)``-DP for bounded l2 range.

    Parameters
    ----------
    epsilon : float
        Privacy budget, > 0 (``inf``: no noise).
    delta : float
        Failure probability in ``(0, 1)``.
    sensitivity : float
        l2 sensitivity of the statistic the mechanism is applied to.
    method : {"analytic", "classical"}
        ``"analytic"`` (default): exact calibration of Balle & Wang (2018),
        valid for every ``epsilon``. ``"classical"``: the textbook
        ``sqrt(2 log(1.25/delta))`` formula, valid only for ``epsilon <= 1``.

    Attributes
    ----------
    sigma : float
        Per-coordinate noise standard deviation.
    std : float
        Same as ``sigma``.
    guarantee : PrivacyGuarantee
        ``(epsilon, delta)``.

    Examples
    --------
    >>> mech = GaussianMechanism(epsilon=2.0, delta=1e-6, sensitivity=1.0)
    >>> round(mech.sigma, 3)
    2.23
    >>> print(mech.guarantee)
    (2, 1e-06)-LDP
    """

    epsilon: float
    delta: float
    sensitivity: float
    method: str = "analytic"

    def __post_init__(self):
        object.__setattr__(self, "epsilon", _check_epsilon(self.epsilon))
        object.__setattr__(self, "delta", _check_delta(self.delta))
        object.__setattr__(
            self, "sensitivity", _check_sensitivity(self.sensitivity, "sensitivity")
        )
        check_choice("method", self.method, ("analytic", "classical"))
        if self.method == "classical" and math.isinf(self.epsilon):
            sigma = 0.0
        elif self.method == "classical":
            sigma = classical_gaussian_sigma(self.sensitivity, self.epsilon, self.delta)
        else:
            sigma = analytic_gaussian_sigma(self.sensitivity, self.epsilon, self.delta)
        object.__setattr__(self, "_sigma", sigma)

    @property
    def sigma(self):
        """Per-coordinate noise standard deviation."""
        return self._sigma

    @property
    def std(self):
        """Per-coordinate noise standard deviation (alias of ``sigma``)."""
        return self._sigma

    @property
    def guarantee(self):
        """The ``(epsilon, delta)`` guarantee."""
        return PrivacyGuarantee(self.epsilon, self.delta)

    def noise(self, shape, random_state=None):
        """Draw noise of the calibrated scale with the given shape."""
        rng = _check_rng(random_state)
        if self.sigma == 0:
            return np.zeros(shape)
        return rng.normal(0.0, self.sigma, size=shape)

    def randomize(self, value, random_state=None):
        """Return ``value`` plus calibrated noise (``value`` is not modified).

        The caller is responsible for ``value`` having the stated
        sensitivity (see :func:`clip_rows_l2` and :func:`truncate`).
        """
        value = check_array_arg(value, "value", allow_complex=False)
        return value + self.noise(value.shape, random_state)


# --------------------------------------------------------------------------
# clipping
# --------------------------------------------------------------------------
def clip_rows_l2(X, radius):
    """Scale every row of ``X`` into the l2 ball of the given radius.

    ``x -> x * min(1, radius / ||x||_2)``: rows inside the ball are
    unchanged, rows outside are projected onto its surface. Afterwards any
    two rows differ by at most ``2 * radius`` in l2 norm, which is what
    bounds the sensitivity of statistics built from one row.

    Parameters
    ----------
    X : array_like of shape (n, d) or (d,)
        Rows to clip (a 1-D input is one row). Not modified.
    radius : float
        Radius of the ball, > 0.

    Returns
    -------
    ndarray
        The clipped rows, same shape as ``X``.

    Examples
    --------
    >>> clip_rows_l2([[3.0, 4.0], [0.3, 0.4]], 1.0)
    array([[0.6, 0.8],
           [0.3, 0.4]])
    """
    X = check_array_arg(X, "X", ndim=(1, 2), allow_complex=False)
    return _clip_rows(X, _check_radius(radius, "radius"))


def _clip_rows(X, radius):
    """:func:`clip_rows_l2` without validation (a new array is returned)."""
    # Row norms computed on rows divided by their largest entry, so that
    # neither huge (1e200) nor tiny (1e-200) rows overflow or underflow.
    peak = np.max(np.abs(X), axis=-1, initial=0.0)
    safe = np.where(peak > 0, peak, 1.0)
    Xs = X / safe[..., None]
    norms = safe * np.sqrt(np.einsum("...i,...i->...", Xs, Xs))
    scale = np.ones_like(norms)
    over = norms > radius
    scale[over] = radius / norms[over]
    return X * scale[..., None]


def truncate(x, bound):
    """Clip every entry of ``x`` into ``[-bound, bound]``.

    Parameters
    ----------
    x : array_like
        Values to truncate. Not modified.
    bound : float
        Bound, > 0.

    Returns
    -------
    ndarray
        ``sign(x) * min(|x|, bound)``.

    Examples
    --------
    >>> truncate([-5.0, 0.5, 2.0], 1.0)
    array([-1. ,  0.5,  1. ])
    """
    x = check_array_arg(x, "x", allow_complex=False, min_size=0)
    bound = _check_radius(bound, "bound")
    return np.clip(x, -bound, bound)


def _check_radius(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number > 0, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return value
