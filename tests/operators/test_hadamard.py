"""The Hadamard operator: adjoint, dense matrix, algebra, errors."""

import numpy as np
import pytest
from scipy.linalg import hadamard

from sparserecovery.operators import Hadamard, dottest

SCALE = {None: lambda n: 1.0, "ortho": lambda n: n**-0.5, "inverse": lambda n: 1.0 / n}


@pytest.mark.parametrize("normalize", [None, "ortho", "inverse"])
@pytest.mark.parametrize("n_bits", [0, 1, 2, 5, 9])
def test_dottest(normalize, n_bits):
    A = Hadamard(n_bits=n_bits, normalize=normalize)
    assert dottest(A, random_state=n_bits) < 1e-12
    assert dottest(A, random_state=n_bits, complex_input=True) < 1e-12
    assert dottest(A.H, random_state=1) < 1e-12


def test_dottest_float32():
    A = Hadamard(256, normalize="ortho", dtype=np.float32)
    assert A.dtype == np.float32
    dottest(A, random_state=0)


@pytest.mark.parametrize("normalize", [None, "ortho", "inverse"])
def test_to_dense_is_the_scaled_hadamard_matrix(normalize):
    for n in (1, 2, 4, 8, 16, 32, 64, 128):
        A = Hadamard(n, normalize=normalize)
        assert A.shape == (n, n)
        np.testing.assert_allclose(
            A.to_dense(), hadamard(n) * SCALE[normalize](n), rtol=0, atol=1e-15
        )
        np.testing.assert_allclose(A.H.to_dense(), A.to_dense().T, rtol=0, atol=1e-15)


def test_n_and_n_bits_agree():
    for n_bits in range(8):
        A, B = Hadamard(2**n_bits), Hadamard(n_bits=n_bits)
        assert A.shape == B.shape == (2**n_bits, 2**n_bits)
        assert A.n_bits == B.n_bits == n_bits
    assert Hadamard(np.int64(16)).n_bits == 4
    assert Hadamard(n_bits=np.int32(3)).shape == (8, 8)


def test_self_adjoint_orthogonal_and_inverse(rng):
    n = 512
    x = rng.standard_normal(n)
    A = Hadamard(n, normalize="ortho")
    assert A.H is A and A.adjoint() is A
    np.testing.assert_allclose(A @ (A @ x), x)
    np.testing.assert_allclose(A.normal() @ x, x)
    np.testing.assert_allclose(np.linalg.norm(A @ x), np.linalg.norm(x))
    H, Hinv = Hadamard(n), Hadamard(n, normalize="inverse")
    np.testing.assert_allclose(Hinv @ (H @ x), x)
    np.testing.assert_allclose((Hinv @ H) @ x, x)
    assert A.scale == pytest.approx(n**-0.5) and Hinv.scale == 1.0 / n
    assert H.normalize is None and Hinv.normalize == "inverse"


def test_application_shapes_and_dtypes(rng):
    A = Hadamard(16)
    X = rng.standard_normal((16, 3))
    np.testing.assert_allclose(A @ X, hadamard(16) @ X)
    np.testing.assert_array_equal(A @ np.arange(16), hadamard(16) @ np.arange(16))
    z = rng.standard_normal(16) + 1j * rng.standard_normal(16)
    np.testing.assert_allclose(A @ z, hadamard(16) @ z)
    assert (A @ np.ones(16, np.float32)).dtype == np.float64
    B = Hadamard(16, dtype=np.float32)
    assert (B @ np.ones(16, np.float32)).dtype == np.float32
    assert (B @ np.ones(16)).dtype == np.float64
    assert (B @ np.ones(16, np.complex64)).dtype == np.complex64
    x = rng.standard_normal(16)
    before = x.copy()
    A @ x
    A.H @ x
    np.testing.assert_array_equal(x, before)


def test_algebra_and_scipy_interop(rng):
    A = Hadamard(8, normalize="ortho")
    x = rng.standard_normal(8)
    np.testing.assert_allclose((2.0 * A - A) @ x, A @ x)
    np.testing.assert_allclose(A.to_scipy().matvec(x), A @ x)
    np.testing.assert_allclose(A.to_scipy().rmatvec(x), A @ x)


def test_errors():
    with pytest.raises(TypeError, match="exactly one of n"):
        Hadamard()
    with pytest.raises(TypeError, match="exactly one of n"):
        Hadamard(8, n_bits=3)
    for bad in (0, 3, 6, 12, -4):
        with pytest.raises(ValueError, match=f"n must be a power of two.*got {bad}"):
            Hadamard(bad)
    with pytest.raises(TypeError, match="n must be an int, got float"):
        Hadamard(8.0)
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        Hadamard(True)
    with pytest.raises(ValueError, match="n_bits must be >= 0"):
        Hadamard(n_bits=-1)
    with pytest.raises(TypeError, match="n_bits must be an int"):
        Hadamard(n_bits=2.5)
    with pytest.raises(ValueError, match="normalize must be one of"):
        Hadamard(8, normalize="unitary")
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        Hadamard(8, dtype=np.int64)
    A = Hadamard(8)
    with pytest.raises(ValueError, match="x must have shape"):
        A @ np.ones(6)
    with pytest.raises(ValueError, match="NaN or infinite"):
        A @ np.array([1.0, np.nan, 0, 0, 0, 0, 0, 0])
