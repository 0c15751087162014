"""scikit-learn estimators for (Kronecker) sparse Bayesian learning.

They validate, call :func:`~sparserecovery.linear_model.sbl` or
:func:`~sparserecovery.linear_model.kronecker_sbl`, and store the result.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils.validation import check_array_arg, check_choice
from ._kronecker_sbl import METHODS, kronecker_sbl
from ._nearest_kronecker import nearest_kronecker
from ._sbl import sbl

__all__ = ["SBLRegressor", "KroneckerSBL"]


def _validate_fit(est, X, y):
    """``validate_data`` for real data; our own checks when complex is allowed."""
    if not isinstance(est.allow_complex, bool):
        raise TypeError(
            f"allow_complex must be a bool, got {type(est.allow_complex).__name__}"
        )
    if not est.allow_complex:
        try:
            return validate_data(
                est, X, y, y_numeric=True, dtype=[np.float64, np.float32]
            )
        except ValueError as exc:
            if "Complex data not supported" in str(exc):
                raise ValueError(
                    f"{exc}; {type(est).__name__} fits complex X and y with "
                    "allow_complex=True"
                ) from None
            raise
    if y is None:
        raise ValueError(f"{type(est).__name__} requires y to be passed, got None")
    validate_data(est, X, y, skip_check_array=True)
    X = check_array_arg(X, "X", ndim=2)
    y = check_array_arg(y, "y", ndim=1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]} entries")
    return X, y


def _validate_predict(est, X):
    check_is_fitted(est)
    if not est.allow_complex:
        return validate_data(est, X, reset=False, dtype=[np.float64, np.float32])
    validate_data(est, X, reset=False, skip_check_array=True)
    return check_array_arg(X, "X", ndim=2)


class SBLRegressor(RegressorMixin, BaseEstimator):
    """Sparse Bayesian learning (EM) with a dense dictionary.

    Each coefficient gets a zero-mean Gaussian prior with its own variance
    ``gamma_j``; EM maximizes the marginal likelihood over ``gamma`` (and the
    noise variance unless it is given), driving most ``gamma_j`` to zero.
    The coefficients are the posterior mean.

    Parameters
    ----------
    noise_variance : float or None, default=None
        Known noise variance (> 0); ``None`` learns it.
    prune_threshold : float, default=1e-4
        Atoms with ``gamma_j < prune_threshold * max(gamma)`` are removed.
    fit_intercept : bool, default=True
        Center ``X`` and ``y`` before fitting and fit an intercept.
    max_iter : int, default=150
        Maximum number of EM iterations.
    tol : float, default=1e-4
        Stop when the relative change of ``gamma`` is at most ``tol``.
    allow_complex : bool, default=False
        Accept complex ``X`` and ``y`` (``score`` then needs real data).
    verbose : bool or int, default=False
        Print the objective every ``verbose`` iterations.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean of the coefficients (zero on pruned atoms).
    intercept_ : float
        Intercept (0 when ``fit_intercept=False``).
    gamma_ : ndarray of shape (n_features,)
        Learned prior variances (zero on pruned atoms).
    noise_variance_ : float
        Learned (or given) noise variance.
    support_ : ndarray of bool, shape (n_features,)
        Atoms that survived pruning.
    n_iter_ : int
        Number of EM iterations run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit`` (only when ``X`` has string names).

    See Also
    --------
    KroneckerSBL : The same model for a Kronecker-structured ``X``.
    sklearn.linear_model.ARDRegression : MacKay's fixed-point ARD.

    Notes
    -----
    The work is done by :func:`~sparserecovery.linear_model.sbl`.

    Examples
    --------
    >>> from sparserecovery.linear_model import SBLRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 80))
    >>> coef = np.zeros(80)
    >>> coef[[5, 30]] = [2.0, -1.0]
    >>> y = X @ coef + 0.01 * rng.standard_normal(40)
    >>> reg = SBLRegressor().fit(X, y)
    >>> np.flatnonzero(np.abs(reg.coef_) > 0.1)
    array([ 5, 30])
    """

    def __init__(
        self,
        *,
        noise_variance=None,
        prune_threshold=1e-4,
        fit_intercept=True,
        max_iter=150,
        tol=1e-4,
        allow_complex=False,
        verbose=False,
    ):
        self.noise_variance = noise_variance
        self.prune_threshold = prune_threshold
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.allow_complex = allow_complex
        self.verbose = verbose

    def fit(self, X, y):
        """Fit the model.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Dictionary (design matrix).
        y : array_like of shape (n_samples,)
            Target values.

        Returns
        -------
        self : SBLRegressor
            The fitted estimator.
        """
        X, y = _validate_fit(self, X, y)
        if self.fit_intercept:
            X_offset, y_offset = X.mean(axis=0), y.mean()
            X, y = X - X_offset, y - y_offset
        res = sbl(
            X,
            y,
            noise_variance=self.noise_variance,
            prune_threshold=self.prune_threshold,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
        )
        self.coef_ = res.coef
        self.intercept_ = y_offset - X_offset @ res.coef if self.fit_intercept else 0.0
        if not np.iscomplexobj(self.intercept_):
            self.intercept_ = float(self.intercept_)
        self.gamma_ = res.gamma
        self.noise_variance_ = res.noise_variance
        self.support_ = res.support
        self.n_iter_ = res.n_iter
        return self

    def predict(self, X):
        """Predict with the posterior-mean coefficients.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``X @ coef_ + intercept_``.
        """
        X = _validate_predict(self, X)
        return X @ self.coef_ + self.intercept_


class KroneckerSBL(RegressorMixin, BaseEstimator):
    """Sparse Bayesian learning with a Kronecker-structured dictionary.

    For ``y = (A_1 ⊗ ... ⊗ A_I) x + n`` with a Kronecker-structured support,
    the prior variance of ``x`` is itself a Kronecker product
    ``γ_1 ⊗ ... ⊗ γ_I`` (KroSBL). ``fit`` receives the full dictionary ``X``;
    the factors are recovered from it by the nearest-Kronecker SVD, and the
    product is never used again. For large problems call
    :func:`~sparserecovery.linear_model.kronecker_sbl` with the factors.

    Parameters
    ----------
    factor_shapes : sequence of (int, int) or None, default=None
        ``(m_i, n_i)`` of each factor, in ``np.kron`` order; their products
        must equal ``X.shape``. ``None`` treats ``X`` as a single factor
        (plain SBL without intercept).
    method : {"svd", "am", "pc"}, default="svd"
        M-step: sequential SVD fit, alternating minimization, or
        pattern-coupled AM for block-sparse factors (PC-KroSBL).
    noise_variance : float or None, default=None
        Known noise variance (> 0); ``None`` learns it.
    prune_threshold : float, sequence of float or None, default=None
        Relative per-factor pruning threshold (``None``: method default, see
        :func:`~sparserecovery.linear_model.kronecker_sbl`).
    beta : float, default=0.5
        Coupling of neighbouring atoms for ``method="pc"``.
    coupled_factors : sequence of int or None, default=None
        Block-sparse factors for ``method="pc"`` (``None``: all).
    update : {"em", "fixed_point"} or None, default=None
        Per-factor update of ``"am"`` and ``"pc"``: the paper's EM step or
        the faster marginal-likelihood fixed point (``None``:
        ``"fixed_point"`` for ``"pc"``, ``"em"`` for ``"am"``; see
        :func:`~sparserecovery.linear_model.kronecker_sbl`).
    refine : bool, default=True
        For ``method="pc"``: after the coupled stage converges, continue with
        uncoupled updates, which prune the atoms beside each block that the
        coupling kept alive (``False``: the paper's PC-KroSBL).
    kronecker_rtol : float, default=1e-6
        ``fit`` raises if ``X`` differs from the product of the recovered
        factors by more than this, relative to ``||X||_F``.
    max_iter : int, default=150
        Maximum number of EM iterations.
    tol : float, default=1e-4
        Stop when the relative change of ``⊗γ_i`` is at most ``tol``.
    allow_complex : bool, default=False
        Accept complex ``X`` and ``y`` (``score`` then needs real data).
    verbose : bool or int, default=False
        Print the objective every ``verbose`` iterations.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Posterior mean of ``x`` (zero on pruned atoms).
    factors_ : list of ndarray
        The factors ``A_i`` recovered from ``X``.
    gamma_ : tuple of ndarray
        Per-factor prior variances ``γ_i`` of shape ``(n_i,)`` (zero on pruned
        atoms; factors ``1..I-1`` have unit norm).
    noise_variance_ : float
        Learned (or given) noise variance.
    support_ : ndarray of bool, shape (n_features,)
        Atoms that survived pruning (a Kronecker product of per-factor masks).
    n_iter_ : int
        Number of EM iterations run.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit`` (only when ``X`` has string names).

    See Also
    --------
    SBLRegressor : The unstructured model.
    sparserecovery.linear_model.kronecker_sbl : The solver, given factors.
    sparserecovery.linear_model.nearest_kronecker : The factor recovery.

    Examples
    --------
    >>> from sparserecovery.linear_model import KroneckerSBL
    >>> rng = np.random.default_rng(0)
    >>> A, B = rng.standard_normal((6, 10)), rng.standard_normal((8, 10))
    >>> a, b = np.zeros(10), np.zeros(10)
    >>> a[[1, 7]], b[[0, 4]] = [1.0, -2.0], [1.5, 0.5]
    >>> X = np.kron(A, B)
    >>> y = X @ np.kron(a, b) + 0.01 * rng.standard_normal(48)
    >>> est = KroneckerSBL([(6, 10), (8, 10)], noise_variance=1e-4).fit(X, y)
    >>> [np.flatnonzero(g) for g in est.gamma_]
    [array([1, 7]), array([0, 4])]
    """

    def __init__(
        self,
        factor_shapes=None,
        *,
        method="svd",
        noise_variance=None,
        prune_threshold=None,
        beta=0.5,
        coupled_factors=None,
        update=None,
        refine=True,
        kronecker_rtol=1e-6,
        max_iter=150,
        tol=1e-4,
        allow_complex=False,
        verbose=False,
    ):
        self.factor_shapes = factor_shapes
        self.method = method
        self.noise_variance = noise_variance
        self.prune_threshold = prune_threshold
        self.beta = beta
        self.coupled_factors = coupled_factors
        self.update = update
        self.refine = refine
        self.kronecker_rtol = kronecker_rtol
        self.max_iter = max_iter
        self.tol = tol
        self.allow_complex = allow_complex
        self.verbose = verbose

    def fit(self, X, y):
        """Recover the factors of ``X`` and fit the model.

        Parameters
        ----------
        X : array_like of shape (prod(m_i), prod(n_i))
            The Kronecker-structured dictionary.
        y : array_like of shape (prod(m_i),)
            Measurements.

        Returns
        -------
        self : KroneckerSBL
            The fitted estimator.

        Raises
        ------
        ValueError
            If ``factor_shapes`` does not match ``X`` or if ``X`` is not a
            Kronecker product within ``kronecker_rtol``.
        """
        X, y = _validate_fit(self, X, y)
        check_choice("method", self.method, METHODS)
        if self.factor_shapes is None:
            factors = [X]
        else:
            factors = nearest_kronecker(X, self.factor_shapes, rtol=self.kronecker_rtol)
        res = kronecker_sbl(
            factors,
            y,
            method=self.method,
            noise_variance=self.noise_variance,
            prune_threshold=self.prune_threshold,
            beta=self.beta,
            coupled_factors=self.coupled_factors,
            update=self.update,
            refine=self.refine,
            max_iter=self.max_iter,
            tol=self.tol,
            verbose=self.verbose,
        )
        self.factors_ = factors
        self.coef_ = res.coef
        self.gamma_ = res.gamma
        self.noise_variance_ = res.noise_variance
        self.support_ = res.support
        self.n_iter_ = res.n_iter
        return self

    def predict(self, X):
        """Predict with the posterior-mean coefficients.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Dictionary rows.

        Returns
        -------
        ndarray of shape (n_samples,)
            ``X @ coef_``.
        """
        X = _validate_predict(self, X)
        return X @ self.coef_
