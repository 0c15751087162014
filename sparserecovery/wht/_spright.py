"""SPRIGHT: sparse Walsh-Hadamard transform from few queries.

Front end (hashing by subsampling), bin tests and peeling decoder after Li,
Bradley, Pawar and Ramchandran, "SPRIGHT: A Fast and Robust Framework for
Sparse Walsh-Hadamard Transform". The conventions are those of
``shared/research/krosbl_spright.md``:

``x[m] = sum_k X[k] * (-1) ** <m, k>``, so ``X = fwht(x) / N``.

Group ``c`` has a full-rank hashing matrix ``M_c`` (``n x b``) and offsets
``d_{c,p}``; the scaled ``B``-point WHT of ``u[l] = x[M_c l XOR d_{c,p}]``
is ``U_{c,p}[j] = sum_{k : M_c^T k = j} X[k] (-1) ** <d_{c,p}, k>`` (plus
noise), the aliasing identity. A bin holding one coefficient (a singleton)
reveals its index through the signs across offsets; peeling subtracts it from
its bins in the other groups, which frees more singletons.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from ..utils.validation import (
    check_array_arg,
    check_choice,
    check_random_state,
    check_scalar_arg,
)
from . import _spright_kernels as _k
from ._fwht import fwht

__all__ = ["SparseWHT", "SparseWHTResult", "sparse_wht"]

#: Relative round-off floor of the bin tests: energies below
#: ``(_RTOL * max |U|) ** 2`` per offset count as zero.
_RTOL = 1e-9
_MAX_BITS = 62


@dataclass(frozen=True)
class SparseWHTResult:
    """Result of :func:`sparse_wht`.

    Attributes
    ----------
    indices : ndarray of uint64
        Indices ``k`` of the recovered coefficients, sorted; bit ``i`` of
        ``k`` is input ``i``.
    values : ndarray of float64
        The coefficients ``X[k]``, with ``x[m] = sum_k X[k] (-1) ** <m, k>``.
    success : bool
        Whether peeling finished: every bin of every group was explained
        (its residual is at the noise level). ``False`` means the recovery
        is partial, typically because ``sparsity`` exceeds what the design
        supports.
    n_samples : int
        Number of queries of the signal (``n_groups * n_offsets * n_bins``).
    n_iter : int
        Peeling sweeps made.
    n_bits : int
        Number of input bits ``n`` (the transform has length ``2 ** n``).
    n_bins : int
        Bins per group ``B = 2 ** b``.
    n_offsets : int
        Offsets per group ``P``.
    noise_sd : float
        Standard deviation of the per-sample noise used by the bin tests
        (given, or estimated when ``noise_sd=None``).
    design : str
        Offset design used (``"noiseless"`` or ``"nso"``).
    n_unresolved : int
        Bins still above the noise level at the end (0 on success).
    timings : dict
        Seconds spent in ``"query"`` (index generation and signal calls),
        ``"transform"`` (the batched B-point WHTs), ``"peel"`` and
        ``"total"``.
    """

    indices: np.ndarray
    values: np.ndarray
    success: bool
    n_samples: int
    n_iter: int
    n_bits: int
    n_bins: int
    n_offsets: int
    noise_sd: float
    design: str
    n_unresolved: int
    timings: dict = field(default_factory=dict)

    def evaluate(self, points):
        """Evaluate the recovered expansion at some inputs.

        Parameters
        ----------
        points : array_like of int
            Input indices ``m`` (``0 <= m < 2 ** n_bits``).

        Returns
        -------
        ndarray of float64
            ``sum_k X[k] (-1) ** <m, k>`` for each ``m``.

        Examples
        --------
        >>> res = sparse_wht(np.array([3.0, -1.0, -1.0, 3.0]), 2, 2, noise_sd=0)
        >>> res.evaluate([0, 1, 2, 3])
        array([ 3., -1., -1.,  3.])
        """
        pts = _as_indices(points, "points", self.n_bits)
        return _k.evaluate(self.indices, self.values, pts.ravel()).reshape(pts.shape)

    def to_dense(self):
        """The recovered transform as a dense array of length ``2 ** n_bits``.

        Only for ``n_bits <= 30``.

        Examples
        --------
        >>> res = sparse_wht(np.array([3.0, -1.0, -1.0, 3.0]), 2, 2, noise_sd=0)
        >>> res.to_dense()
        array([1., 0., 0., 2.])
        """
        if self.n_bits > 30:
            raise ValueError(
                f"to_dense needs n_bits <= 30, got {self.n_bits}; use "
                "indices and values"
            )
        out = np.zeros(1 << self.n_bits)
        out[self.indices.astype(np.int64)] = self.values
        return out


def _as_indices(points, name, n_bits):
    arr = np.asarray(points)
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an integer array, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or int(arr.max()) >= 1 << n_bits):
        raise ValueError(f"{name} must lie in [0, 2**{n_bits}), got out-of-range")
    return np.ascontiguousarray(arr, dtype=np.uint64)


def _gf2_rank(columns):
    """Rank over GF(2) of the vectors given as Python ints."""
    basis = []  # reduced vectors with distinct leading bits
    for v in columns:
        for w in basis:
            v = min(v, v ^ w)
        if v:
            basis.append(v)
    return len(basis)


def _hashing_columns(hashing, n_groups, n_bits, b, rng):
    cols = np.empty((n_groups, b), dtype=np.uint64)
    for c in range(n_groups):
        if hashing == "disjoint":
            # Identity blocks of b consecutive bits (disjoint while
            # n_groups * b <= n_bits, wrapping around otherwise).
            for t in range(b):
                cols[c, t] = np.uint64(1) << np.uint64((c * b + t) % n_bits)
            continue
        for _ in range(1000):
            draw = rng.integers(0, 1 << n_bits, size=b, dtype=np.uint64)
            if _gf2_rank([int(v) for v in draw]) == b:
                cols[c] = draw
                break
        else:  # pragma: no cover - probability ~ 0
            raise RuntimeError("could not draw a full-rank hashing matrix")
    return cols


def _offsets(design, n_groups, n_bits, n_chains, rng):
    """Offsets ``(C, P)``: chains ``r, r ^ e_0, ..., r ^ e_{n-1}`` per group."""
    unit = np.uint64(1) << np.arange(n_bits, dtype=np.uint64)
    if design == "noiseless":
        roots = np.zeros((n_groups, n_chains), dtype=np.uint64)
    else:
        roots = rng.integers(0, 1 << n_bits, size=(n_groups, n_chains), dtype=np.uint64)
    chains = np.empty((n_groups, n_chains, n_bits + 1), dtype=np.uint64)
    chains[:, :, 0] = roots
    chains[:, :, 1:] = roots[:, :, None] ^ unit
    return chains.reshape(n_groups, n_chains * (n_bits + 1))


def _query(signal, idx, dense):
    if dense is not None:
        return dense[idx]
    vals = signal(idx)
    if np.iscomplexobj(vals):
        raise TypeError("signal must return real values, got complex")
    try:
        arr = np.asarray(vals, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            "signal must return real numbers, got "
            f"{type(vals).__name__} that does not convert to float64"
        ) from None
    if arr.shape != idx.shape:
        raise ValueError(
            f"signal returned shape {arr.shape} for {idx.shape[0]} indices; "
            f"expected shape {idx.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("signal returned NaN or infinite values")
    return arr


def _estimate_noise_var(coef):
    """Per-bin noise variance from the quietest bins.

    The energy per offset of a zero-ton is ``nu**2 * chi2(P) / P``; the 10 %
    quantile of the energies of all bins (mostly zero-tons when ``B`` is of
    the order of ``K``) divided by that of ``chi2(P) / P`` estimates
    ``nu**2`` (an overestimate when fewer than ~10 % of the bins are empty).
    The chi-square quantile uses the Wilson-Hilferty approximation.
    """
    n_off = coef.shape[-1]
    energy = np.einsum("cbp,cbp->cb", coef, coef).ravel() / n_off
    z = -1.2815515655446004  # standard normal 10 % quantile
    h = 2.0 / (9.0 * n_off)
    ratio = max((1.0 - h + z * math.sqrt(h)) ** 3, 1e-3)  # chi2_P(0.1) / P
    pos = int(0.1 * (energy.size - 1))
    return float(np.partition(energy, pos)[pos] / ratio)


def _generator(random_state):
    """A numpy ``Generator`` from ``random_state``.

    None, an int or a ``Generator`` are used as by
    :func:`numpy.random.default_rng`; a ``RandomState`` seeds a new
    generator from its stream.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or isinstance(random_state, (int, np.integer)):
        if isinstance(random_state, bool):
            raise TypeError("random_state must be None, an int or a RandomState")
        return np.random.default_rng(random_state)
    rs = check_random_state(random_state)  # RandomState, or raises
    return np.random.default_rng(rs.randint(0, 2**31 - 1))


def sparse_wht(
    signal,
    n_bits,
    sparsity,
    *,
    noise_sd=None,
    design="auto",
    hashing="random",
    n_groups=3,
    n_bins_log2=None,
    n_chains=None,
    max_iter=30,
    random_state=None,
):
    """Sparse Walsh-Hadamard transform of a signal known only by queries.

    Finds the (about) ``sparsity`` nonzero coefficients ``X[k]`` of

    ``x[m] = sum_k X[k] * (-1) ** popcount(m & k)``,  ``m, k < N = 2**n``,

    i.e. ``X = fwht(x, normalize="inverse")``, from ``O(K log N)`` samples of
    ``x`` and in ``O(K log^2 N)`` time (SPRIGHT, Li et al.): the signal is
    subsampled on ``n_groups`` random cosets, each folded by a ``B``-point
    WHT into ``B`` bins, and a peeling decoder reads the indices of the bins
    that hold a single coefficient from the signs across offsets.

    Parameters
    ----------
    signal : callable or array_like
        Either a function taking a 1-D ``uint64`` array of indices ``m``
        (bit ``i`` of ``m`` is input ``i``) and returning the real values
        ``x[m]`` as an array of the same shape (it is called once), or the
        dense signal, a real array of length ``2 ** n_bits``.
    n_bits : int
        Number of binary inputs ``n``, ``1 <= n <= 62``.
    sparsity : int
        Expected number ``K`` of nonzero coefficients (``>= 1``); sets the
        number of bins when ``n_bins_log2`` is None.
    noise_sd : float or None, default=None
        Standard deviation of the additive noise on each query. ``0`` means
        noiseless (bin tests at round-off level); ``None`` estimates it from
        the quietest bins.
    design : {"auto", "noiseless", "nso"}, default="auto"
        Offsets. ``"noiseless"``: ``P = n + 1`` offsets ``0, e_1, ..., e_n``
        (one chain); exact without noise. ``"nso"``: ``n_chains`` chains
        ``r, r + e_1, ..., r + e_n`` from random roots ``r``; the bits of a
        singleton's index are voted over the chains and refined jointly
        (robust to noise), and bins holding two coefficients are decoded
        too (see Notes). ``"auto"`` is ``"noiseless"`` when
        ``noise_sd == 0``, else ``"nso"``.
    hashing : {"random", "disjoint"}, default="random"
        Hashing matrices: random full-rank ``n x b`` binary matrices (any
        support), or identity blocks of ``b`` consecutive bits per group
        (disjoint when ``n_groups * b <= n``; these need a support that is
        spread uniformly over the bits).
    n_groups : int, default=3
        Number of subsampling groups ``C``.
    n_bins_log2 : int or None, default=None
        ``b``, with ``B = 2 ** b`` bins per group. The default is the
        smallest ``b`` with ``B >= sparsity`` and ``B ** n_groups >= 25 *
        sparsity ** 2`` (at least 1, at most ``n_bits``).
        Peeling with ``C = 3`` succeeds with high probability while
        ``K / B`` stays well below about 2.4.
    n_chains : int or None, default=None
        Offset chains of the ``"nso"`` design (default
        ``max(3, ceil(n_bits / 3))``); must be 1 (the default) for
        ``"noiseless"``.
    max_iter : int, default=30
        Maximum number of peeling sweeps.
    random_state : int, RandomState, Generator or None, default=None
        Seed for the hashing matrices and offsets.

    Returns
    -------
    SparseWHTResult
        Indices (``uint64``), values, ``success`` (whether peeling finished),
        ``n_samples``, ``n_iter``, timings, and the design used.

    Raises
    ------
    TypeError
        If ``signal`` is neither callable nor numeric, or an integer argument
        is not an integer.
    ValueError
        If ``n_bits`` is outside ``[1, 62]``, ``sparsity < 1``, the dense
        signal's length is not ``2 ** n_bits``, the callable returns the
        wrong shape or non-finite values, or an option is not a choice.

    Warns
    -----
    ConvergenceWarning
        When peeling stops with bins left unexplained (``success`` is
        False): the coefficients found are returned, but not all of them.

    See Also
    --------
    sparserecovery.wht.fwht : The dense transform, ``O(N log N)``.

    Notes
    -----
    Samples: ``n_groups * P * B`` with ``P = n + 1`` (noiseless) or
    ``n_chains * (n + 1)`` (``"nso"``). The bin tests call a bin a zero-ton
    when its energy per offset is at most ``(1 + g) nu**2`` with
    ``nu**2 = noise_sd**2 / B`` and ``g = max(0.5, 3 sqrt(2 / P))``, and a
    singleton when the residual after fitting one coefficient passes the
    same test, the index hashes to the bin and the value's square exceeds
    ``g nu**2 / 2``. ``success`` requires every bin to end below a looser
    bound, ``(1 + max(1, 6 sqrt(2 / P))) nu**2``.

    Index detection reads the chains as a rank-one matrix ``alpha_q t_i``
    (chain sign times bit sign): a weighted majority vote per bit, then
    alternating least squares for ``alpha`` and the signs ``t`` (maximum
    likelihood for ``t`` once it settles), so that each bit is compared
    with the chain's value estimated from all its ``n + 1`` offsets rather
    than from its root alone. With ``n_chains > 1``, when a sweep finds no
    singleton the decoder also tries every bin as a *doubleton*: the chain
    columns then form four clusters ``+-(alpha + beta)``, ``+-(alpha -
    beta)`` from which both indices are read, and a two-term least-squares
    fit must leave a noise-level residual. This resolves the commonest
    stopping set of peeling (two coefficients sharing a bin in every group)
    and lets peeling run to about twice the load ``K / B``. With noise,
    the values are finally refitted by least squares on the found support
    from all ``n_groups * P`` observations of each; in every mode a
    coefficient whose final value fails the minimum-value test (a spurious
    one that a later peel cancelled, or that the refit pulls to zero
    because the other groups do not see it) is dropped.

    Queries that coincide
    across groups are not merged, so ``n_samples`` counts them all. With
    ``noise_sd=None`` the noise level is estimated from the 10 % quietest
    bins, which assumes that at least that many bins are empty (true with
    the default ``B >= sparsity``).

    Examples
    --------
    A function of 30 bits with three terms, recovered from 744 of its
    ``2 ** 30`` values:

    >>> def f(m):
    ...     bit = lambda i: ((m >> np.uint64(i)) & np.uint64(1)).astype(float)
    ...     s = lambda i: 1.0 - 2.0 * bit(i)
    ...     return 2.0 + 0.5 * s(3) - 1.5 * s(7) * s(29)
    >>> res = sparse_wht(f, 30, 3, noise_sd=0, random_state=0)
    >>> res.success, res.n_samples
    (True, 744)
    >>> res.indices
    array([        0,         8, 536871040], dtype=uint64)
    >>> res.values
    array([ 2. ,  0.5, -1.5])

    The same as the dense transform for a short signal:

    >>> x = np.random.default_rng(1).standard_normal(4) @ (
    ...     1.0 - 2.0 * (np.array([[0], [5], [9], [12]]) & np.arange(16) > 0))
    >>> res = sparse_wht(x, 4, 4, noise_sd=0, random_state=0)
    >>> np.allclose(res.to_dense(), fwht(x, normalize="inverse"))
    True
    """
    t_start = time.perf_counter()
    n_bits = check_scalar_arg(n_bits, "n_bits", lower=1, upper=_MAX_BITS, integer=True)
    sparsity = check_scalar_arg(sparsity, "sparsity", lower=1, integer=True)
    if sparsity > 1 << n_bits:
        raise ValueError(
            f"sparsity must be <= 2**n_bits = {1 << n_bits}, got {sparsity}"
        )
    if noise_sd is not None:
        noise_sd = check_scalar_arg(noise_sd, "noise_sd", lower=0)
    design = check_choice("design", design, ("auto", "noiseless", "nso"))
    hashing = check_choice("hashing", hashing, ("random", "disjoint"))
    n_groups = check_scalar_arg(n_groups, "n_groups", lower=1, integer=True)
    max_iter = check_scalar_arg(max_iter, "max_iter", lower=1, integer=True)
    if design == "auto":
        design = "noiseless" if noise_sd == 0 else "nso"
    if n_bins_log2 is None:
        # B >= K keeps the load well under the peeling threshold, and
        # B**C >= 25 K**2 keeps the chance that two coefficients share a bin
        # in every group (a stopping set) near 1 % for small K.
        want = max(sparsity, (25.0 * sparsity**2) ** (1.0 / n_groups))
        b = min(n_bits, max(1, math.ceil(math.log2(want) - 1e-9)))
    else:
        b = check_scalar_arg(
            n_bins_log2, "n_bins_log2", lower=0, upper=n_bits, integer=True
        )
    if n_chains is None:
        n_chains = 1 if design == "noiseless" else max(3, math.ceil(n_bits / 3))
    n_chains = check_scalar_arg(n_chains, "n_chains", lower=1, integer=True)
    if design == "noiseless" and n_chains != 1:
        raise ValueError(f"n_chains must be 1 for design='noiseless', got {n_chains}")

    dense = None
    if not callable(signal):
        dense = check_array_arg(signal, "signal", ndim=1, allow_complex=False)
        dense = np.asarray(dense, dtype=np.float64)
        if dense.shape[0] != 1 << n_bits:
            raise ValueError(
                f"signal has length {dense.shape[0]}, expected 2**n_bits = "
                f"{1 << n_bits}"
            )

    gen = _generator(random_state)
    columns = _hashing_columns(hashing, n_groups, n_bits, b, gen)
    offsets = _offsets(design, n_groups, n_bits, n_chains, gen)
    n_off = offsets.shape[1]
    n_bins = 1 << b

    # ---- front end: one index array, one call of the signal
    t0 = time.perf_counter()
    idx = _k.subsample_indices(columns, offsets)
    samples = _query(signal, idx.reshape(-1), dense)
    t_query = time.perf_counter() - t0

    t0 = time.perf_counter()
    folded = fwht(samples.reshape(n_groups, n_off, n_bins), axis=-1,
                  normalize="inverse")  # fmt: skip
    coef = np.ascontiguousarray(folded.transpose(0, 2, 1))  # (C, B, P)
    t_transform = time.perf_counter() - t0

    # ---- bin-test threshold
    t0 = time.perf_counter()
    scale = float(np.max(np.abs(coef))) if coef.size else 0.0
    floor = (_RTOL * scale) ** 2
    if noise_sd is None:
        nu2 = _estimate_noise_var(coef)
        noise_est = math.sqrt(max(nu2, 0.0) * n_bins)
    else:
        nu2 = noise_sd**2 / n_bins
        noise_est = noise_sd
    gamma = max(0.5, 3.0 * math.sqrt(2.0 / n_off))
    tiny = np.finfo(float).tiny
    threshold = max(nu2 * (1.0 + gamma), floor, tiny)
    # A singleton must stand out of the noise (its energy passed the zero-ton
    # test, so a true one has value**2 > gamma * nu2 up to its own error).
    min_value2 = max(0.5 * gamma * nu2, floor, tiny)
    # Every bin is tested once at the end: a looser, ~6-sigma bound.
    final_threshold = max(nu2 * (1.0 + max(1.0, 6.0 * math.sqrt(2.0 / n_off))),
                          floor, tiny)  # fmt: skip

    max_found = n_groups * n_bins + sparsity
    ind, val, n_found, n_iter, n_left, _ = _k.peel(
        coef,
        columns,
        offsets,
        n_bits,
        n_chains,
        threshold,
        min_value2,
        final_threshold,
        max_iter,
        max_found,
    )
    ind = ind[:n_found]
    val = val[:n_found]
    if noise_sd != 0:
        # Least-squares values on the found support from all C * P
        # observations of each coefficient (peeling used one bin's P).
        _k.refit(coef, columns, offsets, ind, val, 20, 1e-10)
    # A coefficient must keep the size a singleton needs: the refit pulls a
    # spurious one (a noise bin that passed the tests, or a peel undone by a
    # later one) back towards zero, as the other groups do not see it.
    keep = val * val >= min_value2
    ind, val = ind[keep], val[keep]
    order = np.argsort(ind)
    ind, val = ind[order], val[order]
    t_peel = time.perf_counter() - t0

    success = n_left == 0 and n_found < max_found
    if not success:
        warnings.warn(
            f"SPRIGHT peeling stopped with {n_left} of {n_groups * n_bins} "
            f"bins unexplained after {n_iter} sweep(s) ({n_found} coefficients "
            "found): the signal is likely denser than the design supports "
            f"(sparsity={sparsity}, {n_bins} bins per group); increase "
            "n_bins_log2 or n_groups, or check noise_sd.",
            ConvergenceWarning,
            stacklevel=2,
        )
    timings = {
        "query": t_query,
        "transform": t_transform,
        "peel": t_peel,
        "total": time.perf_counter() - t_start,
    }
    return SparseWHTResult(
        indices=ind,
        values=val,
        success=bool(success),
        n_samples=int(idx.size),
        n_iter=int(n_iter),
        n_bits=n_bits,
        n_bins=n_bins,
        n_offsets=n_off,
        noise_sd=float(noise_est),
        design=design,
        n_unresolved=int(n_left),
        timings=timings,
    )


class SparseWHT(BaseEstimator):
    """Estimator-style wrapper of :func:`sparse_wht`.

    ``fit(signal)`` recovers the sparse Walsh-Hadamard expansion of a query
    function (or dense signal); ``predict(points)`` evaluates it.

    Parameters
    ----------
    n_bits : int, default=10
        Number of binary inputs ``n``.
    sparsity : int, default=10
        Expected number of nonzero coefficients.
    noise_sd, design, hashing, n_groups, n_bins_log2, n_chains, max_iter, \
random_state
        As in :func:`sparse_wht`.

    Attributes
    ----------
    coef_ : scipy.sparse.coo_array of shape (2 ** n_bits,)
        The recovered coefficients as a 1-D sparse array.
    indices_ : ndarray of uint64
        Indices of the nonzero coefficients.
    values_ : ndarray of float64
        Their values.
    success_ : bool
        Whether peeling finished.
    n_iter_ : int
        Peeling sweeps.
    result_ : SparseWHTResult
        The full result (samples, timings, ...).

    Examples
    --------
    >>> est = SparseWHT(n_bits=3, sparsity=2, noise_sd=0)
    >>> est.fit(np.array([3.0, -1.0, -1.0, 3.0, 3.0, -1.0, -1.0, 3.0]))
    SparseWHT(n_bits=3, noise_sd=0, sparsity=2)
    >>> est.indices_, est.values_
    (array([0, 3], dtype=uint64), array([1., 2.]))
    >>> est.predict([0, 1])
    array([ 3., -1.])
    """

    def __init__(
        self,
        n_bits=10,
        sparsity=10,
        *,
        noise_sd=None,
        design="auto",
        hashing="random",
        n_groups=3,
        n_bins_log2=None,
        n_chains=None,
        max_iter=30,
        random_state=None,
    ):
        self.n_bits = n_bits
        self.sparsity = sparsity
        self.noise_sd = noise_sd
        self.design = design
        self.hashing = hashing
        self.n_groups = n_groups
        self.n_bins_log2 = n_bins_log2
        self.n_chains = n_chains
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, signal, y=None):
        """Recover the expansion of ``signal`` (callable or dense array).

        Parameters
        ----------
        signal : callable or array_like
            As in :func:`sparse_wht`.
        y : None
            Ignored.

        Returns
        -------
        self : SparseWHT
        """
        from scipy.sparse import coo_array

        res = sparse_wht(
            signal,
            self.n_bits,
            self.sparsity,
            noise_sd=self.noise_sd,
            design=self.design,
            hashing=self.hashing,
            n_groups=self.n_groups,
            n_bins_log2=self.n_bins_log2,
            n_chains=self.n_chains,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )
        self.result_ = res
        self.indices_ = res.indices
        self.values_ = res.values
        self.success_ = res.success
        self.n_iter_ = res.n_iter
        self.coef_ = coo_array(
            (res.values, (res.indices.astype(np.int64),)), shape=(1 << res.n_bits,)
        )
        return self

    def predict(self, points):
        """Evaluate the recovered expansion at the inputs ``points``.

        Parameters
        ----------
        points : array_like of int
            Input indices ``m``.

        Returns
        -------
        ndarray of float64
        """
        if not hasattr(self, "result_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("SparseWHT is not fitted yet; call fit first")
        return self.result_.evaluate(points)
