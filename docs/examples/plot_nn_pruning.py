"""
Pruning a trained network: reconstruction vs magnitude
======================================================

Prune the weights of a small scikit-learn MLP trained on the bundled 8x8
digits. Magnitude pruning drops the smallest weights and leaves the others
as they are. Layer-wise reconstruction pruning
(:func:`~sparserecovery.nn.sparsify` with ``method="reconstruct"``) asks
instead for the sparse weights that best reproduce every layer's outputs on
a few calibration inputs, ``min ||X W^T - X W'^T||``: a sparse recovery
problem per output row, solved here by optimal brain surgeon elimination
(``"obs"``) and orthogonal matching pursuit (``"omp"``), followed by a
least-squares refit of the kept weights.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sparserecovery.nn import essential_sparsity_curve, sparsify

# %%
# Train a one-hidden-layer MLP (64 ReLU units) on half of the digits.

X, y = load_digits(return_X_y=True)
X = X / 16.0
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0,
                                      stratify=y)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    mlp = MLPClassifier((64,), max_iter=200, random_state=0).fit(Xtr, ytr)
print(f"dense test accuracy: {mlp.score(Xte, yte):.3f}")

# %%
# 2:4 sparsity keeps two weights in every group of four inputs (the pattern
# sparse tensor cores accelerate); 4:8 is the same density with more
# freedom; 70 % is unstructured. The model passed in is never modified:
# ``sparsify`` returns a pruned copy, here with its sparsity report.

mag, report = sparsify(mlp, "nm", n=2, m=4, return_report=True)
print(report)

patterns = {"2:4": {"n": 2, "m": 4}, "4:8": {"n": 4, "m": 8},
            "70%": {"sparsity": 0.7}}
for name, kw in patterns.items():
    mag = sparsify(mlp, "nm" if "n" in kw else "magnitude", **kw)
    scores = [f"magnitude {mag.score(Xte, yte):.3f}"]
    for solver in ("obs", "omp", "iht"):
        pruned = sparsify(mlp, "reconstruct", calibration=Xtr, solver=solver, **kw)
        scores.append(f"{solver} {pruned.score(Xte, yte):.3f}")
    print(f"{name:4s} " + "  ".join(scores))

# %%
# Essential sparsity: accuracy of one-shot pruned copies at increasing
# unstructured sparsity. The drop point (dotted line) is the largest level
# whose accuracy, like that of every smaller level, stays within one point of
# the dense accuracy.

levels = [0.5, 0.7, 0.8, 0.9, 0.95]


def accuracy(model):
    return model.score(Xte, yte)


fig, ax = plt.subplots(figsize=(6, 4))
for method, kw in [("magnitude", {}),
                   ("reconstruct", {"calibration": Xtr, "solver": "obs"})]:
    curve = essential_sparsity_curve(accuracy, mlp, levels, method=method, **kw)
    curve.plot(ax=ax, label=f"{method} (drop at {curve.drop_level:.2f})")
ax.set_ylabel("test accuracy")
ax.set_title("Digits MLP: one-shot pruning")
fig.tight_layout()
plt.show()
