"""Every script in examples/ runs and prints what it promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


def run(script: Path, *, check: bool) -> subprocess.CompletedProcess[str]:
    """``script`` run by this Python, its output captured."""
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=check
    )


@pytest.fixture(scope="module")
def demo_out() -> str:
    """What examples/demo.py prints (it runs once for the tests that read it)."""
    return run(next(p for p in EXAMPLES if p.name == "demo.py"), check=True).stdout


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path) -> None:
    result = run(script, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_demo_shows_no_drift_and_no_lost_cent(demo_out: str) -> None:
    out = demo_out
    assert "[2025-02-28, 2025-03-31)" in out
    assert "[2025-03-31, 2025-04-30)" in out
    assert "EUR 33.34, EUR 33.33, EUR 33.33" in out
    assert "and back together: EUR 100.00" in out


def test_demo_keeps_a_month_of_billing_in_sqlite(demo_out: str) -> None:
    out = demo_out
    # 12 seats graduated (10 x 5.00 + 2 x 4.00 = 58.00), setup free, VAT 20 %: 69.60 a service.
    assert "order O-1: 2 services, USD 139.20 invoiced" in out
    assert "invoice INV-2025-000001 of C-1 due 2025-11-16: USD 139.20 (open" in out
    # Paying the invoice activates both services and pays their first month.
    assert "payment ch_1 of C-1: USD 139.20 by card (INV-2025-000001 USD 139.20;" in out
    assert "Dec 16 scheduler run invoiced O-1-1, O-1-2" in out
    assert "O-1-2: active, paid through 2025-12-15, invoiced until 2026-01-16" in out
    # The renewal waits for its payment.
    assert "invoice INV-2025-000002 of C-1 due 2025-12-16: USD 139.20 (open" in out
