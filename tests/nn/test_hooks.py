"""sparsify on dicts of arrays and scikit-learn MLPs; the essential sparsity curve."""

import copy
import warnings

import numpy as np
import pytest

from sparserecovery.nn import essential_sparsity_curve, sparsify


@pytest.fixture(scope="module")
def digits_mlp():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0,
                                          stratify=y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fit
        clf = MLPClassifier((64,), max_iter=200, random_state=0).fit(Xtr, ytr)
    return clf, Xtr, Xte, yte


CASES = {"2:4": {"n": 2, "m": 4}, "4:8": {"n": 4, "m": 8}, "70%": {"sparsity": 0.7}}


@pytest.mark.parametrize(
    ("case", "solver"),
    [(c, s) for c in CASES for s in ("obs", "omp", "iht")]
    + [("2:4", "fista"), ("70%", "sbl")],
)
def test_digits_reconstruction_beats_magnitude(digits_mlp, case, solver):
    clf, Xtr, Xte, yte = digits_mlp
    kw = CASES[case]
    before = [c.copy() for c in clf.coefs_]
    mag = sparsify(clf, "nm" if "n" in kw else "magnitude", **kw)
    rec, rep = sparsify(clf, "reconstruct", calibration=Xtr, solver=solver,
                        return_report=True, **kw)
    acc_mag, acc_rec = mag.score(Xte, yte), rec.score(Xte, yte)
    assert acc_rec > acc_mag
    assert acc_rec > clf.score(Xte, yte) - 0.02
    # same sparsity, exactly, in every layer
    for a, b in zip(mag.coefs_, rec.coefs_, strict=True):
        assert np.count_nonzero(a) == np.count_nonzero(b)
    assert set(rep.errors) == {"coefs_0", "coefs_1"}
    if "n" in kw:  # N:M along the input axis (rows of coefs_)
        n, m = kw["n"], kw["m"]
        for c in rec.coefs_:
            assert np.all(np.count_nonzero(c.reshape(-1, m, c.shape[1]), axis=1) <= n)
        assert rep.sparsity == pytest.approx(1 - n / m)
    for c, b in zip(clf.coefs_, before, strict=True):
        assert np.array_equal(c, b)  # the input model is untouched


def test_mlp_inplace_and_layers(digits_mlp):
    clf, Xtr, Xte, yte = digits_mlp
    model = copy.deepcopy(clf)
    out = sparsify(model, "magnitude", sparsity=0.5, layers=["coefs_1"], inplace=True)
    assert out is model
    assert np.count_nonzero(model.coefs_[1]) == model.coefs_[1].size // 2
    assert np.array_equal(model.coefs_[0], clf.coefs_[0])


@pytest.mark.parametrize("activation", ["tanh", "logistic"])
def test_mlp_regressor(rng, activation):
    from sklearn.neural_network import MLPRegressor

    X = rng.standard_normal((200, 8))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = MLPRegressor(hidden_layer_sizes=(16,), activation=activation,
                           max_iter=300, random_state=0).fit(X, y)
    dense = reg.predict(X)
    mag = sparsify(reg, "magnitude", sparsity=0.6).predict(X)
    rec = sparsify(reg, "reconstruct", sparsity=0.6, calibration=X).predict(X)
    assert np.linalg.norm(rec - dense) < np.linalg.norm(mag - dense)


def test_dict_not_modified_unless_inplace(rng):
    w = {"fc1.weight": rng.standard_normal((8, 12)), "fc1.bias": rng.standard_normal(8)}
    saved = {k: v.copy() for k, v in w.items()}
    out = sparsify(w, "nm", n=2, m=4)
    assert out is not w
    assert all(np.array_equal(w[k], saved[k]) for k in w)
    assert np.array_equal(out["fc1.bias"], w["fc1.bias"])
    assert np.all(np.count_nonzero(out["fc1.weight"].reshape(8, 3, 4), axis=2) == 2)
    same = sparsify(w, "magnitude", sparsity=0.25, inplace=True)
    assert same is w and np.count_nonzero(w["fc1.weight"]) == 72


def test_dict_reconstruct_with_calibration(rng):
    X = rng.standard_normal((100, 12))
    w = {"a": rng.standard_normal((6, 12))}
    out, rep = sparsify(w, "reconstruct", sparsity=0.5, calibration={"a": X},
                        return_report=True)
    mag = sparsify(w, "magnitude", sparsity=0.5)
    err = np.linalg.norm(X @ (w["a"] - out["a"]).T)
    assert err < np.linalg.norm(X @ (w["a"] - mag["a"]).T)
    assert rep.errors["a"] == pytest.approx(err / np.linalg.norm(X @ w["a"].T))


def test_group_structured(rng):
    w = {"conv.weight": rng.standard_normal((8, 4, 3, 3))}
    out = sparsify(w, "group", sparsity=0.25)  # filters
    alive = np.any(out["conv.weight"] != 0, axis=(1, 2, 3))
    assert alive.sum() == 6
    out = sparsify(w, "group", sparsity=0.5, axis=1)  # input channels
    assert np.any(out["conv.weight"] != 0, axis=(0, 2, 3)).sum() == 2


def test_errors(rng):
    w = {"a": rng.standard_normal((4, 6))}
    with pytest.raises(ValueError, match="sparsity"):
        sparsify(w, sparsity=1.0)
    with pytest.raises(ValueError, match="sparsity"):
        sparsify(w, sparsity=-0.5)
    with pytest.raises(ValueError, match="n must be < m"):
        sparsify(w, "nm", n=2, m=2)
    with pytest.raises(ValueError, match="multiple of m=4"):
        sparsify(w, "nm", n=2, m=4)
    with pytest.raises(ValueError, match="multiple of m=4"):
        sparsify(w, "reconstruct", n=2, m=4, calibration={"a": np.ones((5, 6))})
    with pytest.raises(ValueError, match="calibration"):
        sparsify(w, "reconstruct")
    with pytest.raises(ValueError, match="no inputs for layer"):
        sparsify(w, "reconstruct", calibration={"b": np.ones((5, 6))})
    with pytest.raises(ValueError, match="method"):
        sparsify(w, "prune")
    with pytest.raises(ValueError, match="not prunable"):
        sparsify(w, layers=["zzz"])
    with pytest.raises(TypeError, match="model must be"):
        sparsify([np.ones((2, 2))])
    with pytest.raises(TypeError, match="inplace"):
        sparsify(w, inplace="yes")


def test_essential_sparsity_curve(digits_mlp):
    import matplotlib

    matplotlib.use("Agg")
    clf, Xtr, Xte, yte = digits_mlp
    before = clf.coefs_[0].copy()

    def evaluate(model):
        return model.score(Xte, yte)

    levels = [0.2, 0.9, 0.5, 0.97]
    res = essential_sparsity_curve(evaluate, clf, levels, method="magnitude",
                                   tol=0.02)
    assert np.array_equal(res.levels, np.sort(levels))
    assert res.dense_score == evaluate(clf)
    ok = res.scores >= res.dense_score - 0.02
    first_bad = int(np.argmin(ok)) if not ok.all() else len(ok)
    assert res.drop_level == (res.levels[first_bad - 1] if first_bad else 0.0)
    assert res.scores[-1] < res.scores[0]  # 97% sparsity hurts
    assert np.array_equal(clf.coefs_[0], before)
    ax = res.plot()
    assert len(ax.lines) == 3
    with pytest.raises(ValueError, match="levels"):
        essential_sparsity_curve(evaluate, clf, [0.5, 1.0])
    with pytest.raises(ValueError, match="N:M"):
        essential_sparsity_curve(evaluate, clf, [0.5], method="nm")
