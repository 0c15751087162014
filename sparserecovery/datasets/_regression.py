"""Sparse linear regression problems with sub-Gaussian designs."""

from __future__ import annotations

import math

import numpy as np

from sparserecovery.utils import check_choice, check_random_state, check_scalar_arg

__all__ = ["make_sparse_regression"]

_DESIGNS = ("gaussian", "rademacher", "uniform")


def make_sparse_regression(
    n_samples,
    n_features,
    n_nonzero,
    *,
    coef_scale=0.25,
    signs="random",
    noise=0.1,
    design="gaussian",
    correlation=0.0,
    random_state=None,
):
    """Draw ``y = X @ coef + noise`` with a ``n_nonzero``-sparse ``coef``.

    The rows of ``X`` are i.i.d., zero-mean, unit-variance and sub-Gaussian,
    with Toeplitz covariance ``Cov(x_i, x_j) = correlation**|i - j|``
    (an AR(1) filter applied along the features, so memory and time are
    O(n_samples * n_features)).

    Parameters
    ----------
    n_samples : int
        Number of rows ``n``.
    n_features : int
        Number of features ``d``.
    n_nonzero : int
        Number of non-zero coefficients ``k`` (``0 <= k <= d``), placed at
        random positions.
    coef_scale : float
        Magnitude of every non-zero coefficient.
    signs : {"random", "positive"}
        Signs of the non-zero coefficients.
    noise : float
        Standard deviation of the Gaussian noise on ``y``.
    design : {"gaussian", "rademacher", "uniform"}
        Distribution of the independent innovations (all unit variance and
        sub-Gaussian; ``"uniform"`` is uniform on ``[-sqrt(3), sqrt(3)]``).
    correlation : float
        AR(1) coefficient in ``(-1, 1)``; ``0`` gives independent features.
    random_state : int, RandomState instance, Generator or None
        Seed or random generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Design.
    y : ndarray of shape (n_samples,)
        Responses.
    coef : ndarray of shape (n_features,)
        The true coefficients.

    Examples
    --------
    >>> X, y, coef = make_sparse_regression(1000, 8, 2, random_state=0)
    >>> X.shape, y.shape, int(np.count_nonzero(coef))
    ((1000, 8), (1000,), 2)
    >>> bool(np.allclose(np.linalg.norm(coef), 0.25 * np.sqrt(2)))
    True
    """
    n = check_scalar_arg(n_samples, "n_samples", lower=1, integer=True)
    d = check_scalar_arg(n_features, "n_features", lower=1, integer=True)
    k = check_scalar_arg(n_nonzero, "n_nonzero", lower=0, upper=d, integer=True)
    coef_scale = check_scalar_arg(coef_scale, "coef_scale", lower=0)
    noise = check_scalar_arg(noise, "noise", lower=0)
    rho = check_scalar_arg(
        correlation,
        "correlation",
        lower=-1,
        upper=1,
        lower_inclusive=False,
        upper_inclusive=False,
    )
    check_choice("design", design, _DESIGNS)
    check_choice("signs", signs, ("random", "positive"))
    if isinstance(random_state, np.random.Generator):
        rng = random_state
    else:
        rng = check_random_state(random_state)

    support = np.sort(rng.choice(d, size=k, replace=False))
    coef = np.zeros(d)
    s = rng.choice([-1.0, 1.0], size=k) if signs == "random" else np.ones(k)
    coef[support] = coef_scale * s

    if design == "gaussian":
        X = rng.standard_normal((n, d))
    elif design == "rademacher":
        X = np.where(rng.random((n, d)) < 0.5, -1.0, 1.0)
    else:
        X = rng.uniform(-math.sqrt(3.0), math.sqrt(3.0), size=(n, d))
    if rho != 0.0:
        c = math.sqrt(1.0 - rho * rho)
        for j in range(1, d):
            X[:, j] *= c
            X[:, j] += rho * X[:, j - 1]
    y = X @ coef
    if noise > 0:
        y += noise * rng.standard_normal(n)
    return X, y, coef
