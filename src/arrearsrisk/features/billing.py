"""Bill level and variability: the average monthly bill, its swings and corrections.

``bill_amount_last`` is the bill of the latest billing period known at ``as_of``
within the 24-month grid.
"""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features import _one_stats as one
from arrearsrisk.features._stats import ratio, row_count, row_mean, row_std
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NO_BILL, NumberText, ReasonText, zh_en

__all__ = ["FAMILY", "NAMES", "REASONS", "build", "build_one"]

NAMES: tuple[str, ...] = (
    "bill_amount_mean_12m",
    "bill_amount_last",
    "bill_amount_cv_12m",
    "bill_amount_max_to_mean_12m",
    "bill_amount_swing_12m",
    "bills_issued_count_12m",
    "correction_bills_count_12m",
    "billing_history_months",
)


def build(s: Snapshot) -> dict[str, np.ndarray]:
    """Bill features of every customer of the snapshot.

    ``bill_amount_mean_12m`` is the customer's exposure (``docs/contract.md``): the mean
    amount of their bills issued in the 12 months up to ``as_of``.
    """
    g = s.grid_amount[:, -12:]
    mean = row_mean(g)
    with np.errstate(invalid="ignore"):
        swing = np.abs(np.diff(g, axis=1))
    peak = np.nanmax(np.where(np.isnan(g), -np.inf, g), axis=1)
    inw = s.in_window(s.b_issue, 12)
    full = s.grid_amount
    known = ~np.isnan(full)
    last_col = full.shape[1] - 1 - np.argmax(known[:, ::-1], axis=1)
    last = np.where(known.any(axis=1), full[np.arange(s.n), last_col], np.nan)
    first = np.full(s.n, np.inf)
    np.minimum.at(first, s.b_cust, s.b_period.astype(np.float64))
    return {
        "bill_amount_mean_12m": s.exposure,
        "bill_amount_last": last,
        "bill_amount_cv_12m": ratio(row_std(g), mean),
        "bill_amount_max_to_mean_12m": np.where(row_count(g) > 0, ratio(peak, mean), np.nan),
        "bill_amount_swing_12m": ratio(row_mean(swing), mean),
        "bills_issued_count_12m": s.per_customer(s.b_cust[inw]),
        "correction_bills_count_12m": s.per_customer(s.b_cust[inw & (s.b_amount < 0)]),
        "billing_history_months": np.where(np.isinf(first), np.nan, s.month - first),
    }


def build_one(a: AccountSnapshot) -> dict[str, float]:
    """Bill features of one account: the one-account twin of :func:`build`, on its
    bills and its amount grid row (:attr:`~arrearsrisk.asof.account.AccountSnapshot.
    grid_amount`)."""
    full = a.grid_amount
    g = full[12:]
    mean, known = one.mean_known(g)
    swings = []
    n_swings = 0
    prev = g[0]
    for v in g[1:]:
        d = abs(v - prev)  # NaN when either month is unknown, as np.diff
        if d == d:
            n_swings += 1
            swings.append(d)
        else:
            swings.append(0.0)
        prev = v
    swing = one.pairwise_sum(swings) / n_swings if n_swings else one.NAN
    last = one.NAN
    for v in reversed(full):
        if v == v:
            last = v
            break
    start, day = a.window_start[12], a.day
    issued = corrections = 0
    for issue, amount in zip(a.b_issue, a.b_amount, strict=True):
        if start < issue <= day:
            issued += 1
            if amount < 0:
                corrections += 1
    periods = a.b_period
    return {
        "bill_amount_mean_12m": a.exposure,
        "bill_amount_last": last,
        "bill_amount_cv_12m": one.ratio(one.std_known(g, mean, known), mean),
        "bill_amount_max_to_mean_12m": (
            one.ratio(max([v for v in g if v == v]), mean) if known else one.NAN
        ),
        "bill_amount_swing_12m": one.ratio(swing, mean),
        "bills_issued_count_12m": float(issued),
        "correction_bills_count_12m": float(corrections),
        "billing_history_months": float(a.month - min(periods)) if periods else one.NAN,
    }


REASONS: dict[str, ReasonText] = {
    "bill_amount_mean": NumberText(
        zh_en("月均电费{v:,.0f}元", "average monthly bill CNY {v:,.0f}"), NO_BILL
    ),
    "bill_amount_last": NumberText(
        zh_en("最近一期电费{v:,.0f}元", "last bill CNY {v:,.0f}"),
        zh_en("近24个月没有电费记录", "no bills in the last 24 months"),
    ),
    # the coefficient of variation, said as what it is: the typical (root mean square)
    # distance of a month's bill from the average bill, as a share of that average
    "bill_amount_cv": NumberText(
        zh_en(
            "近{w}个月月电费高低起伏，一般偏离月均约{v:.0%}",
            "monthly bills over the last {w} months typically {v:.0%} off the average",
        ),
        NO_BILL,
    ),
    "bill_amount_max_to_mean": NumberText(
        zh_en("最高月电费为平均的{v:.1f}倍", "highest bill {v:.1f} times the average"), NO_BILL
    ),
    "bill_amount_swing": NumberText(
        zh_en("月电费环比波动{v:.0%}", "bill swings {v:.0%} month to month"), NO_BILL
    ),
    "bills_issued_count": NumberText(
        zh_en("近{w}个月出账{v:.0f}笔", "{v:.0f} bills issued in {w} months")
    ),
    "correction_bills_count": NumberText(
        zh_en("近{w}个月有{v:.0f}笔退补电费", "{v:.0f} correction bills in {w} months")
    ),
    "billing_history_months": NumberText(
        zh_en("仅有{v:.0f}个月电费记录", "only {v:.0f} months of billing history"), NO_BILL
    ),
}
"""Reason texts by feature name or stem."""

FAMILY = FeatureFamily(
    name="billing",
    names=NAMES,
    build=build,
    monotone={},
    reasons=REASONS,
    build_one=build_one,
    summary="average monthly bill (exposure), swings, corrections",
)
