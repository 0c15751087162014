"""
SPRIGHT: the Walsh-Hadamard spectrum of a black-box function
=============================================================

A pseudo-Boolean function of 40 binary inputs has ``2**40`` (about a
trillion) Walsh-Hadamard coefficients, far too many to evaluate the function
everywhere. When only a few dozen of them are nonzero,
:func:`~sparserecovery.wht.sparse_wht` finds them from a few
thousand queries: it subsamples the function on random cosets, folds each
subsample with a small fast WHT into bins, and peels the bins that hold a
single coefficient.

Here the black box is a sum of interactions between a few inputs, with and
without measurement noise; we then show how the success rate of peeling
drops once the number of coefficients outgrows the bins.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

from sparserecovery.wht import fwht, sparse_wht

n_bits = 40
rng = np.random.default_rng(0)

# A hidden function: 60 interactions of 1 to 4 inputs, weights 0.5 to 1.5
# in magnitude.
terms = {}
while len(terms) < 60:
    inputs = rng.choice(n_bits, size=rng.integers(1, 5), replace=False)
    terms[sum(1 << int(i) for i in inputs)] = rng.choice([-1, 1]) * (0.5 + rng.random())
true_idx = np.array(list(terms), dtype=np.uint64)
true_val = np.array(list(terms.values()))
n_calls = []


def black_box(m):
    """Evaluate the hidden function at the uint64-coded inputs ``m``."""
    n_calls.append(m.size)
    out = np.zeros(m.shape)
    for k, w in zip(true_idx, true_val, strict=True):
        parity = np.bitwise_count(m & k) & 1
        out += w * (1.0 - 2.0 * parity)
    return out


res = sparse_wht(black_box, n_bits, len(terms), noise_sd=0, random_state=0)
print(f"success: {res.success}, queries: {res.n_samples} of 2**{n_bits}")
print(f"signal called {len(n_calls)} time(s)")
order = np.argsort(true_idx)
print("max coefficient error:", np.max(np.abs(res.values - true_val[order])))

# %%
# With noise on every query (per-query noise sd 0.5), the noise-robust
# design votes each index bit over several (here 5) random offset chains;
# the noise level is estimated from the quietest bins when ``noise_sd`` is
# None.


def noisy_box(m):
    return black_box(m) + 0.5 * rng.standard_normal(m.shape)


noisy = sparse_wht(noisy_box, n_bits, len(terms), n_chains=5, random_state=1)
print(
    f"noisy: success {noisy.success}, {noisy.n_samples} queries, "
    f"estimated noise sd {noisy.noise_sd:.2f}"
)
same = np.array_equal(noisy.indices, np.sort(true_idx))
print("support found exactly:", same)

fig, ax = plt.subplots(1, 2, figsize=(9, 3.5))
ax[0].stem(np.arange(len(terms)), true_val[order], markerfmt="o", label="true")
ax[0].plot(
    np.arange(noisy.values.size), noisy.values, "x", color="C3", label="noisy SPRIGHT"
)
ax[0].set(xlabel="coefficient (sorted by index)", ylabel="value")
ax[0].legend()

# %%
# The peeling threshold: with ``C = 3`` groups of ``B = 16`` bins, peeling
# singletons works while ``K / B`` is well below about 2.4, and fails
# beyond; a failed run is flagged (``success`` is False) rather than
# returning garbage. The chains of the noise-robust design also let the
# decoder read bins that hold *two* coefficients, which moves the
# threshold to about twice the load (here without noise, ``noise_sd=0``
# with ``design="nso"``).

ratios = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5]
rates = {"noiseless": [], "nso": []}
for r in ratios:
    k = int(r * 16)
    ok = dict.fromkeys(rates, 0)
    for seed in range(20):
        g = np.random.default_rng(seed)
        idx = np.unique(g.integers(0, 1 << 16, size=k, dtype=np.uint64))
        X = np.zeros(1 << 16)
        X[idx.astype(np.int64)] = g.choice([-1.0, 1.0], size=idx.size)
        x = fwht(X)
        for design in rates:
            chains = {"n_chains": 3} if design == "nso" else {}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = sparse_wht(
                    x, 16, k, noise_sd=0, design=design, n_bins_log2=4,
                    random_state=seed, **chains,
                )  # fmt: skip
            ok[design] += out.success and np.array_equal(out.indices, idx)
    for design in rates:
        rates[design].append(ok[design] / 20)
print("K/B:", ratios)
for design, rate in rates.items():
    print(f"success rate ({design}):", rate)
    ax[1].plot(ratios, rate, "o-", label=f'design="{design}"')
ax[1].axvline(2.45, color="gray", ls=":", label="singleton threshold")
ax[1].set(xlabel="K / B", ylabel="success rate", title="C = 3, B = 16")
ax[1].legend(fontsize=8)
fig.tight_layout()

# %%
# Test problems with a known answer come from
# :func:`~sparserecovery.datasets.make_sparse_wht`: a black box of ``n``
# inputs with ``K`` random coefficients and Gaussian noise at a given
# per-query SNR. Here the rate of full recovery of ``n = 14, K = 10`` at
# 10 dB with 5 chains, over 50 problems:

from sparserecovery.datasets import make_sparse_wht  # noqa: E402

hits = 0
for seed in range(50):
    data = make_sparse_wht(14, 10, snr_db=10.0, random_state=seed)
    out = sparse_wht(data.query, 14, 10, n_chains=5, random_state=seed)
    hits += np.array_equal(out.indices, data.indices)
print(f"10 dB: {hits} / 50 recovered exactly, {out.n_samples} queries each")
plt.show()
