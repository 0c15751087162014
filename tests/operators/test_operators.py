"""Invariants of every operator: adjoint test, to_dense, algebra, errors."""

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from sparserecovery.operators import (
    Dense,
    Diagonal,
    FiniteDifference,
    Identity,
    Kronecker,
    LinearOperator,
    Mask,
    Wavelet,
    aslinearoperator,
    dottest,
    power_iteration,
)


def _rand(rng, shape, cplx=False):
    x = rng.standard_normal(shape)
    if cplx:
        x = x + 1j * rng.standard_normal(shape)
    return x


def _operators(rng):
    """A zoo of operators covering every class, real and complex, many shapes."""
    ops = {}
    for cplx in (False, True):
        tag = "c" if cplx else "r"
        ops[f"dense-{tag}"] = Dense(_rand(rng, (5, 7), cplx))
        ops[f"dense-tall-{tag}"] = Dense(_rand(rng, (9, 3), cplx))
        ops[f"diag-{tag}"] = Diagonal(_rand(rng, (3, 4), cplx))
        ops[f"kron2-{tag}"] = Kronecker([_rand(rng, (3, 2), cplx), _rand(rng, (4, 5))])
        ops[f"kron3-{tag}"] = Kronecker(
            [_rand(rng, (2, 3)), _rand(rng, (3, 2), cplx), _rand(rng, (2, 4))]
        )
    ops["sparse"] = Dense(sp.random(6, 8, density=0.4, random_state=1))
    ops["identity"] = Identity((3, 2))
    ops["mask-bool"] = Mask(rng.random((4, 5)) > 0.5)
    ops["mask-index"] = Mask(np.array([0, 7, 3]), ishape=(2, 4))
    for shape in [(7,), (4, 6), (3, 4, 5)]:
        ops[f"grad-{shape}"] = FiniteDifference(shape)
    ops["grad-axis1"] = FiniteDifference((4, 6), axes=1)
    ops["wavelet-haar"] = Wavelet((8, 8), "haar", level=3)
    ops["wavelet-db4-odd"] = Wavelet((13, 10), "db4", level=2)
    ops["wavelet-3d"] = Wavelet((4, 6, 8), "sym2", level=1)
    ops["wavelet-axes"] = Wavelet((6, 16), "db2", level=2, axes=(1,))
    a = Dense(_rand(rng, (4, 6)))
    b = Dense(_rand(rng, (6, 5)))
    ops["product"] = a @ b
    ops["sum"] = a + 2.5 * a
    ops["difference"] = a - a.H.H * 0.5
    ops["neg"] = -b
    ops["normal"] = b.normal()
    ops["adjoint"] = ops["kron2-c"].H
    ops["complex-scaled"] = (1 - 2j) * ops["dense-r"]
    ops["wrapped-scipy"] = aslinearoperator(spla.aslinearoperator(_rand(rng, (3, 4))))
    ops["grad-of-wavelet-adjoint"] = (
        FiniteDifference((8, 8)) @ Wavelet((8, 8), "haar", level=2).H
    )
    return ops


OPS = _operators(np.random.default_rng(0))


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("complex_input", [False, True])
def test_adjoint(name, complex_input):
    op = OPS[name]
    for seed in range(3):
        assert dottest(op, random_state=seed, complex_input=complex_input) < 1e-10


@pytest.mark.parametrize("name", sorted(OPS))
def test_to_dense_matches_matvec(name, rng):
    op = OPS[name]
    dense = LinearOperator.to_dense(op)  # column-by-column via matvec
    x = _rand(rng, op.shape[1], cplx=True)
    np.testing.assert_allclose(dense @ x, op @ x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(op.to_dense(), dense, rtol=1e-12, atol=1e-12)
    y = _rand(rng, op.shape[0], cplx=True)
    np.testing.assert_allclose(
        dense.conj().T @ y, np.ravel(op.H @ y), rtol=1e-12, atol=1e-12
    )


def test_kronecker_equals_np_kron(rng):
    fs = [_rand(rng, (3, 2), True), _rand(rng, (2, 4)), _rand(rng, (5, 3))]
    K = Kronecker(fs)
    full = np.kron(np.kron(fs[0], fs[1]), fs[2])
    x = _rand(rng, K.shape[1], True)
    np.testing.assert_allclose(K @ x, full @ x, rtol=1e-12)
    np.testing.assert_allclose(K.to_dense(), full)
    t = x.reshape(K.in_dims)
    np.testing.assert_allclose(K.tensor_matvec(t).ravel(), full @ x, rtol=1e-12)
    with pytest.raises(ValueError, match="x must have shape"):
        K.tensor_matvec(x)


def test_structured_and_flat_and_matrix_inputs(rng):
    D = FiniteDifference((4, 5))
    x = rng.standard_normal((4, 5))
    g = D @ x
    assert g.shape == (2, 4, 5)
    np.testing.assert_array_equal(D @ x.ravel(), g.ravel())
    X = rng.standard_normal((20, 3))
    G = D @ X
    assert G.shape == (40, 3)
    np.testing.assert_allclose(G[:, 1], (D @ X[:, 1]))
    # D^H D is minus the Neumann Laplacian: row sums vanish.
    L = D.normal().to_dense()
    np.testing.assert_allclose(L.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(L, L.T)


def test_finite_difference_values():
    D = FiniteDifference((2, 3))
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    g = D @ x
    np.testing.assert_array_equal(g[0], [[2.0, 1.0, -1.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(g[1], [[1.0, 2.0, 0.0], [0.0, 0.0, 0.0]])


def test_wavelet_orthonormal(rng):
    W = Wavelet((16, 16), "db2", level=2)
    x = rng.standard_normal((16, 16))
    c = W @ x
    assert np.isclose(np.linalg.norm(c), np.linalg.norm(x))
    np.testing.assert_allclose(W.H @ c, x, atol=1e-12)
    # a constant image is captured by the approximation band only
    c = W @ np.ones((16, 16))
    assert np.count_nonzero(np.abs(c) > 1e-10) == 16
    x32 = x.astype(np.float32)
    assert (W @ x32).dtype == np.float32


def test_dtypes_follow_input(rng):
    A = Dense(rng.standard_normal((3, 4)).astype(np.float32))
    assert A.dtype == np.float32
    assert (A @ np.ones(4, np.float32)).dtype == np.float32
    assert (A @ np.ones(4)).dtype == np.float64
    assert np.iscomplexobj(A @ np.ones(4, complex))
    assert (A @ np.ones(4, dtype=int)).dtype == np.float64


def test_scipy_interop(rng):
    M = rng.standard_normal((6, 4))
    A = Dense(M)
    S = A.to_scipy()
    b = rng.standard_normal(6)
    x = spla.lsqr(S, b, atol=1e-14, btol=1e-14)[0]
    np.testing.assert_allclose(x, np.linalg.lstsq(M, b, rcond=None)[0], rtol=1e-8)
    assert aslinearoperator(A) is A
    np.testing.assert_allclose(
        aslinearoperator(sp.csr_matrix(M)) @ np.ones(4), M.sum(1)
    )


def test_power_iteration(rng):
    M = rng.standard_normal((30, 20))
    est = power_iteration(Dense(M), max_iter=500, tol=1e-10)
    assert np.isclose(est, np.linalg.norm(M, 2), rtol=1e-6)
    K = Kronecker([rng.standard_normal((4, 3)), rng.standard_normal((5, 6))])
    np.testing.assert_allclose(
        power_iteration(K, max_iter=1000, tol=1e-12),
        np.linalg.norm(K.to_dense(), 2),
        rtol=1e-6,
    )
    assert power_iteration(Dense(np.zeros((3, 3)))) == 0.0
    # ||grad||^2 <= 4 * ndim for forward differences
    assert power_iteration(FiniteDifference((16, 16)), max_iter=500) <= np.sqrt(8)


def test_dottest_catches_wrong_adjoint():
    class Wrong(LinearOperator):
        def __init__(self):
            super().__init__(3, 3)

        def _matvec(self, x):
            return np.cumsum(x)

        def _rmatvec(self, y):
            return np.cumsum(y)  # should be the reversed cumsum

    with pytest.raises(AssertionError, match="adjoint test failed"):
        dottest(Wrong(), random_state=0)


def test_bad_inputs(rng):
    A = Dense(rng.standard_normal((3, 4)))
    with pytest.raises(ValueError, match="x must have shape"):
        A @ np.ones(5)
    with pytest.raises(TypeError, match="numeric"):
        A @ np.array(["a"] * 4)
    with pytest.raises(ValueError, match="A contains NaN"):
        Dense(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="A must be 2-dimensional"):
        Dense(np.ones(3))
    with pytest.raises(TypeError, match="A must be a numeric array"):
        Dense([["x"]])
    with pytest.raises(ValueError, match="cannot compose"):
        A @ A
    with pytest.raises(ValueError, match="cannot add"):
        A + A.H
    with pytest.raises(ValueError, match="factors must contain"):
        Kronecker([])
    with pytest.raises(ValueError, match=r"factors\[1\]"):
        Kronecker([np.eye(2), np.ones(3)])
    with pytest.raises(ValueError, match="wavelet must be orthogonal"):
        Wavelet((8,), "bior2.2")
    with pytest.raises(ValueError, match="wavelet must be a PyWavelets"):
        Wavelet((8,), "nope")
    with pytest.raises(ValueError, match="level must be a positive int"):
        Wavelet((8,), "haar", level=0)
    with pytest.raises(ValueError, match="axes entry"):
        FiniteDifference((3, 3), axes=(2,))
    with pytest.raises(ValueError, match="shape must have positive"):
        FiniteDifference((0, 3))
    with pytest.raises(ValueError, match="mask indices"):
        Mask(np.array([5]), ishape=3)
    with pytest.raises(ValueError, match="ishape is required"):
        Mask(np.array([1]))
    with pytest.raises(TypeError, match="mask must be"):
        Mask(np.array([0.5]))


def test_inputs_not_modified(rng):
    x = rng.standard_normal((4, 5))
    x0 = x.copy()
    for op in (FiniteDifference((4, 5)), Wavelet((4, 5), "haar", 1), Identity((4, 5))):
        y = op @ x
        op.H @ y
        np.testing.assert_array_equal(x, x0)
    ro = x.copy()
    ro.setflags(write=False)
    FiniteDifference((4, 5)) @ ro
    FiniteDifference((5, 4)) @ x.T  # non-contiguous


def test_scaled_keeps_float32(rng):
    A = Dense(rng.standard_normal((3, 4)).astype(np.float32))
    B = np.float64(2.0) * A
    assert (B @ np.ones(4, np.float32)).dtype == np.float32
    assert (B.H @ np.ones(3, np.float32)).dtype == np.float32
    C = (1 - 1j) * A
    np.testing.assert_allclose(C.H @ np.ones(3), (1 + 1j) * (A.H @ np.ones(3)))
    assert B.dtype == np.float32
    assert ((1j * A).dtype) == np.complex64


def test_vstack_blocks(rng):
    from sparserecovery.operators import VStack

    A = Dense(rng.standard_normal((3, 4)))
    D = FiniteDifference((4,))
    K = VStack([A, D, 2.0 * A])
    assert dottest(K, random_state=0) < 1e-12
    x = rng.standard_normal(4)
    y = K @ x
    np.testing.assert_allclose(K.block(y, 0), A @ x)
    np.testing.assert_allclose(K.block(y, 1), D @ x)
    np.testing.assert_allclose(K.to_dense(), np.vstack([A.A, D.to_dense(), 2 * A.A]))
    with pytest.raises(ValueError, match="share the input shape"):
        VStack([A, Dense(np.ones((2, 5)))])
    with pytest.raises(TypeError, match=r"ops\[0\] must be a LinearOperator"):
        VStack([np.eye(3)])
