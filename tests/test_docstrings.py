"""Every public name has a numpydoc docstring that matches its signature.

The public names are those in ``sparserecovery.__all__`` and in the
``__all__`` of every subpackage: the ones listed in
``sparserecovery._SUBMODULES`` and any other subpackage directory with an
``__init__.py`` (so a new subpackage such as ``nn`` is checked as soon as it
exists). Constants are left out (they have no docstring of their own).

Checked with :func:`numpydoc.validate.validate`, error codes:

======  ================================================================
GL08    the object has a docstring
SS01    it has a one-line summary
PR01    every parameter of the signature is documented
PR02    no documented parameter is missing from the signature
PR03    parameters are documented in signature order
PR07    every documented parameter has a description
RT01    a function that returns something has a Returns section
EX01    there is an Examples section (it must also hold a ``>>>`` line;
        the examples themselves run as doctests in ``make test``)
======  ================================================================

Every other numpydoc code is a style rule, not a contract with the
signature, and is not enforced: See Also (SA01-SA04) and extended
summaries (ES01) are optional; capitalisation, punctuation and verb mood of
summaries and descriptions (SS02-SS06, PR08-PR10, RT04-RT05, GL01-GL03)
are left to ruff's pydocstyle rules; parameter types (PR04-PR06) and
return descriptions (RT02-RT03) are encouraged but a description such as
"see :func:`sparse_wht`" is acceptable; GL09/GL10 (deprecation notes) and
YD01 (generators) do not apply.

Special cases:

* result containers (dataclasses such as ``OTResult`` documented by an
  ``Attributes`` section and no ``Parameters`` section) are built by the
  solvers, not by users: their fields are checked against ``Attributes``
  instead of ``Parameters``, and they need no Examples section of their own
  (the functions that return them show them);
* scikit-learn estimators: the public methods defined in this package
  (``fit``, ``predict``, ``transform``, ...) are also checked for
  PR01/PR02/PR03/PR07/RT01 (their examples are in the class docstring);
* ``SKIP`` lists names that are re-exports of third-party objects, whose
  docstrings are not ours;
* ``EXPECTED_FAILURES`` lists names known to fail, each with its reason; they
  are marked ``xfail(strict=True)`` so that fixing one makes the test ask for
  the entry to be removed. A subpackage listed in ``IN_PROGRESS`` is
  ``xfail(strict=False)`` as a whole while it is being written.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import sparserecovery

validate = pytest.importorskip("numpydoc.validate").validate

CODES = {"GL08", "SS01", "PR01", "PR02", "PR03", "PR07", "RT01", "EX01"}
METHOD_CODES = {"GL08", "PR01", "PR02", "PR03", "PR07", "RT01"}
PARAMETER_CODES = {"PR01", "PR02", "PR03"}

SKIP = {
    "sparserecovery.utils.njit": "functools.partial of numba.njit (numba's docs)",
    "sparserecovery.utils.prange": "re-export of numba.prange (numba's docs)",
    "sparserecovery.base.ConvergenceWarning": (
        "re-export of sklearn.exceptions.ConvergenceWarning (scikit-learn's docs)"
    ),
}

EXPECTED_FAILURES: dict[str, str] = {}

# Subpackages being written while this test was added: their failures are
# reported but do not fail the suite yet.
IN_PROGRESS: dict[str, str] = {}


IMPORT_ERRORS: dict[str, str] = {}


def _subpackages():
    names = set(sparserecovery._SUBMODULES)
    for info in pkgutil.iter_modules(sparserecovery.__path__):
        if info.ispkg:
            names.add(info.name)
    return sorted(names)


def _public_objects():
    """``{qualified name: object}`` for every public class and function.

    An object re-exported at the top level is checked once, under the name of
    its subpackage.
    """
    out, seen = {}, set()
    for sub in _subpackages():
        try:
            mod = importlib.import_module(f"sparserecovery.{sub}")
        except ImportError as exc:
            if sub not in IN_PROGRESS:
                raise
            IMPORT_ERRORS[f"sparserecovery.{sub}"] = repr(exc)
            continue
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.ismodule(obj) or not callable(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            out[f"sparserecovery.{sub}.{name}"] = obj
    for name in sparserecovery.__all__:
        if name == "__version__" or name in sparserecovery._SUBMODULES:
            continue
        obj = getattr(sparserecovery, name)
        if not inspect.ismodule(obj) and callable(obj) and id(obj) not in seen:
            seen.add(id(obj))
            out[f"sparserecovery.{name}"] = obj
    return out


def _marks(qualname):
    if qualname in EXPECTED_FAILURES:
        return [pytest.mark.xfail(reason=EXPECTED_FAILURES[qualname], strict=True)]
    sub = qualname.split(".")[1]
    if sub in IN_PROGRESS:
        return [pytest.mark.xfail(reason=IN_PROGRESS[sub], strict=False)]
    return []


PUBLIC = _public_objects()
PARAMS = [
    pytest.param(q, marks=_marks(q), id=q)
    for q in sorted(PUBLIC)
    if q not in SKIP
]


def _is_result_container(obj):
    """A dataclass documented by ``Attributes`` only (no ``Parameters``)."""
    if not (inspect.isclass(obj) and dataclasses.is_dataclass(obj)):
        return False
    from numpydoc.docscrape import NumpyDocString

    return not NumpyDocString(inspect.getdoc(obj) or "")["Parameters"]


def _is_estimator(obj):
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # pragma: no cover - sklearn is a dependency
        return False
    return inspect.isclass(obj) and issubclass(obj, BaseEstimator)


def _errors(qualname, codes):
    report = validate(qualname)
    return [f"{c}: {m}" for c, m in report["errors"] if c in codes], report


def _section_names(report, section):
    """Names documented in a numpydoc section (``Attributes``, ...)."""
    from numpydoc.docscrape import NumpyDocString

    doc = NumpyDocString(report["docstring"])
    names = set()
    for item in doc[section]:
        for n in item.name.split(","):
            names.add(n.strip().lstrip("*"))
    return names


@pytest.mark.parametrize("qualname", PARAMS)
def test_numpydoc(qualname):
    obj = PUBLIC[qualname]
    codes = set(CODES)
    container = _is_result_container(obj)
    if container:
        codes -= PARAMETER_CODES | {"EX01"}
    problems, report = _errors(qualname, codes)
    if "EX01" in codes and ">>>" not in report["docstring"]:
        if not any(p.startswith("EX01") for p in problems):
            problems.append("EX01: the Examples section has no '>>>' line")
    if container:
        fields = {f.name for f in dataclasses.fields(obj)}
        documented = _section_names(report, "Attributes")
        missing = sorted(fields - documented)
        extra = sorted(n for n in documented - fields if not hasattr(obj, n))
        if missing:
            problems.append(f"fields not in the Attributes section: {missing}")
        if extra:
            problems.append(f"Attributes that are neither fields nor members: {extra}")
    if _is_estimator(obj):
        for name, member in vars(obj).items():
            if name.startswith("_") or not inspect.isfunction(member):
                continue
            errs, _ = _errors(f"{qualname}.{name}", METHOD_CODES)
            problems += [f"{name}: {e}" for e in errs]
    assert not problems, f"{qualname}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    "module",
    [pytest.param(m, marks=_marks(m + ".")) for m in sorted(IMPORT_ERRORS)],
)
def test_in_progress_imports(module):
    pytest.fail(f"{module} does not import: {IMPORT_ERRORS[module]}")


def test_public_names_found():
    # The walk above must see every subpackage and the top-level estimators.
    assert len(PUBLIC) > 100
    for name in ("KroneckerSBL", "sparse_wht", "sinkhorn_newton_sparse", "CoLiDE"):
        assert any(q.endswith(f".{name}") for q in PUBLIC), name
    for sub in sparserecovery._SUBMODULES:
        mod = importlib.import_module(f"sparserecovery.{sub}")
        assert hasattr(mod, "__all__"), f"sparserecovery.{sub} has no __all__"
