"""Hypothesis profiles for the convergence suite and the counters its note reports.

``JZ_CHAOS_PROFILE=ci`` (the default, what ``.ci/run`` runs) is bounded to a couple of minutes on two cores
and derandomized so CI is repeatable; ``nightly`` (``nox -s chaos``) explores far more.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, settings

STATS: Counter[str] = Counter()
"""Runs, faults injected by kind, crashes, edits and invariant checks, printed at the end of the session."""

settings.register_profile(
    "ci",
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "nightly",
    max_examples=1000,
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=8,
    stateful_step_count=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("JZ_CHAOS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _report_chaos_counts() -> object:
    yield
    if STATS:
        line = ", ".join(f"{name}={count}" for name, count in sorted(STATS.items()))
        print(f"\nchaos: {line}")
