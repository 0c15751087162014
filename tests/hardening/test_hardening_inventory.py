"""Inventory: every public name of the library has hardening coverage.

Public names are ``sparserecovery.__all__`` plus the ``__all__`` of every
subpackage -- those listed in ``sparserecovery._SUBMODULES`` and any other
package directory found next to them (so a new subpackage such as ``nn`` is
picked up before anyone remembers to list it). A name without an entry in
registry.py (or a covering spec / parameter row) fails this test.
"""

import importlib
import os

import pytest
import registry
import test_hardening_params
from _specs import SPECS

import sparserecovery

HERE = os.path.dirname(__file__)


def _subpackages():
    root = os.path.dirname(sparserecovery.__file__)
    found = set(sparserecovery._SUBMODULES)
    for entry in os.listdir(root):
        path = os.path.join(root, entry)
        if (
            os.path.isdir(path)
            and not entry.startswith(("_", "."))
            and any(f.endswith(".py") for f in os.listdir(path))
        ):
            found.add(entry)
    return sorted(found)


def public_names():
    """``{"sub.name"}`` for every public object of every subpackage."""
    names = set()
    for sub in _subpackages():
        mod = importlib.import_module(f"sparserecovery.{sub}")
        assert hasattr(mod, "__all__"), f"sparserecovery.{sub} defines no __all__"
        names.update(f"{sub}.{n}" for n in mod.__all__)
    return names


def covered_names():
    covered = {}
    for s in SPECS:
        for n in s.covers:
            covered.setdefault(n, []).append(f"test_hardening_arrays[{s.id}]")
    for r in test_hardening_params.PARAMS:
        for n in r.covers:
            covered.setdefault(n, []).append("test_hardening_params")
    for n, tests in registry.TESTS.items():
        covered.setdefault(n, []).extend(tests)
    return covered


def test_every_public_name_is_hardened():
    public = public_names()
    covered = covered_names()
    missing = sorted(public - set(covered) - set(registry.EXEMPT))
    assert not missing, (
        "public names without hardening tests (add a Spec in _specs.py, a row in "
        f"test_hardening_params.PARAMS, or an entry in registry.py): {missing}"
    )


def test_top_level_names_resolve_to_hardened_objects():
    public = public_names()
    for name in sparserecovery.__all__:
        if name == "__version__" or name in sparserecovery._SUBMODULES:
            continue
        sub = sparserecovery._ESTIMATORS[name]
        assert f"{sub}.{name}" in public, name


def test_registry_has_no_stale_entries():
    public = public_names()
    stale = sorted((set(covered_names()) | set(registry.EXEMPT)) - public)
    assert not stale, f"registry names that are not public (any more): {stale}"
    for reason in registry.EXEMPT.values():
        assert len(reason) > 10


@pytest.mark.parametrize(
    "ref", sorted({t for tests in registry.TESTS.values() for t in tests})
)
def test_registry_tests_exist(ref):
    module, func = ref.split("::")
    assert os.path.exists(os.path.join(HERE, module + ".py")), ref
    mod = importlib.import_module(module)
    assert callable(getattr(mod, func, None)), f"{ref} does not exist"


def test_inventory_counts():
    """The counts quoted in docs/hardening.rst (printed with -s)."""
    public = public_names()
    exempt = set(registry.EXEMPT) & public
    print(f"\npublic names: {len(public)}, hardened: {len(public) - len(exempt)}, "
          f"exempt: {len(exempt)}, array specs: {len(SPECS)}, "
          f"parameter rows: {len(test_hardening_params.PARAMS)}")
    assert len(public) > 100
