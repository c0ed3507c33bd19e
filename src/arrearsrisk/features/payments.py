"""Payment-history features: lateness, arrears, streaks, timing and channels.

Every bill's days late come from the FIFO settlement of the snapshot (see
:mod:`arrearsrisk.ledger.settlement`): a settled bill counts its settlement day minus its
due day, a bill still open past its due date the days it is overdue so far.
Windows are by due date: ``late_bills_count_12m`` counts positive bills due in the
12 months up to ``as_of`` that were (or still are) late.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date

import numpy as np

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import Snapshot, last_per_customer
from arrearsrisk.features._stats import ratio
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NO_BILL, NumberText, PatternText, ReasonText, zh_en
from arrearsrisk.ledger.schema import CHANNELS
from arrearsrisk.ledger.settlement import TOLERANCE_CENTS, UNSETTLED, segment_starts
from arrearsrisk.vocabulary import SERIOUS_LATE_DAYS, WINDOWS

__all__ = [
    "FAMILY",
    "MONOTONE",
    "NAMES",
    "PAYMENT_WINDOW_LAST_DAY",
    "REASONS",
    "build",
    "build_one",
]

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


_NAN = math.nan
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
"""Proleptic Gregorian ordinal of day number 0."""

_UP = tuple(sorted(WINDOWS))
"""The windows, shortest first (their start days are then latest first)."""
_K12 = _UP.index(12)
_N_UP = len(_UP)
_N_CHANNELS = len(CHANNELS)
_CHANNEL_NAMES = tuple(f"channel_share_{ch}_12m" for ch in CHANNELS)
_WINDOW_NAMES = tuple(
    (
        w,
        f"bills_due_count_{w}m",
        f"late_bills_count_{w}m",
        f"late_bills_share_{w}m",
        f"serious_late_bills_count_{w}m",
        f"serious_late_bills_share_{w}m",
    )
    for w in WINDOWS
)


def build_one(a: AccountSnapshot) -> dict[str, float]:
    """Payment-history features of one account: the one-account twin of :func:`build`.

    One pass over the bills (FIFO order, so by due day) and one over the payments (by
    date), in plain Python; whole numbers are counted exactly, amounts summed in the
    batch's order.

    Parameters
    ----------
    a : AccountSnapshot
        The account as of its date.

    Returns
    -------
    dict of str to float
        The values of :data:`NAMES`, in that order (NaN where missing).

    Examples
    --------
    >>> from arrearsrisk.asof.account import _example
    >>> values = build_one(_example())  # one bill due 2024-02-15, paid 5 days before
    >>> values["bills_due_count_3m"], values["on_time_streak"], values["late_streak"]
    (1.0, 1.0, 0.0)
    >>> values["pay_day_of_month_mean_12m"], values["paid_in_window_share_12m"]
    (10.0, 1.0)
    """
    day = a.day
    ws = a.window_start
    starts = [ws[w] for w in _UP]  # latest first
    oldest_start = starts[-1]
    start12 = ws[12]
    b_due, b_cents = a.b_due, a.b_cents
    n_due = [0] * _N_UP  # per bucket: due in the shortest window holding the due day
    n_late = [0] * _N_UP
    n_serious = [0] * _N_UP
    late_sum12 = 0.0
    late_max12 = 0.0
    billed = billed_overdue = 0
    n_open = 0
    oldest = 0.0
    late_run = on_time_run = 0
    any_due = False
    last_late = _NAN
    billed12 = 0.0
    n_settled12 = lag_sum12 = 0
    # bills are issued by as_of (the snapshot's cut): issue <= day always holds
    for due, late, is_due, settled, amount, cents, issue in zip(
        b_due,
        a.b_days_late,
        a.b_is_due,
        a.b_settled,
        a.b_amount,
        b_cents,
        a.b_issue,
        strict=True,
    ):
        billed += cents
        if due < day:
            billed_overdue += cents
            if settled == UNSETTLED and amount > 0:
                n_open += 1
                if late > oldest:
                    oldest = late
        if issue > start12:
            billed12 += amount
            if settled != UNSETTLED and amount > 0:
                n_settled12 += 1
                if settled > issue:
                    lag_sum12 += settled - issue
        if is_due:
            any_due = True
            if late > 0:
                late_run += 1
                on_time_run = 0
                last_late = due
            else:
                on_time_run += 1
                late_run = 0
            if oldest_start < due <= day:
                k = 0
                while due <= starts[k]:
                    k += 1
                n_due[k] += 1
                if late > 0:
                    n_late[k] += 1
                    if late > SERIOUS_LATE_DAYS:
                        n_serious[k] += 1
                    if k <= _K12:  # clipped at 0: on-time bills add nothing
                        late_sum12 += late
                        if late > late_max12:
                            late_max12 = late

    p_date, p_cents, p_amount, p_channel = a.p_date, a.p_cents, a.p_amount, a.p_channel
    n_payments = len(p_date)
    i = bisect_right(p_date, start12)  # payments are made by as_of: the rest is in 12m
    paid = sum(p_cents[:i])  # whole cents: exact in any order
    n_bills = len(b_due)
    j = 0
    billed_by = 0  # cents billed on bills due by the payment day
    n_pay = n_partial = n_in_window = dom_sum = 0
    paid12 = 0.0
    channels = [0] * _N_CHANNELS
    while i < n_payments:
        d = p_date[i]
        k = i
        while k < n_payments and p_date[k] == d:  # all payments of the day count together
            paid += p_cents[k]
            paid12 += p_amount[k]
            c = p_channel[k]
            if c >= 0:
                channels[c] += 1
            k += 1
        while j < n_bills and b_due[j] <= d:
            billed_by += b_cents[j]
            j += 1
        count = k - i
        if billed_by - paid > TOLERANCE_CENTS:  # still owes more than the settlement tolerance
            n_partial += count
        dom = date.fromordinal(d + _EPOCH_ORDINAL).day
        dom_sum += dom * count
        if dom <= PAYMENT_WINDOW_LAST_DAY:
            n_in_window += count
        n_pay += count
        i = k

    out: dict[str, float] = {}
    due_w = late_w = serious_w = 0
    counts: dict[int, tuple[int, int, int]] = {}
    for k, w in enumerate(_UP):
        due_w += n_due[k]
        late_w += n_late[k]
        serious_w += n_serious[k]
        counts[w] = (due_w, late_w, serious_w)
    for w, due_name, late_name, late_share, serious_name, serious_share in _WINDOW_NAMES:
        due_w, late_w, serious_w = counts[w]
        out[due_name] = float(due_w)
        out[late_name] = float(late_w)
        out[late_share] = late_w / due_w if due_w else _NAN
        out[serious_name] = float(serious_w)
        out[serious_share] = serious_w / due_w if due_w else _NAN
    due12 = counts[12][0]
    out["days_late_mean_12m"] = late_sum12 / due12 if due12 else _NAN
    out["days_late_max_12m"] = late_max12 if due12 else _NAN
    arrears = max(billed_overdue - paid, 0) / 100.0
    exposure = a.exposure
    out["open_balance"] = (billed - paid) / 100.0
    out["arrears_amount"] = arrears
    out["arrears_to_bill_ratio"] = arrears / exposure if exposure > 0 else _NAN
    out["overdue_bills_open"] = float(n_open)
    out["oldest_overdue_days"] = oldest
    out["late_streak"] = float(late_run) if any_due else _NAN
    out["on_time_streak"] = float(on_time_run) if any_due else _NAN
    out["days_since_last_late"] = float(day - last_late)
    out["days_since_last_payment"] = float(day - p_date[-1]) if p_date else _NAN
    out["payments_count_12m"] = float(n_pay)
    out["paid_to_billed_ratio_12m"] = paid12 / billed12 if billed12 > 0 else _NAN
    if n_pay:
        out["partial_payments_share_12m"] = n_partial / n_pay
        out["pay_day_of_month_mean_12m"] = dom_sum / n_pay
        out["paid_in_window_share_12m"] = n_in_window / n_pay
    else:
        out["partial_payments_share_12m"] = _NAN
        out["pay_day_of_month_mean_12m"] = _NAN
        out["paid_in_window_share_12m"] = _NAN
    out["days_issue_to_settlement_mean_12m"] = lag_sum12 / n_settled12 if n_settled12 else _NAN
    for name, n in zip(_CHANNEL_NAMES, channels, strict=True):
        out[name] = n / n_pay if n_pay else _NAN
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
    return owed > TOLERANCE_CENTS  # a cent is the settlement tolerance, as for the labels


MONOTONE: dict[str, int] = {
    **{
        f"{stem}_{w}m": 1
        for stem in (
            "late_bills_count",
            "late_bills_share",
            "serious_late_bills_count",
            "serious_late_bills_share",
        )
        for w in WINDOWS
    },
    "days_late_mean_12m": 1,
    "days_late_max_12m": 1,
    "arrears_amount": 1,
    "arrears_to_bill_ratio": 1,
    "overdue_bills_open": 1,
    "oldest_overdue_days": 1,
    "late_streak": 1,
    "on_time_streak": -1,
}
"""Features whose effect on risk has a known direction: more (seriously) late bills or
arrears never lower the risk; a longer run of on-time bills never raises it."""

_NO_PAYMENT = zh_en("近{w}个月没有缴费", "no payment in the last {w} months")
_NO_BILL_DUE = zh_en("近{w}个月没有到期电费", "no bill due in the last {w} months")
_CHANNEL_ZH = {
    "counter": "营业厅柜台",
    "bank_debit": "银行代扣",
    "online": "网上缴费",
    "kiosk": "自助终端",
    "agent": "代收点",
    "prepaid": "预付费",
    "other": "其他方式",
}
_CHANNEL_EN = {
    "counter": "at the service counter",
    "bank_debit": "by bank debit",
    "online": "online",
    "kiosk": "at self-service kiosks",
    "agent": "through collection agents",
    "prepaid": "by prepaid meter",
    "other": "by other means",
}

REASONS: dict[str, ReasonText] = {
    "bills_due_count": NumberText(
        zh_en("近{w}个月应缴电费{v:.0f}笔", "{v:.0f} bills due in the last {w} months")
    ),
    "late_bills_count": NumberText(
        zh_en("近{w}个月有{v:.0f}笔电费逾期缴纳", "{v:.0f} bills paid late in the last {w} months")
    ),
    "late_bills_share": NumberText(
        zh_en(
            "近{w}个月{v:.0%}的电费逾期缴纳", "{v:.0%} of bills paid late in the last {w} months"
        ),
        _NO_BILL_DUE,
    ),
    "serious_late_bills_count": NumberText(
        zh_en(
            "近{w}个月有{v:.0f}笔电费逾期超过30天",
            "{v:.0f} bills paid more than 30 days late in the last {w} months",
        )
    ),
    "serious_late_bills_share": NumberText(
        zh_en(
            "近{w}个月{v:.0%}的电费逾期超过30天",
            "{v:.0%} of bills more than 30 days late in the last {w} months",
        ),
        _NO_BILL_DUE,
    ),
    "days_late_mean": NumberText(
        zh_en(
            "近{w}个月电费平均逾期{v:.0f}天", "bills {v:.0f} days late on average over {w} months"
        ),
        _NO_BILL_DUE,
    ),
    "days_late_max": NumberText(
        zh_en(
            "近{w}个月最长逾期{v:.0f}天", "a bill up to {v:.0f} days late in the last {w} months"
        ),
        _NO_BILL_DUE,
    ),
    "open_balance": NumberText(
        zh_en("当前未结清电费{v:,.0f}元", "CNY {v:,.0f} billed and not yet paid")
    ),
    "arrears_amount": NumberText(zh_en("当前欠费{v:,.0f}元", "CNY {v:,.0f} overdue and unpaid")),
    "arrears_to_bill_ratio": NumberText(
        zh_en("欠费相当于{v:.1f}个月电费", "arrears equal to {v:.1f} months of bills"), NO_BILL
    ),
    "overdue_bills_open": NumberText(
        zh_en("{v:.0f}笔电费逾期未缴", "{v:.0f} overdue bills unpaid")
    ),
    "oldest_overdue_days": NumberText(
        zh_en("最早一笔欠费已逾期{v:.0f}天", "oldest unpaid bill {v:.0f} days overdue")
    ),
    "late_streak": NumberText(
        zh_en("连续{v:.0f}期电费逾期", "{v:.0f} bills in a row paid late"), _NO_BILL_DUE
    ),
    "on_time_streak": NumberText(
        zh_en("仅连续按时缴费{v:.0f}期", "only {v:.0f} bills in a row paid on time"), _NO_BILL_DUE
    ),
    "days_since_last_late": NumberText(
        zh_en("{v:.0f}天前刚有逾期", "last late bill {v:.0f} days ago"),
        zh_en("从未逾期", "never late"),
    ),
    "days_since_last_payment": NumberText(
        zh_en("已{v:.0f}天未缴费", "no payment for {v:.0f} days"), zh_en("从未缴费", "never paid")
    ),
    "payments_count": NumberText(
        zh_en("近{w}个月仅缴费{v:.0f}次", "only {v:.0f} payments in the last {w} months")
    ),
    "paid_to_billed_ratio": NumberText(
        zh_en("近{w}个月缴费仅为应缴的{v:.0%}", "paid {v:.0%} of the amount billed in {w} months"),
        _NO_PAYMENT,
    ),
    "partial_payments_share": NumberText(
        zh_en(
            "近{w}个月{v:.0%}的缴费未缴清欠费",
            "{v:.0%} of payments in {w} months left overdue bills open",
        ),
        _NO_PAYMENT,
    ),
    "pay_day_of_month_mean": NumberText(
        zh_en("平均在每月{v:.0f}日才缴费", "pays on day {v:.0f} of the month on average"),
        _NO_PAYMENT,
    ),
    "paid_in_window_share": NumberText(
        zh_en(
            "仅{v:.0%}的缴费在每月1-10日缴费期内",
            "only {v:.0%} of payments in the 1st-10th payment window",
        ),
        _NO_PAYMENT,
    ),
    "days_issue_to_settlement_mean": NumberText(
        zh_en("出账后平均{v:.0f}天才结清", "bills settled {v:.0f} days after issue on average"),
        zh_en("近{w}个月没有结清的电费", "no bill settled in the last {w} months"),
    ),
    "channel_share": PatternText(
        r"^channel_share_(?P<ch>.+)_(?P<w>\d+)m$",
        zh_en("近{w}个月{v:.0%}的缴费通过{ch}", "{v:.0%} of payments in {w} months made {ch}"),
        _NO_PAYMENT,
        shown={
            "zh": {"ch": lambda ch: _CHANNEL_ZH.get(ch, ch)},
            "en": {"ch": lambda ch: _CHANNEL_EN.get(ch, "by " + ch.replace("_", " "))},
        },
    ),
}
"""Reason texts by feature stem; ``channel_share`` serves every ``channel_share_*_12m``."""

FAMILY = FeatureFamily(
    name="payments",
    names=NAMES,
    build=build,
    monotone=MONOTONE,
    reasons=REASONS,
    build_one=build_one,
    summary="FIFO settlement: late / seriously late bills over 3, 6, 12, 24 months, "
    "arrears, streaks, partial payments, timing, channels",
)
