"""Data-quality features: estimated readings (failed meter-data collection) lead to
disputed bills."""

from __future__ import annotations

import math

import numpy as np

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features._stats import ratio
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NumberText, ReasonText, zh_en

__all__ = ["FAMILY", "NAMES", "REASONS", "build", "build_one"]

NAMES: tuple[str, ...] = ("estimated_share_12m", "estimated_count_3m")


def build(s: Snapshot) -> dict[str, np.ndarray]:
    """Share of the bills issued in 12 months with an estimated reading (NaN when the
    flag is unknown for all of them), and the count in 3 months."""
    in12 = s.in_window(s.b_issue, 12)
    known = in12 & (s.b_estimated >= 0)
    est12 = known & (s.b_estimated == 1)
    est3 = s.in_window(s.b_issue, 3) & (s.b_estimated == 1)
    return {
        "estimated_share_12m": ratio(
            s.per_customer(s.b_cust[est12]), s.per_customer(s.b_cust[known])
        ),
        "estimated_count_3m": s.per_customer(s.b_cust[est3]),
    }


def build_one(a: AccountSnapshot) -> dict[str, float]:
    """Estimated readings of one account: the one-account twin of :func:`build`.

    Parameters
    ----------
    a : AccountSnapshot
        The account as of its date.

    Returns
    -------
    dict of str to float
        ``estimated_share_12m`` (NaN when no bill of the 12 months has a known flag) and
        ``estimated_count_3m``.

    Examples
    --------
    >>> from arrearsrisk.asof.account import _example
    >>> build_one(_example())  # one bill, its reading method unknown
    {'estimated_share_12m': nan, 'estimated_count_3m': 0.0}
    """
    ws = a.window_start
    start12, start3 = ws[12], ws[3]
    known = estimated12 = estimated3 = 0
    # bills are issued by as_of (the snapshot's cut): issue <= day always holds
    for issue, flag in zip(a.b_issue, a.b_estimated, strict=True):
        if issue > start12 and flag >= 0:
            known += 1
            if flag == 1:
                estimated12 += 1
                if issue > start3:
                    estimated3 += 1
    return {
        "estimated_share_12m": estimated12 / known if known else math.nan,
        "estimated_count_3m": float(estimated3),
    }


REASONS: dict[str, ReasonText] = {
    "estimated_share": NumberText(
        zh_en("近{w}个月{v:.0%}的抄表为估抄", "{v:.0%} of readings estimated in {w} months"),
        unknown=zh_en("近{w}个月抄表方式未知", "reading method unknown for {w} months"),
    ),
    "estimated_count": NumberText(
        zh_en("近{w}个月估抄{v:.0f}次", "{v:.0f} estimated readings in {w} months")
    ),
}
"""Reason texts by feature stem."""

FAMILY = FeatureFamily(
    name="quality",
    names=NAMES,
    build=build,
    monotone={},
    reasons=REASONS,
    build_one=build_one,
    summary="estimated readings",
)
