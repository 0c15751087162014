"""``sparsify``: one entry point for dicts of arrays, scikit-learn MLPs and torch.

Every model kind is seen through a small adapter that lists its prunable
layers as weights in the PyTorch layout ``(out, in, ...)``, gives the Gram
matrices of a layer's calibration inputs, and writes pruned weights and
masks back. The pruning itself (:mod:`._masks`, :mod:`._reconstruct`) only
ever sees NumPy arrays.
"""

from __future__ import annotations

import copy
import sys

import numpy as np

from ..utils.validation import check_array_arg, check_choice, check_scalar_arg
from ._masks import (
    check_nm,
    check_sparsity,
    group_mask,
    magnitude_mask,
    nm_mask,
    random_mask,
    sparsity_report,
)
from ._reconstruct import PATTERNS, SOLVERS, prune_gram

__all__ = ["sparsify"]

METHODS = ("magnitude", "random", "nm", "group", "reconstruct")


def _is_torch_module(obj):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.nn.Module)


def _is_tensor(obj):
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


def _is_sklearn_mlp(obj):
    if "sklearn" not in sys.modules:
        return False
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    return isinstance(obj, (MLPClassifier, MLPRegressor))


# --------------------------------------------------------------------------
# Adapters
# --------------------------------------------------------------------------


class _Grams:
    """Gram matrices of one layer's calibration inputs.

    ``H = Xp^T Xp`` (pruned-network inputs), ``C = Xd^T Xp`` (dense against
    pruned) and ``Hd = Xd^T Xd``; the rows of ``B = W C`` are the right-hand
    sides of the reconstruction problem.
    """

    def __init__(self, H, C, Hd):
        self.H, self.C, self.Hd = H, C, Hd

    @classmethod
    def from_data(cls, Xp, Xd):
        Xp = np.asarray(Xp, dtype=np.float64)
        Xd = np.asarray(Xd, dtype=np.float64)
        H = Xp.T @ Xp
        if Xd is Xp:
            return cls(H, H, H)
        return cls(H, Xd.T @ Xp, Xd.T @ Xd)

    def relative_error(self, W, W_new):
        """``||Xd W^T - Xp W'^T||_F / ||Xd W^T||_F`` from the Grams."""
        ref = float(np.sum((W @ self.Hd) * W))
        err = ref - 2.0 * float(np.sum((W @ self.C) * W_new)) + float(
            np.sum((W_new @ self.H) * W_new))
        return float(np.sqrt(max(err, 0.0) / ref)) if ref > 0 else 0.0


class _ArrayDictAdapter:
    """A dict of NumPy arrays (or torch tensors) in PyTorch layout."""

    kind = "dict"

    def __init__(self, weights, inplace, layers):
        self.src = weights
        self.out = weights if inplace else {}
        self.inplace = inplace
        arrays = {}
        for k, v in weights.items():
            if not isinstance(k, str):
                raise TypeError(f"model keys must be str, got {type(k).__name__}")
            if _is_tensor(v):
                v = v.detach().cpu().numpy()
            arr = check_array_arg(v, f"model[{k!r}]", dtype=None, allow_complex=False,
                                  min_size=0)
            arrays[k] = arr
            if not inplace:
                self.out[k] = weights[k].clone() if _is_tensor(weights[k]) else (
                    np.array(arr, copy=True))
        candidates = [k for k, a in arrays.items() if a.ndim >= 2]
        self.names = _select_layers(layers, candidates)
        self.arrays = arrays
        self.calibration = None

    def weights(self):
        return {k: np.asarray(self.arrays[k], dtype=np.float64) for k in self.names}

    def set_calibration(self, calibration):
        if not isinstance(calibration, dict):
            raise TypeError(
                "calibration for a dict of arrays must be a dict mapping layer "
                "names to input arrays (n_samples, in), got "
                f"{type(calibration).__name__}"
            )
        self.calibration = calibration

    def grams(self, name, shape):
        if name not in self.calibration:
            raise ValueError(f"calibration has no inputs for layer {name!r}")
        fan_in = int(np.prod(shape[1:]))
        X = check_array_arg(self.calibration[name], f"calibration[{name!r}]",
                            ndim=2, allow_complex=False)
        if X.shape[1] != fan_in:
            raise ValueError(
                f"calibration[{name!r}] has {X.shape[1]} columns but layer {name!r} "
                f"has {fan_in} inputs"
            )
        return _Grams.from_data(X, X), None

    def set(self, name, W, mask):
        target = self.out[name]
        W = W.reshape(self.arrays[name].shape)
        if _is_tensor(target):
            import torch

            with torch.no_grad():
                target.copy_(torch.as_tensor(W, dtype=target.dtype))
        elif isinstance(target, np.ndarray) and target.flags.writeable:
            np.copyto(target, W.astype(target.dtype, copy=False))
        else:
            self.out[name] = W.astype(self.arrays[name].dtype, copy=False)

    def result(self):
        return self.out


def _expit(z):
    from scipy.special import expit

    return expit(z)


_ACTIVATIONS = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: _expit(z),
}


class _MLPAdapter:
    """A fitted scikit-learn MLPClassifier / MLPRegressor (``coefs_`` are in x out)."""

    kind = "sklearn"

    def __init__(self, model, inplace, layers):
        if not hasattr(model, "coefs_"):
            raise ValueError(f"{type(model).__name__} is not fitted (no coefs_)")
        self.model = model if inplace else copy.deepcopy(model)
        self.dense = [np.array(c, dtype=np.float64) for c in model.coefs_]
        self.bias = [np.array(b, dtype=np.float64) for b in model.intercepts_]
        self.names = _select_layers(
            layers, [f"coefs_{i}" for i in range(len(self.dense))])
        self.act = _ACTIVATIONS[model.activation]
        self.X = None

    def weights(self):
        return {k: self.dense[int(k.split("_")[1])].T for k in self.names}

    def set_calibration(self, calibration):
        X = check_array_arg(calibration, "calibration", ndim=2, allow_complex=False)
        if X.shape[1] != self.dense[0].shape[0]:
            raise ValueError(
                f"calibration has {X.shape[1]} features but the MLP expects "
                f"{self.dense[0].shape[0]}"
            )
        self.X = np.asarray(X, dtype=np.float64)

    def _inputs(self, coefs, layer):
        a = self.X
        for i in range(layer):
            a = self.act(a @ coefs[i] + self.bias[i])
        return a

    def grams(self, name, shape):
        i = int(name.split("_")[1])
        current = [np.asarray(c, dtype=np.float64) for c in self.model.coefs_]
        return _Grams.from_data(self._inputs(current, i),
                               self._inputs(self.dense, i)), None

    def set(self, name, W, mask):
        i = int(name.split("_")[1])
        coef = self.model.coefs_[i]
        self.model.coefs_[i] = W.T.astype(coef.dtype, copy=False).copy()

    def result(self):
        return self.model


def _select_layers(layers, candidates):
    if layers is None:
        if not candidates:
            raise ValueError(
                "the model has no prunable weight (no array with ndim >= 2)")
        return list(candidates)
    if isinstance(layers, str):
        layers = [layers]
    layers = list(layers)
    unknown = [k for k in layers if k not in candidates]
    if unknown:
        raise ValueError(
            f"layers {unknown} are not prunable layers of the model; "
            f"available: {candidates}"
        )
    return layers


def _adapter(model, inplace, layers):
    if isinstance(model, dict):
        if not model:
            raise ValueError("model must not be an empty dict")
        return _ArrayDictAdapter(model, inplace, layers)
    if _is_sklearn_mlp(model):
        return _MLPAdapter(model, inplace, layers)
    if _is_torch_module(model):
        from ._torch import TorchAdapter

        return TorchAdapter(model, inplace, layers)
    raise TypeError(
        "model must be a dict of arrays, a fitted sklearn MLPClassifier / "
        f"MLPRegressor or a torch.nn.Module, got {type(model).__name__}"
    )


# --------------------------------------------------------------------------
# sparsify
# --------------------------------------------------------------------------


def sparsify(model, method="magnitude", sparsity=0.5, *, n=None, m=None,
             pattern=None, axis=None, scope="layer", calibration=None,
             solver="obs", damp=0.01, layers=None, inplace=False,
             random_state=None, return_report=False):
    """Prune the weights of a model: magnitude, random, N:M, group or reconstruction.

    Parameters
    ----------
    model : dict, MLPClassifier, MLPRegressor or torch.nn.Module
        - a dict of NumPy arrays or torch tensors (e.g. a state dict) in the
          PyTorch layout ``(out, in)`` or ``(out, in, kh, kw)``; arrays with
          fewer than 2 dimensions (biases) are left alone;
        - a fitted scikit-learn MLP: its ``coefs_`` (stored in x out, seen
          transposed as (out, in));
        - a ``torch.nn.Module``: its ``Linear`` and ``Conv2d`` layers; masks
          are applied with ``torch.nn.utils.prune.custom_from_mask`` so the
          pruned weights stay zero during fine-tuning (``weight_orig`` and
          ``weight_mask`` appear on the module).
    method : {"magnitude", "random", "nm", "group", "reconstruct"}
        ``"magnitude"`` smallest ``|w|``; ``"random"`` a random subset;
        ``"nm"`` N:M by magnitude; ``"group"`` whole rows / filters
        (``axis=0``) or columns / input channels (``axis=1``) of smallest
        l2 norm; ``"reconstruct"`` layer-wise reconstruction pruning
        (:func:`~sparserecovery.nn.reconstruct_layer`) with ``solver`` on
        ``calibration`` data, layer after layer: every layer sees the inputs
        of the network pruned so far and is fitted to the dense network's
        outputs of that layer.
    sparsity : float, default=0.5
        Fraction of weights (of groups for ``"group"`` and
        ``pattern="group"``) removed from every layer, in ``[0, 1)``
        (``scope="global"``: from all layers together, magnitude and group).
        Ignored for N:M.
    n, m : int, optional
        N:M pattern (default 2:4), ``1 <= n < m``; groups of ``m`` along the
        input axis (``axis=1``: in features, or conv input channels), whose
        size must be a multiple of ``m``.
    pattern : {"unstructured", "nm", "group"}, optional
        Pattern of ``method="reconstruct"`` (default: ``"nm"`` when ``n`` or
        ``m`` is given, else ``"unstructured"``); ``"group"`` removes input
        columns (conv: input channels).
    axis : int, optional
        N:M axis (default 1) or group axis (default 0; 1 for reconstruction).
    scope : {"layer", "global"}, default="layer"
        Magnitude and group ranking per layer or across layers.
    calibration : array_like, dict or tensor, optional
        Required by ``"reconstruct"``: the model's inputs (n_samples, ...)
        for an MLP or a torch module, a dict layer name -> layer inputs
        (n_samples, in) for a dict of arrays (for a conv weight
        (out, C, kh, kw): unfolded patches, ``in = C*kh*kw`` in that order,
        as ``torch.nn.functional.unfold`` gives them).
    solver : {"obs", "omp", "iht", "fista", "sbl"}, default="obs"
        Support selection of ``"reconstruct"``.
    damp : float, default=0.01
        Relative damping of the calibration Gram matrices.
    layers : list of str, optional
        Names of the layers to prune (dict keys, ``"coefs_0"`` ... for an
        MLP, module names for torch); default: all.
    inplace : bool, default=False
        Modify ``model`` itself; otherwise a pruned copy is returned and
        ``model`` is left untouched.
    random_state : int, Generator, RandomState or None
        Seed of ``method="random"``.
    return_report : bool, default=False
        Also return the :class:`SparsityReport` (with the relative output
        error of every reconstructed layer).

    Returns
    -------
    model
        The pruned model (a copy unless ``inplace``).
    report : SparsityReport
        Only with ``return_report=True``.

    Examples
    --------
    >>> w = {"fc.weight": np.arange(1.0, 9.0).reshape(2, 4), "fc.bias": np.ones(2)}
    >>> out = sparsify(w, method="nm", n=1, m=2)
    >>> out["fc.weight"]
    array([[0., 2., 0., 4.],
           [0., 6., 0., 8.]])
    >>> w["fc.weight"][0, 0]  # the input is untouched
    np.float64(1.0)
    """
    check_choice("method", method, METHODS)
    check_choice("scope", scope, ("layer", "global"))
    if not isinstance(inplace, (bool, np.bool_)):
        raise TypeError(f"inplace must be a bool, got {type(inplace).__name__}")
    if method in ("nm",) or (method == "reconstruct" and (
            pattern == "nm" or (pattern is None and (n is not None or m is not None)))):
        n, m = check_nm(2 if n is None else n, 4 if m is None else m)
    else:
        sparsity = check_sparsity(sparsity)
    if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if method == "reconstruct":
        if pattern is None:
            pattern = "nm" if n is not None else "unstructured"
        check_choice("pattern", pattern, PATTERNS)
        check_choice("solver", solver, SOLVERS)
        damp = check_scalar_arg(damp, "damp", lower=0, lower_inclusive=False)
        if calibration is None:
            raise ValueError("method='reconstruct' needs calibration data")
        if axis not in (None, 1):
            raise ValueError("method='reconstruct' works along the input axis "
                             f"(axis=1), got axis={axis}")

    ad = _adapter(model, bool(inplace), layers)
    weights = ad.weights()
    errors = {}
    if method == "reconstruct":
        ad.set_calibration(calibration)
        masks = {}
        for name in ad.names:
            W = weights[name]
            W2, perm, gs = _as_matrix(W, pattern)
            if pattern == "nm" and W2.shape[1] % m:
                raise ValueError(
                    f"layer {name!r} has {W2.shape[1]} inputs, which is not a "
                    f"multiple of m={m}; skip such layers with layers=[...]")
            grams, _ = ad.grams(name, W.shape)
            H, C = grams.H, grams.C
            if perm is not None:
                H, C = H[np.ix_(perm, perm)], C[np.ix_(perm, perm)]
            W_new, mask = prune_gram(H, W2 @ C, pattern=pattern, sparsity=sparsity,
                                     n=n or 0, m=m or 0, group_size=gs,
                                     solver=solver, damp=damp)
            if perm is not None:
                inv = np.argsort(perm)
                W_new, mask = W_new[:, inv], mask[:, inv]
                W2 = W2[:, inv]
            errors[name] = (grams.relative_error(W2, W_new))
            W_new = W_new.reshape(W.shape)
            mask = mask.reshape(W.shape)
            ad.set(name, W_new, mask)
            masks[name] = mask
    else:
        if method == "magnitude":
            masks, _ = magnitude_mask(weights, sparsity, scope=scope)
        elif method == "random":
            masks, _ = random_mask(weights, sparsity, random_state=random_state)
        elif method == "nm":
            try:
                masks, _ = nm_mask(weights, n, m, axis=1 if axis is None else axis)
            except ValueError as exc:
                raise ValueError(f"{exc}; skip such layers with layers=[...]") from None
        else:
            masks, _ = group_mask(weights, sparsity, axis=0 if axis is None else axis,
                                  scope=scope)
        for name in ad.names:
            ad.set(name, np.where(masks[name], weights[name], 0.0), masks[name])
    report = sparsity_report(masks, errors)
    out = ad.result()
    return (out, report) if return_report else out


def _as_matrix(W, pattern):
    """(out, in_flat) view of a weight, the column order and group size.

    For conv weights (out, C, kh, kw) the N:M groups run along the input
    channels, so the columns are reordered to (kh, kw, C); input groups
    (``pattern="group"``) are the ``kh*kw`` columns of one channel.
    """
    out = W.shape[0]
    W2 = W.reshape(out, -1)
    if W.ndim <= 2:
        return W2, None, 1
    C = W.shape[1]
    k = int(np.prod(W.shape[2:]))
    if pattern == "nm":
        perm = np.arange(C * k).reshape(C, k).T.ravel()
        return W2[:, perm], perm, 1
    if pattern == "group":
        return W2, None, k
    return W2, None, 1
