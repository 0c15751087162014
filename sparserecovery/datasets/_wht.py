"""Black-box functions with a sparse Walsh-Hadamard spectrum (SPRIGHT)."""

from __future__ import annotations

import math

import numpy as np
from sklearn.utils import Bunch

from ..utils import check_choice, check_random_state, check_scalar_arg

__all__ = ["make_sparse_wht"]

_MAX_BITS = 62


def _generator(random_state):
    if isinstance(random_state, np.random.Generator):
        return random_state
    is_int = isinstance(random_state, (int, np.integer))
    if random_state is None or (is_int and not isinstance(random_state, bool)):
        return np.random.default_rng(random_state)
    rs = check_random_state(random_state)  # a RandomState, or raises
    return np.random.default_rng(rs.randint(0, 2**31 - 1))


class SparseWHTQuery:
    """A function of ``n_bits`` binary inputs known by its sparse spectrum.

    ``query(m)`` returns ``sum_k X[k] (-1) ** popcount(m & k)`` plus fresh
    Gaussian noise of standard deviation ``noise_sd`` for every index in
    ``m``; it is what :func:`make_sparse_wht` hands out as the black box.

    Parameters
    ----------
    indices : ndarray of uint64
        Support ``k`` of the spectrum.
    values : ndarray of float64
        Coefficients ``X[k]``.
    n_bits : int
        Number of inputs; queries must lie in ``[0, 2 ** n_bits)``.
    noise_sd : float
        Standard deviation of the additive noise on every query.
    rng : numpy.random.Generator
        Source of the noise.

    Attributes
    ----------
    n_queries : int
        Number of function values returned so far (over all calls).
    n_calls : int
        Number of calls.
    """

    def __init__(self, indices, values, n_bits, noise_sd, rng):
        self.indices = indices
        self.values = values
        self.n_bits = n_bits
        self.noise_sd = noise_sd
        self.rng = rng
        self.n_queries = 0
        self.n_calls = 0

    def __call__(self, m):
        """Noisy function values at the inputs ``m`` (integer array)."""
        from ..wht._spright_kernels import evaluate

        arr = np.asarray(m)
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"m must be an integer array, got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or int(arr.max()) >= 1 << self.n_bits):
            raise ValueError(f"m must lie in [0, 2**{self.n_bits})")
        pts = np.ascontiguousarray(arr, dtype=np.uint64)
        out = evaluate(self.indices, self.values, pts.ravel()).reshape(pts.shape)
        if self.noise_sd > 0:
            out += self.noise_sd * self.rng.standard_normal(out.shape)
        self.n_queries += int(pts.size)
        self.n_calls += 1
        return out

    def __repr__(self):
        return (
            f"SparseWHTQuery(n_bits={self.n_bits}, sparsity={self.indices.size}, "
            f"noise_sd={self.noise_sd:.3g})"
        )


def _draw_support(rng, n_bits, sparsity, max_degree):
    """``sparsity`` distinct indices, uniform over those of degree <= max_degree."""
    if max_degree is None or max_degree >= n_bits:
        out = np.unique(rng.integers(0, 1 << n_bits, size=sparsity, dtype=np.uint64))
        while out.size < sparsity:
            more = rng.integers(
                0, 1 << n_bits, size=sparsity - out.size, dtype=np.uint64
            )
            out = np.unique(np.concatenate([out, more]))
        return out
    weights = np.array([math.comb(n_bits, d) for d in range(max_degree + 1)], float)
    chosen = set()
    while len(chosen) < sparsity:
        for d in rng.choice(max_degree + 1, size=sparsity - len(chosen),
                            p=weights / weights.sum()):  # fmt: skip
            bits = rng.choice(n_bits, size=int(d), replace=False)
            chosen.add(sum(1 << int(i) for i in bits))
    return np.array(sorted(chosen), dtype=np.uint64)


def make_sparse_wht(
    n_bits=14,
    sparsity=10,
    snr_db=None,
    *,
    distribution="sign",
    max_degree=None,
    random_state=None,
):
    """A black-box function whose Walsh-Hadamard spectrum is ``K``-sparse.

    The function of ``n`` binary inputs (input ``m`` coded as the bits of
    an integer) is

    ``x[m] = sum_k X[k] * (-1) ** popcount(m & k) + w``,

    with ``K`` nonzero coefficients ``X[k]`` and i.i.d. Gaussian noise ``w``
    drawn afresh on every query. The signal-to-noise ratio is per query:
    ``mean_m x_clean[m] ** 2 / sigma ** 2 = sum_k X[k] ** 2 / sigma ** 2``
    (the mean over all ``2 ** n`` inputs, by Parseval). This is the test
    problem of SPRIGHT (:func:`sparserecovery.wht.sparse_wht`).

    Parameters
    ----------
    n_bits : int, default=14
        Number of inputs ``n``, ``1 <= n <= 62``.
    sparsity : int, default=10
        Number ``K`` of nonzero coefficients.
    snr_db : float or None, default=None
        Per-query SNR in dB; None for noiseless queries.
    distribution : {"sign", "uniform", "normal"}, default="sign"
        Coefficients: ``+-1`` with random signs, random signs times
        magnitudes uniform on ``[0.5, 1.5]``, or standard normal.
    max_degree : int or None, default=None
        If set, the support is drawn uniformly among the indices with at
        most ``max_degree`` bits set (interactions of at most that many
        inputs: a low-order pseudo-Boolean function, whose support is far
        from uniform over the bits); None draws it uniformly over all
        ``2 ** n`` indices.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the spectrum and the noise stream of the query function.

    Returns
    -------
    data : Bunch
        ``query`` (a ``SparseWHTQuery``: call it with an integer array
        of inputs; it counts ``n_queries``), ``indices`` (``uint64``,
        sorted), ``coef`` (the coefficients ``X[k]`` in the same order),
        ``noise_sd``, ``snr_db`` and ``n_bits``.

    Raises
    ------
    ValueError
        If ``n_bits`` is outside ``[1, 62]``, ``sparsity`` is below 1 or
        above the number of admissible indices, or an option is invalid.

    Examples
    --------
    >>> from sparserecovery.datasets import make_sparse_wht
    >>> from sparserecovery.wht import sparse_wht
    >>> data = make_sparse_wht(20, 8, snr_db=20.0, random_state=0)
    >>> data.indices.dtype, data.coef.shape, round(data.noise_sd, 3)
    (dtype('uint64'), (8,), 0.283)
    >>> res = sparse_wht(data.query, 20, 8, noise_sd=data.noise_sd, random_state=0)
    >>> bool(np.array_equal(res.indices, data.indices))
    True
    >>> data.query.n_queries == res.n_samples
    True
    """
    n_bits = check_scalar_arg(n_bits, "n_bits", lower=1, upper=_MAX_BITS, integer=True)
    sparsity = check_scalar_arg(sparsity, "sparsity", lower=1, integer=True)
    distribution = check_choice(
        "distribution", distribution, ("sign", "uniform", "normal")
    )
    if max_degree is not None:
        max_degree = check_scalar_arg(max_degree, "max_degree", lower=0, integer=True)
    if snr_db is not None:
        snr_db = check_scalar_arg(snr_db, "snr_db")
    if max_degree is None or max_degree >= n_bits:
        available = 1 << n_bits
    else:
        available = sum(math.comb(n_bits, d) for d in range(max_degree + 1))
    if sparsity > available:
        raise ValueError(
            f"sparsity must be <= {available} (the number of indices of "
            f"{n_bits} bits with at most max_degree={max_degree} bits set), "
            f"got {sparsity}"
        )
    rng = _generator(random_state)
    indices = _draw_support(rng, n_bits, sparsity, max_degree)
    signs = rng.choice([-1.0, 1.0], size=sparsity)
    if distribution == "sign":
        coef = signs
    elif distribution == "uniform":
        coef = signs * rng.uniform(0.5, 1.5, size=sparsity)
    else:
        coef = rng.standard_normal(sparsity)
    if snr_db is None:
        noise_sd = 0.0
    else:
        noise_sd = math.sqrt(float(np.sum(coef**2)) / 10.0 ** (snr_db / 10.0))
    noise_rng = np.random.default_rng(rng.integers(0, 2**63 - 1))
    query = SparseWHTQuery(indices, coef, n_bits, noise_sd, noise_rng)
    return Bunch(
        query=query,
        indices=indices,
        coef=coef,
        noise_sd=noise_sd,
        snr_db=snr_db,
        n_bits=n_bits,
    )
