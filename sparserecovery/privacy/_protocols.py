"""Client / server protocols for sparse linear regression under local DP.

The split mirrors a deployment: :class:`LDPClient` runs on each user's
device and turns the user's record ``(x, y)`` into a message that holds only
noisy quantities; the servers see nothing else.

Non-interactive protocol (NLDP; reconstruction of Zhu et al., ICLR 2024)
-------------------------------------------------------------------------
Each user, once:

1. clips ``x`` into the l2 ball of radius ``clip_x`` (``x_bar``), appends a
   constant ``1`` when an intercept is fitted (so the feature vector ``a``
   has ``||a|| <= R = sqrt(clip_x**2 + fit_intercept)``), and truncates ``y``
   to ``[-clip_y, clip_y]`` (``y_bar``);
2. releases ``upper(a a^T)`` (the ``p(p+1)/2`` entries on and above the
   diagonal) and ``a * y_bar`` (``p`` entries) through **one** mechanism
   applied to the concatenated vector ``[upper(a a^T), w * a * y_bar]``.

Sensitivities (proved in the comments of :meth:`LDPClient._calibrate`):
``||upper(aa^T) - upper(bb^T)||_2 <= ||aa^T - bb^T||_F <= sqrt(2) R^2``,
``||a y - b y'||_2 <= 2 R clip_y``; in l1,
``||upper(aa^T)||_1 <= (p + 1) R^2 / 2`` and ``||a y||_1 <= sqrt(p) R clip_y``.
The weight ``w`` equals the ratio of the two block sensitivities, so both
blocks get the same noise relative to their range. For the Gaussian mechanism
the joint release is ``sqrt(2)`` times less noisy than splitting
``(epsilon, delta)`` in halves (as the paper does); for Laplace it is the same.

With public unlabeled covariates the server knows the covariance, so the
clients release only ``a * y_bar`` with the whole budget
(``release_covariance=False``).

The server (:class:`NLDPServer`) averages the messages into
``Sigma_hat`` and ``b_hat``, floors the eigenvalues of ``Sigma_hat`` at
``kappa = 2 sqrt(p) std_xx / sqrt(n)`` (the expected spectral norm of the
averaged symmetric noise; our choice, the paper's constant is unknown), forms
``theta_tilde = Sigma_hat^{-1} b_hat`` and firm-thresholds it. (The paper's
estimator soft-thresholds; see below for why we do not.)

Threshold calibrated to the noise (the "never worse than zero" rule)
--------------------------------------------------------------------
Users are split into ``n_groups`` groups whose sums are kept apart. The
spread of the per-group normal-equation residuals
``u_g = (c_g - A_g theta_tilde) / n_g`` estimates the covariance of
``b_hat - Sigma_hat theta`` -- privacy noise, sampling noise and clipping
all included -- and the delta method gives the standard error ``se_j`` of
every coordinate of ``theta_tilde``. The threshold is
``lambda_j = q * se_j`` with ``q`` the Student-t quantile (``n_groups - 1``
degrees of freedom) at level ``1 - significance / (2 p)`` (Bonferroni over the
coordinates).

The output is the *firm* threshold (Gao & Bruce 1997) with knees
``lambda_j`` and ``2 lambda_j``: ``0`` for ``|t| <= lambda``,
``sign(t) 2 (|t| - lambda)`` up to ``2 lambda``, ``t`` beyond. On the event
``|theta_tilde_j - theta_j| <= lambda_j`` for all ``j`` (probability about
``1 - significance``) every output coordinate lies between ``0`` and
``theta_j`` -- in the middle piece because ``|t| - lambda <= |theta_j|``, in
the last because ``|theta_j| >= 2 lambda - lambda >= |t - theta_j|`` -- so
the estimate is coordinatewise at least as close to ``theta`` as the zero
estimator, and exactly zero when the signal is drowned in noise. ``2 lambda``
is the smallest upper knee for which this holds. Unlike soft thresholding,
large coefficients are not shrunk, which makes the error 2-4 times smaller
once the signal is detected (measured on the benchmark problem).

Sequentially interactive LDP-IHT (:class:`LDPIHTServer`)
-------------------------------------------------------
Users are split into ``n_rounds`` disjoint groups; each user speaks once, so
there is no composition. In round ``t`` the server broadcasts the iterate
``theta``; each user of the group releases the clipped gradient
``a * clip(<a, theta> - y, -clip_y, clip_y)`` (a Huber-type gradient; l2
sensitivity ``2 R clip_y``, l1 ``2 sqrt(p) R clip_y``) plus noise. The server
steps ``theta' = theta - step_size * mean(g)``, estimates the standard error
of ``theta'`` from the spread of the group's messages, and hard-thresholds at
``q * se`` (``q``: normal quantile at ``1 - significance / (2 p n_rounds)``)
or to the ``n_nonzero_coefs`` largest entries. The last round
firm-thresholds instead, for the same reason as above. We do not project
onto an l1 ball: the residual clipping already bounds every message.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from ..proxes import hard_threshold, soft_threshold
from ..utils import (
    check_array_arg,
    check_choice,
    check_scalar_arg,
)
from ._mechanisms import (
    PrivacyGuarantee,
    _check_delta,
    _check_epsilon,
    _check_radius,
    _check_rng,
    _clip_rows,
    analytic_gaussian_sigma,
    classical_gaussian_sigma,
    clip_rows_l2,
)

__all__ = [
    "GradientMessage",
    "LDPClient",
    "LDPIHTServer",
    "LDPRegressionResult",
    "NLDPMessage",
    "NLDPServer",
]

_MECHANISMS = ("gaussian", "classical-gaussian", "laplace")


def _firm_threshold(x, lam):
    """Firm thresholding with knees ``lam`` and ``2 lam`` (Gao & Bruce 1997).

    0 below ``lam``, the identity above ``2 lam``, linear in between
    (``2 * soft_threshold(x, lam)``). If ``|x - theta| <= lam`` the result
    lies between 0 and ``theta``.
    """
    return np.where(np.abs(x) > 2.0 * lam, x, 2.0 * soft_threshold(x, lam))


def _keep_largest(x, k, free):
    """Zero all but the ``k`` largest-magnitude entries of ``x[~free]``."""
    out = x.copy()
    pen = np.flatnonzero(~free)
    if k < pen.size:
        order = np.argsort(-np.abs(out[pen]), kind="stable")
        out[pen[order[k:]]] = 0.0
    return out


def _readonly(a):
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _check_significance(value):
    return check_scalar_arg(
        value,
        "significance",
        lower=0,
        upper=1,
        lower_inclusive=False,
        upper_inclusive=False,
    )


def _check_alpha(alpha):
    if alpha is None:
        return None
    return check_scalar_arg(alpha, "alpha", lower=0)


def _check_k(k):
    if k is None:
        return None
    return check_scalar_arg(k, "n_nonzero_coefs", lower=1, integer=True)


# --------------------------------------------------------------------------
# messages and results
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class NLDPMessage:
    """What users send in the non-interactive protocol: noisy statistics only.

    Attributes
    ----------
    xy : ndarray of shape (m, p) or (p,)
        Noisy ``a * y_bar`` per user, or (``summed=True``) their sum over
        ``n_users`` users.
    xx : ndarray of shape (m, p*(p+1)//2) or (p*(p+1)//2,) or None
        Noisy ``upper(a a^T)`` per user (or summed); ``None`` when the
        covariance is not released (server with public covariates).
    n_users : int
        Number of users the message stands for.
    summed : bool
        Whether ``xy`` / ``xx`` are sums over the users.
    std_xy, std_xx : float
        Per-user noise standard deviation of each block (public calibration;
        ``std_xx`` is ``nan`` when ``xx`` is None).
    clip_x, clip_y : float
        Public clipping parameters.
    fit_intercept : bool
        Whether a constant ``1`` was appended to the features.
    guarantee : PrivacyGuarantee
        Guarantee of every user behind the message.
    """

    xy: np.ndarray
    xx: np.ndarray | None
    n_users: int
    summed: bool
    std_xy: float
    std_xx: float
    clip_x: float
    clip_y: float
    fit_intercept: bool
    guarantee: PrivacyGuarantee


@dataclass(frozen=True)
class GradientMessage:
    """What a user group sends in one round of LDP-IHT.

    Attributes
    ----------
    grad : ndarray of shape (m, p)
        Noisy clipped gradients, one row per user.
    coef : ndarray of shape (p,)
        The (public) iterate the gradients were computed at.
    std : float
        Per-coordinate noise standard deviation (public calibration).
    guarantee : PrivacyGuarantee
        Guarantee of every user in the group.
    """

    grad: np.ndarray
    coef: np.ndarray
    std: float
    guarantee: PrivacyGuarantee


@dataclass(frozen=True)
class LDPRegressionResult:
    """Outcome of a private regression protocol.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Final (thresholded) coefficients.
    intercept : float
        Intercept (``0.0`` when not fitted).
    coef_raw : ndarray of shape (n_features,)
        Coefficients before the last thresholding.
    coef_std : ndarray of shape (n_features,)
        Estimated standard error of ``coef_raw``.
    threshold : ndarray of shape (n_features,)
        Threshold applied to each coefficient.
    n_users : int
        Number of users whose messages were used.
    n_iter : int
        Number of rounds (1 for the non-interactive protocol).
    guarantee : PrivacyGuarantee
        Guarantee of each user.
    history : ndarray
        Per round: l2 norm of the change of the iterate (interactive).
    """

    coef: np.ndarray
    intercept: float
    coef_raw: np.ndarray
    coef_std: np.ndarray
    threshold: np.ndarray
    n_users: int
    n_iter: int
    guarantee: PrivacyGuarantee
    history: np.ndarray = field(default_factory=lambda: np.zeros(0))


# --------------------------------------------------------------------------
# the client
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _noise_std(mechanism, epsilon, delta, sens_l2, sens_l1):
    if math.isinf(epsilon):
        return 0.0
    if mechanism == "laplace":
        return math.sqrt(2.0) * sens_l1 / epsilon
    if mechanism == "classical-gaussian":
        return classical_gaussian_sigma(sens_l2, epsilon, delta)
    return analytic_gaussian_sigma(sens_l2, epsilon, delta)


# The sensitivities involve squares and products of the clipping radii;
# radii outside this range would overflow or underflow them.
_CLIP_RANGE = (1e-100, 1e100)


def _check_clip(value, name):
    value = _check_radius(value, name)
    lo, hi = _CLIP_RANGE
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")
    return value


class LDPClient:
    """Local randomizer run by each user; sees one record, releases noise.

    Parameters
    ----------
    epsilon : float
        Privacy budget of each user, > 0 (``inf``: no noise, no privacy).
    delta : float
        Failure probability in ``(0, 1)`` for the Gaussian mechanisms;
        ignored by ``mechanism="laplace"`` (pure ``epsilon``-LDP).
    clip_x : float
        Radius of the l2 ball every feature row is clipped into.
    clip_y : float
        Bound on ``|y|`` (non-interactive) or on the residual
        ``|<a, theta> - y|`` (interactive).
    mechanism : {"gaussian", "classical-gaussian", "laplace"}
        ``"gaussian"``: analytic Gaussian calibration (any ``epsilon``);
        ``"classical-gaussian"``: textbook calibration (``epsilon <= 1``);
        ``"laplace"``: pure ``epsilon``-LDP with l1 sensitivities.
    release_covariance : bool
        Release ``upper(a a^T)`` as well as ``a * y``. Set to False when the
        server holds public unlabeled covariates; then the whole budget goes
        to ``a * y``.
    fit_intercept : bool
        Append a constant ``1`` to the (clipped) features.

    Attributes
    ----------
    guarantee : PrivacyGuarantee
        What each user gets from one call (a user must be asked once).

    Examples
    --------
    >>> import numpy as np
    >>> client = LDPClient(1.0, 1e-6, clip_x=2.0, clip_y=1.0)
    >>> msg = client.privatize(np.array([0.5, -1.0]), 0.3, random_state=0)
    >>> msg.xy.shape, msg.xx.shape, msg.n_users
    ((1, 2), (1, 3), 1)
    >>> print(msg.guarantee)
    (1, 1e-06)-LDP
    """

    def __init__(
        self,
        epsilon,
        delta=1e-6,
        *,
        clip_x,
        clip_y,
        mechanism="gaussian",
        release_covariance=True,
        fit_intercept=False,
    ):
        self.epsilon = _check_epsilon(epsilon)
        self.mechanism = check_choice("mechanism", mechanism, _MECHANISMS)
        if self.mechanism == "laplace" and (delta is None or delta == 0):
            self.delta = 0.0
        else:
            self.delta = _check_delta(delta)
        if self.mechanism == "classical-gaussian" and 1 < self.epsilon < math.inf:
            raise ValueError(
                "epsilon must be <= 1 for mechanism='classical-gaussian', got "
                f"{self.epsilon!r}; use mechanism='gaussian' (analytic)"
            )
        self.clip_x = _check_clip(clip_x, "clip_x")
        self.clip_y = _check_clip(clip_y, "clip_y")
        self.release_covariance = bool(release_covariance)
        self.fit_intercept = bool(fit_intercept)

    # ---------------------------------------------------------------- privacy
    @property
    def guarantee(self):
        """The ``(epsilon, delta)``-LDP guarantee of one message."""
        delta = 0.0 if self.mechanism == "laplace" else self.delta
        return PrivacyGuarantee(self.epsilon, delta)

    def _radius(self):
        return math.sqrt(self.clip_x**2 + (1.0 if self.fit_intercept else 0.0))

    def _std(self, sens_l2, sens_l1):
        """Per-coordinate noise std for a block with the given sensitivities."""
        return _noise_std(self.mechanism, self.epsilon, self.delta, sens_l2, sens_l1)

    def _calibrate(self, p):
        """Noise std of the ``xx`` and ``xy`` blocks for feature dimension p.

        For rows a, b with ||a||, ||b|| <= R and |y|, |y'| <= T:
        ||upper(aa^T) - upper(bb^T)||_2^2 <= ||aa^T - bb^T||_F^2
        = ||a||^4 + ||b||^4 - 2 (a.b)^2 <= 2 R^4 (off-diagonal entries are
        counted once in upper(), twice in the Frobenius norm);
        ||a y - b y'||_2 <= 2 R T. In l1: ||upper(aa^T)||_1 =
        (||a||_1^2 + ||a||_2^2) / 2 <= (p + 1) R^2 / 2, ||a y||_1 <=
        sqrt(p) R T, and the sensitivity is at most twice the range.
        The joint vector [upper(aa^T), w a y] with w = s_xx / s_xy has
        sensitivity sqrt(2) s_xx (l2) or 2 s_xx (l1).
        """
        R, T = self._radius(), self.clip_y
        xy_l2, xy_l1 = 2.0 * R * T, 2.0 * math.sqrt(p) * R * T
        if not self.release_covariance:
            return math.nan, self._std(xy_l2, xy_l1)
        xx_l2, xx_l1 = math.sqrt(2.0) * R * R, (p + 1.0) * R * R
        if self.mechanism == "laplace":
            w = xx_l1 / xy_l1
            std = self._std(0.0, 2.0 * xx_l1)
        else:
            w = xx_l2 / xy_l2
            std = self._std(math.sqrt(2.0) * xx_l2, 0.0)
        return std, std / w

    # --------------------------------------------------------------- features
    def _features(self, x, y, name_x="x", name_y="y"):
        x = check_array_arg(x, name_x, ndim=(1, 2), allow_complex=False)
        single = x.ndim == 1
        X = x[None, :] if single else x
        y = check_array_arg(y, name_y, ndim=(0, 1), allow_complex=False)
        y = np.atleast_1d(y).astype(np.float64, copy=False)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"{name_y} has {y.shape[0]} entries but {name_x} has {X.shape[0]} rows"
            )
        A = _clip_rows(X.astype(np.float64, copy=False), self.clip_x)
        if self.fit_intercept:
            A = np.hstack([A, np.ones((A.shape[0], 1))])
        return A, y

    def _noise(self, rng, std, shape, n_sum):
        """Noise of ``n_sum`` users summed (n_sum = 1: one user's noise)."""
        if std == 0:
            return np.zeros(shape)
        if self.mechanism == "laplace":
            b = std / math.sqrt(2.0)
            if n_sum == 1:
                return rng.laplace(0.0, b, size=shape)
            # Laplace(b) = Exp(b) - Exp(b): a sum of n is Gamma(n, b) - Gamma(n, b)
            return rng.gamma(n_sum, b, size=shape) - rng.gamma(n_sum, b, size=shape)
        z = rng.standard_normal(shape)
        z *= std * math.sqrt(n_sum)
        return z

    # --------------------------------------------------------------- messages
    def privatize(self, x, y, *, random_state=None, summed=False):
        """Randomize the records of one user (or a batch) for the NLDP protocol.

        Parameters
        ----------
        x : array_like of shape (p,) or (m, p)
            One user's features, or ``m`` users' features (one per row,
            randomized independently).
        y : float or array_like of shape (m,)
            Responses.
        random_state : int, Generator, RandomState or None
            Source of the noise.
        summed : bool
            Return the sum of the ``m`` messages as one message. The noise
            is drawn from the exact distribution of a sum of ``m``
            independent per-user noises (Gaussian: variance ``m sigma^2``;
            Laplace: difference of two Gamma(m) draws), so this is the same
            random variable as summing per-user messages, in O(p^2) memory.

        Returns
        -------
        NLDPMessage
            Noisy statistics; the inputs are not stored.
        """
        rng = _check_rng(random_state)
        A, y = self._features(x, y)
        m, p = A.shape
        yb = np.clip(y, -self.clip_y, self.clip_y)
        std_xx, std_xy = self._calibrate(p)
        iu, ju = np.triu_indices(p)
        if summed:
            xy = A.T @ yb + self._noise(rng, std_xy, (p,), m)
            xx = None
            if self.release_covariance:
                gram = A.T @ A
                xx = gram[iu, ju] + self._noise(rng, std_xx, (iu.size,), m)
        else:
            xy = A * yb[:, None] + self._noise(rng, std_xy, (m, p), 1)
            xx = None
            if self.release_covariance:
                xx = A[:, iu] * A[:, ju] + self._noise(rng, std_xx, (m, iu.size), 1)
        return NLDPMessage(
            xy=_readonly(xy),
            xx=None if xx is None else _readonly(xx),
            n_users=int(m),
            summed=bool(summed),
            std_xy=float(std_xy),
            std_xx=float(std_xx),
            clip_x=self.clip_x,
            clip_y=self.clip_y,
            fit_intercept=self.fit_intercept,
            guarantee=self.guarantee,
        )

    def gradient_std(self, p):
        """Noise std of one LDP-IHT gradient message in dimension ``p``.

        Parameters
        ----------
        p : int
            Dimension of the (possibly intercept-augmented) features.

        Returns
        -------
        float
            Per-coordinate standard deviation.
        """
        R, T = self._radius(), self.clip_y
        return self._std(2.0 * R * T, 2.0 * math.sqrt(p) * R * T)

    def privatize_gradient(self, x, y, coef, *, random_state=None):
        """Randomize clipped least-squares gradients at ``coef`` (LDP-IHT).

        Parameters
        ----------
        x : array_like of shape (p,) or (m, p)
            Features of one user or of a group (one per row).
        y : float or array_like of shape (m,)
            Responses.
        coef : array_like of shape (p,) or (p + 1,)
            The iterate broadcast by the server (with the intercept last when
            ``fit_intercept``).
        random_state : int, Generator, RandomState or None
            Source of the noise.

        Returns
        -------
        GradientMessage
            One noisy gradient per user.
        """
        rng = _check_rng(random_state)
        A, y = self._features(x, y)
        m, p = A.shape
        coef = check_array_arg(coef, "coef", ndim=1, shape=(p,), allow_complex=False)
        resid = np.clip(A @ coef - y, -self.clip_y, self.clip_y)
        std = self.gradient_std(p)
        grad = self._noise(rng, std, (m, p), 1)
        grad += A * resid[:, None]
        return GradientMessage(
            grad=_readonly(grad),
            coef=_readonly(coef.copy()),
            std=float(std),
            guarantee=self.guarantee,
        )


# --------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------
def _sym_from_upper(u, p):
    M = np.zeros((p, p))
    iu, ju = np.triu_indices(p)
    M[iu, ju] = u
    M[ju, iu] = u
    return M


def _floored_inverse(S, floor):
    """Inverse of symmetric ``S`` with its eigenvalues raised to ``floor``."""
    w, V = np.linalg.eigh(S)
    scale = max(float(np.max(np.abs(w))), np.finfo(float).tiny)
    w = np.maximum(w, max(floor, 1e-10 * scale))
    return (V / w) @ V.T


def nldp_estimate(
    group_xy,
    group_xx,
    group_n,
    *,
    std_xx=0.0,
    public_cov=None,
    alpha=None,
    n_nonzero_coefs=None,
    significance=0.01,
    free=None,
):
    """Server computation of the non-interactive protocol from group sums.

    Parameters
    ----------
    group_xy : ndarray of shape (G, p)
        Per-group sums of the noisy ``a * y`` messages.
    group_xx : ndarray of shape (G, p, p) or None
        Per-group sums of the noisy ``a a^T`` messages (ignored with
        ``public_cov``).
    group_n : ndarray of shape (G,)
        Users per group.
    std_xx : float
        Per-user noise std of the ``xx`` block (sets the eigenvalue floor).
    public_cov : ndarray of shape (p, p) or None
        Covariance of the clipped public covariates.
    alpha : float or None
        Fixed threshold; ``None`` calibrates it to the noise.
    n_nonzero_coefs : int or None
        Keep at most this many coefficients.
    significance : float
        Family-wise level of the calibrated threshold.
    free : ndarray of bool, shape (p,), or None
        Coefficients that are never thresholded (the intercept).

    Returns
    -------
    tuple
        ``(coef, coef_raw, coef_std, threshold)`` of length-``p`` arrays.
    """
    from scipy.stats import t as student_t

    G, p = group_xy.shape
    n_g = np.asarray(group_n, dtype=float)
    n = float(n_g.sum())
    free = np.zeros(p, bool) if free is None else free
    if public_cov is not None:
        S = np.asarray(public_cov, dtype=float)
        floor = 0.0
        group_xx = n_g[:, None, None] * S[None]
    else:
        S = group_xx.sum(axis=0) / n
        floor = 2.0 * math.sqrt(p) * std_xx / math.sqrt(n)
    b = group_xy.sum(axis=0) / n
    S_inv = _floored_inverse(S, floor)
    coef_raw = S_inv @ b
    # per-group normal-equation residuals and their spread (delta method)
    u = (group_xy - group_xx @ coef_raw) / n_g[:, None]
    u_bar = (n_g[:, None] * u).sum(axis=0) / n
    W = (u - u_bar) * np.sqrt(n_g / (n * (G - 1)))[:, None]
    coef_std = np.sqrt(np.sum((W @ S_inv) ** 2, axis=0))
    if alpha is None:
        n_pen = max(int(np.sum(~free)), 1)
        q = float(student_t.ppf(1.0 - significance / (2.0 * n_pen), G - 1))
        threshold = q * coef_std
    else:
        threshold = np.full(p, float(alpha))
    threshold[free] = 0.0
    coef = _firm_threshold(coef_raw, threshold)
    if n_nonzero_coefs is not None:
        coef = _keep_largest(coef, n_nonzero_coefs, free)
    return coef, coef_raw, coef_std, threshold


def _group_sums(messages, p, n_groups):
    """Per-group sums of the messages.

    Each summed message is a group; per-user rows are pooled and dealt
    round-robin into ``n_groups`` groups.
    """
    xy, xx, ns = [], [], []
    rows_xy, rows_xx = [], []
    for m in messages:
        if m.summed:
            xy.append(np.asarray(m.xy).reshape(p))
            xx.append(None if m.xx is None else _sym_from_upper(m.xx, p))
            ns.append(m.n_users)
        else:
            rows_xy.append(np.asarray(m.xy).reshape(-1, p))
            rows_xx.append(None if m.xx is None else np.asarray(m.xx))
    if rows_xy:
        R_xy = np.concatenate(rows_xy)
        R_xx = None if rows_xx[0] is None else np.concatenate(rows_xx)
        G = min(n_groups, R_xy.shape[0])
        for g in range(G):
            xy.append(R_xy[g::G].sum(axis=0))
            xx.append(None if R_xx is None else _sym_from_upper(R_xx[g::G].sum(0), p))
            ns.append(R_xy[g::G].shape[0])
    group_xx = None if xx[0] is None else np.stack(xx)
    return np.stack(xy), group_xx, np.asarray(ns)


class NLDPServer:
    """Server of the non-interactive protocol: aggregates noisy messages.

    Parameters
    ----------
    public_X : array_like of shape (n_public, n_features) or None
        Public unlabeled covariates. The server clips them exactly as the
        clients clip theirs and uses their (non-private) covariance instead
        of the noisy one; the clients must then be created with
        ``release_covariance=False``.
    alpha : float or None
        Fixed threshold (firm, knees ``alpha`` and ``2 alpha``). ``None``
        (default) calibrates one threshold per
        coefficient to its estimated standard error (see the module notes).
    n_nonzero_coefs : int or None
        Keep at most this many coefficients (largest magnitudes).
    n_groups : int
        Number of groups per-user messages are split into to estimate the
        standard errors (round-robin); every summed message is one more
        group. At least two groups are needed.
    significance : float
        Family-wise level of the calibrated threshold: the probability that
        noise alone exceeds it on some coefficient.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((2000, 3))
    >>> y = X @ [1.0, 0.0, 0.0] + 0.1 * rng.standard_normal(2000)
    >>> client = LDPClient(float("inf"), clip_x=10.0, clip_y=10.0)
    >>> msgs = [client.privatize(X, y, random_state=rng)]
    >>> res = NLDPServer().aggregate(msgs)
    >>> np.round(res.coef, 1)
    array([1., 0., 0.])
    """

    def __init__(
        self,
        *,
        public_X=None,
        alpha=None,
        n_nonzero_coefs=None,
        n_groups=64,
        significance=0.01,
    ):
        self.public_X = public_X
        self.alpha = alpha
        self.n_nonzero_coefs = n_nonzero_coefs
        self.n_groups = n_groups
        self.significance = significance

    def aggregate(self, messages):
        """Estimate the coefficients from the users' messages.

        Parameters
        ----------
        messages : list of NLDPMessage
            Messages from :meth:`LDPClient.privatize`, all made by clients
            with the same settings.

        Returns
        -------
        LDPRegressionResult
            The estimate, its standard errors and the users' guarantee.
        """
        messages = list(messages)
        if not messages or not all(isinstance(m, NLDPMessage) for m in messages):
            raise TypeError("messages must be a non-empty list of NLDPMessage")
        first = messages[0]
        keys = ("clip_x", "clip_y", "fit_intercept", "std_xy", "guarantee")
        for m in messages[1:]:
            if any(getattr(m, k) != getattr(first, k) for k in keys) or (
                (m.xx is None) != (first.xx is None)
            ):
                raise ValueError("messages come from clients with different settings")
        n_groups = check_scalar_arg(self.n_groups, "n_groups", lower=2, integer=True)
        significance = _check_significance(self.significance)
        alpha = _check_alpha(self.alpha)
        k = _check_k(self.n_nonzero_coefs)
        p = np.asarray(first.xy).shape[-1]
        d = p - int(first.fit_intercept)
        public_cov = None
        if self.public_X is not None:
            Xp = check_array_arg(
                self.public_X, "public_X", ndim=2, shape=(None, d), allow_complex=False
            )
            A = clip_rows_l2(Xp.astype(np.float64, copy=False), first.clip_x)
            if first.fit_intercept:
                A = np.hstack([A, np.ones((A.shape[0], 1))])
            public_cov = A.T @ A / A.shape[0]
        elif first.xx is None:
            raise ValueError(
                "the messages carry no covariance (release_covariance=False): "
                "the server needs public_X"
            )
        group_xy, group_xx, group_n = _group_sums(messages, p, n_groups)
        if group_xy.shape[0] < 2:
            raise ValueError(
                "need at least 2 groups of users to estimate the noise level; "
                "send per-user messages or several summed messages"
            )
        free = np.zeros(p, bool)
        if first.fit_intercept:
            free[-1] = True
        coef, raw, std, thr = nldp_estimate(
            group_xy,
            group_xx,
            group_n,
            std_xx=0.0 if math.isnan(first.std_xx) else first.std_xx,
            public_cov=public_cov,
            alpha=alpha,
            n_nonzero_coefs=k,
            significance=significance,
            free=free,
        )
        return _result(
            coef,
            raw,
            std,
            thr,
            first.fit_intercept,
            group_n.sum(),
            1,
            first.guarantee,
            np.zeros(0),
        )


def _result(coef, raw, std, thr, fit_intercept, n_users, n_iter, guarantee, hist):
    if fit_intercept:
        return LDPRegressionResult(
            coef=coef[:-1],
            intercept=float(coef[-1]),
            coef_raw=raw[:-1],
            coef_std=std[:-1],
            threshold=thr[:-1],
            n_users=int(n_users),
            n_iter=int(n_iter),
            guarantee=guarantee,
            history=hist,
        )
    return LDPRegressionResult(
        coef=coef,
        intercept=0.0,
        coef_raw=raw,
        coef_std=std,
        threshold=thr,
        n_users=int(n_users),
        n_iter=int(n_iter),
        guarantee=guarantee,
        history=hist,
    )


class LDPIHTServer:
    """Server of the sequentially interactive LDP iterative hard thresholding.

    The server holds the iterate; in each round it hands :attr:`coef` to a
    fresh group of users, receives their noisy gradients
    (:meth:`LDPClient.privatize_gradient`) and updates. Each user must take
    part in one round only.

    Parameters
    ----------
    n_features : int
        Number of features ``d`` (without the intercept).
    n_rounds : int
        Number of rounds (user groups) planned; sets the Bonferroni level
        and which round firm-thresholds.
    step_size : float
        Gradient step ``eta``. The default 0.5 contracts for standardized
        features whose sparse restricted eigenvalues lie in ``(0, 4)``.
    alpha : float or None
        Fixed threshold; ``None`` calibrates it per coordinate and round.
    n_nonzero_coefs : int or None
        Keep at most this many coefficients per round (top-k hard
        thresholding).
    significance : float
        Family-wise level of the calibrated thresholds over all rounds.
    fit_intercept : bool
        Whether the clients append a constant feature (its coefficient is
        the last entry of :attr:`coef` and is never thresholded).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((4000, 3))
    >>> y = X @ [1.0, 0.0, 0.0] + 0.1 * rng.standard_normal(4000)
    >>> client = LDPClient(float("inf"), clip_x=10.0, clip_y=10.0)
    >>> server = LDPIHTServer(3, n_rounds=8, step_size=1.0)
    >>> for idx in np.array_split(np.arange(4000), 8):
    ...     msg = client.privatize_gradient(X[idx], y[idx], server.coef)
    ...     _ = server.update(msg)
    >>> np.round(server.result().coef, 1)
    array([1., 0., 0.])
    """

    def __init__(
        self,
        n_features,
        *,
        n_rounds,
        step_size=0.5,
        alpha=None,
        n_nonzero_coefs=None,
        significance=0.01,
        fit_intercept=False,
    ):
        self.n_features = check_scalar_arg(
            n_features, "n_features", lower=1, integer=True
        )
        self.n_rounds = check_scalar_arg(n_rounds, "n_rounds", lower=1, integer=True)
        self.step_size = check_scalar_arg(
            step_size, "step_size", lower=0, lower_inclusive=False
        )
        self.alpha = _check_alpha(alpha)
        self.n_nonzero_coefs = _check_k(n_nonzero_coefs)
        self.significance = _check_significance(significance)
        self.fit_intercept = bool(fit_intercept)
        p = self.n_features + int(self.fit_intercept)
        self._free = np.zeros(p, bool)
        if self.fit_intercept:
            self._free[-1] = True
        self._coef = np.zeros(p)
        self._round = 0
        self._n_users = 0
        self._guarantee = None
        self._history = []
        self._last = None

    @property
    def coef(self):
        """The current iterate (a copy), broadcast to the next group."""
        return self._coef.copy()

    @property
    def n_iter(self):
        """Rounds done so far."""
        return self._round

    def update(self, message):
        """Take one group's gradients and update the iterate.

        Parameters
        ----------
        message : GradientMessage
            Gradients computed at the current :attr:`coef`.

        Returns
        -------
        self
        """
        from scipy.stats import norm

        if not isinstance(message, GradientMessage):
            raise TypeError(
                f"message must be a GradientMessage, got {type(message).__name__}"
            )
        if self._round >= self.n_rounds:
            raise ValueError(f"all n_rounds={self.n_rounds} rounds are done")
        G = np.asarray(message.grad)
        if G.ndim != 2 or G.shape[1] != self._coef.size:
            raise ValueError(
                f"message.grad must have shape (m, {self._coef.size}), got {G.shape}"
            )
        if not np.array_equal(message.coef, self._coef):
            raise ValueError("message was computed at a different iterate than coef")
        m = G.shape[0]
        if m < 2:
            raise ValueError(f"each round needs at least 2 users, got {m}")
        if self._guarantee is None:
            self._guarantee = message.guarantee
        elif message.guarantee != self._guarantee:
            raise ValueError("messages come from clients with different guarantees")
        eta = self.step_size
        raw = self._coef - eta * G.mean(axis=0)
        std = eta * G.std(axis=0, ddof=1) / math.sqrt(m)
        last = self._round == self.n_rounds - 1
        if self.alpha is None:
            n_pen = max(int(np.sum(~self._free)), 1)
            level = self.significance / (2.0 * n_pen * self.n_rounds)
            thr = float(norm.isf(level)) * std
        else:
            thr = np.full(raw.size, self.alpha)
        thr[self._free] = 0.0
        if last:
            new = _firm_threshold(raw, thr)
        else:
            new = hard_threshold(raw, thr)
        if self.n_nonzero_coefs is not None:
            new = _keep_largest(new, self.n_nonzero_coefs, self._free)
        self._history.append(float(np.linalg.norm(new - self._coef)))
        self._coef = new
        self._round += 1
        self._n_users += m
        self._last = (raw, std, thr)
        return self

    def result(self):
        """The estimate after the rounds done so far.

        Returns
        -------
        LDPRegressionResult
            Final iterate, the last round's raw step, standard errors and
            thresholds.
        """
        if self._round == 0:
            raise ValueError("no round has been run yet; call update first")
        raw, std, thr = self._last
        return _result(
            self._coef.copy(),
            raw,
            std,
            thr,
            self.fit_intercept,
            self._n_users,
            self._round,
            self._guarantee,
            np.asarray(self._history),
        )
