"""The fast Walsh-Hadamard transform against independent computations."""

import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.linalg import hadamard

from sparserecovery.wht import fwht, fwht_inplace

SCALE = {None: lambda n: 1.0, "ortho": lambda n: n**-0.5, "inverse": lambda n: 1.0 / n}


def reference(x, axis=-1):
    """Plain radix-2 butterflies in float64 (independent of the kernels)."""
    y = np.moveaxis(np.array(x, dtype=np.result_type(x, np.float64)), axis, -1).copy()
    n = y.shape[-1]
    h = 1
    while h < n:
        pairs = y.reshape(*y.shape[:-1], n // (2 * h), 2, h)
        a = pairs[..., 0, :].copy()
        b = pairs[..., 1, :].copy()
        pairs[..., 0, :] = a + b
        pairs[..., 1, :] = a - b
        h *= 2
    return np.moveaxis(y, -1, axis)


def dense(x, axis=-1, normalize=None):
    """``hadamard(N) @ x`` along ``axis`` with a dense matrix."""
    n = np.shape(x)[axis]
    H = hadamard(n) * SCALE[normalize](n)
    return np.moveaxis(np.tensordot(H, x, axes=(1, axis)), 0, axis)


def assert_close(actual, desired, rtol):
    """Entrywise closeness relative to the size of the whole result."""
    desired = np.asarray(desired)
    scale = max(np.max(np.abs(desired)), 1e-300) if desired.size else 1.0
    np.testing.assert_allclose(actual, desired, rtol=0, atol=rtol * scale)


# ------------------------------------------------------------ correctness
@pytest.mark.parametrize("normalize", [None, "ortho", "inverse"])
def test_matches_scipy_hadamard_every_small_size(rng, normalize):
    for n_bits in range(11):  # N = 1 .. 2**10
        n = 2**n_bits
        x = rng.standard_normal(n)
        y = fwht(x, normalize=normalize)
        assert y.shape == (n,) and y.dtype == np.float64
        assert_close(y, dense(x, normalize=normalize), 1e-13)
        X = rng.standard_normal((3, n))
        assert_close(fwht(X, normalize=normalize), dense(X, normalize=normalize), 1e-13)


def test_matches_scipy_hadamard_exactly_on_integers():
    x = np.arange(1, 65)
    np.testing.assert_array_equal(fwht(x), hadamard(64) @ x)


@pytest.mark.parametrize("n_bits", range(11, 20))
def test_blocked_paths_float64_against_radix2(rng, n_bits):
    # 2**11 .. 2**19 covers: one L1 block, L1 blocks + L2 levels (every
    # remainder of the levels mod 3), and L2 chunks + radix-8 passes over the
    # whole array (chunk sizes 2**14, 2**15, 2**16).
    x = rng.standard_normal(2**n_bits)
    assert_close(fwht(x), reference(x), 1e-13)
    assert_close(fwht(x, normalize="inverse"), reference(x) / x.size, 1e-13)
    y = x.copy()
    fwht_inplace(y, normalize="ortho")
    assert_close(y, reference(x) / np.sqrt(x.size), 1e-13)


@pytest.mark.parametrize("n_bits", [12, 13, 14, 15, 16, 18, 19, 20])
def test_blocked_paths_float32_against_radix2(rng, n_bits):
    x = rng.standard_normal(2**n_bits).astype(np.float32)
    y = fwht(x, normalize="ortho")
    assert y.dtype == np.float32
    assert_close(y, reference(x) / np.sqrt(x.size), 2e-6 * n_bits)


def test_batched_rows_of_every_block_path(rng):
    X = rng.standard_normal((3, 2**17))
    assert_close(fwht(X), reference(X), 1e-13)


@pytest.mark.parametrize(
    ("shape", "axis"),
    [
        ((8, 5), 0),
        ((5, 8), 1),
        ((5, 8), -1),
        ((16, 3, 2), 0),
        ((3, 16, 2), 1),
        ((3, 2, 16), 2),
        ((3, 2, 16), -1),
        ((4, 64, 7), -2),
        ((2**12, 3), 0),
        ((2, 2**10, 9), 1),
        ((2**9, 64), 0),
    ],
)
@pytest.mark.parametrize("normalize", [None, "ortho"])
def test_batched_along_any_axis(rng, shape, axis, normalize):
    x = rng.standard_normal(shape)
    y = fwht(x, axis=axis, normalize=normalize)
    assert y.shape == x.shape and y.flags.c_contiguous
    n = x.shape[axis]
    if n <= 256:
        expected = dense(x, axis, normalize)
    else:
        expected = reference(x, axis) * SCALE[normalize](n)
    assert_close(y, expected, 1e-12)


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_batch_equals_transform_of_each_slice(rng, axis):
    x = rng.standard_normal((4, 8, 16))
    y = fwht(x, axis=axis)
    for idx in np.ndindex(*np.delete(x.shape, axis)):
        sl = list(idx)
        sl.insert(axis, slice(None))
        np.testing.assert_allclose(y[tuple(sl)], fwht(x[tuple(sl)]), atol=1e-12)


@pytest.mark.parametrize("n_bits", [0, 3, 10])
def test_float32_preserved_and_accurate(rng, n_bits):
    x = rng.standard_normal((2, 2**n_bits)).astype(np.float32)
    for normalize in (None, "ortho", "inverse"):
        y = fwht(x, normalize=normalize)
        assert y.dtype == np.float32
        assert_close(y, dense(x.astype(np.float64), normalize=normalize), 1e-6)
    y0 = fwht(x.T.copy(), axis=0)
    assert y0.dtype == np.float32
    assert_close(y0, dense(x.T.astype(np.float64), axis=0), 1e-6)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (np.int64, np.float64),
        (np.int32, np.float64),
        (np.uint8, np.float64),
        (np.bool_, np.float64),
        (np.float16, np.float64),
        (np.float32, np.float32),
        (np.float64, np.float64),
        (np.complex64, np.complex64),
        (np.complex128, np.complex128),
    ],
)
def test_result_dtype(dtype, expected):
    x = np.ones(8, dtype=dtype)
    y = fwht(x)
    assert y.dtype == expected
    np.testing.assert_allclose(y, hadamard(8) @ np.ones(8))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex(rng, dtype):
    x = (rng.standard_normal((3, 32)) + 1j * rng.standard_normal((3, 32))).astype(dtype)
    for normalize in (None, "ortho"):
        y = fwht(x, normalize=normalize)
        assert y.dtype == dtype
        tol = 1e-5 if dtype == np.complex64 else 1e-13
        assert_close(y, dense(x.astype(np.complex128), normalize=normalize), tol)
    y0 = fwht(x.T, axis=0)
    assert_close(y0, dense(x.T.astype(np.complex128), axis=0), tol)


def test_involution_and_inverse(rng):
    x = rng.standard_normal((3, 256))
    np.testing.assert_allclose(fwht(fwht(x, normalize="ortho"), normalize="ortho"), x)
    np.testing.assert_allclose(fwht(fwht(x), normalize="inverse"), x)
    np.testing.assert_allclose(fwht(fwht(x)), 256 * x)
    # Orthonormal scaling preserves the norm (Parseval).
    np.testing.assert_allclose(
        np.linalg.norm(fwht(x, normalize="ortho"), axis=1), np.linalg.norm(x, axis=1)
    )


def test_linearity_and_basis_vectors(rng):
    n = 128
    np.testing.assert_array_equal(fwht(np.eye(n), axis=0), hadamard(n))
    np.testing.assert_array_equal(fwht(np.eye(n), axis=1), hadamard(n))
    x, z = rng.standard_normal((2, n))
    lhs = fwht(2 * x - 3 * z)
    np.testing.assert_allclose(lhs, 2 * fwht(x) - 3 * fwht(z), atol=1e-12)


# --------------------------------------------------------- input handling
@pytest.mark.parametrize(
    "x",
    [
        np.arange(16.0),
        np.arange(16.0, dtype=np.float32),
        np.arange(16),
        np.arange(16) + 1j * np.arange(16),
        np.arange(64.0).reshape(8, 8),
    ],
    ids=["float64", "float32", "int", "complex", "2d"],
)
def test_input_is_not_modified(x):
    before = x.copy()
    fwht(x)
    fwht(x, axis=0, normalize="ortho")
    np.testing.assert_array_equal(x, before)


def test_non_contiguous_inputs(rng):
    base = rng.standard_normal((32, 64))
    for x, axis in [
        (base[::2, ::4], -1),  # strided view, (16, 16)
        (base[::2, ::4], 0),
        (base.T, 0),  # transposed (F-ordered) view
        (base.T, 1),
        (np.asfortranarray(base), 1),
        (base[:, 1:33], -1),  # offset start
    ]:
        expected = dense(np.ascontiguousarray(x), axis)
        assert_close(fwht(x, axis=axis), expected, 1e-13)


def test_big_endian_input(rng):
    x = rng.standard_normal((3, 64))
    for dt in (">f8", ">f4", ">c16"):
        xb = x.astype(dt)
        y = fwht(xb)
        assert y.dtype.isnative and y.dtype == xb.dtype.newbyteorder("=")
        assert_close(y, dense(x), 1e-5)


def test_read_only_input(rng):
    x = rng.standard_normal((4, 32))
    x.flags.writeable = False
    assert_close(fwht(x), dense(x), 1e-13)
    assert_close(fwht(x, axis=0), dense(x, 0), 1e-13)


def test_list_input_and_trivial_sizes():
    np.testing.assert_array_equal(fwht([[1, 2], [3, 4]]), [[3.0, -1.0], [7.0, -1.0]])
    np.testing.assert_array_equal(fwht([5.0]), [5.0])
    np.testing.assert_array_equal(fwht([[1.0], [2.0]]), [[1.0], [2.0]])
    y = fwht(np.zeros((0, 8)))
    assert y.shape == (0, 8) and y.dtype == np.float64
    assert fwht(np.zeros((8, 0)), axis=0).shape == (8, 0)


# --------------------------------------------------------------- errors
@pytest.mark.parametrize("n", [0, 3, 5, 6, 7, 12, 24, 1000])
def test_length_not_a_power_of_two(n):
    msg = rf"x must have a power-of-two length along axis -1, got {n}"
    with pytest.raises(ValueError, match=msg):
        fwht(np.ones(n))
    with pytest.raises(ValueError, match=rf"along axis 0, got {n}"):
        fwht(np.ones((n, 4)), axis=0)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input(bad):
    x = np.ones(16)
    x[5] = bad
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        fwht(x)
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        fwht(x.reshape(4, 4), axis=0)
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        fwht(x.astype(np.float32))
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        fwht(x + 0j)
    z = np.zeros(16, complex)
    z.imag = x
    with pytest.raises(ValueError, match="x contains NaN or infinite values"):
        fwht(z)


def test_non_finite_detected_in_every_batch_row():
    x = np.ones((5, 64))
    x[3, 17] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        fwht(x)
    x = np.ones((64, 5))
    x[17, 3] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        fwht(x, axis=0)


def test_overflow_of_finite_input_is_not_an_error():
    big = np.finfo(np.float64).max
    y = fwht(np.array([big, big]))
    assert y[0] == np.inf and y[1] == 0.0


@pytest.mark.parametrize(
    "x", ["abcd", np.array(["a", "b"]), np.array([1, "a"], dtype=object), None]
)
def test_non_numeric_input(x):
    with pytest.raises(TypeError, match="x must be"):
        fwht(x)


def test_bad_axis_and_normalize():
    x = np.ones((4, 8))
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        fwht(x, axis=2)
    with pytest.raises(ValueError, match="axis -3 is out of bounds"):
        fwht(x, axis=-3)
    with pytest.raises(TypeError, match="axis must be an int"):
        fwht(x, axis=1.0)
    with pytest.raises(ValueError, match="normalize must be one of"):
        fwht(x, normalize="forward")
    with pytest.raises(ValueError, match="at least 1-dimensional"):
        fwht(3.0)


# ------------------------------------------------------------------ out=
def test_out_argument(rng):
    x = rng.standard_normal((4, 16))
    out = np.empty_like(x)
    assert fwht(x, out=out) is out
    assert_close(out, dense(x), 1e-13)
    # In place through out=x, for a contiguous and a strided array.
    y = x.copy()
    assert fwht(y, axis=0, out=y) is y
    assert_close(y, dense(x, 0), 1e-13)
    outF = np.empty((4, 16), order="F")
    fwht(x, out=outF, normalize="ortho")
    assert_close(outF, dense(x, normalize="ortho"), 1e-13)
    # out overlapping x without being x: the input is copied first.
    w = np.concatenate([x.ravel(), np.zeros(16)])
    v = w[:64].reshape(4, 16)
    fwht(v, out=w[16:].reshape(4, 16))
    assert_close(w[16:].reshape(4, 16), dense(x), 1e-13)
    z = (x + 1j * x).astype(np.complex64)
    outc = np.empty_like(z)
    fwht(z, out=outc)
    assert_close(outc, dense(z.astype(np.complex128)), 1e-5)


def test_out_argument_errors():
    x = np.ones((4, 8))
    with pytest.raises(ValueError, match=r"out must have shape \(4, 8\)"):
        fwht(x, out=np.empty((8, 4)))
    with pytest.raises(TypeError, match="out must have dtype float64, got float32"):
        fwht(x, out=np.empty((4, 8), np.float32))
    with pytest.raises(TypeError, match="out must be a numpy array"):
        fwht(x, out=[[0.0] * 8] * 4)
    ro = np.empty((4, 8))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out must be writeable"):
        fwht(x, out=ro)
    # In place with a NaN: the error comes before the input is overwritten.
    x[1, 2] = np.nan
    before = x.copy()
    with pytest.raises(ValueError, match="NaN or infinite"):
        fwht(x, out=x)
    np.testing.assert_array_equal(x, before)


# ---------------------------------------------------------- fwht_inplace
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("normalize", [None, "ortho", "inverse"])
def test_inplace(rng, dtype, normalize):
    x = rng.standard_normal((3, 2**12)).astype(dtype)
    expected = fwht(x, normalize=normalize)
    y = fwht_inplace(x, normalize=normalize)
    assert y is x and x.dtype == dtype
    np.testing.assert_array_equal(x, expected)
    x0 = rng.standard_normal((64, 3)).astype(dtype)
    expected0 = fwht(x0, axis=0, normalize=normalize)
    y0 = fwht_inplace(x0, axis=0, normalize=normalize)
    np.testing.assert_array_equal(y0, expected0)


def test_inplace_errors():
    with pytest.raises(TypeError, match="x must be a numpy array"):
        fwht_inplace([1.0, 2.0])
    with pytest.raises(TypeError, match="float32 or float64, got int64"):
        fwht_inplace(np.arange(4))
    with pytest.raises(TypeError, match="float32 or float64, got complex128"):
        fwht_inplace(np.ones(4, complex))
    with pytest.raises(ValueError, match="C-contiguous"):
        fwht_inplace(np.ones((8, 8))[:, ::2])
    ro = np.ones(8)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        fwht_inplace(ro)
    with pytest.raises(ValueError, match="power-of-two length along axis -1, got 6"):
        fwht_inplace(np.ones(6))
    with pytest.raises(ValueError, match="at least 1-dimensional"):
        fwht_inplace(np.array(1.0))
    x = np.ones(8)
    x[3] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        fwht_inplace(x)
    assert x[3] == np.inf and x[0] == 1.0  # untouched
    fwht_inplace(x, check_finite=False)  # the caller's choice
    assert not np.isfinite(x).all()


# --------------------------------------------------------------- no JIT
NO_JIT_SCRIPT = """
import numpy as np
from scipy.linalg import hadamard
from sparserecovery.wht import fwht, fwht_inplace

def reference(x):
    y = x.astype(np.float64)
    n, h = y.size, 1
    while h < n:
        pairs = y.reshape(n // (2 * h), 2, h)
        a, b = pairs[:, 0, :].copy(), pairs[:, 1, :].copy()
        pairs[:, 0, :], pairs[:, 1, :] = a + b, a - b
        h *= 2
    return y

rng = np.random.default_rng(0)
for n in (1, 2, 4, 8, 16, 32, 64, 128, 256):
    x = rng.standard_normal((2, n))
    assert np.allclose(fwht(x, normalize="ortho"), x @ hadamard(n).T / np.sqrt(n))
    assert np.allclose(fwht(x.T, axis=0), (x @ hadamard(n).T).T)
x = rng.standard_normal(2**13)
assert np.allclose(fwht(x), reference(x))
z = fwht_inplace(x.astype(np.float32))
assert np.allclose(z, reference(x), rtol=1e-4, atol=1e-2)
print("ok")
"""


def test_disable_jit_gives_the_same_results():
    # Up to 2**13 entries: every path of the blocked kernels for float64 and
    # float32 (L1 blocks of 2**11 and 2**12 entries), run as plain Python.
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    res = subprocess.run(
        [sys.executable, "-c", NO_JIT_SCRIPT], capture_output=True, text=True, env=env
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"
