"""Bill level and variability: the average monthly bill, its swings and corrections.

``bill_amount_last`` is the bill of the latest billing period known at ``as_of``
within the 24-month grid.
"""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features._stats import ratio, row_count, row_mean, row_std

__all__ = ["NAMES", "build"]

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

    ``bill_amount_mean_12m`` is the customer's exposure (``CONTRACT.md``): the mean
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
