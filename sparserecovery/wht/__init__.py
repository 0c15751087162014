"""Walsh-Hadamard transforms, dense and sparse.

:func:`fwht` is the fast dense Walsh-Hadamard transform in natural
(Sylvester / Hadamard) order, ``scipy.linalg.hadamard(N) @ x`` in
``O(N log N)``, batched along any axis, with numba kernels blocked for the
caches; :func:`fwht_inplace` overwrites a contiguous float array instead of
allocating. The same transform as a linear operator is
:class:`sparserecovery.operators.Hadamard`.

:func:`sparse_wht` (SPRIGHT) recovers the K largest coefficients of a
function of n binary inputs from O(K log N) queries, robust to noise;
:class:`SparseWHT` wraps it in an estimator-style object.
"""

from ._fwht import fwht, fwht_inplace
from ._spright import SparseWHT, SparseWHTResult, sparse_wht

__all__ = ["SparseWHT", "SparseWHTResult", "fwht", "fwht_inplace", "sparse_wht"]
