"""``prodlife prorate`` and ``prodlife quote-change``: explained quotes from the command line."""

from __future__ import annotations

import argparse
from typing import Any

from prodlife.cli._args import amount, cycle, day, day_count
from prodlife.daycount import ACTUAL_DAYS
from prodlife.money import Money
from prodlife.periods import Period
from prodlife.proration import (
    ChangePolicy,
    Charge,
    Line,
    LineKind,
    Quote,
    prorate,
    quote_change,
)

__all__ = ["register"]

_DAY_COUNT_HELP = (
    "how days are counted: actual-days (default), 30-day-months or fixed-N-days "
    "(e.g. fixed-30-days)"
)


def register(commands: Any) -> None:
    """Add the ``prorate`` and ``quote-change`` commands to ``commands``."""
    share = commands.add_parser(
        "prorate",
        help="the share of a period's price for part of the period",
        description=(
            "Price part of a billing period: PRICE pays for the whole --period; print the "
            "share for the days from --from to --until (the end of the period by default), "
            "with its working."
        ),
        epilog="example: prodlife prorate 29.99 EUR --period 2025-03-01 2025-04-01 "
        "--from 2025-03-10",
    )
    share.add_argument("price", type=amount, help="the price of the whole period, e.g. 29.99")
    share.add_argument("currency", help="its ISO 4217 currency code, e.g. EUR")
    _period(share)
    share.add_argument(
        "--from",
        dest="start",
        type=day,
        required=True,
        metavar="DATE",
        help="the first day used (YYYY-MM-DD)",
    )
    share.add_argument(
        "--until",
        type=day,
        metavar="DATE",
        help="the day after the last day used (default: the end of the period)",
    )
    share.add_argument("--day-count", type=day_count, default=ACTUAL_DAYS, help=_DAY_COUNT_HELP)
    share.set_defaults(run=_prorate)

    change = commands.add_parser(
        "quote-change",
        help="what a change of plan in the middle of a paid period credits and charges",
        description=(
            "Quote a change from the plan at OLD_PRICE (paid for --period) to the plan at "
            "NEW_PRICE on --on: the unused part of the old plan credited, the rest of the "
            "period charged at the new price, each line with its working."
        ),
        epilog="example: prodlife quote-change 30.00 100.00 USD --period 2025-11-01 "
        "2025-12-01 --on 2025-11-16",
    )
    change.add_argument("old_price", type=amount, help="what was paid for the period")
    change.add_argument("new_price", type=amount, help="the new plan's price for one period")
    change.add_argument("currency", help="their ISO 4217 currency code, e.g. USD")
    _period(change)
    change.add_argument(
        "--on", type=day, required=True, metavar="DATE", help="the day of the change (YYYY-MM-DD)"
    )
    change.add_argument(
        "--new-cycle",
        type=cycle,
        metavar="CYCLE",
        help="the new plan's cycle when it changes, e.g. annual",
    )
    change.add_argument("--day-count", type=day_count, default=ACTUAL_DAYS, help=_DAY_COUNT_HELP)
    change.set_defaults(run=_quote_change)


def _period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        type=day,
        nargs=2,
        required=True,
        metavar=("START", "END"),
        help="the billing period the price pays for, END excluded",
    )


def _prorate(arguments: argparse.Namespace) -> int:
    price = Money(arguments.price, arguments.currency)
    period = Period(*arguments.period)
    portion = Period(arguments.start, period.end if arguments.until is None else arguments.until)
    share = prorate(price, period, portion, arguments.day_count)
    print(Quote("proration", price.currency, [Line(LineKind.CHARGE, "part used", share)]))
    return 0


def _quote_change(arguments: argparse.Namespace) -> int:
    paid = Charge(Money(arguments.old_price, arguments.currency), Period(*arguments.period))
    policy = ChangePolicy(day_count=arguments.day_count)
    new_price = Money(arguments.new_price, arguments.currency)
    print(quote_change(paid, new_price, arguments.on, new_cycle=arguments.new_cycle, policy=policy))
    return 0
