"""
Sparse regression under local differential privacy: error vs n and epsilon
==========================================================================

Every user randomizes their own ``(x_i, y_i)`` before it leaves the device;
the server only sees noisy messages. We compare the three protocols of
:class:`~sparserecovery.privacy.LDPSparseRegression` on ``d = 32`` standard
Gaussian features with ``k = 4`` coefficients of size 0.25 (so the zero
estimator has error 0.5):

* non-interactive (NLDP): one noisy copy of ``x x^T`` and ``x y`` per user;
* NLDP with public unlabeled covariates: users send only ``x y``;
* sequentially interactive LDP iterative hard thresholding.

The estimates are thresholded at a level calibrated to the noise, so when the
signal is drowned they return exactly zero (never worse than the zero
estimator); once it is detected the error falls like ``n^{-1/2}``, the rate
of the theory. Against ``epsilon`` the error follows the noise scale of the
analytic Gaussian mechanism, which is ``~ 1/epsilon`` for small ``epsilon``
and ``~ 1/sqrt(epsilon)`` for large ``epsilon``.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sparserecovery.datasets._regression import make_sparse_regression
from sparserecovery.privacy import LDPSparseRegression, analytic_gaussian_sigma

D, K = 32, 4
X, y, coef = make_sparse_regression(1_000_000, D, K, random_state=0)
X_public, _, _ = make_sparse_regression(1_000_000, D, K, random_state=1)
zero_error = np.linalg.norm(coef)

PROTOCOLS = {
    "NLDP": {},
    "NLDP + public X": {"public_X": X_public},
    "LDP-IHT (interactive)": {"protocol": "interactive"},
}


def error(n, eps, **kw):
    est = LDPSparseRegression(eps, random_state=0, **kw).fit(X[:n], y[:n])
    return np.linalg.norm(est.coef_ - coef)


# %%
# Error against the number of users
# ---------------------------------
# Dashed lines have slope -1/2. Below the detection level the estimate is
# zero and the curve sits on the zero-estimator line.
ns = np.array([10_000, 30_000, 100_000, 300_000, 1_000_000])
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, eps in zip(axes, (16.0, 300.0), strict=True):
    for name, kw in PROTOCOLS.items():
        errs = [error(n, eps, **kw) for n in ns]
        ax.loglog(ns, errs, "o-", label=name)
        ax.loglog(ns, errs[-1] * np.sqrt(ns[-1] / ns), "k--", lw=0.8)
    ax.axhline(zero_error, color="gray", ls=":", label="zero estimator")
    ax.set_title(f"epsilon = {eps:g}, delta = 1e-6")
    ax.set_xlabel("n (users)")
axes[0].set_ylabel("l2 error")
axes[0].legend(fontsize=8)
fig.tight_layout()

# %%
# Error against epsilon
# ---------------------
# The dashed line is proportional to the per-user noise scale of the analytic
# Gaussian mechanism at sensitivity 1, matched at the largest epsilon.
epsilons = np.array([4.0, 16.0, 64.0, 256.0, 1024.0])
n = 300_000
sigma = np.array([analytic_gaussian_sigma(1.0, e, 1e-6) for e in epsilons])
fig, ax = plt.subplots(figsize=(5.5, 4))
for name, kw in PROTOCOLS.items():
    errs = [error(n, e, **kw) for e in epsilons]
    ax.loglog(epsilons, errs, "o-", label=name)
    ax.loglog(epsilons, errs[-1] * sigma / sigma[-1], "k--", lw=0.8)
ax.axhline(zero_error, color="gray", ls=":", label="zero estimator")
ax.set_xlabel("epsilon")
ax.set_ylabel("l2 error")
ax.set_title(f"n = {n:,}")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
