"""Trend features: how a customer's payments and consumption are changing, for the
customers not in arrears yet who soon will be (new onset).

The out-of-time study (``tools/onset_study.py``: the last 3 cutoffs of the sample and
of a second simulated ledger) found most missed new-onset Grade I customers among
ordinary payers (55 of the sample's 76 missed); 46% of the ordinary payers turning
Grade I had an estimated reading on a coming bill, against 12% of the others.  The rest
are tenants leaving, businesses whose consumption has just started to fall and
customers of an industry in a downturn.  Each feature compares a
recent window with an earlier one of the customer's own history.  (Also tried and left
out, as they did not help out of time: paid-to-billed coverage over 3, 6, 12 months and
its change, the partial-payment trend, the change of the industry's and region's
lateness, the year-on-year volatility of consumption.)

* **lateness drift** (windows by due date, like :mod:`arrearsrisk.features.payments`):
  ``days_late_mean_3m``, the mean days late (zero or less counts 0) of the positive
  bills due in the last 3 months; ``days_late_change_6m``, that mean over the last 6
  months minus the same over the 6 months before; ``payment_timing_drift_3m``, the mean
  of *settlement day minus due day* (negative: paid before the due date; open bills
  count the days overdue so far) of the bills due in the last 3 months minus the same
  over the bills due 3 to 12 months ago;
* **year-on-year consumption** (on the kWh grid of the snapshot, see
  :mod:`arrearsrisk.features.consumption`): ``kwh_yoy_ratio_1m`` and ``kwh_yoy_ratio_6m``,
  the last one / six billing periods against the same periods a year earlier;
  ``months_since_kwh_drop``, how many periods ago the consumption of three
  consecutive periods last fell below 70% (:data:`DROP_TENTHS`) of the same three
  periods a year earlier (0: the latest three periods; searched over the last 10
  periods, NaN when no such fall);
* **estimated readings ahead**: ``kwh_season_ahead_ratio_3m``, last year's consumption
  in the three periods to come against last year's in the three periods before them
  (below 1: consumption usually falls now, and an estimate from recent readings
  overshoots); ``estimated_share_24m``, the share of bills issued in 24 months with an
  estimated reading (among those with a known flag); ``estimated_late_share_24m``, the
  share of the positive estimated bills due in 24 months that were paid late (disputed).

Ratios and means over nothing are NaN, like every family's.
"""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import GRID_MONTHS, Snapshot
from arrearsrisk.features import _one_stats as one
from arrearsrisk.features._stats import ratio, row_count, row_mean
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NumberText, ReasonText, zh_en

__all__ = ["DROP_TENTHS", "FAMILY", "MONOTONE", "NAMES", "REASONS", "build", "build_one"]

DROP_TENTHS = 7
"""A consumption drop: three periods below this many tenths (70%) of the same three
periods a year earlier (compared as ``10 * now < 7 * before``: exact for whole kWh)."""

_DROP_SEARCH = GRID_MONTHS - 14
"""Periods searched for a drop: the three periods and the same three a year earlier
must lie in the grid."""

NAMES: tuple[str, ...] = (
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


def _between(s: Snapshot, days: np.ndarray, recent: int, older: int) -> np.ndarray:
    """Dates from ``older`` to ``recent`` months before ``as_of``:
    ``as_of - older months < day <= as_of - recent months`` (``recent`` 0: ``as_of``)."""
    end = s.window_start[recent] if recent else s.day
    return (days > s.window_start[older]) & (days <= end)


def _bill_mean(s: Snapshot, mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mean of ``values`` over each customer's bills in ``mask``; NaN without any."""
    return ratio(s.per_customer(s.b_cust[mask], values[mask]), s.per_customer(s.b_cust[mask]))


def _lateness(s: Snapshot) -> dict[str, np.ndarray]:
    late = s.b_days_late.astype(np.float64)  # NaN: not yet due
    due = s.b_is_due
    clipped = np.clip(late, 0, None)
    last3, last6 = due & _between(s, s.b_due, 0, 3), due & _between(s, s.b_due, 0, 6)
    before6, before3 = due & _between(s, s.b_due, 6, 12), due & _between(s, s.b_due, 3, 12)
    return {
        "days_late_mean_3m": _bill_mean(s, last3, clipped),
        "days_late_change_6m": _bill_mean(s, last6, clipped) - _bill_mean(s, before6, clipped),
        "payment_timing_drift_3m": _bill_mean(s, last3, late) - _bill_mean(s, before3, late),
    }


def _months_since_drop(grid: np.ndarray) -> np.ndarray:
    """Periods since the latest three-period consumption below ``DROP_TENTHS`` tenths of the same
    three periods a year earlier (all six known); NaN if none in the search."""
    last = grid.shape[1] - 1
    since = np.full(grid.shape[0], np.nan)
    for ago in range(_DROP_SEARCH - 1, -1, -1):  # oldest first: the latest drop wins
        j = last - ago
        now, year_ago = grid[:, j - 2 : j + 1], grid[:, j - 14 : j - 11]
        known = (row_count(now) == 3) & (row_count(year_ago) == 3)
        before = np.where(known, year_ago.sum(axis=1), 0.0)
        after = np.where(known, now.sum(axis=1), 0.0)
        drop = known & (before > 0) & (10 * after < DROP_TENTHS * before)
        since[drop] = ago
    return since


def _consumption(s: Snapshot) -> dict[str, np.ndarray]:
    g = s.grid_kwh  # column -1: the latest period; -13: the same period a year earlier
    return {
        "kwh_yoy_ratio_1m": ratio(g[:, -1], g[:, -13]),
        "kwh_yoy_ratio_6m": ratio(row_mean(g[:, -6:]), row_mean(g[:, -18:-12])),
        "months_since_kwh_drop": _months_since_drop(g),
        # last year's next three periods (columns -12..-10) against its three before
        "kwh_season_ahead_ratio_3m": ratio(row_mean(g[:, -12:-9]), row_mean(g[:, -15:-12])),
    }


def _estimates(s: Snapshot) -> dict[str, np.ndarray]:
    known = s.in_window(s.b_issue, 24) & (s.b_estimated >= 0)
    estimated = known & (s.b_estimated == 1)
    share = ratio(s.per_customer(s.b_cust[estimated]), s.per_customer(s.b_cust[known]))
    est_due = (s.b_estimated == 1) & s.b_is_due & s.in_window(s.b_due, 24)
    est_late = est_due & (s.b_days_late > 0)
    return {
        "estimated_share_24m": share,
        "estimated_late_share_24m": ratio(
            s.per_customer(s.b_cust[est_late]), s.per_customer(s.b_cust[est_due])
        ),
    }


def build(s: Snapshot) -> dict[str, np.ndarray]:
    """Trend features of every customer of the snapshot."""
    out = {**_lateness(s), **_consumption(s), **_estimates(s)}
    return {name: out[name] for name in NAMES}


def _months_since_drop_one(g: list[float]) -> float:
    """:func:`_months_since_drop` of one grid row: the latest drop, searched from the
    latest period back."""
    last = len(g) - 1
    for ago in range(_DROP_SEARCH):
        j = last - ago
        a0, a1, a2 = g[j - 2], g[j - 1], g[j]
        b0, b1, b2 = g[j - 14], g[j - 13], g[j - 12]
        # all six known (NaN != NaN); sums from 0 in order, as numpy sums 3 cells
        if a0 == a0 and a1 == a1 and a2 == a2 and b0 == b0 and b1 == b1 and b2 == b2:
            before = 0.0 + b0 + b1 + b2
            after = 0.0 + a0 + a1 + a2
            if before > 0 and 10 * after < DROP_TENTHS * before:
                return float(ago)
    return one.NAN


def build_one(a: AccountSnapshot) -> dict[str, float]:
    """Trend features of one account: the one-account twin of :func:`build`, on its
    bills and its kWh grid row."""
    day, starts = a.day, a.window_start
    start3, start6, start12, start24 = starts[3], starts[6], starts[12], starts[24]
    # clipped days late of the positive bills due in the last 3 / 6 months and 6 to 12
    # months ago; days late (settlement timing) in the last 3 and 3 to 12 months ago
    sum3 = sum6 = sum6_12 = timing3 = timing3_12 = 0.0
    n3 = n6 = n6_12 = n3_12 = 0
    n_flag = n_estimated = n_est_due = n_est_late = 0
    for issue, due, late, is_due, estimated in zip(
        a.b_issue, a.b_due, a.b_days_late, a.b_is_due, a.b_estimated, strict=True
    ):
        if estimated >= 0 and start24 < issue <= day:
            n_flag += 1
            if estimated == 1:
                n_estimated += 1
        if not is_due:
            continue
        if estimated == 1 and start24 < due <= day:
            n_est_due += 1
            if late > 0:
                n_est_late += 1
        if not start12 < due <= day:
            continue
        clipped = late if late > 0 else 0.0
        if due > start6:
            sum6 += clipped
            n6 += 1
            if due > start3:
                sum3 += clipped
                n3 += 1
                timing3 += late
        else:
            sum6_12 += clipped
            n6_12 += 1
        if due <= start3:
            timing3_12 += late
            n3_12 += 1
    mean3 = sum3 / n3 if n3 else one.NAN
    g = a.grid_kwh
    return {
        "days_late_mean_3m": mean3,
        "days_late_change_6m": (sum6 / n6 if n6 else one.NAN)
        - (sum6_12 / n6_12 if n6_12 else one.NAN),
        "payment_timing_drift_3m": (timing3 / n3 if n3 else one.NAN)
        - (timing3_12 / n3_12 if n3_12 else one.NAN),
        "kwh_yoy_ratio_1m": one.ratio(g[-1], g[-13]),
        "kwh_yoy_ratio_6m": one.ratio(one.mean_known(g[-6:])[0], one.mean_known(g[-18:-12])[0]),
        "months_since_kwh_drop": _months_since_drop_one(g),
        "kwh_season_ahead_ratio_3m": one.ratio(
            one.mean_known(g[-12:-9])[0], one.mean_known(g[-15:-12])[0]
        ),
        "estimated_share_24m": n_estimated / n_flag if n_flag else one.NAN,
        "estimated_late_share_24m": n_est_late / n_est_due if n_est_due else one.NAN,
    }


MONOTONE: dict[str, int] = {}
"""No feature of the family has a certain direction once the rest of the history is
known: a change, a drift or a consumption ratio can go either way, and the recent days
late, given the constrained ``days_late_mean_12m``, also says how late the earlier
months were (constraining it lowered the new-onset AUC in the study, on both ledgers)."""

_NO_BILL_DUE = zh_en("近{w}个月没有到期电费", "no bill due in the last {w} months")
_NO_READING = zh_en("缺少去年同期抄表记录", "no readings for the same months last year")

REASONS: dict[str, ReasonText] = {
    "days_late_mean_3m": NumberText(
        zh_en("近3个月电费平均逾期{v:.0f}天", "bills {v:.0f} days late on average over 3 months"),
        _NO_BILL_DUE,
    ),
    "days_late_change_6m": NumberText(
        zh_en(
            "近6个月平均逾期天数较前6个月变化{v:+.0f}天",
            "average days late {v:+.0f} against the 6 months before",
        ),
        zh_en(
            "近12个月到期电费不足以比较逾期变化",
            "too few bills due in 12 months to compare lateness",
        ),
    ),
    "payment_timing_drift_3m": NumberText(
        zh_en(
            "近3个月电费结清时间较前9个月平均变化{v:+.0f}天",
            "bills of the last 3 months settled {v:+.0f} days against the 9 months before",
        ),
        zh_en(
            "近12个月到期电费不足以比较缴费时间",
            "too few bills due in 12 months to compare payment timing",
        ),
    ),
    "kwh_yoy_ratio_1m": NumberText(
        zh_en("上月用电量为去年同月的{v:.0%}", "last month's consumption {v:.0%} of a year ago"),
        _NO_READING,
    ),
    "kwh_yoy_ratio_6m": NumberText(
        zh_en(
            "近6个月用电量为去年同期的{v:.0%}",
            "last 6 months' consumption at {v:.0%} of the same months last year",
        ),
        _NO_READING,
    ),
    "months_since_kwh_drop": NumberText(
        zh_en(
            "用电量较去年同期下降超过三成，距今{v:.0f}个月",
            "consumption down over 30% on last year, {v:.0f} months ago",
        ),
        zh_en("近10个月用电量未较去年同期明显下降", "no fall in consumption on last year"),
    ),
    "kwh_season_ahead_ratio_3m": NumberText(
        zh_en(
            "往年同期未来3个月用电量为前3个月的{v:.0%}",
            "consumption of the coming 3 months usually {v:.0%} of the 3 before",
        ),
        _NO_READING,
    ),
    "estimated_share_24m": NumberText(
        zh_en("近24个月{v:.0%}的抄表为估抄", "{v:.0%} of readings estimated in 24 months"),
        unknown=zh_en("近24个月抄表方式未知", "reading method unknown for 24 months"),
    ),
    "estimated_late_share_24m": NumberText(
        zh_en(
            "近24个月估抄电费中{v:.0%}逾期缴纳",
            "{v:.0%} of estimated bills paid late in 24 months",
        ),
        zh_en("近24个月没有到期的估抄电费", "no estimated bill due in 24 months"),
    ),
}
"""Reason texts by feature name or stem."""

FAMILY = FeatureFamily(
    name="trends",
    names=NAMES,
    build=build,
    monotone=MONOTONE,
    reasons=REASONS,
    build_one=build_one,
    summary="lateness drift, year-on-year consumption, consumption drops, estimated "
    "readings ahead of a seasonal fall",
)
