"""Shared test configuration: hypothesis profiles.

``HYPOTHESIS_PROFILE=ci`` runs more examples; the default keeps the suite quick.
``HYPOTHESIS_PROFILE=fuzz`` (``nox -s fuzz``) runs the fuzz suites (``tests/test_fuzz_*.py``)
with a budget of thousands of calls per entry point.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=20, deadline=None)
# The long run (``nox -s long``): the billing engine's conservation over 10,000 histories.
settings.register_profile(
    "long",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
