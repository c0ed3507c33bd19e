"""One account as of a date, as plain Python values: the one-account twin of
:class:`~arrearsrisk.asof.snapshot.Snapshot`.

Scoring a single account (:func:`arrearsrisk.score_account`) cannot afford numpy's cost
per call: a customer has a few dozen bills, and the batch builders spend microseconds
on every array operation whatever its length.  :func:`account_snapshot` cuts one
account's ledger at ``as_of`` exactly as :func:`~arrearsrisk.asof.snapshot.take_snapshot`
does (bills issued on or before it, payments made on or before it, FIFO settlement in
integer cents, days late, the 24-month grids, the exposure) into lists, on which each
feature family's one-account kernel (``FeatureFamily.build_one``) works in plain Python.
The tests check every field against the snapshot of the same account.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import accumulate
from operator import add
from types import MappingProxyType

import pandas as pd

from arrearsrisk.asof.snapshot import GRID_MONTHS, window_starts
from arrearsrisk.ledger.rows import account_rows
from arrearsrisk.ledger.settlement import TOLERANCE_CENTS, UNSETTLED
from arrearsrisk.ledger.tables import NO_DAY, Ledger
from arrearsrisk.timeline import AsOf, day_number, month_number, parse_as_of

__all__ = ["AccountSnapshot", "account_snapshot", "settle_account", "total"]

NAN = math.nan


def total(values: Iterable[float]) -> float:
    """The sum of ``values`` added one by one in order, as ``numpy.bincount`` adds a
    customer's weights (Python's ``sum`` compensates rounding from 3.12 on, so it
    could differ from the batch in the last bit).

    >>> total([0.1, 0.2, 0.3]) == (0.1 + 0.2) + 0.3
    True
    """
    return reduce(add, values, 0.0)


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """Everything known about one account at ``as_of``, as Python lists.

    Bill lists (``b_*``) hold the bills issued on or before ``as_of`` in FIFO order (due
    date, then period), payment lists (``p_*``) the payments made on or before it by
    date: the order, values and meaning of the
    :class:`~arrearsrisk.asof.snapshot.Snapshot` arrays of that customer.
    """

    ledger: Ledger
    """The account's one-customer ledger (its customer columns)."""
    customer_id: str
    as_of: pd.Timestamp
    day: int
    """``as_of`` as a day number."""
    month: int
    """Month number of ``as_of``."""
    window_start: Mapping[int, int]
    """As :attr:`Snapshot.window_start`: a date is in the last ``w`` months when
    ``window_start[w] < day <= self.day``."""
    b_period: list[int]
    b_issue: list[int]
    b_due: list[int]
    b_kwh: list[float]
    b_amount: list[float]
    b_cents: list[int]
    b_estimated: list[int]
    """1 estimated, 0 not, -1 unknown."""
    b_settled: list[int]
    """Settlement day, ``UNSETTLED`` while open."""
    b_days_late: list[float]
    """As :attr:`Snapshot.b_days_late`: NaN for an open bill not yet due."""
    b_is_due: list[bool]
    """As :attr:`Snapshot.b_is_due`: positive and past due (or settled)."""
    p_date: list[int]
    p_amount: list[float]
    p_cents: list[int]
    p_channel: list[int]
    """Index into :data:`~arrearsrisk.ledger.schema.CHANNELS`, -1 unknown."""
    opened: int
    """Opening day, ``NO_DAY`` if unknown."""
    active: bool
    """As :attr:`Snapshot.active`."""
    exposure: float
    """As :attr:`Snapshot.exposure`: the mean bill issued in the last 12 months, at
    least 0; NaN without one."""
    grid_kwh: list[float]
    """As one row of :attr:`Snapshot.grid_kwh` (``GRID_MONTHS`` values, the latest
    last; NaN where no bill is known)."""
    grid_amount: list[float]
    """As one row of :attr:`Snapshot.grid_amount`."""

    def in_window(self, day: int, months: int) -> bool:
        """Whether a day lies in the last ``months`` months: ``as_of - months < day <=
        as_of``.

        >>> snap = _example()
        >>> snap.in_window(snap.day, 3), snap.in_window(snap.window_start[3], 3)
        (True, False)
        """
        return self.window_start[months] < day <= self.day


@lru_cache(maxsize=256)
def _calendar(ts: pd.Timestamp) -> tuple[int, int, Mapping[int, int]]:
    """``as_of``'s day number, month number and window starts, read-only (computed once
    per date: pandas' date arithmetic costs more than one account's snapshot)."""
    return day_number(ts), month_number(ts), MappingProxyType(dict(window_starts(ts)))


def settle_account(
    b_cents: list[int], b_issue: list[int], p_cents: list[int], p_date: list[int]
) -> list[int]:
    """Settlement day of each bill (FIFO order) of one account, or ``UNSETTLED``: the
    one-account loop of :func:`~arrearsrisk.ledger.settlement.settle_bills`.

    >>> settle_account([10000, 5000], [1, 2], [6000, 9000], [5, 9])
    [9, 9]
    >>> settle_account([-500, 300, 400], [1, 2, 3], [100], [4])
    [1, 2, 2147483647]
    >>> settle_account([300, 200, -250], [1, 2, 3], [310], [5])  # the third: 250 owed
    [5, 2147483647, 5]
    """
    paid = list(accumulate(p_cents))
    out = []
    billed = 0
    for amount, issue in zip(b_cents, b_issue, strict=True):
        billed += amount  # may fall again after a correction: search from the start
        need = billed - TOLERANCE_CENTS
        if need <= 0:
            out.append(issue)
            continue
        k = bisect_left(paid, need)
        out.append(p_date[k] if k < len(paid) else UNSETTLED)
    return out


def account_snapshot(ledger: Ledger, as_of: AsOf) -> AccountSnapshot:
    """Cut a one-account ledger at ``as_of``, as
    :func:`~arrearsrisk.asof.snapshot.take_snapshot` cuts any ledger.

    The lists are shared with the ledger's (:func:`~arrearsrisk.ledger.rows.account_rows`)
    when nothing is cut: read them, never change them.

    Raises
    ------
    ArrearsRiskError
        If the ledger holds more than one customer.

    Examples
    --------
    >>> snap = _example()
    >>> snap.b_settled == [snap.p_date[0]], snap.b_days_late, snap.exposure
    (True, [-5.0], 960.0)
    """
    rows = account_rows(ledger)
    ts = parse_as_of(as_of)
    day, month, starts = _calendar(ts)
    issue_all = rows.b_issue
    if not issue_all or max(issue_all) <= day:
        b_issue, b_due, b_period = issue_all, rows.b_due, rows.b_period
        b_kwh, b_amount, b_estimated = rows.b_kwh, rows.b_amount, rows.b_estimated
    else:
        keep = [i for i, d in enumerate(issue_all) if d <= day]
        b_issue = [issue_all[i] for i in keep]
        b_due = [rows.b_due[i] for i in keep]
        b_period = [rows.b_period[i] for i in keep]
        b_kwh = [rows.b_kwh[i] for i in keep]
        b_amount = [rows.b_amount[i] for i in keep]
        b_estimated = [rows.b_estimated[i] for i in keep]
    p_date = rows.p_date
    n_pay = len(p_date)
    while n_pay and p_date[n_pay - 1] > day:  # payments are sorted by date
        n_pay -= 1
    if n_pay == len(p_date):
        p_amount, p_channel = rows.p_amount, rows.p_channel
    else:
        p_date, p_amount, p_channel = (
            p_date[:n_pay],
            rows.p_amount[:n_pay],
            rows.p_channel[:n_pay],
        )
    b_cents = [round(a * 100.0) for a in b_amount]  # as cents(): rint, halves to even
    p_cents = [round(a * 100.0) for a in p_amount]
    settled = settle_account(b_cents, b_issue, p_cents, p_date)
    late: list[float] = []
    for s, d in zip(settled, b_due, strict=True):
        if s != UNSETTLED:
            late.append(float(s - d))
        else:
            late.append(float(day - d) if d < day else NAN)
    is_due = [a > 0 and x == x for a, x in zip(b_amount, late, strict=True)]
    first_col = month - GRID_MONTHS
    grid_kwh, grid_amount = [NAN] * GRID_MONTHS, [NAN] * GRID_MONTHS
    for p, k, a in zip(b_period, b_kwh, b_amount, strict=True):
        col = p - first_col
        if 0 <= col < GRID_MONTHS:
            grid_kwh[col], grid_amount[col] = k, a
    start12 = starts[12]
    in12 = [a for a, i in zip(b_amount, b_issue, strict=True) if start12 < i <= day]
    exposure = max(total(in12), 0.0) / len(in12) if in12 else NAN
    opened = rows.opened
    active = opened <= day if opened != NO_DAY else bool(b_issue or p_date)
    return AccountSnapshot(
        ledger=ledger,
        customer_id=rows.customer_id,
        as_of=ts,
        day=day,
        month=month,
        window_start=starts,
        b_period=b_period,
        b_issue=b_issue,
        b_due=b_due,
        b_kwh=b_kwh,
        b_amount=b_amount,
        b_cents=b_cents,
        b_estimated=b_estimated,
        b_settled=settled,
        b_days_late=late,
        b_is_due=is_due,
        p_date=p_date,
        p_amount=p_amount,
        p_cents=p_cents,
        p_channel=p_channel,
        opened=opened,
        active=active,
        exposure=exposure,
        grid_kwh=grid_kwh,
        grid_amount=grid_amount,
    )


def _example() -> AccountSnapshot:
    """A one-bill, one-payment account as of 2024-02-29 (for the examples)."""
    from arrearsrisk.ledger.rows import account_ledger

    one = account_ledger(
        {"customer_id": "C1", "category": "commercial"},
        [{"customer_id": "C1", "period": "2024-01", "issue_date": "2024-02-01",
          "due_date": "2024-02-15", "kwh": 1200.0, "amount": 960.0}],
        [{"customer_id": "C1", "paid_date": "2024-02-10", "amount": 960.0}],
    )  # fmt: skip
    return account_snapshot(one, "2024-02-29")
