"""
Operators without matrices
==========================

A Kronecker-structured dictionary applied by mode products, checked against
the explicit product, and the wavelet coefficients of an image.
"""

import matplotlib.pyplot as plt
import numpy as np

from sparserecovery.operators import FiniteDifference, Kronecker, Wavelet, dottest

rng = np.random.default_rng(0)
A = Kronecker([rng.standard_normal((8, 12)), rng.standard_normal((10, 15))])
x = rng.standard_normal(A.shape[1])
print("mode products agree with np.kron:", np.allclose(A @ x, A.to_dense() @ x))
print("adjoint test mismatch:", dottest(A, random_state=0))

yy, xx = np.mgrid[:64, :64]
image = ((xx - 32) ** 2 + (yy - 32) ** 2 < 300).astype(float)
W = Wavelet(image.shape, "haar", level=3)
D = FiniteDifference(image.shape)
fig, ax = plt.subplots(1, 3, figsize=(9, 3))
ax[0].imshow(image, cmap="gray")
ax[0].set_title("image")
ax[1].imshow(np.log10(1e-3 + np.abs(W @ image)), cmap="magma")
ax[1].set_title("|Haar coefficients| (log)")
ax[2].imshow(np.hypot(*(D @ image)), cmap="gray")
ax[2].set_title("|gradient|")
for a in ax:
    a.axis("off")
fig.tight_layout()
