"""Hypothesis profiles and shared fixtures for the hardening suite.

``ci`` (the default) keeps the whole directory to about a minute on two
cores; ``thorough`` is selected with ``HYPOTHESIS_PROFILE=thorough`` (the
``make test-thorough`` target) and runs many more examples per property.
No example database is written into the checkout.
"""


import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
    print_blob=True,
)

# Deadlines catch runaway calls (a hang shows up as a deadline error on the
# example that triggered it); every entry point is warmed up (JIT compiled)
# before hypothesis times it.
settings.register_profile(
    "ci", max_examples=8, deadline=10_000, derandomize=True, **_COMMON
)
settings.register_profile("thorough", max_examples=150, deadline=60_000, **_COMMON)

# The tests apply the selected profile per test (``@hardening_settings`` in
# _hardening.py) instead of loading it globally, so property tests elsewhere
# in the suite keep their own settings.


def pytest_terminal_summary(terminalreporter):
    import sys

    mod = sys.modules.get("_hardening")
    if mod is not None and mod.EXAMPLES[0]:
        terminalreporter.write_line(
            f"hardening: {mod.EXAMPLES[0]} hypothesis examples run "
            f"(profile {os.environ.get('HYPOTHESIS_PROFILE', 'ci')})"
        )
