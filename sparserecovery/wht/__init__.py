"""Walsh-Hadamard transforms.

:func:`fwht` is the fast dense Walsh-Hadamard transform in natural
(Sylvester / Hadamard) order, ``scipy.linalg.hadamard(N) @ x`` in
``O(N log N)``, batched along any axis, with numba kernels blocked for the
caches; :func:`fwht_inplace` overwrites a contiguous float array instead of
allocating. The same transform as a linear operator is
:class:`sparserecovery.operators.Hadamard`.
"""

from ._fwht import fwht, fwht_inplace

__all__ = ["fwht", "fwht_inplace"]
