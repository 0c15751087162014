"""Random DAGs and data from linear structural equation models."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from ..utils import check_array_arg, check_choice, check_random_state, check_scalar_arg

__all__ = ["make_linear_sem"]

_NOISES = ("gaussian", "exponential", "laplace", "gumbel")


def _erdos_renyi(d, n_edges, rng):
    """Lower-triangular ER DAG with ``n_edges`` edges in expectation."""
    p = min(1.0, 2.0 * n_edges / (d * (d - 1))) if d > 1 else 0.0
    return np.tril(rng.random_sample((d, d)) < p, k=-1)


def _scale_free(d, m, rng):
    """Barabasi-Albert DAG: edges point from each new node to older ones.

    Each new node links to ``m`` older nodes chosen with probability
    proportional to their degree plus one, so early nodes become hubs with
    many parents.
    """
    B = np.zeros((d, d), dtype=bool)
    degree = np.zeros(d)
    for new in range(1, d):
        k = min(m, new)
        p = degree[:new] + 1.0
        targets = rng.choice(new, size=k, replace=False, p=p / p.sum())
        B[new, targets] = True
        degree[targets] += 1
        degree[new] += k
    return B


# One BLAS thread: the samples are products with the weight matrix, whose
# last bits differ between BLAS thread counts (96% of the entries at
# d = 200, n = 1000), and a d = 200 CoLiDE fit on the two versions of the
# "same" data came out with SHD 31 and 58. Now the data depend only on the
# arguments.
@threadpool_limits.wrap(limits=1, user_api="blas")
def make_linear_sem(
    n_nodes,
    n_samples,
    *,
    graph="ER",
    degree=4,
    weight_range=(0.5, 2.0),
    noise="gaussian",
    noise_scale=None,
    heteroscedastic=False,
    return_noise_scale=False,
    random_state=None,
):
    """Sample a random DAG and observations of a linear SEM on it.

    The data follow ``X = X W + E``: column ``j`` is
    ``X_j = sum_i W[i, j] X_i + E_j`` with independent zero-mean noises
    ``E_j``. ``W`` is the weighted adjacency matrix of a random DAG whose
    node order is randomly permuted.

    Parameters
    ----------
    n_nodes : int
        Number of variables ``d`` (>= 1).
    n_samples : int
        Number of observations ``n`` (>= 1).
    graph : {"ER", "SF"}
        Erdos-Renyi, or scale-free (Barabasi-Albert preferential attachment;
        hubs have many parents).
    degree : float
        Expected number of edges per node, so the graph has about
        ``degree * n_nodes`` edges ("ER4" / "SF4" in the NOTEARS, DAGMA and
        CoLiDE papers is ``degree=4``). For "SF" it is rounded to the number
        of edges each new node adds.
    weight_range : (float, float)
        Edge weights are drawn uniformly from ``[-high, -low] U [low, high]``.
    noise : {"gaussian", "exponential", "laplace", "gumbel"}
        Noise distribution, shifted to mean zero and scaled to the requested
        standard deviation.
    noise_scale : float or array_like of shape (n_nodes,), optional
        Noise standard deviation (one value, or one per node). Defaults to 1.
        Cannot be combined with ``heteroscedastic``.
    heteroscedastic : bool or (float, float)
        Draw each node's noise *variance* uniformly from ``(0.5, 10)`` (the
        CoLiDE paper's non-equal variance setting) or from the given range.
    return_noise_scale : bool
        Also return the per-node noise standard deviations.
    random_state : int, RandomState instance or None
        Seed for the graph, the weights and the noise.

    Returns
    -------
    X : ndarray of shape (n_samples, n_nodes)
        Observations.
    W : ndarray of shape (n_nodes, n_nodes)
        True weighted adjacency matrix (``W[i, j]`` is the weight of
        ``i -> j``).
    noise_scale : ndarray of shape (n_nodes,)
        Only when ``return_noise_scale``: the noise standard deviations.

    Examples
    --------
    >>> X, W = make_linear_sem(10, 200, degree=2, random_state=0)
    >>> X.shape, W.shape
    ((200, 10), (10, 10))
    """
    d = check_scalar_arg(n_nodes, "n_nodes", lower=1, integer=True)
    n = check_scalar_arg(n_samples, "n_samples", lower=1, integer=True)
    check_choice("graph", graph, ("ER", "SF"))
    degree = check_scalar_arg(degree, "degree", lower=0)
    check_choice("noise", noise, _NOISES)
    wr = check_array_arg(weight_range, "weight_range", shape=(2,), allow_complex=False)
    low, high = float(wr[0]), float(wr[1])
    if not 0 <= low <= high:
        raise ValueError(
            f"weight_range must satisfy 0 <= low <= high, got {weight_range!r}"
        )
    rng = check_random_state(random_state)

    if heteroscedastic is not False:
        if noise_scale is not None:
            raise ValueError("give either noise_scale or heteroscedastic, not both")
        var_range = (0.5, 10.0) if heteroscedastic is True else heteroscedastic
        vr = check_array_arg(
            var_range, "heteroscedastic", shape=(2,), allow_complex=False
        )
        if not 0 < vr[0] <= vr[1]:
            raise ValueError(
                "heteroscedastic must be True or a variance range (low, high) with "
                f"0 < low <= high, got {heteroscedastic!r}"
            )
    if noise_scale is not None:
        scale = check_array_arg(
            noise_scale, "noise_scale", ndim=(0, 1), allow_complex=False
        )
        if scale.ndim == 1 and scale.shape[0] != d:
            raise ValueError(
                f"noise_scale must be a scalar or have shape ({d},), got {scale.shape}"
            )
        if np.any(scale < 0):
            raise ValueError("noise_scale must be >= 0")

    if graph == "ER":
        B = _erdos_renyi(d, degree * d, rng)
    else:
        B = _scale_free(d, max(1, int(round(degree))), rng)
    perm = rng.permutation(d)
    B = B[np.ix_(perm, perm)]  # still acyclic: a relabelling of the nodes
    signs = rng.choice([-1.0, 1.0], size=(d, d))
    W = np.where(B, signs * rng.uniform(low, high, size=(d, d)), 0.0)

    if heteroscedastic is not False:
        std = np.sqrt(rng.uniform(vr[0], vr[1], size=d))
    elif noise_scale is None:
        std = np.ones(d)
    else:
        std = np.broadcast_to(scale, (d,)).astype(float)

    if noise == "gaussian":
        E = rng.standard_normal((n, d))
    elif noise == "exponential":
        E = rng.exponential(1.0, size=(n, d)) - 1.0
    elif noise == "laplace":
        E = rng.laplace(0.0, 1.0 / np.sqrt(2.0), size=(n, d))
    else:
        # Gumbel(0, b): mean b * Euler-gamma, variance (pi b)^2 / 6.
        b = np.sqrt(6.0) / np.pi
        E = rng.gumbel(0.0, b, size=(n, d)) - b * np.euler_gamma
    E *= std
    # X (I - W) = E, solved in one go (I - W is unit triangular up to order).
    X = np.linalg.solve((np.eye(d) - W).T, E.T).T
    if return_noise_scale:
        return X, W, std
    return X, W
