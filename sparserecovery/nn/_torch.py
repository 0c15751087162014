"""The torch side of :func:`~sparserecovery.nn.sparsify` (imported lazily).

Only imported when a ``torch.nn.Module`` is given, so ``import
sparserecovery.nn`` never imports torch.
"""

from __future__ import annotations

import copy

import numpy as np

from ..utils.validation import check_array_arg

__all__ = ["TorchAdapter"]


def _torch():
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - a module exists, so torch too
        raise ImportError(
            "pruning torch modules needs torch: pip install 'sparserecovery[torch]'"
        ) from exc
    return torch


class _Stop(Exception):
    """Raised by a forward hook once the wanted layer input is captured."""


class TorchAdapter:
    """Linear and Conv2d layers of a ``torch.nn.Module``."""

    kind = "torch"

    def __init__(self, model, inplace, layers):
        from ._hooks import _select_layers

        torch = _torch()
        self.torch = torch
        self.model = model if inplace else copy.deepcopy(model)
        nn = torch.nn
        self.modules = {
            name: mod for name, mod in self.model.named_modules()
            if isinstance(mod, (nn.Linear, nn.Conv2d))
        }
        if not self.modules:
            raise ValueError("the torch model has no Linear or Conv2d layer")
        self.names = _select_layers(layers, list(self.modules))
        self.dense_inputs = None
        self.calibration = None

    def weights(self):
        f64 = self.torch.float64
        return {
            k: self.modules[k].weight.detach().cpu().to(f64).numpy().copy()
            for k in self.names
        }

    def _param(self):
        return next(self.model.parameters())

    def set_calibration(self, calibration):
        torch = self.torch
        p = self._param()
        if isinstance(calibration, torch.Tensor):
            x = calibration.detach()
        else:
            arr = check_array_arg(calibration, "calibration", allow_complex=False)
            x = torch.as_tensor(np.asarray(arr))
        self.calibration = x.to(device=p.device, dtype=p.dtype)
        self.dense_inputs = self._capture(self.names)

    def _capture(self, names):
        """Inputs of the named layers in one forward pass of the current model."""
        torch = self.torch
        got = {}
        last = names[-1]

        def hook_for(name):
            def hook(mod, args):
                got[name] = args[0].detach()
                if name == last:
                    raise _Stop
            return hook

        handles = [self.modules[k].register_forward_pre_hook(hook_for(k))
                   for k in names]
        training = [m.training for m in self.model.modules()]
        self.model.eval()
        try:
            with torch.no_grad():
                self.model(self.calibration)
        except _Stop:
            pass
        finally:
            for h in handles:
                h.remove()
            for m, t in zip(self.model.modules(), training, strict=True):
                m.train(t)
        missing = [k for k in names if k not in got]
        if missing:
            raise ValueError(f"layers {missing} were not called in the forward pass "
                             "on the calibration data")
        return got

    def _rows(self, mod, x):
        """Input rows (n_rows, fan_in) of a layer, in float64."""
        torch = self.torch
        if isinstance(mod, torch.nn.Linear):
            return x.reshape(-1, mod.in_features).to(torch.float64)
        if mod.groups != 1:
            raise ValueError("reconstruction pruning of grouped convolutions is not "
                             "supported; use a mask method")
        if mod.padding_mode != "zeros":
            raise ValueError("reconstruction pruning supports zero-padded "
                             f"convolutions, got padding_mode={mod.padding_mode!r}")
        padding = mod.padding
        if isinstance(padding, str):
            if padding == "valid":
                padding = 0
            elif all(k % 2 == 1 for k in mod.kernel_size):
                padding = tuple(d * (k - 1) // 2
                                for d, k in zip(mod.dilation, mod.kernel_size,
                                                strict=True))
            else:
                raise ValueError("padding='same' with an even kernel is not supported")
        cols = torch.nn.functional.unfold(
            x.to(torch.float64), mod.kernel_size, dilation=mod.dilation,
            padding=padding, stride=mod.stride)
        return cols.transpose(1, 2).reshape(-1, cols.shape[1])

    def grams(self, name, shape):
        torch = self.torch
        mod = self.modules[name]
        xp = self._capture([name])[name]
        xd = self.dense_inputs[name]
        d = int(np.prod(shape[1:]))
        H = torch.zeros((d, d), dtype=torch.float64)
        C = torch.zeros_like(H)
        Hd = torch.zeros_like(H)
        chunk = max(1, 4096 // max(1, int(np.prod(xp.shape[2:])) if xp.ndim > 2 else 1))
        for s in range(0, xp.shape[0], chunk):
            rp = self._rows(mod, xp[s : s + chunk]).cpu()
            rd = self._rows(mod, xd[s : s + chunk]).cpu()
            H += rp.T @ rp
            C += rd.T @ rp
            Hd += rd.T @ rd
        from ._hooks import _Grams

        return _Grams(H.numpy(), C.numpy(), Hd.numpy()), None

    def set(self, name, W, mask):
        torch = self.torch
        from torch.nn.utils import prune

        mod = self.modules[name]
        param = getattr(mod, "weight_orig", None)
        if param is None:
            param = mod.weight
        with torch.no_grad():
            param.copy_(torch.as_tensor(W, dtype=param.dtype, device=param.device))
        mask = torch.as_tensor(np.ascontiguousarray(mask), device=param.device)
        prune.custom_from_mask(mod, "weight", mask)

    def result(self):
        return self.model
