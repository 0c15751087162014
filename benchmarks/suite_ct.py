"""Sparse-view CT: our FBP / SART / TV against scikit-image and pyproximal.

Cases: Shepp-Logan (modified) on a 256 x 256 grid, noiseless, at 30, 60
and 90 views over 180 degrees (128 x 128 at 30 and 60 views with --quick),
and a real CT slice (pydicom's 512 x 512 sample) at 60 views with Poisson
noise. The phantom data come from an image twice as fine as the grid, so
no method reconstructs with the model that made its data:

- ours and pyproximal (ASTRA's CPU projector, whose geometry is ours:
  rotation about the grid centre) get the 2x-finer image projected by our
  strip projector;
- scikit-image gets the same projection in its own convention (rotation
  about the centre of pixel ``n // 2``, seen by bin ``n // 2``; the
  sinogram transposed): the data its ``iradon`` / ``iradon_sart`` expect.

The real slice has no finer version: every method gets its projection on
the 512 x 512 grid itself plus one Poisson noise draw (10^5 photons).

Fan-beam cases (flat detector, source at twice the image size from the
centre, detector as far again behind it; views over the full turn): the
2x-finer Shepp-Logan projected by our fan-beam projector. Neither
scikit-image nor pylops' ``CT2D`` (parallel beam only here) has this
geometry, so only our methods run there (the peers are reported as
skipped).

Methods (one iteration budget for every iterative method):

- ``fbp`` / ``skimage_fbp``: ramp filter;
- ``sart`` (ours, one view per update, relaxation 1) / ``skimage_sart``
  (relaxation 0.15, its default), ``SWEEPS`` sweeps, both clipped to
  ``[0, max(truth)]``;
- ``tv`` (ours, Chambolle-Pock, ``TV_ITERS`` iterations, FBP start;
  ``tv_f32`` the same in float32) /
  ``pyproximal_tv`` (PrimalDual with the same objective
  ``||Ax - b||^2 / 2 + lam ||grad x||_{2,1}``, x >= 0, the same ``lam`` and
  iterations, its usual steps ``tau = mu = 0.95 / ||K||``).

Metric: PSNR (dB, peak of the ground truth) and SSIM; ``seconds`` is the
wall time of the whole reconstruction. ``tv_to_peer`` is our TV stopped
as soon as it reaches pyproximal's final PSNR (computed once per case in
``setup``, not timed): its seconds are our time to the peer's quality, and
``iters_to_peer`` its iterations (NaN if it never got there).

Run ``python benchmarks/suite_ct.py --quick`` (or ``sparserecovery compare
ct``).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np

NAME = "ct"
TITLE = "Sparse-view CT: FBP / SART / TV vs scikit-image and pyproximal"
METRIC = "psnr"
LOWER_IS_BETTER = False
PEER = "pyproximal_tv"
X_PARAM = "views"

TV_ITERS = 300
SWEEPS = 10
NO_WARMUP = ("skimage_fbp", "skimage_sart", "pyproximal_tv")


def cases(quick):
    if quick:
        return [
            {"case": f"shepp128 views={v}", "image": "shepp", "n": 128, "views": v,
             "iters": 100, "seed": 0}
            for v in (30, 60)
        ] + [{"case": "fan128 views=60", "image": "shepp", "n": 128, "views": 60,
              "iters": 100, "seed": 0, "geometry": "fanflat"}]
    out = [
        {"case": f"shepp256 views={v}", "image": "shepp", "n": 256, "views": v,
         "iters": TV_ITERS, "seed": 0}
        for v in (30, 60, 90)
    ]
    out.append({"case": "fan256 views=60", "image": "shepp", "n": 256, "views": 60,
                "iters": TV_ITERS, "seed": 0, "geometry": "fanflat"})
    out.append({"case": "ct512 views=60 poisson", "image": "ct512", "n": 512,
                "views": 60, "iters": 100, "seed": 0})  # 512 x 512 grid
    return out


def _fan_setup(case):
    from sparserecovery.imaging import _ct_sim
    from sparserecovery.imaging._fanbeam import FanBeam
    from sparserecovery.imaging.ct import default_lam
    from sparserecovery.imaging.phantoms import shepp_logan

    n = case["n"]
    op = FanBeam((n, n), case["views"], source_distance=2.0 * n,
                 detector_distance=1.0 * n)
    truth = shepp_logan(n, supersample=4)
    sino = _ct_sim.simulate_sinogram(shepp_logan(2 * n, supersample=2), op,
                                     shape=(n, n))
    return {
        "truth": truth, "sino": sino, "geo": op, "angles": op.angles,
        "lam": default_lam(sino), "iters": case["iters"],
        "peak": float(truth.max()), "peer_psnr": None, "fan": True,
    }


def setup(case):
    from sparserecovery.imaging import _ct_sim
    from sparserecovery.imaging._radon import Radon
    from sparserecovery.imaging.ct import default_lam
    from sparserecovery.imaging.phantoms import shepp_logan

    if case.get("geometry", "parallel") != "parallel":
        return _fan_setup(case)
    n, views = case["n"], case["views"]
    angles = np.arange(views) * (np.pi / views)
    if case["image"] == "shepp":
        truth = shepp_logan(n, supersample=4)
        fine, factor = shepp_logan(2 * n, supersample=2), 2
        noise, pixel_size = None, None
    else:  # the real slice is its own finest grid: Poisson noise, same grid
        truth, pixel_size = _ct_sim.load_ct_sample("large")
        fine, factor, noise = truth, 1, "poisson"
    sino = _ct_sim.simulate_sinogram(
        fine, angles, shape=(n, n), noise=noise, photons=1e5,
        pixel_size=pixel_size, random_state=case["seed"],
    )
    clean = sino if noise is None else _ct_sim.simulate_sinogram(
        fine, angles, shape=(n, n))
    # scikit-image's convention (rotation about the centre of pixel n // 2,
    # seen by bin n // 2), from the same image, model and noise: shift the
    # fine image so that its grid centre is that point, use an odd detector
    # centred on it, and keep the first n bins
    if factor == 1:
        sk_op = Radon((n, n), angles, center="pixel")
        sk_clean = sk_op @ fine
    else:
        sk_op = Radon((factor * n, factor * n), angles, n_detectors=n + 1,
                      detector_spacing=factor)
        shift = factor // 2
        sk_clean = (sk_op @ np.roll(fine, (-shift, -shift), axis=(0, 1)))[:, :n]
        sk_clean = sk_clean / factor
    sk_sino = (sk_clean + (sino - clean)).T
    p = {
        "truth": truth, "sino": sino, "sk_sino": sk_sino, "angles": angles,
        "geo": angles, "lam": default_lam(sino), "iters": case["iters"],
        "peak": float(truth.max()), "fan": False,
    }
    try:  # pyproximal's final PSNR: the target of ``tv_to_peer`` (not timed)
        p["peer_psnr"] = _scores(p, _pyproximal_tv(p, p["iters"]))["psnr"]
    except ImportError:
        p["peer_psnr"] = None
    return p


def _scores(p, img):
    from sparserecovery.imaging.metrics import psnr, ssim

    img = np.asarray(img, dtype=np.float64)
    out = {"psnr": psnr(p["truth"], img, data_range=p["peak"])}
    try:
        out["ssim"] = ssim(p["truth"], img, data_range=p["peak"])
    except ImportError:
        out["ssim"] = float("nan")
    return out


def _pyproximal_tv(p, niter, callback=None):
    import astra  # noqa: F401  (pylops' CT2D needs ASTRA; missing -> skipped)
    import pylops
    import pyproximal
    from pyproximal.optimization.primaldual import PrimalDual

    n = p["truth"].shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        op = pylops.medical.CT2D((n, n), 1.0, n, p["angles"], engine="cpu",
                                 projector_type="linear", dtype="float64")
        grad = pylops.Gradient(dims=(n, n), edge=True, kind="forward",
                               dtype="float64")
        K = pylops.VStack([op, grad])
        v = np.random.default_rng(0).standard_normal(n * n)
        for _ in range(30):
            v = K.H @ (K @ v)
            nrm = np.linalg.norm(v)
            v /= nrm
        step = 0.95 / math.sqrt(nrm)
        g = pyproximal.VStack(
            [
                pyproximal.L2(b=p["sino"].ravel()),
                pyproximal.L21(ndim=2, sigma=p["lam"]),
            ],
            nn=[op.shape[0], grad.shape[0]],
        )
        x = PrimalDual(pyproximal.Box(lower=0.0), g, K, np.zeros(n * n), tau=step,
                       mu=step, theta=1.0, niter=niter, callback=callback)
    return x.reshape(n, n)


def methods():
    from sparserecovery.imaging import ct

    def fbp(p):
        return _scores(p, ct.fbp(p["sino"], p["geo"], shape=p["truth"].shape))

    def sart(p):
        res = ct.sart(p["sino"], p["geo"], shape=p["truth"].shape,
                      max_iter=SWEEPS, upper=p["peak"])
        return _scores(p, res.image)

    def _tv(p, dtype):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ct.reconstruct_ct(p["sino"].astype(dtype), p["geo"],
                                    shape=p["truth"].shape, lam=p["lam"],
                                    max_iter=p["iters"], tol=0)
        return _scores(p, res.image)

    def tv(p):
        return _tv(p, np.float64)

    def tv_f32(p):
        return _tv(p, np.float32)

    def tv_to_peer(p):
        """Our TV stopped as soon as it reaches pyproximal's final PSNR."""
        if p["peer_psnr"] is None:
            raise ImportError("pyproximal with ASTRA, parallel beam (the target "
                              "comes from it)")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ct.reconstruct_ct(
                p["sino"], p["geo"], shape=p["truth"].shape, lam=p["lam"],
                max_iter=p["iters"], tol=0, callback=_Stop(p, p["peer_psnr"]),
            )
        out = _scores(p, res.image)
        reached = out["psnr"] >= p["peer_psnr"]
        out["iters_to_peer"] = float(res.n_iter) if reached else float("nan")
        out["peer_psnr"] = p["peer_psnr"]
        return out

    def skimage_fbp(p):
        _parallel_only(p, "scikit-image")
        from skimage.transform import iradon

        img = iradon(p["sk_sino"], np.degrees(p["angles"]), filter_name="ramp",
                     circle=True)
        return _scores(p, img)

    def skimage_sart(p):
        _parallel_only(p, "scikit-image")
        from skimage.transform import iradon_sart

        theta = np.degrees(p["angles"])
        img = None
        for _ in range(SWEEPS):
            img = iradon_sart(p["sk_sino"], theta, image=img, relaxation=0.15,
                              clip=(0.0, p["peak"]))
        return _scores(p, img)

    def pyproximal_tv(p):
        _parallel_only(p, "pylops CT2D")
        return _scores(p, _pyproximal_tv(p, p["iters"]))

    return {
        "fbp": fbp, "sart": sart, "tv": tv, "tv_f32": tv_f32,
        "tv_to_peer": tv_to_peer,
        "skimage_fbp": skimage_fbp,
        "skimage_sart": skimage_sart, "pyproximal_tv": pyproximal_tv,
    }


def _parallel_only(p, peer):
    if p["fan"]:
        raise ImportError(f"{peer}: no fan-beam geometry")


class _Stop:
    def __init__(self, p, target):
        self.truth, self.peak, self.target = p["truth"], p["peak"], target

    def __call__(self, k, x):
        mse = float(np.mean((x - self.truth) ** 2))
        return mse > 0 and 10 * math.log10(self.peak**2 / mse) >= self.target


if __name__ == "__main__":
    import argparse
    import platform

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} cpus")
    print("| case | method | psnr | ssim | seconds | extra |")
    print("|---|---|---|---|---|---|")
    for c in cases(args.quick):
        prob = setup(c)
        for name, fn in methods().items():
            try:
                if name not in NO_WARMUP:
                    fn(prob)  # warm-up (JIT)
                t0 = time.perf_counter()
                m = fn(prob)
                dt = time.perf_counter() - t0
            except ImportError as exc:
                print(f"| {c['case']} | {name} | skipped ({exc}) | | | |")
                continue
            extra = ", ".join(f"{k}={v:.3g}" for k, v in m.items()
                              if k not in ("psnr", "ssim"))
            print(f"| {c['case']} | {name} | {m['psnr']:.2f} | {m['ssim']:.3f} | "
                  f"{dt:.2f} | {extra} |", flush=True)
