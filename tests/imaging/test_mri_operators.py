"""MRI forward models: adjoint tests, agreement with numpy's FFT, errors."""

import numpy as np
import pytest

from sparserecovery.imaging._fourier import FourierSampling, Sense
from sparserecovery.imaging.mri import _CircularGradient, _laplacian, _NormalSolver
from sparserecovery.operators import dottest


def _rand(rng, shape, cplx=True):
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if cplx else x


def _centered_fft(x, axes):
    return np.fft.fftshift(
        np.fft.fftn(np.fft.ifftshift(x, axes=axes), axes=axes, norm="ortho"),
        axes=axes,
    )


def _operators():
    rng = np.random.default_rng(0)
    ops = {}
    for shape, axes in [((8, 6), None), ((7, 5), None), ((4, 6, 8), None),
                        ((3, 6, 8), (-2, -1)), ((3, 5, 7), (1, 2))]:
        tag = f"{shape}-{axes}"
        ops[f"fs-full-{tag}"] = FourierSampling(shape, axes=axes)
        ops[f"fs-mask-{tag}"] = FourierSampling(shape, mask=rng.random(shape) < 0.4,
                                                axes=axes)
    ops["fs-lines"] = FourierSampling((8, 6), mask=rng.random((8, 1)) < 0.5)
    ops["fs-single"] = FourierSampling((8, 6), mask=rng.random((8, 6)) < 0.5,
                                       dtype=np.complex64)
    maps2 = _rand(rng, (3, 6, 8))
    ops["sense-2d"] = Sense(maps2, mask=rng.random((6, 8)) < 0.5)
    ops["sense-2d-full"] = Sense(maps2)
    ops["sense-odd"] = Sense(_rand(rng, (2, 5, 7)), mask=rng.random((5, 7)) < 0.5)
    ops["sense-3d"] = Sense(_rand(rng, (2, 4, 6, 4)), mask=rng.random((4, 6, 4)) < 0.5)
    ops["sense-2d+t"] = Sense(maps2, mask=rng.random((4, 6, 8)) < 0.3,
                              image_shape=(4, 6, 8))
    ops["sense-single"] = Sense(maps2.astype(np.complex64),
                                mask=rng.random((6, 8)) < 0.5)
    ops["circular-grad"] = _CircularGradient((5, 6), (0, 1))
    ops["circular-grad-t"] = _CircularGradient((3, 5, 6), (1, 2))
    return ops


OPS = _operators()


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("complex_input", [False, True])
def test_adjoint(name, complex_input):
    op = OPS[name]
    single = op.dtype == np.complex64
    for seed in range(3):
        err = dottest(op, random_state=seed, complex_input=complex_input,
                      rtol=1e-4 if single else 1e-10)
        assert err < (1e-4 if single else 1e-10)


@pytest.mark.parametrize(
    "shape, axes", [((8, 6), (0, 1)), ((7, 5), (0, 1)), ((4, 6, 8), (0, 1, 2)),
                    ((3, 6, 9), (1, 2))]
)
def test_matches_numpy_centered_fft(shape, axes, rng):
    x = _rand(rng, shape)
    mask = rng.random(shape) < 0.5
    A = FourierSampling(shape, mask=mask, axes=axes)
    ref = _centered_fft(x, axes)
    np.testing.assert_allclose(A @ x, mask * ref, atol=1e-12)
    F = FourierSampling(shape, axes=axes)
    np.testing.assert_allclose(F.H @ (F @ x), x, atol=1e-12)  # unitary
    # A^H A is the projection onto the sampled frequencies: idempotent
    AHAx = A.H @ (A @ x)
    np.testing.assert_allclose(A.H @ (A @ AHAx), AHAx, atol=1e-12)


def test_real_input_gives_complex_output(rng):
    A = FourierSampling((6, 6))
    y = A @ rng.standard_normal((6, 6))
    assert np.iscomplexobj(y)
    assert (FourierSampling((6, 6), dtype=np.complex64) @ np.ones((6, 6))).dtype \
        == np.complex128  # float64 input promotes
    assert (FourierSampling((6, 6), dtype=np.complex64)
            @ np.ones((6, 6), np.float32)).dtype == np.complex64


def test_sense_matches_per_coil_fft(rng):
    maps = _rand(rng, (3, 6, 8))
    mask = rng.random((4, 6, 8)) < 0.4
    E = Sense(maps, mask=mask, image_shape=(4, 6, 8))
    x = _rand(rng, (4, 6, 8))
    y = E @ x
    assert y.shape == (3, 4, 6, 8)
    for c in range(3):
        ref = mask * _centered_fft(maps[c] * x, (1, 2))
        np.testing.assert_allclose(y[c], ref, atol=1e-12)
    # dense adjoint check on a tiny case
    E = Sense(_rand(rng, (2, 3, 4)), mask=rng.random((3, 4)) < 0.6)
    dense = E.to_dense()
    v = _rand(rng, E.oshape)
    np.testing.assert_allclose(np.ravel(E.H @ v), dense.conj().T @ v.ravel(),
                               atol=1e-12)


def test_normal_solver_exact_and_pcg(rng):
    shape = (8, 10)
    mask = rng.random(shape) < 0.4
    D = _CircularGradient(shape, (0, 1))
    lap = _laplacian(shape, (0, 1))
    b = _rand(rng, shape)
    A = FourierSampling(shape, mask=mask)
    x = _NormalSolver(A, lap).solve(b, 0.7)
    np.testing.assert_allclose(A.H @ (A @ x) + 0.7 * (D.H @ (D @ x)), b, atol=1e-10)
    maps = _rand(rng, (3,) + shape)
    maps /= np.sqrt((np.abs(maps) ** 2).sum(0))
    E = Sense(maps, mask=mask)
    solver = _NormalSolver(E, 1.0, n_cg=60)
    x = solver.solve(b, 0.5)
    np.testing.assert_allclose(E.H @ (E @ x) + 0.5 * x, b, atol=1e-8)
    assert FourierSampling(shape, mask=mask).gram_inverse(b, 2.0).shape == shape


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(shape=(4, 4), mask=np.ones((3, 4), bool)), ValueError, "broadcast"),
        (dict(shape=(4, 4), mask=np.full((4, 4), 0.5)), ValueError, "only 0 and 1"),
        (dict(shape=(4, 4), mask=np.zeros((4, 4), bool)), ValueError, "no k-space"),
        (dict(shape=(4, 4), mask=np.ones((4, 4), complex)), TypeError, "real"),
        (dict(shape=(4, 4), axes=(0, 0)), ValueError, "distinct"),
        (dict(shape=(4, 4), axes=(2,)), ValueError, "out of range"),
        (dict(shape=(4, 0)), ValueError, "positive"),
        (dict(shape=(4, 4), workers=0), ValueError, "workers"),
        (dict(shape=(4, 4), dtype=np.int64), TypeError, "dtype"),
    ],
)
def test_fourier_sampling_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        FourierSampling(**kwargs)


def test_sense_errors(rng):
    with pytest.raises(ValueError, match="n_coils"):
        Sense(np.ones(4))
    with pytest.raises(ValueError, match="must end with"):
        Sense(np.ones((2, 4, 4)), image_shape=(3, 4, 5))
    with pytest.raises(ValueError, match="broadcast"):
        Sense(np.ones((2, 4, 4)), mask=np.ones((5, 4), bool))
    with pytest.raises(ValueError, match="NaN"):
        Sense(np.full((2, 4, 4), np.nan))
    E = Sense(np.ones((2, 4, 4)))
    assert E.n_coils == 2
    with pytest.raises(ValueError, match="shape"):
        E @ np.ones((5, 4))
