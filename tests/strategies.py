"""Hypothesis strategies: small ledgers full of the edge cases billing systems produce.

:func:`ledgers` draws 1-6 customers with 0-14 monthly bills (periods 2023-01..2024-12)
and 0-20 payments each, built so that the awkward cases come up often:

* customers with no bills, no payments, or payments before their first bill (and,
  now and then, payments of a customer without any bill: kept as credit, with a
  ``LedgerWarning`` the strategy silences);
* overpayments (one payment covering several bills), payments short or over by one or
  two cents, amounts with cents, fixed monthly bills (so that the amount owed is an
  exact multiple of the average bill);
* zero bills and negative correction bills;
* same-day events: a payment on a due date or on an issue date, several payments on
  one day, bills whose due date is their issue date, bills issued on ``as_of``;
* unknown optional columns: ``estimated``, ``channel`` and ``opened`` either absent or
  partly NA, and customers opened after some of their events.

:func:`as_of_dates` draws cut-off dates (month ends, awkward month ends such as
2024-02-29, and arbitrary days); :func:`ledgers_with_as_of` also picks dates that hit
an event of the ledger (a due date, an issue date, a payment day) exactly.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import pandas as pd
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.ledger import schema

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "as_of_dates",
    "build_ledger",
    "ledger_from_tables",
    "ledger_rows",
    "ledgers",
    "ledgers_with_as_of",
]

FIRST_DAY = dt.date(2022, 11, 1)
"""Earliest date an event (payment, opening) is drawn on."""
LAST_DAY = dt.date(2025, 6, 30)
"""Latest date an event or ``as_of`` is drawn on."""

N_PERIODS = 24
"""Billing periods 2023-01 .. 2024-12."""

CUSTOMER_IDS = ("C1", "C2", "C10", "A07", "c3", "C0009", "B2", "Z")
"""Ids whose string order differs from any natural order."""
INDUSTRIES = ("C31", "C32", "F51", "", None)
REGIONS = ("East", "West", None)
GROUPS = ("G1", "G2", "", None)
CHANNELS = (*schema.CHANNELS, None)

AWKWARD_AS_OF = (
    dt.date(2023, 2, 28),
    dt.date(2023, 3, 31),
    dt.date(2023, 12, 31),
    dt.date(2024, 1, 31),
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 31),
    dt.date(2024, 5, 31),
    dt.date(2024, 8, 31),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 1),
)


def _period(index: int) -> tuple[int, int]:
    """(year, month) of period ``index`` (0 = 2023-01)."""
    return 2023 + index // 12, index % 12 + 1


def _first_of_next_month(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1)


def _clip(day: dt.date) -> dt.date:
    return min(max(day, FIRST_DAY), LAST_DAY)


# Strategies are built once here (building one per draw is what makes generation slow).
# Amounts are drawn in cents: mostly ordinary bills, with the awkward ones mixed in.
_bill_cents = st.one_of(
    st.integers(1, 300_000),  # 0.01 .. 3,000.00 CNY
    st.sampled_from([10_000, 10_000, 12_345, 1, 0]),  # repeated amounts, one cent, zero
    st.integers(-50_000, -1),  # corrections
)
_kwh = st.one_of(
    st.just(0.0),
    st.integers(0, 5_000).map(float),
    st.integers(0, 500_000).map(lambda x: x / 100),
)
_flat = st.one_of(st.none(), st.none(), st.none(), st.integers(1, 300_000))
_periods = st.sets(st.integers(0, N_PERIODS - 1), max_size=14)
_issue_offset = st.integers(-5, 20)  # days from the 1st of the month after the period
_due_offset = st.sampled_from([0, 0, 1, 10, 14, 15, 20, 31, 45])  # 0: due on issue
_estimated = st.sampled_from([False, False, True, None])
_n_payments = st.integers(0, 20)
_pay_when = st.sampled_from(["bill", "bill", "bill", "any", "same_day"])
_pay_lag = st.sampled_from([0, 0, 1, -3, 5, 40])  # on the day, a day late, early, late
_pay_any_day = st.integers(0, (LAST_DAY - FIRST_DAY).days)
_pay_how_much = st.sampled_from(["bill", "bill", "two", "near", "any"])
_whole_bills = st.sampled_from(["bill", "bill", "two"])
_near = st.sampled_from([-2, -1, 1, 2])
_any_cents = st.integers(1, 200_000)
_channel = st.sampled_from(CHANNELS)
_index = st.integers(0, 10_000)


def _pick(draw: Any, items: list[Any]) -> Any:
    """One of ``items`` (non-empty), without building a strategy per call."""
    return items[draw(_index) % len(items)]


@st.composite
def _customer_events(
    draw: Any, cid: str, with_estimated: bool, with_channel: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dt.date]]:
    """Bills and payments of one customer, and the dates they happen on."""
    bills: list[dict[str, Any]] = []
    events: list[dt.date] = []
    flat = draw(_flat)  # a fixed monthly bill: exact multiples of the average bill
    for index in sorted(draw(_periods)):
        year, month = _period(index)
        issue = _first_of_next_month(year, month) + dt.timedelta(days=draw(_issue_offset))
        due = issue + dt.timedelta(days=draw(_due_offset))
        bill = {
            "customer_id": cid,
            "period": f"{year:04d}-{month:02d}",
            "issue_date": issue,
            "due_date": due,
            "kwh": draw(_kwh),
            "cents": flat if flat is not None else draw(_bill_cents),
        }
        if with_estimated:
            bill["estimated"] = draw(_estimated)
        bills.append(bill)
        events += [issue, due]

    positive = [b["cents"] for b in bills if b["cents"] > 0]
    # A regular payer of a fixed bill pays whole bills, so what it owes is an exact
    # multiple of its average bill (the edge of the A-level warning).
    whole_bills = flat is not None and flat > 0 and draw(st.booleans())
    payments: list[dict[str, Any]] = []
    for _ in range(draw(_n_payments)):
        when = draw(_pay_when)
        if when == "same_day" and payments:
            day = _pick(draw, payments)["paid_date"]
        elif when == "bill" and events:
            # On or near an issue or due date: on the due date, on the issue date, a day
            # late, a few days early, or very late.
            day = _clip(_pick(draw, events) + dt.timedelta(days=draw(_pay_lag)))
        else:
            day = FIRST_DAY + dt.timedelta(days=draw(_pay_any_day))
        how_much = draw(_whole_bills if whole_bills else _pay_how_much)
        if how_much == "bill" and positive:
            cents = _pick(draw, positive)
        elif how_much == "two" and len(positive) >= 2:  # overpayment: two bills at once
            cents = _pick(draw, positive) + _pick(draw, positive)
        elif how_much == "near" and positive:  # one or two cents short or over
            cents = max(_pick(draw, positive) + draw(_near), 1)
        else:
            cents = draw(_any_cents)
        payment = {"customer_id": cid, "paid_date": day, "cents": cents}
        if with_channel:
            payment["channel"] = draw(_channel)
        payments.append(payment)
        events.append(day)
    return bills, payments, events


def build_ledger(
    customers: list[dict[str, Any]],
    bills: list[dict[str, Any]],
    payments: list[dict[str, Any]],
) -> ar.Ledger:
    """A :class:`arrearsrisk.Ledger` from plain rows (amounts as ``cents``, dates as
    :class:`datetime.date`), silencing only the ``LedgerWarning`` about payments of
    customers without bills."""

    def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
        out = pd.DataFrame(rows, columns=columns)
        if "cents" in out:
            out["amount"] = out.pop("cents").astype("int64") / 100
        for col in ("opened", "issue_date", "due_date", "paid_date"):
            if col in out:
                out[col] = pd.to_datetime(out[col])
        return out

    def columns(rows: list[dict[str, Any]], required: list[str]) -> list[str]:
        seen = dict.fromkeys(required)
        for row in rows:
            seen.update(dict.fromkeys(row))
        return list(seen)

    return ledger_from_tables(
        customers=frame(customers, columns(customers, ["customer_id", "category"])),
        bills=frame(
            bills,
            columns(bills, ["customer_id", "period", "issue_date", "due_date", "kwh", "cents"]),
        ),
        payments=frame(payments, columns(payments, ["customer_id", "paid_date", "cents"])),
    )


def ledger_from_tables(
    customers: pd.DataFrame, bills: pd.DataFrame, payments: pd.DataFrame
) -> ar.Ledger:
    """``arrearsrisk.Ledger(...)``, silencing only the ``LedgerWarning`` about payments of
    customers without bills (which generated ledgers may have on purpose)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ar.LedgerWarning)
        return ar.Ledger(customers=customers, bills=bills, payments=payments)


_category = st.sampled_from(schema.CATEGORIES)
_opened = st.one_of(
    st.none(),
    st.dates(dt.date(2020, 1, 1), LAST_DAY),
    st.dates(dt.date(2023, 1, 1), dt.date(2025, 1, 31)),  # opened in mid-history
)
_industry = st.sampled_from(INDUSTRIES)
_region = st.sampled_from(REGIONS)
_group = st.sampled_from(GROUPS)


@st.composite
def ledger_rows(
    draw: Any, max_customers: int = 6
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dt.date]]:
    """Plain rows of a ledger (customers, bills, payments) and its event dates.

    Amounts are integer ``cents`` and dates :class:`datetime.date`; optional columns
    (``opened``, ``estimated``, ``channel``, peer keys) are present or absent per ledger.
    """
    ids = draw(
        st.lists(st.sampled_from(CUSTOMER_IDS), min_size=1, max_size=max_customers, unique=True)
    )
    with_opened, with_estimated, with_channel, with_peers = (draw(st.booleans()) for _ in "1234")
    customers, bills, payments, events = [], [], [], []
    for cid in ids:
        row: dict[str, Any] = {"customer_id": cid, "category": draw(_category)}
        if with_opened:
            row["opened"] = draw(_opened)
        if with_peers:
            row["industry"] = draw(_industry)
            row["region"] = draw(_region)
            row["group_id"] = draw(_group)
        customers.append(row)
        b, p, e = draw(_customer_events(cid, with_estimated, with_channel))
        bills += b
        payments += p
        events += e
    return customers, bills, payments, events


@st.composite
def ledgers(draw: Any, max_customers: int = 6) -> ar.Ledger:
    """A small validated :class:`arrearsrisk.Ledger` (see the module docstring)."""
    customers, bills, payments, _ = draw(ledger_rows(max_customers))
    return build_ledger(customers, bills, payments)


def as_of_dates() -> st.SearchStrategy[dt.date]:
    """Cut-off dates around the ledgers' span: month ends, awkward days, any day."""
    month_ends = st.integers(0, 29).map(
        lambda i: (
            _first_of_next_month(2022 + (10 + i) // 12, (10 + i) % 12 + 1) - dt.timedelta(days=1)
        )
    )
    return st.one_of(
        month_ends,
        st.sampled_from(AWKWARD_AS_OF),
        st.dates(dt.date(2022, 12, 1), dt.date(2025, 3, 31)),
    )


@st.composite
def ledgers_with_as_of(draw: Any, max_customers: int = 6) -> tuple[ar.Ledger, dt.date]:
    """A ledger and an ``as_of``, which is often the exact day of one of its events."""
    customers, bills, payments, events = draw(ledger_rows(max_customers))
    as_of = _pick(draw, events) if events and draw(st.booleans()) else draw(as_of_dates())
    return build_ledger(customers, bills, payments), as_of
