"""One-shot pruning of trained networks: reconstruction solvers vs magnitude.

Problems (no network access; scikit-learn's bundled 8x8 digits, half for
training, half for testing, stratified split with the case's seed):

mlp   scikit-learn MLPClassifier(64 hidden, ReLU), 200 Adam epochs; both
      weight matrices are pruned; calibration = 512 training images.
cnn   PyTorch Conv(1->16, 3x3) - ReLU - Conv(16->16, 3x3) - ReLU - MaxPool2
      - Linear(256->10), 40 Adam epochs (CPU, one thread); every layer is
      pruned (N:M: the layers whose input size is a multiple of M);
      calibration = 256 training images. Needs torch (skipped otherwise).

Patterns: "2:4" and "4:8" (N:M along the input axis / input channels) and
"unstructured": an essential-sparsity curve at the case's ``levels``.

Methods
-------
magnitude   smallest |w| per layer (N:M: per group) -- the peer
random      a random mask of the same sparsity (unstructured also for N:M)
obs, omp, iht, fista, sbl
            ``sparsify(method="reconstruct", solver=...)``: layer-wise
            reconstruction on the calibration inputs, layer after layer,
            then a least-squares refit of the kept weights

Metric: test accuracy (N:M: at that pattern; unstructured: at 70 %
sparsity). Also recorded: ``acc_XX`` the accuracy at XX % sparsity, the
dense accuracy, and ``drop_point``, the essential sparsity -- the largest
level whose accuracy, like that of every smaller level, is within one point
(0.01) of the dense accuracy (:func:`sparserecovery.nn.essential_sparsity_curve`).
Seconds: one pruning (N:M) or the whole curve (unstructured), evaluation
included, single-threaded BLAS and torch.
"""

import warnings

import numpy as np

NAME = "nn"
TITLE = "One-shot pruning of a digits MLP and CNN: accuracy vs sparsity"
METRIC = "accuracy"
LOWER_IS_BETTER = False
PEER = "magnitude"
X_PARAM = None

TOL = 0.01
REFERENCE_LEVEL = 0.7


def cases(quick):
    if quick:
        grid = [("mlp", "2:4"), ("mlp", "unstructured")]
        levels = (0.5, 0.7, 0.9)
        seeds = (0,)
    else:
        grid = [(mdl, pat) for mdl in ("mlp", "cnn")
                for pat in ("2:4", "4:8", "unstructured")]
        levels = (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
        seeds = (0, 1, 2)
    return [
        {
            "case": f"{mdl}-{pat}",
            "model": mdl,
            "pattern": pat,
            "levels": list(levels) if pat == "unstructured" else None,
            "seed": s,
        }
        for mdl, pat in grid
        for s in seeds
    ]


def _digits(seed):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    return train_test_split(X, y, test_size=0.5, random_state=seed, stratify=y)


def _train_cnn(Xtr, ytr, seed):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 10),
    )
    x = torch.as_tensor(Xtr, dtype=torch.float32).reshape(-1, 1, 8, 8)
    t = torch.as_tensor(ytr)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(40):
        perm = torch.randperm(x.shape[0], generator=gen)
        for s in range(0, x.shape[0], 64):
            idx = perm[s : s + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), t[idx]).backward()
            opt.step()
    return model.eval()


def setup(case):
    Xtr, Xte, ytr, yte = _digits(case["seed"])
    if case["model"] == "mlp":
        from sklearn.neural_network import MLPClassifier

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MLPClassifier((64,), max_iter=200,
                                  random_state=case["seed"]).fit(Xtr, ytr)
        calibration = Xtr[:512]

        def evaluate(m):
            return float(m.score(Xte, yte))
    else:
        try:
            import torch
        except ImportError as exc:  # the methods report the case as skipped
            return {"missing": f"the cnn case needs torch: {exc}"}

        model = _train_cnn(Xtr, ytr, case["seed"])
        xte = torch.as_tensor(Xte, dtype=torch.float32).reshape(-1, 1, 8, 8)
        yte_t = torch.as_tensor(yte)
        calibration = torch.as_tensor(Xtr[:256], dtype=torch.float32).reshape(
            -1, 1, 8, 8)

        def evaluate(m):
            with torch.no_grad():
                return float((m(xte).argmax(1) == yte_t).float().mean())
    n = m = None
    if case["pattern"] != "unstructured":
        n, m = (int(v) for v in case["pattern"].split(":"))
    return {
        "model": model,
        "evaluate": evaluate,
        "calibration": calibration,
        "n": n,
        "m": m,
        "levels": case["levels"],
        "dense": evaluate(model),
    }


def _nm_layers(model, m):
    """Layers whose input size (input channels for conv) is a multiple of m."""
    if hasattr(model, "coefs_"):
        return [f"coefs_{i}" for i, c in enumerate(model.coefs_) if c.shape[0] % m == 0]
    import torch

    return [
        name for name, mod in model.named_modules()
        if isinstance(mod, (torch.nn.Linear, torch.nn.Conv2d))
        and mod.weight.shape[1] % m == 0
    ]


def _run(p, method, solver=None):
    from threadpoolctl import threadpool_limits

    from sparserecovery.nn import essential_sparsity_curve, sparsify

    if "missing" in p:
        raise ImportError(p["missing"])
    if not hasattr(p["model"], "coefs_"):
        import torch

        torch.set_num_threads(1)
    kw = {}
    if method == "reconstruct":
        kw = {"calibration": p["calibration"], "solver": solver}
    out = {"dense": p["dense"]}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if p["n"] is not None:
            layers = _nm_layers(p["model"], p["m"])
            if method == "random":
                pruned = sparsify(p["model"], "random", sparsity=1 - p["n"] / p["m"],
                                  layers=layers, random_state=0)
            else:
                name = "nm" if method == "magnitude" else method
                pruned = sparsify(p["model"], name, n=p["n"], m=p["m"],
                                  layers=layers, **kw)
            out["accuracy"] = p["evaluate"](pruned)
            out["drop_point"] = float("nan")
            return out
        if method == "random":
            kw = {"random_state": 0}
        res = essential_sparsity_curve(p["evaluate"], p["model"], p["levels"],
                                       method=method, tol=TOL, **kw)
    for lv, sc in zip(res.levels, res.scores, strict=True):
        out[f"acc_{round(100 * lv)}"] = float(sc)
    out["accuracy"] = float(np.interp(REFERENCE_LEVEL, res.levels, res.scores))
    out["drop_point"] = res.drop_level
    return out


# random and the pure-Python solver paths (fista, sbl) compile nothing.
NO_WARMUP = ("random", "fista", "sbl")


def methods():
    def peer(method, solver=None):
        return lambda p: _run(p, method, solver)

    out = {"magnitude": peer("magnitude"), "random": peer("random")}
    for s in ("obs", "omp", "iht", "fista", "sbl"):
        out[s] = peer("reconstruct", s)
    return out


if __name__ == "__main__":
    import sys
    from pathlib import Path

    from sparserecovery.cli import main

    here = str(Path(__file__).resolve().parent)
    sys.exit(main(["compare", NAME, "--suites-dir", here, *sys.argv[1:]]))
