"""The slow twin: settlement, labels, the main payment features and the trend features,
as plain loops.

Written from ``docs/contract.md`` (sections 1-2) and the feature docstrings, one customer
at a time, with :class:`datetime.date`, integer cents and exact fractions, so that
the vectorised code in ``src/`` can be checked against something a reader can follow
line by line.  Nothing here is fast and nothing here imports the code it checks
(apart from reading the typed tables of a :class:`arrearsrisk.Ledger`).

Conventions taken from the library's documentation:

* payments settle bills oldest first, bills ordered by due date then period; a bill is
  settled on the day of the payment that brings cumulative payments up to the
  cumulative billed amount through that bill, less one cent; a bill already covered
  without any payment (a leading credit or correction) is settled on its issue date;
* a window of ``w`` months at ``as_of`` holds the dates ``d`` with
  ``as_of - w calendar months < d <= as_of`` (months as ``pandas.DateOffset``: the day
  is clipped to the end of a shorter month);
* the consumption grid holds the 24 billing periods before the month of ``as_of``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

__all__ = [
    "FEATURES",
    "TREND_FEATURES",
    "Bill",
    "Book",
    "Label",
    "Payment",
    "active_customers",
    "add_months",
    "book_of",
    "features",
    "fifo",
    "in_order",
    "labels",
    "settle",
    "settlement_dates",
    "trend_features",
]

TOLERANCE_CENTS = 1
WINDOWS = (3, 6, 12, 24)
SERIOUS_LATE_DAYS = 30
GRID_MONTHS = 24
NAN = math.nan


@dataclass(frozen=True)
class Bill:
    customer_id: str
    period: tuple[int, int]
    """(year, month)."""
    issue: dt.date
    due: dt.date
    kwh: float
    cents: int
    estimated: bool | None


@dataclass(frozen=True)
class Payment:
    customer_id: str
    day: dt.date
    cents: int
    row: int
    """Position in the payments table: the order of payments made on the same day."""


@dataclass(frozen=True)
class Book:
    """A ledger as plain Python: per customer, its opening day, bills and payments."""

    opened: dict[str, dt.date | None]
    bills: dict[str, list[Bill]]
    payments: dict[str, list[Payment]]


def _cents(amount: float) -> int:
    """Exact cents of a CNY amount (amounts carry at most two decimals)."""
    return int((Decimal(repr(float(amount))) * 100).to_integral_value())


def _date(value: object) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]


def book_of(ledger: object) -> Book:
    """Read the typed tables of an ``arrearsrisk.Ledger`` into a :class:`Book`."""
    customers, bills, payments = ledger.customers, ledger.bills, ledger.payments  # type: ignore[attr-defined]
    opened = {
        str(cid): _date(day)
        for cid, day in zip(customers["customer_id"], customers["opened"], strict=True)
    }
    book = Book(opened, {cid: [] for cid in opened}, {cid: [] for cid in opened})
    for row in bills.itertuples(index=False):
        year, month = (int(x) for x in str(row.period).split("-"))
        est = row.estimated
        book.bills[str(row.customer_id)].append(
            Bill(
                customer_id=str(row.customer_id),
                period=(year, month),
                issue=_date(row.issue_date),  # type: ignore[arg-type]
                due=_date(row.due_date),  # type: ignore[arg-type]
                kwh=float(row.kwh),
                cents=_cents(row.amount),
                estimated=None if pd.isna(est) else bool(est),
            )
        )
    for position, row in enumerate(payments.itertuples(index=False)):
        book.payments[str(row.customer_id)].append(
            Payment(str(row.customer_id), _date(row.paid_date), _cents(row.amount), position)  # type: ignore[arg-type]
        )
    return book


# --- calendar --------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the day clipped to the month's end.

    >>> add_months(dt.date(2024, 3, 31), -1), add_months(dt.date(2023, 2, 28), 12)
    (datetime.date(2024, 2, 29), datetime.date(2024, 2, 28))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


# --- settlement ------------------------------------------------------------------------


def fifo(bills: Iterable[Bill]) -> list[Bill]:
    """Bills in the order payments settle them: due date, then period."""
    return sorted(bills, key=lambda b: (b.due, b.period))


def in_order(payments: Iterable[Payment]) -> list[Payment]:
    """Payments by day; same-day payments in table order."""
    return sorted(payments, key=lambda p: (p.day, p.row))


def settle(bills: list[Bill], payments: list[Payment]) -> list[dt.date | None]:
    """Settlement day of each of ``bills`` (already in FIFO order) by ``payments``
    (in order), ``None`` if not settled.

    >>> b = [Bill("c", (2024, 1), dt.date(2024, 2, 1), dt.date(2024, 2, 15), 0.0, 10000, None),
    ...      Bill("c", (2024, 2), dt.date(2024, 3, 1), dt.date(2024, 3, 15), 0.0, 5000, None)]
    >>> p = [Payment("c", dt.date(2024, 2, 5), 6000, 0), Payment("c", dt.date(2024, 2, 9), 9000, 1)]
    >>> settle(b, p)
    [datetime.date(2024, 2, 9), datetime.date(2024, 2, 9)]
    """
    out: list[dt.date | None] = []
    billed = 0
    for bill in bills:
        billed += bill.cents
        need = billed - TOLERANCE_CENTS
        if need <= 0:  # covered by earlier credit: settled the day it is issued
            out.append(bill.issue)
            continue
        paid, when = 0, None
        for payment in payments:
            paid += payment.cents
            if paid >= need:
                when = payment.day
                break
        out.append(when)
    return out


def settlement_dates(
    book: Book, bills_until: dt.date, payments_until: dt.date
) -> dict[str, list[tuple[Bill, dt.date | None]]]:
    """Per customer, its bills issued by ``bills_until`` in FIFO order with their
    settlement day by the payments made by ``payments_until``."""
    out = {}
    for cid in book.bills:
        bills = fifo(b for b in book.bills[cid] if b.issue <= bills_until)
        pays = in_order(p for p in book.payments[cid] if p.day <= payments_until)
        out[cid] = list(zip(bills, settle(bills, pays), strict=True))
    return out


# --- labels (docs/contract.md, section 2) ----------------------------------------------------


@dataclass(frozen=True)
class Label:
    grade: str
    a_warning: bool
    owed_cents: int
    """Amount still owed at E on bills due up to ``as_of + H months``."""
    exposure_cents: Fraction | None
    """Average monthly bill in cents (``None`` without bills in the last 12 months)."""


def labels(
    book: Book,
    as_of: dt.date,
    horizon_months: int = 3,
    grace_days: int = 30,
    warning_multiple: float = 2.0,
) -> dict[str, Label]:
    """Grade and A-level warning of each customer with a target bill."""
    horizon_end = add_months(as_of, horizon_months)
    end = horizon_end + dt.timedelta(days=grace_days)
    year_ago = add_months(as_of, -12)
    settled = settlement_dates(book, end, end)
    out = {}
    for cid, rows in settled.items():
        targets = [(b, s) for b, s in rows if b.cents > 0 and as_of < b.due <= horizon_end]
        if not targets:
            continue
        late = [None if s is None else (s - b.due).days for b, s in targets]
        if any(d is None or d > grace_days for d in late):
            grade = "I"
        elif any(d >= 1 for d in late):  # type: ignore[operator]
            grade = "II"
        else:
            grade = "III"
        owed = sum(b.cents for b in book.bills[cid] if b.due <= horizon_end) - sum(
            p.cents for p in book.payments[cid] if p.day <= end
        )
        recent = [b.cents for b in book.bills[cid] if year_ago < b.issue <= as_of]
        exposure = Fraction(sum(recent), len(recent)) if recent else None
        warning = (
            exposure is not None and exposure > 0 and owed >= Fraction(warning_multiple) * exposure
        )
        out[cid] = Label(grade, warning, owed, exposure)
    return out


# --- features --------------------------------------------------------------------------


def active_customers(book: Book, as_of: dt.date) -> list[str]:
    """Customers opened by ``as_of`` or, opening unknown, with a bill or payment by then."""
    out = []
    for cid, opened in book.opened.items():
        if opened is not None:
            if opened <= as_of:
                out.append(cid)
        elif any(b.issue <= as_of for b in book.bills[cid]) or any(
            p.day <= as_of for p in book.payments[cid]
        ):
            out.append(cid)
    return sorted(out)


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else NAN


def _share(hits: int, total: int) -> float:
    return hits / total if total else NAN


def features(book: Book, as_of: dt.date) -> dict[str, dict[str, float]]:
    """The main windowed payment, bill, consumption and quality features of every
    active customer at ``as_of``, from bills issued and payments made by then."""
    start = {w: add_months(as_of, -w) for w in WINDOWS}
    this_month = _month_index(as_of.year, as_of.month)
    out = {}
    for cid in active_customers(book, as_of):
        bills = fifo(b for b in book.bills[cid] if b.issue <= as_of)
        pays = in_order(p for p in book.payments[cid] if p.day <= as_of)
        settled = settle(bills, pays)

        # Days late: settled bills by their settlement day, open bills past due by
        # today; open bills not yet due have none.  "Due" bills: positive, with days late.
        late: list[int | None] = []
        for bill, day in zip(bills, settled, strict=True):
            if day is not None:
                late.append((day - bill.due).days)
            elif bill.due < as_of:
                late.append((as_of - bill.due).days)
            else:
                late.append(None)
        due = [(b, d) for b, d in zip(bills, late, strict=True) if b.cents > 0 and d is not None]

        f: dict[str, float] = {}
        for w in WINDOWS:
            inw = [d for b, d in due if start[w] < b.due <= as_of]
            f[f"bills_due_count_{w}m"] = len(inw)
            f[f"late_bills_count_{w}m"] = sum(d > 0 for d in inw)
            f[f"serious_late_bills_count_{w}m"] = sum(d > SERIOUS_LATE_DAYS for d in inw)
        in12 = [max(d, 0) for b, d in due if start[12] < b.due <= as_of]
        f["days_late_mean_12m"] = _mean(in12)
        f["days_late_max_12m"] = max(in12) if in12 else NAN

        billed = sum(b.cents for b in bills)
        paid = sum(p.cents for p in pays)
        billed_overdue = sum(b.cents for b in bills if b.due < as_of)
        f["open_balance"] = (billed - paid) / 100
        f["arrears_amount"] = max(billed_overdue - paid, 0) / 100
        f["overdue_bills_open"] = sum(
            1
            for b, s in zip(bills, settled, strict=True)
            if s is None and b.due < as_of and b.cents > 0
        )

        flags = [d > 0 for _, d in due]
        if flags:
            f["late_streak"] = _trailing(flags, True)
            f["on_time_streak"] = _trailing(flags, False)
        else:
            f["late_streak"] = f["on_time_streak"] = NAN
        late_dues = [b.due for b, d in due if d > 0]
        f["days_since_last_late"] = (as_of - max(late_dues)).days if late_dues else NAN
        f["days_since_last_payment"] = (as_of - max(p.day for p in pays)).days if pays else NAN

        # Payments in the last 12 months, and those after which the customer still owed
        # more than a cent on bills due by that day (all payments of a day together).
        n_pay = n_partial = 0
        for p in pays:
            if start[12] < p.day <= as_of:
                n_pay += 1
                owed_due = sum(b.cents for b in bills if b.due <= p.day) - sum(
                    q.cents for q in pays if q.day <= p.day
                )
                n_partial += owed_due > TOLERANCE_CENTS
        f["payments_count_12m"] = n_pay
        f["partial_payments_share_12m"] = _share(n_partial, n_pay)

        recent = [b for b in bills if start[12] < b.issue <= as_of]
        f["bill_amount_mean_12m"] = (  # a net refund exposes nothing: at least 0
            max(0.0, float(Fraction(sum(b.cents for b in recent), len(recent)) / 100))
            if recent
            else NAN
        )
        known_est = [b.estimated for b in recent if b.estimated is not None]
        f["estimated_share_12m"] = _share(sum(known_est), len(known_est))

        def kwh_in_last(months: int, bills: list[Bill] = bills) -> list[float]:
            return [
                b.kwh for b in bills if this_month - months <= _month_index(*b.period) < this_month
            ]

        kwh3, kwh12 = kwh_in_last(3), kwh_in_last(12)
        f["kwh_mean_3m"] = _mean(kwh3)
        f["kwh_mean_12m"] = _mean(kwh12)
        f["kwh_zero_months_12m"] = sum(k == 0 for k in kwh12) if kwh12 else NAN
        out[cid] = f
    return out


def _trailing(flags: list[bool], value: bool) -> int:
    """How many of the last ``flags`` equal ``value``."""
    run = 0
    for flag in reversed(flags):
        if flag != value:
            break
        run += 1
    return run


FEATURES: tuple[str, ...] = (
    *(
        f"{stem}_{w}m"
        for w in WINDOWS
        for stem in ("bills_due_count", "late_bills_count", "serious_late_bills_count")
    ),
    "days_late_mean_12m",
    "days_late_max_12m",
    "arrears_amount",
    "open_balance",
    "overdue_bills_open",
    "late_streak",
    "on_time_streak",
    "days_since_last_late",
    "days_since_last_payment",
    "payments_count_12m",
    "partial_payments_share_12m",
    "bill_amount_mean_12m",
    "kwh_mean_3m",
    "kwh_mean_12m",
    "kwh_zero_months_12m",
    "estimated_share_12m",
)
"""The features the slow twin computes."""


# --- trend features (arrearsrisk.features.trends) ---------------------------------------

DROP_RATIO = Fraction(7, 10)
"""A consumption drop: three periods below 70% of the same three periods a year earlier."""


def _days_late(
    bills: list[Bill], settled: list[dt.date | None], as_of: dt.date
) -> list[int | None]:
    """Days late of each bill at ``as_of``: settled by its settlement day, open and past
    due by today, open and not yet due: ``None``."""
    out: list[int | None] = []
    for bill, day in zip(bills, settled, strict=True):
        if day is not None:
            out.append((day - bill.due).days)
        elif bill.due < as_of:
            out.append((as_of - bill.due).days)
        else:
            out.append(None)
    return out


def _ratio(num: float, den: float) -> float:
    return num / den if not math.isnan(num) and not math.isnan(den) and den > 0 else NAN


def trend_features(book: Book, as_of: dt.date) -> dict[str, dict[str, float]]:
    """The trend features of every active customer at ``as_of``, from bills issued and
    payments made by then (``arrearsrisk.features.trends``'s docstring, as plain loops)."""
    start = {w: add_months(as_of, -w) for w in WINDOWS}
    this_month = _month_index(as_of.year, as_of.month)
    out = {}
    for cid in active_customers(book, as_of):
        bills = fifo(b for b in book.bills[cid] if b.issue <= as_of)
        pays = in_order(p for p in book.payments[cid] if p.day <= as_of)
        late = _days_late(bills, settle(bills, pays), as_of)
        due: list[tuple[Bill, int]] = [
            (b, d) for b, d in zip(bills, late, strict=True) if b.cents > 0 and d is not None
        ]

        def late_between(recent: int, older: int, due: list[tuple[Bill, int]] = due) -> list[float]:
            end = start[recent] if recent else as_of
            return [float(d) for b, d in due if start[older] < b.due <= end]

        def clipped(days: list[float]) -> list[float]:
            return [max(d, 0.0) for d in days]

        f: dict[str, float] = {}
        f["days_late_mean_3m"] = _mean(clipped(late_between(0, 3)))
        f["days_late_change_6m"] = _mean(clipped(late_between(0, 6))) - _mean(
            clipped(late_between(6, 12))
        )
        f["payment_timing_drift_3m"] = _mean(late_between(0, 3)) - _mean(late_between(3, 12))

        # kWh of the period `back` months before as_of's month (1: the latest period).
        grid = {
            this_month - _month_index(*b.period): b.kwh
            for b in bills
            if 1 <= this_month - _month_index(*b.period) <= GRID_MONTHS
        }

        def kwh(*back: int, grid: dict[int, float] = grid) -> list[float]:
            return [grid[m] for m in back if m in grid]

        f["kwh_yoy_ratio_1m"] = _ratio(grid[1], grid[13]) if 1 in grid and 13 in grid else NAN
        f["kwh_yoy_ratio_6m"] = _ratio(_mean(kwh(*range(1, 7))), _mean(kwh(*range(13, 19))))
        f["months_since_kwh_drop"] = NAN
        for ago in range(10):  # the latest drop first
            now, year_ago = kwh(ago + 1, ago + 2, ago + 3), kwh(ago + 13, ago + 14, ago + 15)
            full = len(now) == 3 and len(year_ago) == 3 and sum(year_ago) > 0
            if full and Fraction(sum(now)) < DROP_RATIO * Fraction(sum(year_ago)):
                f["months_since_kwh_drop"] = ago
                break
        # Last year's three periods to come (12, 11, 10 back) against its three before.
        f["kwh_season_ahead_ratio_3m"] = _ratio(_mean(kwh(10, 11, 12)), _mean(kwh(13, 14, 15)))

        flags = [b.estimated for b in bills if start[24] < b.issue <= as_of]
        known = [e for e in flags if e is not None]
        f["estimated_share_24m"] = _share(sum(known), len(known))
        est_due = [d for b, d in due if b.estimated and start[24] < b.due <= as_of]
        f["estimated_late_share_24m"] = _share(sum(d > 0 for d in est_due), len(est_due))
        out[cid] = f
    return out


TREND_FEATURES: tuple[str, ...] = (
    "days_late_mean_3m",
    "days_late_change_6m",
    "payment_timing_drift_3m",
    "kwh_yoy_ratio_1m",
    "kwh_yoy_ratio_6m",
    "months_since_kwh_drop",
    "kwh_season_ahead_ratio_3m",
    "estimated_share_24m",
    "estimated_late_share_24m",
)
"""The trend features the slow twin computes (all of ``arrearsrisk.features.trends``)."""
