"""Payment-history features: lateness, arrears, streaks, timing and channels.

Every bill's days late come from the FIFO settlement of the snapshot (see
:mod:`arrearsrisk.ledger.settlement`): a settled bill counts its settlement day minus its
due day, a bill still open past its due date the days it is overdue so far.
Windows are by due date: ``late_bills_count_12m`` counts positive bills due in the
12 months up to ``as_of`` that were (or still are) late.
"""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.snapshot import SERIOUS_LATE_DAYS, WINDOWS, Snapshot, last_per_customer
from arrearsrisk.features._stats import ratio
from arrearsrisk.ledger.schema import CHANNELS
from arrearsrisk.ledger.settlement import UNSETTLED, segment_starts

__all__ = ["NAMES", "PAYMENT_WINDOW_LAST_DAY", "build"]

PAYMENT_WINDOW_LAST_DAY = 10
"""Payments are expected from the 1st to this day of the month."""

_DAY_KEY = np.int64(1) << 31

NAMES: tuple[str, ...] = (
    *(
        f"{stem}_{w}m"
        for w in WINDOWS
        for stem in (
            "bills_due_count",
            "late_bills_count",
            "late_bills_share",
            "serious_late_bills_count",
            "serious_late_bills_share",
        )
    ),
    "days_late_mean_12m",
    "days_late_max_12m",
    "open_balance",
    "arrears_amount",
    "arrears_to_bill_ratio",
    "overdue_bills_open",
    "oldest_overdue_days",
    "late_streak",
    "on_time_streak",
    "days_since_last_late",
    "days_since_last_payment",
    "payments_count_12m",
    "paid_to_billed_ratio_12m",
    "partial_payments_share_12m",
    "pay_day_of_month_mean_12m",
    "paid_in_window_share_12m",
    "days_issue_to_settlement_mean_12m",
    *(f"channel_share_{ch}_12m" for ch in CHANNELS),
)


def _day_of_month(days: np.ndarray) -> np.ndarray:
    d = days.astype("datetime64[D]")
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def _trailing_run(codes: np.ndarray, flag: np.ndarray, n: int) -> np.ndarray:
    """Per customer, how many of its last entries (in order) have ``flag`` set."""
    starts = segment_starts(codes, n)
    pos = np.arange(len(codes), dtype=np.float64)
    last_break = last_per_customer(codes[~flag], pos[~flag], n, np.nan)
    begin = np.where(np.isnan(last_break), starts[:-1], last_break + 1)
    return (starts[1:] - begin).astype(np.float64)


def build(s: Snapshot) -> dict[str, np.ndarray]:
    """Payment-history features of every customer of the snapshot."""
    out: dict[str, np.ndarray] = {}
    late = s.b_days_late
    due = s.b_is_due
    for w in WINDOWS:
        inw = due & s.in_window(s.b_due, w)
        n_due = s.per_customer(s.b_cust[inw])
        n_late = s.per_customer(s.b_cust[inw & (late > 0)])
        n_serious = s.per_customer(s.b_cust[inw & (late > SERIOUS_LATE_DAYS)])
        out[f"bills_due_count_{w}m"] = n_due
        out[f"late_bills_count_{w}m"] = n_late
        out[f"late_bills_share_{w}m"] = ratio(n_late, n_due)
        out[f"serious_late_bills_count_{w}m"] = n_serious
        out[f"serious_late_bills_share_{w}m"] = ratio(n_serious, n_due)

    in12 = due & s.in_window(s.b_due, 12)
    late12 = np.clip(late[in12], 0, None)
    out["days_late_mean_12m"] = ratio(
        s.per_customer(s.b_cust[in12], late12.astype(np.float64)), out["bills_due_count_12m"]
    )
    worst = np.full(s.n, -np.inf)
    np.maximum.at(worst, s.b_cust[in12], late12)
    out["days_late_max_12m"] = np.where(np.isinf(worst), np.nan, worst)

    b_cents = s.b_cents.astype(np.float64)  # exact: integers far below 2**53
    billed = s.per_customer(s.b_cust, b_cents)
    paid = s.per_customer(s.p_cust, s.p_cents.astype(np.float64))
    overdue = s.b_due < s.day
    billed_overdue = s.per_customer(s.b_cust[overdue], b_cents[overdue])
    del b_cents
    out["open_balance"] = (billed - paid) / 100.0
    arrears = np.clip(billed_overdue - paid, 0, None) / 100.0
    out["arrears_amount"] = arrears
    out["arrears_to_bill_ratio"] = ratio(arrears, s.exposure)

    open_overdue = (s.b_settled == UNSETTLED) & overdue & (s.b_amount > 0)
    out["overdue_bills_open"] = s.per_customer(s.b_cust[open_overdue])
    oldest = np.zeros(s.n)
    np.maximum.at(oldest, s.b_cust[open_overdue], late[open_overdue])
    out["oldest_overdue_days"] = oldest

    d_cust, d_late = s.b_cust[due], late[due]
    has_due = s.per_customer(d_cust) > 0
    out["late_streak"] = np.where(has_due, _trailing_run(d_cust, d_late > 0, s.n), np.nan)
    out["on_time_streak"] = np.where(has_due, _trailing_run(d_cust, d_late <= 0, s.n), np.nan)
    was_late = due & (late > 0)
    last_late = last_per_customer(s.b_cust[was_late], s.b_due[was_late], s.n, np.nan)
    out["days_since_last_late"] = s.day - last_late
    last_pay = last_per_customer(s.p_cust, s.p_date, s.n, np.nan)
    out["days_since_last_payment"] = s.day - last_pay

    p12 = s.in_window(s.p_date, 12)
    n_pay = s.per_customer(s.p_cust[p12])
    out["payments_count_12m"] = n_pay
    b12 = s.in_window(s.b_issue, 12)
    out["paid_to_billed_ratio_12m"] = ratio(
        s.per_customer(s.p_cust[p12], s.p_amount[p12]),
        s.per_customer(s.b_cust[b12], s.b_amount[b12]),
    )
    out["partial_payments_share_12m"] = ratio(
        s.per_customer(s.p_cust[p12 & _leaves_overdue_open(s)]), n_pay
    )
    dom = _day_of_month(s.p_date[p12]).astype(np.float64)
    out["pay_day_of_month_mean_12m"] = ratio(s.per_customer(s.p_cust[p12], dom), n_pay)
    out["paid_in_window_share_12m"] = ratio(
        s.per_customer(s.p_cust[p12][dom <= PAYMENT_WINDOW_LAST_DAY]), n_pay
    )
    settled12 = b12 & (s.b_settled != UNSETTLED) & (s.b_amount > 0)
    lag = np.clip(s.b_settled[settled12] - s.b_issue[settled12], 0, None).astype(np.float64)
    out["days_issue_to_settlement_mean_12m"] = ratio(
        s.per_customer(s.b_cust[settled12], lag), s.per_customer(s.b_cust[settled12])
    )
    for code, ch in enumerate(CHANNELS):
        hit = p12 & (s.p_channel == code)
        out[f"channel_share_{ch}_12m"] = ratio(s.per_customer(s.p_cust[hit]), n_pay)
    return out


def _leaves_overdue_open(s: Snapshot) -> np.ndarray:
    """Payments after which the customer still owes on bills due on or before that day.

    All payments of one day count together, so the order of same-day payments in the
    input does not matter.

    Bills are sorted by customer then due day, so one ``searchsorted`` on the key
    (customer, due day) finds, for each payment, the bills due by its day.
    """
    b_key = s.b_cust.astype(np.int64) * _DAY_KEY + s.b_due
    p_key = s.p_cust.astype(np.int64) * _DAY_KEY + s.p_date
    upto = np.searchsorted(b_key, p_key, side="right")  # bills due by the payment day
    del b_key
    b_cum = np.concatenate(([0], np.cumsum(s.b_cents)))
    owed = b_cum[upto] - b_cum[s.b_starts[:-1][s.p_cust]]  # billed, due by that day
    del upto, b_cum
    p_cum = np.concatenate(([0], np.cumsum(s.p_cents)))
    end_of_day = np.searchsorted(p_key, p_key, side="right")  # after all payments that day
    del p_key
    owed -= p_cum[end_of_day] - p_cum[s.p_starts[:-1][s.p_cust]]
    return owed > 1
