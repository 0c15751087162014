import numpy as np
import pytest
from threadpoolctl import threadpool_limits

# Tests use small problems, where multi-threaded BLAS only adds overhead and
# contention on the 2-core CI machines. Benchmarks are not affected.
threadpool_limits(1)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
