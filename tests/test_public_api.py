"""Every public name is importable, documented and lazily loaded."""

import importlib
import subprocess
import sys

import pytest

import sparserecovery

SUBPACKAGES = [m for m in sparserecovery._SUBMODULES if m not in ("base",)]


def test_top_level_all_resolves():
    for name in sparserecovery.__all__:
        assert getattr(sparserecovery, name) is not None
    assert "__version__" in sparserecovery.__all__


@pytest.mark.parametrize("sub", SUBPACKAGES)
def test_subpackage_all_resolves_and_is_documented(sub):
    mod = importlib.import_module(f"sparserecovery.{sub}")
    assert mod.__doc__, f"sparserecovery.{sub} has no module docstring"
    for name in mod.__all__:
        obj = getattr(mod, name)
        assert obj.__doc__, f"sparserecovery.{sub}.{name} has no docstring"


def test_import_is_light():
    code = (
        "import sys, sparserecovery; "
        "heavy = [m for m in ('numba', 'cvxpy', 'scipy', 'sklearn', 'torch', "
        "'matplotlib') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
