"""scikit-learn estimator that simulates the users and runs an LDP protocol."""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import check_choice, check_scalar_arg
from ._mechanisms import _check_rng
from ._protocols import LDPClient, LDPIHTServer, NLDPServer

__all__ = ["LDPSparseRegression"]

_PROTOCOLS = ("non-interactive", "interactive")


def default_clip_x(n_features):
    """Default l2 clipping radius: ``sqrt(n_features) + 3``.

    For standardized sub-Gaussian rows ``||x||`` concentrates at
    ``sqrt(d)``; for a standard Gaussian row ``P(||x|| > sqrt(d) + 3) <=
    exp(-4.5) ~ 1.1 %`` (Gaussian concentration of the norm, a 1-Lipschitz
    function). It depends on ``d`` only, never on the data, so choosing it
    costs no privacy.
    """
    return math.sqrt(n_features) + 3.0


def default_n_rounds(n_samples):
    """Default number of LDP-IHT rounds: ``ceil(log2(n) / 2)``, at least 1.

    With the default step 0.5 and standardized isotropic features each round
    contracts the error by about one half, so after ``log2(n) / 2`` rounds
    the optimization error ``2**-T ||theta||`` is below the
    ``1 / sqrt(n)``-scale statistical error, while each group keeps
    ``n / T`` users.
    """
    return max(1, math.ceil(0.5 * math.log2(max(n_samples, 2))))


class LDPSparseRegression(RegressorMixin, BaseEstimator):
    """Sparse linear regression under local differential privacy.

    Simulates the deployment: every row ``(x_i, y_i)`` of ``X, y`` is a
    user who randomizes their own record with :class:`LDPClient`
    (independently of the others), and the server only sees the noisy
    messages. The random draws of all users are vectorized (one array
    operation per group of users, not a Python loop per user).

    Parameters
    ----------
    epsilon : float, default=1.0
        Privacy budget of each user, > 0. ``inf`` turns the noise off and
        gives the non-private counterpart of the same estimator.
    delta : float, default=1e-6
        Failure probability in ``(0, 1)`` of the Gaussian mechanisms;
        ignored by ``mechanism="laplace"``.
    protocol : {"non-interactive", "interactive"}, default="non-interactive"
        ``"non-interactive"``: one message per user with noisy ``x x^T`` and
        ``x y`` (or only ``x y`` with ``public_X``), estimator
        ``firm_threshold(Sigma^{-1} b)`` (after Zhu et al., ICLR 2024, rate
        ``d sqrt(k) / (sqrt(n) epsilon)``, ``sqrt(k d) / (sqrt(n) epsilon)``
        with public covariates). ``"interactive"``: sequentially
        interactive LDP iterative hard thresholding (rate
        ``k sqrt(d) / (sqrt(n) epsilon)``).
    mechanism : {"gaussian", "classical-gaussian", "laplace"}, default="gaussian"
        Analytic Gaussian (``(epsilon, delta)``, any ``epsilon``), classical
        Gaussian (``epsilon <= 1``) or Laplace (pure ``epsilon``).
    n_nonzero_coefs : int or None, default=None
        Keep at most this many coefficients. ``None``: sparsity comes from
        the threshold only.
    alpha : float or None, default=None
        Fixed threshold ``lambda``. ``None`` (default) calibrates one
        threshold per coefficient to its estimated standard error so that,
        with probability about ``1 - significance``, noise alone exceeds none
        of them. The final estimate is firm-thresholded (zero below
        ``lambda``, unchanged above ``2 lambda``, linear in between), which
        then keeps every coefficient at least as close to the truth as ``0``
        is, and returns exactly zero when the signal is drowned in the
        privacy noise (the argument is in the notes of
        ``sparserecovery/privacy/_protocols.py``).
    clip_x : float or None, default=None
        l2 radius rows of ``X`` are clipped to; ``None`` uses
        ``sqrt(n_features) + 3`` (for standardized features).
    clip_y : float, default=3.0
        Bound on ``|y|`` (non-interactive) or on the residual (interactive);
        the default suits a response of about unit scale.
    public_X : array-like of shape (n_public, n_features) or None
        Public unlabeled covariates (non-interactive protocol only): users
        then release only ``x y``, with the whole budget.
    fit_intercept : bool, default=False
        Fit an intercept by appending a constant feature before
        randomization (its coefficient is not thresholded).
    max_iter : int or None, default=None
        Rounds of the interactive protocol (one fresh user group each);
        ``None`` uses ``ceil(log2(n_samples) / 2)``. Ignored by the
        non-interactive protocol.
    step_size : float, default=0.5
        Gradient step of the interactive protocol.
    n_groups : int, default=64
        Non-interactive protocol: the users are split into this many groups
        whose sums are kept apart to estimate the standard errors.
    significance : float, default=0.01
        Family-wise level of the calibrated thresholds.
    random_state : int, RandomState instance or None, default=None
        Seeds the users' noise. Users are dealt to groups round-robin
        (row ``i`` to group ``i % n_groups``; round ``i % max_iter``).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Estimated coefficients.
    intercept_ : float
        Intercept (``0.0`` when ``fit_intercept=False``).
    coef_std_ : ndarray of shape (n_features,)
        Estimated standard errors of the coefficients before thresholding.
    threshold_ : ndarray of shape (n_features,)
        Threshold applied to each coefficient.
    guarantee_ : PrivacyGuarantee
        The ``(epsilon, delta)``-LDP guarantee each user got.
    n_iter_ : int
        Rounds of communication (1 for the non-interactive protocol).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Clipping and truncation bound every user's contribution, which is what
    makes the noise scale finite; features far outside the clipping ball
    and responses beyond ``clip_y`` bias the estimate toward zero. The
    clipping parameters must not be chosen from the private data.

    Examples
    --------
    >>> from sparserecovery.datasets._regression import make_sparse_regression
    >>> X, y, coef = make_sparse_regression(20000, 5, 2, random_state=0)
    >>> est = LDPSparseRegression(epsilon=float("inf"), random_state=0).fit(X, y)
    >>> bool(np.linalg.norm(est.coef_ - coef) < 0.05)
    True
    >>> est = LDPSparseRegression(epsilon=1.0, random_state=0).fit(X, y)
    >>> bool(np.linalg.norm(est.coef_ - coef) <= np.linalg.norm(coef))
    True
    """

    def __init__(
        self,
        epsilon=1.0,
        delta=1e-6,
        *,
        protocol="non-interactive",
        mechanism="gaussian",
        n_nonzero_coefs=None,
        alpha=None,
        clip_x=None,
        clip_y=3.0,
        public_X=None,
        fit_intercept=False,
        max_iter=None,
        step_size=0.5,
        n_groups=64,
        significance=0.01,
        random_state=None,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.protocol = protocol
        self.mechanism = mechanism
        self.n_nonzero_coefs = n_nonzero_coefs
        self.alpha = alpha
        self.clip_x = clip_x
        self.clip_y = clip_y
        self.public_X = public_X
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.step_size = step_size
        self.n_groups = n_groups
        self.significance = significance
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # privacy noise: at the default epsilon small toy problems are fit
        # poorly by design (the estimate falls back to zero)
        tags.regressor_tags.poor_score = True
        return tags

    def fit(self, X, y):
        """Simulate the users' randomization and run the server.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            One row per user.
        y : array-like of shape (n_samples,)
            Responses.

        Returns
        -------
        self : LDPSparseRegression
            The fitted estimator.
        """
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        n, d = X.shape
        if n < 2:
            raise ValueError(
                f"LDPSparseRegression needs at least 2 samples (users), "
                f"got n_samples = {n}"
            )
        protocol = check_choice("protocol", self.protocol, _PROTOCOLS)
        clip_x = default_clip_x(d) if self.clip_x is None else self.clip_x
        if protocol == "interactive" and self.public_X is not None:
            raise ValueError(
                "public_X is only used by protocol='non-interactive'; "
                "set public_X=None for the interactive protocol"
            )
        client = LDPClient(
            self.epsilon,
            self.delta,
            clip_x=clip_x,
            clip_y=self.clip_y,
            mechanism=self.mechanism,
            release_covariance=self.public_X is None,
            fit_intercept=self.fit_intercept,
        )
        rng = _check_rng(self.random_state)
        if protocol == "non-interactive":
            n_groups = check_scalar_arg(
                self.n_groups, "n_groups", lower=2, integer=True
            )
            n_groups = min(n_groups, n)
            server = NLDPServer(
                public_X=self.public_X,
                alpha=self.alpha,
                n_nonzero_coefs=self.n_nonzero_coefs,
                n_groups=n_groups,
                significance=self.significance,
            )
            # users are dealt round-robin into groups (strided views, no
            # copy; balanced even if the rows are sorted). One summed message
            # per group: the exact distribution of the sum of the group's
            # per-user messages, in O(d^2) memory.
            messages = [
                client.privatize(
                    X[g::n_groups], y[g::n_groups], random_state=rng, summed=True
                )
                for g in range(n_groups)
            ]
            result = server.aggregate(messages)
        else:
            if self.max_iter is None:
                n_rounds = default_n_rounds(n)
            else:
                n_rounds = check_scalar_arg(
                    self.max_iter, "max_iter", lower=1, integer=True
                )
            n_rounds = max(1, min(n_rounds, n // 2))
            server = LDPIHTServer(
                d,
                n_rounds=n_rounds,
                step_size=self.step_size,
                alpha=self.alpha,
                n_nonzero_coefs=self.n_nonzero_coefs,
                significance=self.significance,
                fit_intercept=self.fit_intercept,
            )
            for t in range(n_rounds):  # group t: rows t, t + T, t + 2T, ...
                message = client.privatize_gradient(
                    X[t::n_rounds], y[t::n_rounds], server.coef, random_state=rng
                )
                server.update(message)
            result = server.result()
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        self.coef_std_ = result.coef_std
        self.threshold_ = result.threshold
        self.guarantee_ = result.guarantee
        self.n_iter_ = result.n_iter
        return self

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``X @ coef_ + intercept_``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_
