"""Discovery and validation of comparison suites (``benchmarks/suite_*.py``)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Suite", "discover_suites", "load_suite"]

_REQUIRED = ("NAME", "METRIC", "cases", "setup", "methods")


@dataclass(frozen=True)
class Suite:
    """A loaded suite: the module plus its declared metadata.

    Built by :func:`load_suite` from a suite file.

    Attributes
    ----------
    name : str
        ``NAME``: the suite's name on the command line.
    path : str
        Absolute path of the suite file.
    title : str
        ``TITLE`` (default: ``NAME``).
    metric : str
        ``METRIC``: the quality column reported in the tables.
    lower_is_better : bool
        ``LOWER_IS_BETTER`` (default true), for ``metric``.
    peer : str or None
        ``PEER``: the method that time and metric ratios refer to.
    x_param : str or None
        ``X_PARAM``: the case parameter on the x axis of the figures.
    module : module
        The imported suite file (``cases``, ``setup``, ``methods``).
    """

    name: str
    path: str
    title: str
    metric: str
    lower_is_better: bool
    peer: str | None
    x_param: str | None
    module: object

    def cases(self, quick):
        """The suite's grid of cases (list of dicts with a 'seed')."""
        cases = list(self.module.cases(quick))
        for i, c in enumerate(cases):
            if not isinstance(c, dict):
                raise TypeError(f"suite {self.name!r}: case {i} is not a dict")
            c.setdefault("case", f"case{i}")
            c.setdefault("seed", 0)
        return cases


def load_suite(path):
    """Import a suite file by path and check that it follows the contract.

    Parameters
    ----------
    path : str or path-like
        A ``suite_<name>.py`` file (contract in ``benchmarks/README.md``).

    Returns
    -------
    Suite
        The imported module with its metadata.

    Raises
    ------
    ValueError
        If the file lacks one of ``NAME``, ``METRIC``, ``cases``, ``setup``,
        ``methods``.

    Examples
    --------
    A one-case suite with two methods, written to a temporary folder:

    >>> import os, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = ["NAME = 'demo'", "METRIC = 'err'", "PEER = 'b'",
    ...        "def cases(quick): return [{'case': 'n4', 'n': 4}]",
    ...        "def setup(case): return case['n']",
    ...        "def methods(): return {'a': lambda n: {'err': 1 / n},",
    ...        "                       'b': lambda n: {'err': 2 / n}}"]
    >>> _ = (d / "suite_demo.py").write_text(os.linesep.join(src))
    >>> suite = load_suite(d / "suite_demo.py")
    >>> suite.name, suite.metric, suite.peer
    ('demo', 'err', 'b')
    >>> import shutil; shutil.rmtree(d)
    """
    path = Path(path).resolve()
    mod_name = f"_sparserecovery_suite_{path.stem}"
    if mod_name in sys.modules:
        mod = sys.modules[mod_name]
    else:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import suite file {path}")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            del sys.modules[mod_name]
            raise
    missing = [a for a in _REQUIRED if not hasattr(mod, a)]
    if missing:
        raise ValueError(f"suite file {path} lacks {', '.join(missing)}")
    return Suite(
        name=str(mod.NAME),
        path=str(path),
        title=str(getattr(mod, "TITLE", mod.NAME)),
        metric=str(mod.METRIC),
        lower_is_better=bool(getattr(mod, "LOWER_IS_BETTER", True)),
        peer=getattr(mod, "PEER", None),
        x_param=getattr(mod, "X_PARAM", None),
        module=mod,
    )


def discover_suites(suites_dir):
    """All suites in ``suites_dir`` (files named ``suite_*.py``), by name.

    Parameters
    ----------
    suites_dir : str or path-like
        Folder to search; a missing folder gives an empty dict.

    Returns
    -------
    dict of str to Suite
        The suites, keyed by ``NAME``, in file-name order.

    Examples
    --------
    A one-case suite with two methods, written to a temporary folder:

    >>> import os, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> src = ["NAME = 'demo'", "METRIC = 'err'", "PEER = 'b'",
    ...        "def cases(quick): return [{'case': 'n4', 'n': 4}]",
    ...        "def setup(case): return case['n']",
    ...        "def methods(): return {'a': lambda n: {'err': 1 / n},",
    ...        "                       'b': lambda n: {'err': 2 / n}}"]
    >>> _ = (d / "suite_demo.py").write_text(os.linesep.join(src))
    >>> list(discover_suites(d))
    ['demo']
    >>> import shutil; shutil.rmtree(d)
    """
    suites_dir = Path(suites_dir)
    if not suites_dir.is_dir():
        return {}
    found = {}
    for path in sorted(suites_dir.glob("suite_*.py")):
        suite = load_suite(path)
        if suite.name in found:
            raise ValueError(
                f"two suites are named {suite.name!r}: {found[suite.name].path} "
                f"and {suite.path}"
            )
        found[suite.name] = suite
    return found
