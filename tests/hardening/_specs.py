"""Array entry points of the library, described once for the generic
property tests (test_hardening_arrays.py).

A :class:`Spec` names the public objects it covers, builds a small valid
problem (one factory per array argument) and calls the entry point with
those arrays. The generic tests corrupt one argument at a time and check the
hardening contract (see _hardening.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import sparserecovery as sr
from sparserecovery import (
    dag,
    imaging,
    linear_model,
    nn,
    operators,
    privacy,
    proxes,
    solvers,
    transport,
    unmixing,
    utils,
    wht,
)


@dataclass
class Spec:
    id: str
    covers: tuple
    arrays: dict  # name -> factory(rng) -> valid ndarray
    call: object  # call(**arrays) -> result
    # array name -> the names an error message may use for it
    names: dict = field(default_factory=dict)
    passthrough: bool = False  # NaN in -> NaN out is the documented answer
    float32: bool = False  # float32 input gives float32 output (documented)
    out: object = None  # result -> object checked for dtype/finiteness
    skip: tuple = ()  # corruption kinds that do not apply (with reason below)
    xfail: str | None = None  # finding in a module owned by another helper
    value_inf_ok: bool = False  # +inf is the documented value (indicators)
    sklearn: bool = False  # validated by scikit-learn's validate_data

    def names_for(self, arg):
        names = self.names.get(arg, (arg,))
        return names + SKLEARN_MESSAGES if self.sklearn else names


# scikit-learn's own messages from validate_data (the estimator convention
# the design adopts): accepted for estimators' fit in place of the name.
SKLEARN_MESSAGES = (
    "Complex data not supported",
    "inconsistent numbers of samples",
    "Expected 2D array",
    "Found array with",
    "dtype",
)


def _randn(*shape):
    return lambda rng: rng.standard_normal(shape)


def _pos(*shape):
    return lambda rng: rng.uniform(0.5, 1.5, shape)


def _prob(n):
    def f(rng):
        p = rng.uniform(0.5, 1.5, n)
        return p / p.sum()

    return f


def _spd(n):
    def f(rng):
        a = rng.standard_normal((n, n))
        return a @ a.T + n * np.eye(n)

    return f


def _cost(n, m):
    return lambda rng: rng.uniform(0.0, 1.0, (n, m))


def _x(res):
    return res.x


SPECS: list[Spec] = []


def spec(*args, **kw):
    SPECS.append(Spec(*args, **kw))


# ------------------------------------------------------------------ utils
spec(
    "utils.check_array_arg",
    ("utils.check_array_arg",),
    {"x": _randn(4, 3)},
    lambda x: utils.check_array_arg(x, "x"),
    float32=True,
)

# -------------------------------------------------------------- operators
_A = _randn(5, 4)
spec("operators.Dense", ("operators.Dense", "operators.LinearOperator"),
     {"A": _A}, lambda A: operators.Dense(A) @ np.ones(4),
     names={"A": ("A", "x")})
spec("operators.aslinearoperator", ("operators.aslinearoperator",),
     {"A": _A}, lambda A: operators.aslinearoperator(A) @ np.ones(4),
     names={"A": ("A", "x")})
spec("operators.Dense.matvec", ("operators.LinearOperator",),
     {"x": _randn(4)},
     lambda x: operators.Dense(np.arange(20.0).reshape(5, 4)) @ x,
     passthrough=True)
spec("operators.Dense.rmatvec", ("operators.LinearOperator",),
     {"y": _randn(5)},
     lambda y: operators.Dense(np.arange(20.0).reshape(5, 4)).H @ y,
     names={"y": ("x", "y")}, passthrough=True)
spec("operators.Diagonal", ("operators.Diagonal",),
     {"d": _randn(4)}, lambda d: operators.Diagonal(d) @ np.ones(4),
     names={"d": ("d", "x")})
spec("operators.Kronecker", ("operators.Kronecker",),
     {"F1": _randn(3, 2), "F2": _randn(2, 3)},
     lambda F1, F2: operators.Kronecker([F1, F2]) @ np.ones(6),
     names={"F1": ("factor",), "F2": ("factor",)})
spec("operators.Mask", ("operators.Mask",),
     {"mask": lambda rng: rng.random(6) > 0.3},
     lambda mask: operators.Mask(mask) @ np.ones(np.shape(mask) or 1))
for _name, _op, _n in (
    ("FiniteDifference", lambda: operators.FiniteDifference((4, 5)), 20),
    ("Hadamard", lambda: operators.Hadamard(8), 8),
    ("Identity", lambda: operators.Identity((6,)), 6),
    ("Wavelet", lambda: operators.Wavelet((8, 8), wavelet="haar"), 64),
    ("VStack", lambda: operators.VStack(
        [operators.Identity((4,)), operators.Diagonal(np.arange(4.0))]), 4),
):
    spec(f"operators.{_name}.matvec", (f"operators.{_name}",),
         {"x": _randn(_n)}, lambda x, _op=_op: _op() @ x, passthrough=True)
spec("operators.power_iteration", ("operators.power_iteration",),
     {"A": _A}, lambda A: operators.power_iteration(operators.Dense(A)))
spec("operators.dottest", ("operators.dottest",),
     {"A": _A}, lambda A: operators.dottest(operators.Dense(A), random_state=0))

# ------------------------------------------------------------------ proxes
_PROXES = {
    "L0": (lambda: proxes.L0(0.5), (6,)),
    "L1": (lambda: proxes.L1(0.5), (6,)),
    "L21": (lambda: proxes.L21(0.5, axis=0), (3, 4)),
    "NM": (lambda: proxes.NM(2, 4), (3, 8)),
    "TV": (lambda: proxes.TV(0.1, max_iter=200), (6, 6)),
    "Box": (lambda: proxes.Box(-1.0, 1.0), (6,)),
    "HalfSquaredDistance": (lambda: proxes.HalfSquaredDistance(np.ones(6)), (6,)),
    "L1Ball": (lambda: proxes.L1Ball(1.0), (6,)),
    "Lp": (lambda: proxes.Lp(0.5, 0.5), (6,)),
    "NonNegative": (lambda: proxes.NonNegative(), (6,)),
    "Nuclear": (lambda: proxes.Nuclear(0.5), (4, 3)),
    "Simplex": (lambda: proxes.Simplex(1.0), (6,)),
    "Zero": (lambda: proxes.Zero(), (6,)),
    "SeparableSum": (
        lambda: proxes.SeparableSum([proxes.L1(0.5), proxes.Zero()], [(3,), (4,)]),
        (7,),
    ),
}
# Indicator functions: +inf outside the set is their documented value.
_INDICATORS = ("NM", "Box", "L1Ball", "NonNegative", "Simplex")
for _name, (_make, _shape) in _PROXES.items():
    covers = (f"proxes.{_name}", "proxes.Prox") if _name == "Zero" else (
        f"proxes.{_name}",)
    spec(f"proxes.{_name}.prox", covers, {"x": _randn(*_shape)},
         lambda x, _make=_make: _make().prox(x, 0.7), float32=True)
    spec(f"proxes.{_name}.value", covers, {"x": _randn(*_shape)},
         lambda x, _make=_make: _make().value(x),
         value_inf_ok=_name in _INDICATORS)
spec("proxes.HalfSquaredDistance.b", ("proxes.HalfSquaredDistance",),
     {"b": _randn(6)}, lambda b: proxes.HalfSquaredDistance(b).prox(np.ones(6), 1.0))
spec("proxes.soft_threshold", ("proxes.soft_threshold",), {"x": _randn(6)},
     lambda x: proxes.soft_threshold(x, 0.3), float32=True)
spec("proxes.hard_threshold", ("proxes.hard_threshold",), {"x": _randn(6)},
     lambda x: proxes.hard_threshold(x, 0.3), float32=True)

# ----------------------------------------------------------------- solvers
_SOLVE = {"max_iter": 30}
spec("solvers.fista", ("solvers.fista", "solvers.LeastSquares"),
     {"A": _randn(6, 4), "b": _randn(6), "x0": _randn(4)},
     lambda A, b, x0: solvers.fista(solvers.LeastSquares(A, b), proxes.L1(0.1), x0,
                                    **_SOLVE), out=_x)
spec("solvers.ista", ("solvers.ista", "solvers.LeastSquares"),
     {"A": _randn(6, 4), "b": _randn(6), "x0": _randn(4)},
     lambda A, b, x0: solvers.ista(solvers.LeastSquares(A, b), proxes.L1(0.1), x0,
                                   **_SOLVE), out=_x)
spec("solvers.QuadraticForm", ("solvers.QuadraticForm",),
     {"Q": _spd(4), "q": _randn(4)},
     lambda Q, q: solvers.fista(solvers.QuadraticForm(Q, q), proxes.Zero(),
                                np.zeros(4), **_SOLVE), out=_x)
spec("solvers.cg", ("solvers.cg",), {"A": _spd(4), "b": _randn(4), "x0": _randn(4)},
     lambda A, b, x0: solvers.cg(A, b, x0, max_iter=20), out=_x)
spec("solvers.iht", ("solvers.iht",), {"A": _randn(8, 6), "y": _randn(8)},
     lambda A, y: solvers.iht(A, y, 2, max_iter=30), out=_x,
     names={"A": ("A", "n_nonzero"), "y": ("y",)})
spec("solvers.omp", ("solvers.omp",), {"A": _randn(8, 6), "y": _randn(8)},
     lambda A, y: solvers.omp(A, y, 2), out=_x)
spec("solvers.least_squares_x_update", ("solvers.least_squares_x_update",),
     {"A": _randn(6, 4), "b": _randn(6)},
     lambda A, b: solvers.least_squares_x_update(A, b)(np.ones(4), 1.0),
     names={"A": ("A", "v"), "b": ("b",)})
spec("solvers.admm", ("solvers.admm",),
     {"A": _randn(6, 4), "b": _randn(6), "x0": _randn(4)},
     lambda A, b, x0: solvers.admm(solvers.least_squares_x_update(A, b),
                                   proxes.L1(0.1), None, x0, **_SOLVE), out=_x)
spec("solvers.chambolle_pock", ("solvers.chambolle_pock",),
     {"K": _randn(6, 4), "b": _randn(6), "x0": _randn(4)},
     lambda K, b, x0: solvers.chambolle_pock(
         proxes.L1(0.1), proxes.HalfSquaredDistance(b), K, x0, **_SOLVE), out=_x)

# --------------------------------------------------------------- transport
_OT = {"a": _prob(5), "b": _prob(4), "M": _cost(5, 4)}
_OT_NAMES = {"a": ("a",), "b": ("b",), "M": ("M",)}
spec("transport.sinkhorn", ("transport.sinkhorn", "transport.OTResult"), dict(_OT),
     lambda a, b, M: transport.sinkhorn(a, b, M, 0.1, max_iter=200),
     names=_OT_NAMES)
spec("transport.sinkhorn_newton_sparse", ("transport.sinkhorn_newton_sparse",),
     dict(_OT),
     lambda a, b, M: transport.sinkhorn_newton_sparse(a, b, M, 0.1, max_iter=20),
     names=_OT_NAMES)
spec("transport.check_ot_inputs", ("transport.check_ot_inputs",), dict(_OT),
     lambda a, b, M: transport.check_ot_inputs(a, b, M), names=_OT_NAMES)
spec("transport.ground_cost", ("transport.ground_cost",),
     {"X": _randn(5, 2), "Y": _randn(4, 2)},
     lambda X, Y: transport.ground_cost(X, Y))
spec("transport.wasserstein_distance", ("transport.wasserstein_distance",),
     {"X": _randn(5, 2), "Y": _randn(4, 2)},
     lambda X, Y: transport.wasserstein_distance(X, Y, reg=0.05))

# --------------------------------------------------------------------- wht
spec("wht.fwht", ("wht.fwht",), {"x": _randn(8)}, lambda x: wht.fwht(x),
     float32=True)
spec("wht.fwht_inplace", ("wht.fwht_inplace",), {"x": _randn(8)},
     lambda x: wht.fwht_inplace(np.array(x, copy=True) if isinstance(x, np.ndarray)
                                and x.dtype.kind in "fc" else x))
spec("wht.sparse_wht", ("wht.sparse_wht", "wht.SparseWHTResult"),
     {"signal": _randn(64)},
     lambda signal: wht.sparse_wht(signal, 6, 2, random_state=0))
spec("wht.SparseWHT", ("wht.SparseWHT",), {"signal": _randn(64)},
     lambda signal: wht.SparseWHT(6, 2, random_state=0).fit(signal))

# ----------------------------------------------------------------- privacy
_XY = {"X": _randn(200, 3), "y": _randn(200)}
spec("privacy.LDPSparseRegression", ("privacy.LDPSparseRegression",
                                     "privacy.LDPRegressionResult"), dict(_XY),
     lambda X, y: privacy.LDPSparseRegression(4.0, random_state=0).fit(X, y),
     sklearn=True)
spec("privacy.LDPSparseRegression.interactive", ("privacy.LDPSparseRegression",),
     dict(_XY),
     lambda X, y: privacy.LDPSparseRegression(
         4.0, protocol="interactive", random_state=0).fit(X, y), sklearn=True)
spec("privacy.clip_rows_l2", ("privacy.clip_rows_l2",), {"X": _randn(5, 3)},
     lambda X: privacy.clip_rows_l2(X, 1.0))
spec("privacy.truncate", ("privacy.truncate",), {"x": _randn(5)},
     lambda x: privacy.truncate(x, 1.0))
spec("privacy.LDPClient", ("privacy.LDPClient", "privacy.NLDPMessage",
                           "privacy.NLDPServer"), dict(_XY),
     lambda X, y: privacy.NLDPServer().aggregate(
         [privacy.LDPClient(4.0, clip_x=3.0, clip_y=3.0).privatize(
             X, y, random_state=0)]),
     names={"X": ("x", "X"), "y": ("y",)})
spec("privacy.LaplaceMechanism", ("privacy.LaplaceMechanism",), {"v": _randn(5)},
     lambda v: privacy.LaplaceMechanism(1.0, 1.0).randomize(v, random_state=0),
     names={"v": ("value",)})
spec("privacy.GaussianMechanism", ("privacy.GaussianMechanism",), {"v": _randn(5)},
     lambda v: privacy.GaussianMechanism(1.0, 1e-6, 1.0).randomize(v, random_state=0),
     names={"v": ("value",)})

# ------------------------------------------------------- imaging (owned)
_IMG = {"reference": _pos(8, 8), "image": _pos(8, 8)}
spec("imaging.psnr", ("imaging.psnr",), dict(_IMG),
     lambda reference, image: imaging.psnr(reference, image))
spec("imaging.ssim", ("imaging.ssim",), dict(_IMG),
     lambda reference, image: imaging.ssim(reference, image))
spec("imaging.nmse", ("imaging.nmse",), dict(_IMG),
     lambda reference, image: imaging.nmse(reference, image))

# --------------------------- modules being rewritten by other helpers
_CT_ANGLES = np.linspace(0, np.pi, 6, endpoint=False)
spec("imaging.fbp", ("imaging.fbp",), {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.fbp(sinogram, _CT_ANGLES, shape=(8, 8)))
spec("imaging.sirt", ("imaging.sirt",), {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.sirt(sinogram, _CT_ANGLES, shape=(8, 8), max_iter=5))
spec("imaging.sart", ("imaging.sart",), {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.sart(sinogram, _CT_ANGLES, shape=(8, 8), max_iter=2))
spec("imaging.reconstruct_ct", ("imaging.reconstruct_ct", "imaging.CTResult"),
     {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.reconstruct_ct(sinogram, _CT_ANGLES, shape=(8, 8),
                                             max_iter=5))
spec("imaging.Radon", ("imaging.Radon",), {"x": _pos(8, 8)},
     lambda x: imaging.Radon((8, 8), _CT_ANGLES) @ x, passthrough=True)
spec("imaging.simulate_sinogram", ("imaging.simulate_sinogram",),
     {"image": _pos(8, 8)},
     lambda image: imaging.simulate_sinogram(image, _CT_ANGLES))
spec("imaging.default_lam", ("imaging.default_lam",), {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.default_lam(sinogram))
spec("imaging.noise_level", ("imaging.noise_level",), {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.noise_level(sinogram))
spec("imaging.hu_to_mu", ("imaging.hu_to_mu",), {"hu": _randn(4, 4)},
     lambda hu: imaging.hu_to_mu(hu))
spec("imaging.simulate_counts", ("imaging.simulate_counts",),
     {"sinogram": _pos(6, 12)},
     lambda sinogram: imaging.simulate_counts(sinogram, 1e4, random_state=0))
spec("imaging.counts_to_sinogram", ("imaging.counts_to_sinogram",),
     {"counts": lambda rng: rng.uniform(10, 100, (6, 12))},
     lambda counts: imaging.counts_to_sinogram(counts, 1e4))
_MASK = np.zeros((8, 8), bool)
_MASK[::2] = True
_MASK[3:5] = True
spec("imaging.reconstruct_mri", ("imaging.reconstruct_mri", "imaging.MRIResult"),
     {"kspace": lambda rng: (rng.standard_normal((8, 8))
                            + 1j * rng.standard_normal((8, 8))) * _MASK},
     lambda kspace: imaging.reconstruct_mri(kspace, _MASK, max_iter=5,
                                            wavelet="haar"),
     names={"kspace": ("kspace", "mask")})
spec("imaging.FourierSampling", ("imaging.FourierSampling",), {"x": _randn(8, 8)},
     lambda x: imaging.FourierSampling((8, 8), _MASK) @ x, passthrough=True)
spec("imaging.simulate_kspace", ("imaging.simulate_kspace",), {"image": _pos(8, 8)},
     lambda image: imaging.simulate_kspace(image, _MASK),
     names={"image": ("image", "mask")})
spec("imaging.add_noise", ("imaging.add_noise",), {"kspace": _randn(8, 8)},
     lambda kspace: imaging.add_noise(kspace, 20.0, random_state=0))
spec("imaging.Sense", ("imaging.Sense",),
     {"coil_maps": lambda rng: imaging.coil_maps((8, 8), 2)},
     lambda coil_maps: imaging.Sense(coil_maps, _MASK) @ np.ones((8, 8)),
     names={"coil_maps": ("coil_maps", "mask")})
spec("imaging.reconstruct_dynamic_mri", ("imaging.reconstruct_dynamic_mri",),
     {"kspace": lambda rng: (rng.standard_normal((3, 8, 8))
                            + 1j * rng.standard_normal((3, 8, 8))) * _MASK},
     lambda kspace: imaging.reconstruct_dynamic_mri(kspace, np.broadcast_to(
         _MASK, (3, 8, 8)), max_iter=3),
     names={"kspace": ("kspace", "mask")})

_DAG_KW = dict(warm_iter=30, max_iter=60, s=(1.0,))
spec("dag.colide", ("dag.colide", "dag.CoLiDEResult"), {"X": _randn(30, 3)},
     lambda X: dag.colide(X, **_DAG_KW))
spec("dag.CoLiDE", ("dag.CoLiDE",), {"X": _randn(30, 3)},
     lambda X: dag.CoLiDE(**_DAG_KW).fit(X), sklearn=True)
_W = lambda rng: np.triu(rng.standard_normal((4, 4)), 1)  # noqa: E731
spec("dag.is_dag", ("dag.is_dag",), {"W": _W}, lambda W: dag.is_dag(W))
spec("dag.prune_to_dag", ("dag.prune_to_dag",), {"W": _randn(4, 4)},
     lambda W: dag.prune_to_dag(W))
spec("dag.count_accuracy", ("dag.count_accuracy",),
     {"true": _W, "est": _W}, lambda true, est: dag.count_accuracy(true, est))
spec("dag.structural_hamming_distance", ("dag.structural_hamming_distance",),
     {"true": _W, "est": _W},
     lambda true, est: dag.structural_hamming_distance(true, est))
spec("dag.colide_objective", ("dag.colide_objective",),
     {"W": _W, "C": _spd(4)},
     lambda W, C: dag.colide_objective(W, C, 1.0, mu=1.0, s=1.0, alpha=0.1))

spec("linear_model.sbl", ("linear_model.sbl", "linear_model.SBLResult"),
     {"Phi": _randn(10, 6), "y": _randn(10)},
     lambda Phi, y: linear_model.sbl(Phi, y, max_iter=20))
spec("linear_model.SBLRegressor", ("linear_model.SBLRegressor",),
     {"X": _randn(10, 6), "y": _randn(10)},
     lambda X, y: linear_model.SBLRegressor(max_iter=20).fit(X, y), sklearn=True)
spec("linear_model.sbl_posterior", ("linear_model.sbl_posterior",),
     {"Phi": _randn(10, 6), "y": _randn(10), "gamma": _pos(6)},
     lambda Phi, y, gamma: linear_model.sbl_posterior(Phi, y, gamma, 0.1))
spec("linear_model.kronecker_sbl", ("linear_model.kronecker_sbl",
                                    "linear_model.KroneckerSBLResult"),
     {"F1": _randn(4, 3), "F2": _randn(3, 3), "y": _randn(12)},
     lambda F1, F2, y: linear_model.kronecker_sbl([F1, F2], y, max_iter=10),
     names={"F1": ("factor",), "F2": ("factor",)})
spec("linear_model.kronecker_sbl_posterior", ("linear_model.kronecker_sbl_posterior",),
     {"F1": _randn(4, 3), "F2": _randn(3, 3), "y": _randn(12)},
     lambda F1, F2, y: linear_model.kronecker_sbl_posterior(
         [F1, F2], y, (np.ones(3), np.ones(3)), 0.1),
     names={"F1": ("factor",), "F2": ("factor",)})
spec("linear_model.KroneckerSBL", ("linear_model.KroneckerSBL",),
     {"X": lambda rng: np.kron(rng.standard_normal((4, 3)),
                               rng.standard_normal((3, 3))), "y": _randn(12)},
     lambda X, y: linear_model.KroneckerSBL([(4, 3), (3, 3)], max_iter=10).fit(
         X, y), sklearn=True)
spec("linear_model.nearest_kronecker", ("linear_model.nearest_kronecker",),
     {"X": _randn(12, 9)},
     lambda X: linear_model.nearest_kronecker(X, [(4, 3), (3, 3)]))
spec("linear_model.nmse", ("linear_model.nmse",),
     {"x_true": _randn(6), "x_est": _randn(6)},
     lambda x_true, x_est: linear_model.nmse(x_true, x_est))
spec("linear_model.support_recovery_rate", ("linear_model.support_recovery_rate",),
     {"x_true": _randn(6), "x_est": _randn(6)},
     lambda x_true, x_est: linear_model.support_recovery_rate(x_true, x_est))

_E = _pos(3, 12)  # (n_endmembers, n_bands)
_Y = _pos(10, 12)  # (n_pixels, n_bands)
spec("unmixing.fcls", ("unmixing.fcls",), {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.fcls(Y, endmembers))
spec("unmixing.nnls_unmix", ("unmixing.nnls_unmix",), {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.nnls_unmix(Y, endmembers))
spec("unmixing.sunsal", ("unmixing.sunsal",), {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.sunsal(Y, endmembers, max_iter=30))
spec("unmixing.robust_sparse_unmixing", ("unmixing.robust_sparse_unmixing",
                                         "unmixing.UnmixingResult"),
     {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.robust_sparse_unmixing(Y, endmembers,
                                                           max_iter=5))
spec("unmixing.vca", ("unmixing.vca",), {"Y": _Y},
     lambda Y: unmixing.vca(Y, 3, random_state=0),
     names={"Y": ("Y", "n_endmembers")})
spec("unmixing.FCLS", ("unmixing.FCLS",), {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.FCLS(endmembers=endmembers).fit(Y), sklearn=True)
spec("unmixing.SUnSAL", ("unmixing.SUnSAL",), {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.SUnSAL(endmembers=endmembers,
                                           max_iter=30).fit(Y),
     sklearn=True)
spec("unmixing.RobustSparseUnmixing", ("unmixing.RobustSparseUnmixing",),
     {"Y": _Y, "endmembers": _E},
     lambda Y, endmembers: unmixing.RobustSparseUnmixing(
         endmembers=endmembers, max_iter=5).fit(Y), sklearn=True)
for _name in ("abundance_rmse", "sre"):
    spec(f"unmixing.{_name}", (f"unmixing.{_name}",),
         {"A_true": _pos(3, 12), "A_est": _pos(3, 12)},
         lambda A_true, A_est, _n=_name: getattr(unmixing, _n)(A_true, A_est))
for _name in ("spectral_angle", "match_endmembers"):
    spec(f"unmixing.{_name}", (f"unmixing.{_name}",),
         {"E_true": _E, "E_est": _E},
         lambda E_true, E_est, _n=_name: getattr(unmixing, _n)(E_true, E_est))
# Reshaping helpers: values pass through unchanged (NaN stays NaN).
spec("unmixing.as_pixels", ("unmixing.as_pixels",), {"Y": _pos(4, 3, 10)},
     lambda Y: unmixing.as_pixels(Y), passthrough=True)
spec("unmixing.as_cube", ("unmixing.as_cube",), {"values": _pos(12, 10)},
     lambda values: unmixing.as_cube(values, (3, 4)), passthrough=True,
     names={"values": ("values", "spatial_shape")})

assert sr  # the top-level package is imported for its lazy attributes

# ------------------------------------------- nn (added during issue 14)
_WTS = _randn(4, 8)
for _name, _fn in (
    ("magnitude_mask", lambda weights: nn.magnitude_mask(weights, 0.5)),
    ("random_mask", lambda weights: nn.random_mask(weights, 0.5, random_state=0)),
    ("nm_mask", lambda weights: nn.nm_mask(weights)),
    ("group_mask", lambda weights: nn.group_mask(weights, 0.5)),
):
    spec(f"nn.{_name}", (f"nn.{_name}", "nn.SparsityReport"), {"weights": _WTS}, _fn)
spec("nn.reconstruct_layer", ("nn.reconstruct_layer", "nn.LayerPruneResult"),
     {"weight": _WTS, "X": _randn(20, 8)},
     lambda weight, X: nn.reconstruct_layer(weight, X))
spec("nn.sparsify", ("nn.sparsify",), {"w": _WTS},
     lambda w: nn.sparsify({"w": w}, sparsity=0.5), names={"w": ("w", "weight")})
spec("nn.sparsity_report", ("nn.sparsity_report",),
     {"mask": lambda rng: rng.random((4, 8)) > 0.5},
     lambda mask: nn.sparsity_report({"w": mask}), names={"mask": ("w", "mask")})
spec("imaging.FanBeam", ("imaging.FanBeam",), {"x": _pos(8, 8)},
     lambda x: imaging.FanBeam((8, 8), _CT_ANGLES, source_distance=20.0) @ x,
     passthrough=True)
spec("unmixing.nfindr", ("unmixing.nfindr",), {"Y": _Y},
     lambda Y: unmixing.nfindr(Y, 3, random_state=0),
     names={"Y": ("Y", "n_endmembers")})
