"""Central numba settings.

All kernels use ``njit`` from here so that caching and options are set in one
place. ``NUMBA_DISABLE_JIT=1`` is honoured by numba itself and gives the same
results (slowly), which the test-suite relies on for coverage runs.
"""

from functools import partial

import numba

__all__ = ["njit", "prange"]

#: ``@njit`` with on-disk caching, so compilation is paid once per machine.
njit = partial(numba.njit, cache=True, nogil=True)
prange = numba.prange
