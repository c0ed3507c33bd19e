"""Consumption features: level, trend, volatility, recent drop, zero months, seasonality.

Computed on the customer-by-month kWh grid of the snapshot: the 24 billing periods
before the month of ``as_of`` (bills issued by ``as_of`` only).  ``_3m`` means the
last three of those periods.
"""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features._stats import ratio, row_count, row_mean, row_std

__all__ = ["NAMES", "build"]

NAMES: tuple[str, ...] = (
    "kwh_mean_3m",
    "kwh_mean_12m",
    "kwh_ratio_3m_to_12m",
    "kwh_trend_12m",
    "kwh_cv_12m",
    "kwh_zero_months_12m",
    "kwh_yoy_ratio_3m",
    "kwh_seasonal_amplitude_24m",
    "kwh_months_known_12m",
)


def _relative_slope(grid: np.ndarray) -> np.ndarray:
    """Least-squares slope per month over known cells, relative to the row mean."""
    x = np.arange(grid.shape[1], dtype=np.float64)[None, :]
    known = ~np.isnan(grid)
    n = known.sum(axis=1)
    y = np.where(known, grid, 0.0)
    xk = np.where(known, x, 0.0)
    mean_x = ratio(xk.sum(axis=1), n.astype(np.float64))
    mean_y = ratio(y.sum(axis=1), n.astype(np.float64))
    dx = np.where(known, x - mean_x[:, None], 0.0)
    sxy = (dx * (y - mean_y[:, None])).sum(axis=1)
    sxx = (dx**2).sum(axis=1)
    slope = np.where(n >= 3, ratio(sxy, sxx), np.nan)
    return ratio(slope, mean_y)


def build(s: Snapshot) -> dict[str, np.ndarray]:
    """Consumption features of every customer of the snapshot."""
    g = s.grid_kwh
    last12, last3 = g[:, -12:], g[:, -3:]
    mean12 = row_mean(last12)
    mean3 = row_mean(last3)
    profile = np.where(
        np.isnan(g[:, :12]),
        g[:, 12:],
        np.where(np.isnan(g[:, 12:]), g[:, :12], (g[:, :12] + g[:, 12:]) / 2),
    )
    prof_known = row_count(profile) >= 12
    amplitude = ratio(
        np.nanmax(np.where(np.isnan(profile), -np.inf, profile), axis=1)
        - np.nanmin(np.where(np.isnan(profile), np.inf, profile), axis=1),
        row_mean(profile),
    )
    return {
        "kwh_mean_3m": mean3,
        "kwh_mean_12m": mean12,
        "kwh_ratio_3m_to_12m": ratio(mean3, mean12),
        "kwh_trend_12m": _relative_slope(last12),
        "kwh_cv_12m": ratio(row_std(last12), mean12),
        "kwh_zero_months_12m": np.where(row_count(last12) > 0, (last12 == 0).sum(axis=1), np.nan),
        "kwh_yoy_ratio_3m": ratio(mean3, row_mean(g[:, -15:-12])),
        "kwh_seasonal_amplitude_24m": np.where(prof_known, amplitude, np.nan),
        "kwh_months_known_12m": row_count(last12),
    }
