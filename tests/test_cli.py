"""The ``prodlife`` command: each command's output and exit status, called through ``main``.

Expected figures are worked by hand: 10 of 31 January days of USD 31.00 are
USD 10.00; half of November of a USD 30 plan credited (15.00) and half of a
USD 100 plan charged (50.00) nets USD 35.00, as in Stripe's proration example
(docs/proration.md).
"""

from __future__ import annotations

import logging
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from prodlife.billing import Invoice, Payment
from prodlife.cli import main
from prodlife.lifecycle import ActorKind, Operation
from prodlife.money import Money
from prodlife.ports import InvoiceQuery, IssuedLine
from prodlife.stores import open_store

EXAMPLES = Path(__file__).parents[1] / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The command's one error line, once it is checked that it exits 2 and prints nothing."""
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1, err
    return err


def demo(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    """The database the demo leaves behind."""
    db = tmp_path / "demo.db"
    run(capsys, "demo", "--db", str(db))
    return db


@pytest.mark.parametrize(
    "command",
    [
        (),
        ("demo",),
        ("prorate",),
        ("quote-change",),
        ("catalog",),
        ("catalog", "check"),
        ("run-due",),
        ("invoices",),
    ],
)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: tuple[str]) -> None:
    status, out, _ = run(capsys, *command, "--help")
    assert status == 0
    assert out.startswith("usage: prodlife")


def test_no_command_is_one_error_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert "required: COMMAND" in refused(capsys)


def test_prorate_prints_the_share_with_its_working(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, *shlex.split("prorate 31.00 USD --period 2025-01-01 2025-02-01 --from 2025-01-22")
    )
    assert status == 0
    assert "10/31 actual days" in out
    assert "net: USD 10.00" in out


def test_prorate_under_thirty_day_months(capsys: pytest.CaptureFixture[str]) -> None:
    # February 15 to March 1 is 16 of 30 units under 30-day months: 30.00 * 16/30 = 16.00.
    status, out, _ = run(
        capsys,
        *shlex.split(
            "prorate 30.00 EUR --period 2025-02-01 2025-03-01"
            " --from 2025-02-15 --day-count 30-day-months"
        ),
    )
    assert status == 0
    assert "net: EUR 16.00" in out


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (
            shlex.split("prorate ten USD --period 2025-01-01 2025-02-01 --from 2025-01-22"),
            "'ten' is not an amount",
        ),
        (
            shlex.split("prorate 10 USD --period 2025-01-01 2025-02-30 --from 2025-01-22"),
            "'2025-02-30' is not a date",
        ),
        (
            shlex.split(
                "prorate 10 USD --period 2025-01-01 2025-02-01 --from 2025-01-22 --day-count banker"
            ),
            "unknown day count 'banker'",
        ),
        (
            shlex.split("prorate 10 XYZ --period 2025-01-01 2025-02-01 --from 2025-01-22"),
            "XYZ",
        ),
        (
            shlex.split("prorate 10 USD --period 2025-01-01 2025-02-01 --from 2025-03-22"),
            "prorate: error:",
        ),
        (["quote-change", "30", "100", "USD", "--period", "2025-11-01", "2025-12-01"], "--on"),
        (["run-due", "--db", "memory:", "--workers", "0"], "workers '0'"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], complaint: str
) -> None:
    assert complaint in refused(capsys, *argv)


def test_quote_change_credits_the_old_plan_and_charges_the_new(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys,
        *shlex.split(
            "quote-change 30.00 100.00 USD --period 2025-11-01 2025-12-01 --on 2025-11-16"
        ),
    )
    assert status == 0
    assert "-15.00" in out
    assert "50.00" in out
    assert "net: USD 35.00" in out
    assert "next due: 2025-12-01" in out


def test_catalog_check_of_a_good_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "catalog", "check", str(EXAMPLES / "catalog.toml"))
    assert status == 0
    assert "no problems" in out


def test_catalog_check_lists_every_problem_with_its_path_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[[products]]\ncode = "WEB"\nname = "Web"\ntype_code = "NOPE"\n\n'
        '[[products]]\ncode = "WEB"\nname = "Web again"\ntype_code = "NOPE"\n',
        encoding="utf-8",
    )
    status, out, _ = run(capsys, "catalog", "check", str(broken))
    assert status == 1
    listed = [line for line in out.splitlines() if line.startswith("  ")]
    assert len(listed) >= 2
    assert all("products[" in line for line in listed)


def test_catalog_check_of_a_missing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "catalog", "check", str(tmp_path / "none.toml"))
    assert status == 1
    assert "file.missing" in out


def test_demo_runs_three_months_and_explains_the_proration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    status, out, _ = run(capsys, "demo", "--db", str(db))
    assert status == 0
    # Upgrade on March 16: 16 of 31 days of Basic (10.00) back, of Pro (40.00) charged.
    assert "16/31 of USD 10.00 = USD -5.16" in out
    assert "16/31 of USD 40.00 = USD 20.65" in out
    # Ordered on March 10, co-termed to April 1: 22 of 31 days.
    assert "22/31 of USD 10.00 = USD 7.10" in out
    assert "O-2-1 suspended" in out and "O-2-1 suspension lifted" in out
    assert "O-2-2 ended: cancelled" in out
    for month in ("2025-04-01", "2025-05-01", "2025-06-01"):
        assert f"{month}  scheduler run" in out
    store = open_store(f"sqlite:///{db}")
    try:
        with store.transaction(readonly=True) as uow:
            assert uow.services.get("O-1-1").edition == "PRO"
            kept = {i: uow.services.get(i) for i in ("O-1-1", "O-2-1", "O-2-2")}
            activations = [
                (entry.actor.kind, entry.reason)
                for i in kept
                for entry in uow.services.history(i)
                if entry.operation is Operation.ACTIVATE
            ]
    finally:
        store.close()
    # Activated on payment, by the system (nobody by hand), and paid through June.
    assert activations == [(ActorKind.SYSTEM, "paid")] * 3
    assert [str(kept[i].status) for i in ("O-1-1", "O-2-1")] == ["active", "active"]
    assert {kept[i].paid_through for i in ("O-1-1", "O-2-1")} == {date(2025, 6, 30)}
    assert str(kept["O-2-2"].status) == "cancelled"


def _books(db: Path) -> tuple[list[Invoice], list[Payment], list[IssuedLine]]:
    store = open_store(f"sqlite:///{db}")
    try:
        with store.transaction(readonly=True) as uow:
            invoices = uow.invoices.find(InvoiceQuery())
            payments = [p for c in ("C-1", "C-2") for p in uow.payments.for_customer(c)]
            issued = [line for c in ("C-1", "C-2") for line in uow.invoice_lines.for_customer(c)]
            credit = [uow.invoices.credit(c, "USD") for c in ("C-1", "C-2")]
    finally:
        store.close()
    assert all(not amount.amount for amount in credit)
    return invoices, payments, issued


def test_demo_invoices_are_all_paid_by_the_gateway_and_no_cent_is_lost(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "demo.db"
    _, out, _ = run(capsys, "demo", "--db", str(db))
    invoices, payments, issued = _books(db)
    # Two orders, one upgrade, three renewal runs for two customers (O-2-2 ends on April 1).
    assert len(invoices) == 2 + 1 + 3 * 2
    assert {str(invoice.status) for invoice in invoices} == {"paid"}
    # Every line issued is on exactly one invoice, and each invoice is listed with its status.
    on_invoices = [line for invoice in invoices for line in invoice.lines]
    assert sorted(map(repr, on_invoices)) == sorted(repr(item.line) for item in issued)
    for invoice in invoices:
        assert f"{invoice.number}  issued {invoice.issued_on}  due {invoice.due_on}  paid" in out
    # One payment per invoice, each settling exactly that invoice; the webhook delivered
    # twice is recorded once.
    assert "ch_0001 delivered again: already recorded" in out
    assert len({p.reference for p in payments}) == len(payments) == len(invoices)
    settled = {a.invoice: a.amount for p in payments for a in p.allocations}
    assert settled == {invoice.number: invoice.total for invoice in invoices}
    received = sum((p.amount for p in payments), Money("0", "USD"))
    # Hand-worked: C-1 12.00 + 18.59 + 3 x 48.00; C-2 17.04 + 3 x 12.00: 227.63, which is the
    # revenue (189.69) and the VAT (37.94) of test_demo_revenue_leaves_tax_out together.
    assert received == Money("227.63", "USD")


def test_demo_revenue_leaves_tax_out(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "demo")
    # Net of tax: C-1 10.00 + 20.65 - 5.16 + 3 x 40.00; C-2 2 x 7.10 + 3 x 10.00.
    assert "tax excluded: USD 189.69" in out
    # VAT is 20 % of each line, rounded per line: 2.00 + 4.13 - 1.03 + 24.00 + 2.84 + 6.00.
    assert "VAT collected for the tax office: USD 37.94" in out


def test_demo_refuses_an_existing_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "taken.db"
    db.write_bytes(b"")
    status, _, err = run(capsys, "demo", "--db", str(db))
    assert status == 2
    assert err.count("\n") == 1 and "exists" in err


def test_run_due_reports_what_it_did_and_logs_a_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = demo(capsys, tmp_path)
    with caplog.at_level(logging.INFO, logger="prodlife"):
        status, out, _ = run(
            capsys,
            "run-due",
            "--db",
            f"sqlite:///{db}",
            "--until",
            "2025-08-01",
            "--workers",
            "2",
        )
    assert status == 0
    # O-1-1 and O-2-1 are billed for July, and then wait for payment.
    assert "2 services handled" in out and "0 failed" in out
    assert any("scheduler run" in record.getMessage() for record in caplog.records)


def test_run_due_on_a_missing_database_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(capsys, "run-due", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert status == 2
    assert "no such database" in err


def test_invoices_prints_each_invoice_with_its_lines_explained_and_its_totals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = demo(capsys, tmp_path)
    status, out, _ = run(capsys, "invoices", "--db", f"sqlite:///{db}", "--customer", "C-1")
    assert status == 0
    # The demo's upgrade on March 16th, BASIC 10.00 -> PRO 40.00 a month, 16 of March's 31
    # days left: 16/31 x 10.00 = 5.161... credited, 16/31 x 40.00 = 20.645... charged.
    upgrade = out.split("\n\n")[1]
    assert "16/31 of USD 10.00 = USD -5.16" in upgrade
    assert "16/31 of USD 40.00 = USD 20.65" in upgrade
    assert "subtotal USD 15.49" in upgrade
    assert all(block.startswith("invoice INV-") for block in out.split("\n\n")[:-1])
    assert "of C-2" not in out


def test_invoices_lists_only_what_is_owed_with_unpaid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = demo(capsys, tmp_path)
    status, out, _ = run(capsys, "invoices", "--db", f"sqlite:///{db}", "--unpaid")
    assert status == 0
    assert out == "0 invoices\n"  # the demo's gateway pays every invoice


def test_invoices_of_an_unknown_number_is_one_error_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = demo(capsys, tmp_path)
    assert "INV-9" in refused(capsys, "invoices", "--db", f"sqlite:///{db}", "--number", "INV-9")


def test_invoices_on_a_missing_database_is_an_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(capsys, "invoices", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert status == 2
    assert "no such database" in err


def test_python_dash_m_prodlife_runs_the_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prodlife", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("prodlife ")
