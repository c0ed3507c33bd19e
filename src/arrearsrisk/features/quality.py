"""Data-quality features: estimated readings (failed meter-data collection) lead to
disputed bills."""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features._stats import ratio
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NumberText, ReasonText, zh_en

__all__ = ["FAMILY", "NAMES", "REASONS", "build"]

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
    summary="estimated readings",
)
