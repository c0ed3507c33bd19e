"""The ledger as of a date: the one place where time is cut.

:func:`take_snapshot` keeps bills issued on or before ``as_of`` and payments made on
or before it, settles them (FIFO) and derives the per-bill facts every feature
builder shares.  Builders only ever see a :class:`Snapshot`, so nothing dated after
``as_of`` can reach a feature.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from arrearsrisk.errors import LedgerError, LedgerWarning
from arrearsrisk.ledger.settlement import UNSETTLED, segment_starts, settle_bills
from arrearsrisk.ledger.tables import NO_DAY, Ledger, LedgerArrays, MoneyInCents, cents
from arrearsrisk.timeline import AsOf, add_months, day_number, month_number, parse_as_of
from arrearsrisk.vocabulary import WINDOWS

__all__ = [
    "Snapshot",
    "average_monthly_bill",
    "last_per_customer",
    "take_snapshot",
    "warn_outside_data",
    "window_starts",
]


GRID_MONTHS = 24
"""Months of the customer-by-month consumption grid."""


@dataclass(frozen=True)
class Snapshot(MoneyInCents):
    """Everything known at ``as_of``, as arrays over customers coded ``0..n-1``.

    Bill arrays (``b_*``) hold only bills issued on or before ``as_of``, payment
    arrays (``p_*``) only payments made on or before it, in the order of
    :class:`~arrearsrisk.ledger.tables.LedgerArrays`.
    """

    ledger: Ledger
    as_of: pd.Timestamp
    day: int
    """``as_of`` as a day number."""
    month: int
    """Month number of ``as_of``; the grid covers the ``GRID_MONTHS`` months before it."""
    window_start: dict[int, int]
    """First day *after* which a date falls in the last ``w`` months: ``as_of - w months``."""
    customer_ids: np.ndarray
    b_cust: np.ndarray
    b_period: np.ndarray
    b_issue: np.ndarray
    b_due: np.ndarray
    b_kwh: np.ndarray
    b_amount: np.ndarray
    b_estimated: np.ndarray
    b_settled: np.ndarray
    """Day the bill was settled, ``UNSETTLED`` if it is still open at ``as_of``."""
    p_cust: np.ndarray
    p_date: np.ndarray
    p_amount: np.ndarray
    p_channel: np.ndarray
    c_opened: np.ndarray
    c_row: np.ndarray

    @property
    def n(self) -> int:
        """Number of customers (all of the ledger, active or not)."""
        return len(self.customer_ids)

    @cached_property
    def b_days_late(self) -> np.ndarray:
        """Days late of each bill as of ``as_of`` (float32: whole days, exact).

        Settled bills: settlement day minus due day (zero or less is on time).  Open
        bills past due: days overdue so far.  Open bills not yet due: NaN.
        """
        settled = self.b_settled != UNSETTLED
        late = np.where(settled, self.b_settled - self.b_due, self.day - self.b_due).astype(
            np.float32
        )
        late[~settled & (self.b_due >= self.day)] = np.nan
        return late

    @cached_property
    def b_is_due(self) -> np.ndarray:
        """Positive bills whose due date has passed (``due < as_of``) or that are settled."""
        return (self.b_amount > 0) & ~np.isnan(self.b_days_late)

    def in_window(self, days: np.ndarray, months: int) -> np.ndarray:
        """Dates in the last ``months`` months: ``as_of - months < day <= as_of``."""
        return (days > self.window_start[months]) & (days <= self.day)

    def per_customer(self, codes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of ``weights`` (or count) per customer code."""
        return np.bincount(codes, weights=weights, minlength=self.n).astype(np.float64)

    @cached_property
    def b_starts(self) -> np.ndarray:
        """Segment offsets of each customer's bills."""
        return segment_starts(self.b_cust, self.n)

    @cached_property
    def p_starts(self) -> np.ndarray:
        """Segment offsets of each customer's payments."""
        return segment_starts(self.p_cust, self.n)

    @cached_property
    def active(self) -> np.ndarray:
        """Customers that exist at ``as_of``: opened on or before it, or, opening date
        unknown, with a bill or payment by then."""
        known = self.c_opened != NO_DAY
        seen = (np.diff(self.b_starts) > 0) | (np.diff(self.p_starts) > 0)
        return np.where(known, self.c_opened <= self.day, seen)

    @cached_property
    def exposure(self) -> np.ndarray:
        """Average monthly bill (CNY): the mean amount of the customer's bills issued in
        the 12 months up to ``as_of``, at least 0; NaN without such bills."""
        return average_monthly_bill(
            self.b_cust, self.b_issue, self.b_amount, self.window_start[12], self.day, self.n
        )

    @cached_property
    def grid_kwh(self) -> np.ndarray:
        """kWh per customer and month for the ``GRID_MONTHS`` months before ``as_of``'s
        month (column ``GRID_MONTHS - 1`` is the latest); NaN where no bill is known."""
        return self._grid(self.b_kwh)

    @cached_property
    def grid_amount(self) -> np.ndarray:
        """Billed CNY per customer and month, like :attr:`grid_kwh`."""
        return self._grid(self.b_amount)

    def _grid(self, values: np.ndarray) -> np.ndarray:
        col = self.b_period - (self.month - GRID_MONTHS)
        keep = (col >= 0) & (col < GRID_MONTHS)
        grid = np.full((self.n, GRID_MONTHS), np.nan)
        grid[self.b_cust[keep], col[keep]] = values[keep]
        return grid


def average_monthly_bill(
    b_cust: np.ndarray, b_issue: np.ndarray, b_amount: np.ndarray, start: int, day: int, n: int
) -> np.ndarray:
    """Mean amount per customer of the bills issued in ``(start, day]``, clipped at 0;
    NaN without any.

    A correction bill (negative) larger than the customer's other bills in the window
    leaves a net refund: nothing is exposed, so the exposure is 0, never negative (the
    A-level warning already treats a non-positive average as "no warning").

    >>> average_monthly_bill(np.array([0, 0, 1, 2, 2]), np.array([5, 9, 1, 5, 6]),
    ...                      np.array([10.0, 30.0, 7.0, 50.0, -90.0]), 2, 10, 3).tolist()
    [20.0, nan, 0.0]
    """
    inw = (b_issue > start) & (b_issue <= day)
    count = np.bincount(b_cust[inw], minlength=n)
    total = np.bincount(b_cust[inw], weights=b_amount[inw], minlength=n)
    out = np.full(n, np.nan)
    np.divide(np.maximum(total, 0.0), count, out=out, where=count > 0)
    return out


def last_per_customer(codes: np.ndarray, values: np.ndarray, n: int, fill: float) -> np.ndarray:
    """The last value of each customer's run in arrays sorted by customer.

    >>> last_per_customer(np.array([0, 0, 2]), np.array([5.0, 7.0, 9.0]), 3, np.nan).tolist()
    [7.0, nan, 9.0]
    """
    out = np.full(n, fill, dtype=np.float64)
    if len(codes):
        is_last = np.ones(len(codes), dtype=bool)
        is_last[:-1] = codes[:-1] != codes[1:]
        out[codes[is_last]] = values[is_last]
    return out


@lru_cache(maxsize=256)
def window_starts(ts: pd.Timestamp) -> tuple[tuple[int, int], ...]:
    """``(w, day number of as_of - w months)`` for each window (calendar arithmetic costs
    more than the snapshot of one account: computed once per date)."""
    return tuple((w, day_number(add_months(ts, -w))) for w in WINDOWS)


def _cut(arrays: LedgerArrays, day: int) -> tuple[np.ndarray, np.ndarray]:
    return arrays.b_issue <= day, arrays.p_date <= day


def warn_outside_data(ledger: Ledger, ts: pd.Timestamp) -> None:
    """Warn (:class:`~arrearsrisk.errors.LedgerWarning`) when ``ts`` is before the
    ledger's first bill or payment, or more than a month after its last one (the
    span of the whole ledger, for a subset: :attr:`Ledger.data_span`).

    Called by :func:`arrearsrisk.score` (a portfolio scored at a date its export does
    not cover); feature builders and their contract checks cut at any date silently.

    Raises
    ------
    LedgerError
        If the ledger has no bill and no payment at all.
    """
    span = ledger.data_span
    if span is None:
        raise LedgerError(
            "bills: the ledger has no bill and no payment; nothing can be computed as of "
            f"{ts.date()}.\n  hint: pass the bills and payments of these customers.",
            table="bills",
            column=None,
            rule="empty",
        )
    first, last = span
    if ts < first or ts > add_months(last, 1):
        where = "before" if ts < first else "more than a month after"
        warnings.warn(
            f"as_of {ts.date()} is {where} the ledger's data ({first.date()} to "
            f"{last.date()}); features see {'nothing' if ts < first else 'no recent data'}.\n"
            "  hint: check the date, or that the export covers it.",
            LedgerWarning,
            stacklevel=3,
        )


def take_snapshot(ledger: Ledger, as_of: AsOf) -> Snapshot:
    """Cut ``ledger`` at ``as_of`` and settle what is known by then.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> snap = take_snapshot(ar.read_ledger("data/sample"), "2024-06-30")
    >>> bool((snap.b_issue <= snap.day).all() and (snap.p_date <= snap.day).all())
    True
    """
    ts = parse_as_of(as_of)
    arr = ledger.arrays
    day = day_number(ts)
    bmask, pmask = _cut(arr, day)
    b_cust, b_amount, b_issue = arr.b_cust[bmask], arr.b_amount[bmask], arr.b_issue[bmask]
    p_cust, p_amount, p_date = arr.p_cust[pmask], arr.p_amount[pmask], arr.p_date[pmask]
    settled = settle_bills(
        b_cust, cents(b_amount), b_issue, p_cust, cents(p_amount), p_date, arr.n_customers
    )
    return Snapshot(
        ledger=ledger,
        as_of=ts,
        day=day,
        month=month_number(ts),
        window_start=dict(window_starts(ts)),
        customer_ids=arr.customer_ids,
        b_cust=b_cust,
        b_period=arr.b_period[bmask],
        b_issue=b_issue,
        b_due=arr.b_due[bmask],
        b_kwh=arr.b_kwh[bmask],
        b_amount=b_amount,
        b_estimated=arr.b_estimated[bmask],
        b_settled=settled,
        p_cust=p_cust,
        p_date=p_date,
        p_amount=p_amount,
        p_channel=arr.p_channel[pmask],
        c_opened=arr.c_opened,
        c_row=arr.c_row,
    )
