"""The comparison runner behind ``sparserecovery compare``.

Suites are plain Python files (``benchmarks/suite_<name>.py``, contract in
``benchmarks/README.md``); the runner executes their grid of cases and
methods in-process, on a local Dask cluster or on an existing scheduler, and
writes a CSV, a markdown report and figures.
"""

from ._report import machine_description, markdown_table, summarize, write_outputs
from ._runner import run_grid, run_task
from ._suites import Suite, discover_suites, load_suite

__all__ = [
    "Suite",
    "discover_suites",
    "load_suite",
    "machine_description",
    "markdown_table",
    "run_grid",
    "run_task",
    "summarize",
    "write_outputs",
]
