"""Data-quality features: estimated readings (failed meter-data collection) lead to
disputed bills."""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features._stats import ratio

__all__ = ["NAMES", "build"]

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
