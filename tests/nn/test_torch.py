"""sparsify on torch modules: masks through torch.nn.utils.prune survive training."""

import copy
import subprocess
import sys

import numpy as np
import pytest

from sparserecovery.nn import sparsify

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(16, 32), torch.nn.ReLU(), torch.nn.Linear(32, 8),
        torch.nn.ReLU(), torch.nn.Linear(8, 4),
    )


def _cnn():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(8, 8, 3), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(8 * 6 * 6, 4),
    )


def _train_a_few_steps(model, x, steps=4):
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    target = torch.randint(0, 4, (x.shape[0],))
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), target)
        loss.backward()
        opt.step()


def _masked_modules(model):
    return {n: m for n, m in model.named_modules() if hasattr(m, "weight_mask")}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "magnitude", "sparsity": 0.7},
        {"method": "random", "sparsity": 0.5, "random_state": 0},
        {"method": "nm", "n": 2, "m": 4, "layers": ["0", "2", "4"]},
        {"method": "reconstruct", "sparsity": 0.6, "solver": "omp"},
        {"method": "reconstruct", "n": 2, "m": 4, "layers": ["0", "2", "4"]},
    ],
)
def test_mlp_masks_survive_sgd(kwargs):
    model = _mlp()
    x = torch.randn(64, 16)
    dense_params = copy.deepcopy(model.state_dict())
    if kwargs["method"] == "reconstruct":
        kwargs = {**kwargs, "calibration": x}
    pruned, rep = sparsify(model, return_report=True, **kwargs)
    assert pruned is not model
    for k, v in model.state_dict().items():  # the original is untouched
        assert torch.equal(v, dense_params[k])
    masked = _masked_modules(pruned)
    assert set(masked) == set(rep.n_zero)
    zeros_before = {n: (m.weight == 0).clone() for n, m in masked.items()}
    _train_a_few_steps(pruned, x)
    for name, mod in masked.items():
        mask = mod.weight_mask
        assert torch.all(mod.weight[mask == 0] == 0)
        assert torch.all(mod.weight[zeros_before[name]] == 0)
        assert int((mask == 0).sum()) == rep.n_zero[name]
        if kwargs.get("n"):
            w = mask.reshape(mask.shape[0], -1, 4)
            assert torch.all(w.sum(dim=-1) == 2)


def test_reconstruct_beats_magnitude_on_outputs():
    model = _mlp()
    x = torch.randn(256, 16)
    with torch.no_grad():
        dense = model(x)
        mag = sparsify(model, "magnitude", sparsity=0.6)(x)
        rec = sparsify(model, "reconstruct", sparsity=0.6, calibration=x)(x)
    assert torch.linalg.norm(rec - dense) < 0.7 * torch.linalg.norm(mag - dense)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "nm", "n": 2, "m": 4, "layers": ["2", "5"]},
        {"method": "group", "sparsity": 0.5},
        {"method": "reconstruct", "n": 2, "m": 4, "layers": ["2", "5"]},
        {"method": "reconstruct", "sparsity": 0.5},
        {"method": "reconstruct", "pattern": "group", "sparsity": 0.5,
         "layers": ["2"]},
    ],
)
def test_cnn_masks_survive_sgd(kwargs):
    model = _cnn()
    x = torch.randn(32, 1, 8, 8)
    if kwargs["method"] == "reconstruct":
        kwargs = {**kwargs, "calibration": x}
    pruned, rep = sparsify(model, return_report=True, **kwargs)
    with torch.no_grad():
        err = torch.linalg.norm(pruned(x) - model(x)) / torch.linalg.norm(model(x))
    assert torch.isfinite(err)
    _train_a_few_steps(pruned, x)
    for mod in _masked_modules(pruned).values():
        mask = mod.weight_mask
        assert torch.all(mod.weight[mask == 0] == 0)
        if kwargs.get("n"):  # 2:4 along the input channels (conv) / features
            w = mask.transpose(0, 1) if mask.ndim == 4 else mask.T
            assert torch.all(w.reshape(-1, 4, *w.shape[1:]).sum(dim=1) == 2)
        if kwargs.get("pattern") == "group":  # whole input channels removed
            ch = mask.sum(dim=(0, 2, 3))
            assert torch.all((ch == 0) | (ch == mask[:, 0].numel()))
            assert int((ch == 0).sum()) == mask.shape[1] // 2


def test_conv_reconstruction_beats_magnitude():
    model = _cnn()
    x = torch.randn(64, 1, 8, 8)
    with torch.no_grad():
        dense = model(x)
        kw = {"n": 2, "m": 4, "layers": ["2", "5"]}
        mag = sparsify(model, "nm", **kw)(x)
        rec = sparsify(model, "reconstruct", calibration=x, **kw)(x)
    assert torch.linalg.norm(rec - dense) < torch.linalg.norm(mag - dense)


def test_inplace_and_errors():
    model = _mlp()
    out = sparsify(model, "magnitude", sparsity=0.5, inplace=True)
    assert out is model and hasattr(model[0], "weight_mask")
    with pytest.raises(ValueError, match="multiple of m=4"):
        sparsify(_cnn(), "nm", n=2, m=4)  # the first conv has 1 input channel
    with pytest.raises(ValueError, match="calibration"):
        sparsify(_mlp(), "reconstruct")
    with pytest.raises(ValueError, match="not prunable"):
        sparsify(_mlp(), layers=["1"])  # a ReLU


def test_state_dict_of_tensors():
    sd = _mlp().state_dict()
    out = sparsify(sd, "nm", n=1, m=4, layers=["0.weight"])
    assert isinstance(out["0.weight"], torch.Tensor)
    assert int((out["0.weight"] != 0).sum()) == 32 * 16 // 4
    assert int((sd["0.weight"] != 0).sum()) == 32 * 16


def test_import_does_not_import_torch():
    code = "import sys, sparserecovery.nn; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"


def test_numpy_calibration_accepted():
    model = _mlp()
    x = np.random.default_rng(0).standard_normal((50, 16)).astype(np.float32)
    out = sparsify(model, "reconstruct", sparsity=0.5, calibration=x)
    assert isinstance(out, torch.nn.Module)
