"""Consumption features: level, trend, volatility, recent drop, zero months, seasonality.

Computed on the customer-by-month kWh grid of the snapshot: the 24 billing periods
before the month of ``as_of`` (bills issued by ``as_of`` only).  ``_3m`` means the
last three of those periods.
"""

from __future__ import annotations

import numpy as np

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features import _one_stats as one
from arrearsrisk.features._stats import ratio, row_count, row_mean, row_std
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NumberText, ReasonText, zh_en

__all__ = ["FAMILY", "NAMES", "REASONS", "build", "build_one"]

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


_X12 = tuple(float(x) for x in range(12))
"""Month positions of the 12-month trend (0: the oldest)."""


def _relative_slope_one(row: list[float]) -> float:
    """:func:`_relative_slope` of one row of 12 cells: the same sums, in numpy's order."""
    n = 0
    sum_x = 0.0
    ys = []
    for x, v in zip(_X12, row, strict=True):
        if v == v:
            n += 1
            sum_x += x
            ys.append(v)
        else:
            ys.append(0.0)
    if n < 3:  # the batch's NaN, whatever the ratios
        return one.NAN
    mean_x = sum_x / n
    mean_y = one.pairwise_sum(ys) / n
    products = []
    squares = []
    for x, v, y in zip(_X12, row, ys, strict=True):
        if v == v:
            dx = x - mean_x
            products.append(dx * (y - mean_y))
            squares.append(dx * dx)
        else:
            products.append(0.0)
            squares.append(0.0)
    slope = one.ratio(one.pairwise_sum(products), one.pairwise_sum(squares))
    return one.ratio(slope, mean_y)


def build_one(a: AccountSnapshot) -> dict[str, float]:
    """Consumption features of one account: the one-account twin of :func:`build`, on
    its kWh grid row (:attr:`~arrearsrisk.asof.account.AccountSnapshot.grid_kwh`)."""
    g = a.grid_kwh
    last12 = g[12:]
    mean12, known12 = one.mean_known(last12)
    mean3, _ = one.mean_known(g[21:])
    zeros = 0
    for v in last12:
        if v == 0:
            zeros += 1
    amplitude = one.NAN
    profile = []
    for old, new in zip(g[:12], last12, strict=True):
        if old != old:
            if new != new:  # a calendar month unknown in both years: no amplitude
                break
            profile.append(new)
        else:
            profile.append(old if new != new else (old + new) / 2)
    else:
        amplitude = one.ratio(max(profile) - min(profile), one.pairwise_sum(profile) / 12)
    return {
        "kwh_mean_3m": mean3,
        "kwh_mean_12m": mean12,
        "kwh_ratio_3m_to_12m": one.ratio(mean3, mean12),
        "kwh_trend_12m": _relative_slope_one(last12),
        "kwh_cv_12m": one.ratio(one.std_known(last12, mean12, known12), mean12),
        "kwh_zero_months_12m": float(zeros) if known12 else one.NAN,
        "kwh_yoy_ratio_3m": one.ratio(mean3, one.mean_known(g[9:12])[0]),
        "kwh_seasonal_amplitude_24m": amplitude,
        "kwh_months_known_12m": float(known12),
    }


_NO_READING = zh_en("近{w}个月没有抄表记录", "no meter readings in the last {w} months")

REASONS: dict[str, ReasonText] = {
    "kwh_mean": NumberText(
        zh_en("近{w}个月月均用电{v:,.0f}千瓦时", "{v:,.0f} kWh a month over the last {w} months"),
        _NO_READING,
    ),
    "kwh_ratio_3m_to_12m": NumberText(
        zh_en(
            "近3个月用电量为近12个月平均的{v:.0%}",
            "last 3 months' consumption at {v:.0%} of the 12-month average",
        ),
        _NO_READING,
    ),
    "kwh_trend": NumberText(
        zh_en(
            "近{w}个月用电量平均每月变化{v:+.1%}",
            "consumption changing {v:+.1%} a month over {w} months",
        ),
        _NO_READING,
    ),
    # the coefficient of variation: the typical distance from the average month
    "kwh_cv": NumberText(
        zh_en(
            "近{w}个月月用电量高低起伏，一般偏离月均约{v:.0%}",
            "monthly consumption over the last {w} months typically {v:.0%} off the average",
        ),
        _NO_READING,
    ),
    "kwh_zero_months": NumberText(
        zh_en("近{w}个月有{v:.0f}个月零用电", "{v:.0f} months of zero consumption in {w} months"),
        _NO_READING,
    ),
    "kwh_yoy_ratio_3m": NumberText(
        zh_en(
            "近3个月用电量为去年同期的{v:.0%}",
            "consumption at {v:.0%} of the same months last year",
        ),
        _NO_READING,
    ),
    # (highest - lowest) / mean of the 12 calendar months, each averaged over 2 years
    "kwh_seasonal_amplitude": NumberText(
        zh_en(
            "近{w}个月按月份看，用电最多与最少的月份相差约为月均的{v:.1f}倍",
            "over the last {w} months, busiest and quietest calendar months differ by "
            "{v:.1f} times the average month",
        ),
        _NO_READING,
    ),
    "kwh_months_known": NumberText(
        zh_en(
            "近{w}个月仅{v:.0f}个月有抄表记录", "readings for only {v:.0f} of the last {w} months"
        )
    ),
}
"""Reason texts by feature name or stem."""

FAMILY = FeatureFamily(
    name="consumption",
    names=NAMES,
    build=build,
    monotone={},
    reasons=REASONS,
    build_one=build_one,
    summary="kWh level, trend, volatility, recent drop, zero months, season",
)
