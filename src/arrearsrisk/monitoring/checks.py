"""The checks: from a month's counts and the frozen reference to rows of verdicts.

Each function returns rows (dicts) of the long table: ``month``, ``check``, ``segment``,
``item``, ``value``, ``threshold``, ``verdict``, ``n``, ``p_value``, ``estimated``,
``note``.  Like is judged with like (``docs/monitoring.md`` has the formulas):

* a month is compared with the **same calendar month** of the reference (pooled over the
  reference months when the reference has none of that calendar month, and said so);
* the portfolio against its own reference; a **segment against the portfolio's movement
  in the same month**: its expected bin shares move as the portfolio's did
  (:func:`~arrearsrisk.monitoring.statistics.relative_expected`), its mean shift is a
  difference-in-differences (:func:`~arrearsrisk.monitoring.statistics.shift_z`);
* a movement counts only when it is **beyond chance** for the segment's size (p-value
  under ``p_watch`` / ``p_alert``) **and** past the watch / alert size threshold.

Examples
--------
>>> from arrearsrisk.monitoring.verdicts import Thresholds
>>> psi_verdict(0.3, 1e-9, Thresholds()), psi_verdict(0.3, 0.2, Thresholds())
('alert', 'stable')
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from arrearsrisk.evaluation.drift import PSI_EPSILON
from arrearsrisk.monitoring.segments import ALL, kind_of
from arrearsrisk.monitoring.statistics import (
    RELATIVE_PRIOR,
    null_scale,
    shares,
    shift_z,
    two_sided_p,
)
from arrearsrisk.monitoring.verdicts import ALERT, STABLE, WATCH, Thresholds

__all__ = [
    "COLUMNS",
    "ReferenceView",
    "data_rows",
    "drift_rows",
    "feature_summary",
    "kind_scales",
    "level_rows",
    "psi_verdict",
    "shift_rows",
    "sized_verdict",
]

COLUMNS: tuple[str, ...] = (
    "month",
    "check",
    "segment",
    "item",
    "value",
    "threshold",
    "verdict",
    "n",
    "p_value",
    "estimated",
    "note",
)
"""The columns of :attr:`Monitoring.table <arrearsrisk.monitoring.Monitoring.table>`."""

_NO_SEASON = "no reference month of this calendar month: compared with all reference months"


NULL_MINIMUM = 6
"""Fewest segments of a kind whose z-statistics give an empirical-null scale."""


def kind_scales(keys: list[str], z: np.ndarray) -> np.ndarray:
    """The empirical-null scale of each segment: :func:`~arrearsrisk.monitoring.statistics.
    null_scale` of the z-statistics of the segments of its kind (regions among regions,
    categories among categories: each kind partitions the customers, so a local movement
    is one of them and the others are the null); 1 for the portfolio and for kinds of
    fewer than :data:`NULL_MINIMUM` segments.

    >>> kind_scales(["all", "region=A", "region=B"], np.array([9.0, 3.0, -3.0])).tolist()
    [1.0, 1.0, 1.0]
    """
    kinds = [kind_of(k) for k in keys]
    out = np.ones(len(keys))
    for kind in set(kinds) - {ALL}:
        at = np.array([k == kind for k in kinds])
        out[at] = null_scale(z[at], minimum=NULL_MINIMUM)
    return out


def psi_verdict(psi: float, p: float, t: Thresholds) -> str:
    """Alert when ``psi >= psi_alert`` and ``p <= p_alert``; watch when ``psi >= psi_watch``
    and ``p <= p_watch``; else stable."""
    if psi >= t.psi_alert and p <= t.p_alert:
        return ALERT
    if psi >= t.psi_watch and p <= t.p_watch:
        return WATCH
    return STABLE


def sized_verdict(size: float, p: float, watch: float, alert: float, t: Thresholds) -> str:
    """Alert when ``|size| >= alert`` and ``p <= p_alert``; watch when ``|size| >= watch``
    and ``p <= p_watch``; else stable (NaN: stable).

    >>> sized_verdict(-0.03, 1e-6, 0.01, 0.02, Thresholds())
    'alert'
    """
    if not math.isfinite(size):
        return STABLE
    if abs(size) >= alert and p <= t.p_alert:
        return ALERT
    if abs(size) >= watch and p <= t.p_watch:
        return WATCH
    return STABLE


class ReferenceView:
    """The reference's counts and moments aggregated over the judged segments, and
    picked for a calendar month."""

    def __init__(
        self,
        counts: dict[str, np.ndarray],
        moments: dict[str, np.ndarray],
        months_per_calendar: np.ndarray,
    ) -> None:
        self.counts = counts  # (segments, 12, bins), NaN for segments without features
        self.moments = moments  # (segments, 12, 3)
        self.months_per_calendar = months_per_calendar  # reference months of each (12,)
        self._months = moments["p_I"][0, :, 0]  # rows of the portfolio per calendar month

    def seasonal(self, month: int) -> bool:
        """Whether the reference has rows of calendar ``month`` (1-12)."""
        return bool(self._months[month - 1] > 0)

    def counts_at(self, name: str, month: int) -> np.ndarray:
        """Counts of calendar ``month``, or pooled over all months if it has none."""
        c = self.counts[name]
        return c[:, month - 1, :] if self.seasonal(month) else c.sum(axis=1)

    def customers_at(self, month: int) -> np.ndarray:
        """Customers a reference month of calendar ``month`` had, per segment (the mean
        over all reference months if it has none)."""
        rows = self.moments["p_I"][:, :, 0]
        if self.seasonal(month):
            return rows[:, month - 1] / max(float(self.months_per_calendar[month - 1]), 1.0)
        return rows.sum(axis=1) / max(float(self.months_per_calendar.sum()), 1.0)

    def moments_at(self, name: str, month: int) -> np.ndarray:
        """``(segments, 3)`` of (n, mean, variance) for calendar ``month`` (or pooled)."""
        m = self.moments[name]
        raw = m[:, month - 1, :] if self.seasonal(month) else m.sum(axis=1)
        return _mean_var(raw)


def _mean_var(raw: np.ndarray) -> np.ndarray:
    n = raw[:, 0]
    mean = np.divide(raw[:, 1], n, out=np.zeros_like(n), where=n > 0)
    var = np.divide(raw[:, 2], n, out=np.zeros_like(n), where=n > 0) - mean**2
    return np.column_stack([n, mean, np.maximum(var, 0.0)])


def _row(
    month: str,
    check: str,
    segment: str,
    item: str,
    value: float,
    threshold: float,
    verdict: str,
    n: float,
    p: float = math.nan,
    note: str = "",
    estimated: bool = False,
) -> dict[str, Any]:
    return {
        "month": month,
        "check": check,
        "segment": segment,
        "item": item,
        "value": float(value),
        "threshold": float(threshold),
        "verdict": verdict,
        "n": float(n),
        "p_value": float(p),
        "estimated": estimated,
        "note": note,
    }


def drift_rows(
    month: str,
    calendar_month: int,
    keys: list[str],
    now: np.ndarray,
    ref: ReferenceView,
    name: str,
    check: str,
    t: Thresholds,
    by: str = "",
    tests: int = 1,
    portfolio_only: bool = False,
) -> list[dict[str, Any]]:
    """PSI rows of one variable: the portfolio against its reference's same month, each
    segment against its own reference moved as the portfolio moved.

    ``tests`` is the number of variables tested side by side (the features): p-values
    are multiplied by it (Bonferroni), so a segment's ninety features do not raise
    ninety chances of a false flag.  ``portfolio_only``: a feature that defines segments
    (region, category, industry) is judged on the portfolio only.

    A segment's PSI is tested by its chi-square p-value after the month's empirical-null
    scale across segments (the p-value's normal quantile divided by it).  A peer-group
    rate (``by``: constant within regions or industries) is reported with verdict stable:
    its movement is the arrears of its groups, judged by the ``arrears`` check."""
    from scipy.stats import chi2, norm

    expected = ref.counts_at(name, calendar_month)
    note = "" if ref.seasonal(calendar_month) else _NO_SEASON
    if by:
        note = "; ".join(
            x for x in (note, f"peer-group rate (one value per {by}): not judged") if x
        )
    n, m = now.sum(axis=1), expected.sum(axis=1)
    valid = np.isfinite(n) & np.isfinite(m) & (n > 0) & (m > 0)
    if portfolio_only:
        valid[1:] = False
    if not valid[0]:
        return []
    # expected shares: the portfolio's reference; each segment's, moved as the portfolio
    e = np.empty_like(now)
    e[0] = shares(expected[0])
    rho = np.where(valid, m, 0.0) / m[0]
    pi = (np.nan_to_num(expected) + RELATIVE_PRIOR * rho[:, None]) / (expected[0] + RELATIVE_PRIOR)
    e[1:] = shares(now[0] * pi[1:])
    a = np.maximum(shares(np.nan_to_num(now)), PSI_EPSILON)
    ef = np.maximum(e, PSI_EPSILON)
    psi = np.sum((a - ef) * np.log(a / ef), axis=1)
    used = np.count_nonzero((np.nan_to_num(now) > 0) | (e > 0), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = psi / (1.0 / n + 1.0 / m)
    p = np.where(used >= 2, chi2.sf(stat, np.maximum(used - 1, 1)), 1.0)
    z = norm.isf(np.clip(p, 1e-300, 1.0))
    scale = kind_scales(keys, np.where(valid, z, np.nan))
    p = np.where(scale > 1, norm.sf(z / scale), p)
    p = np.minimum(p * max(tests, 1), 1.0)
    rows = []
    for j in np.flatnonzero(valid):
        extra = f"empirical-null scale {scale[j]:.2f}" if scale[j] > 1 else ""
        if tests > 1:
            extra = "; ".join(x for x in (extra, f"p-value x {tests} tests") if x)
        verdict = STABLE if by else psi_verdict(float(psi[j]), float(p[j]), t)
        text = "; ".join(x for x in (note, extra) if x)
        rows.append(
            _row(month, check, keys[j], name, psi[j], t.psi_watch, verdict, n[j], p[j], text)
        )
    return rows


def shift_rows(
    month: str,
    calendar_month: int,
    keys: list[str],
    now_raw: np.ndarray,
    ref: ReferenceView,
    name: str,
    check: str,
    item: str,
    watch: float,
    alert: float,
    t: Thresholds,
) -> list[dict[str, Any]]:
    """Mean-shift rows of one risk quantity: the portfolio's mean against its
    reference's same month; each segment's shift beyond the portfolio's
    (difference-in-differences), its z-statistic divided by the empirical-null scale of
    its kind.  One-sided: risk rising is judged (a segment falling behind a portfolio
    whose risk rises elsewhere is not an alarm); the value keeps its sign."""
    now = _mean_var(now_raw)
    base = ref.moments_at(name, calendar_month)
    note = "" if ref.seasonal(calendar_month) else _NO_SEASON
    found = []
    for j in range(len(keys)):
        if j == 0:
            d, z = shift_z(tuple(now[0]), tuple(base[0]), (0, 0, 0), (0, 0, 0))
        else:
            d, z = shift_z(tuple(now[j]), tuple(base[j]), tuple(now[0]), tuple(base[0]))
        found.append((d, z))
    scale = kind_scales(keys, np.array([z for _, z in found], dtype=np.float64))
    rows = []
    for j, (key, (d, z)) in enumerate(zip(keys, found, strict=True)):
        if not math.isfinite(d):
            continue
        p = 0.5 * two_sided_p(z / scale[j]) if z > 0 else 1.0 - 0.5 * two_sided_p(z / scale[j])
        verdict = sized_verdict(d, p, watch, alert, t) if d > 0 else STABLE
        extra = f"empirical-null scale {scale[j]:.2f}" if scale[j] > 1 else ""
        rows.append(
            _row(
                month,
                check,
                key,
                item,
                d,
                watch,
                verdict,
                now[j, 0],
                p,
                "; ".join(x for x in (note, extra) if x),
            )
        )
    return rows


def level_rows(
    month: str,
    keys: list[str],
    now_raw: np.ndarray,
    check: str,
    item: str,
    verdicts: dict[str, str],
) -> list[dict[str, Any]]:
    """Rows of a level reported beside a judged row (e.g. the arrears amount beside the
    arrears share): value = the total, the verdict of ``verdicts[segment]``."""
    rows = []
    for j, key in enumerate(keys):
        n = now_raw[j, 0]
        if n > 0 and key in verdicts:
            rows.append(_row(month, check, key, item, now_raw[j, 1], math.nan, verdicts[key], n))
    return rows


def data_rows(
    month: str,
    calendar_month: int,
    keys: list[str],
    moments: dict[str, np.ndarray],
    quality: dict[str, np.ndarray],
    ref: ReferenceView,
    t: Thresholds,
    previous: dict[str, np.ndarray] | None = None,
) -> list[dict[str, Any]]:
    """Missing data and volume: the features' missing share (rise over the reference's
    same month), the share of the month's bills on estimated readings (its level), the
    share of customers without a bill issued in the month (its rise over the
    ``previous`` month's: dead accounts with arrears are always there, a billing run
    that failed is a jump), and the number of customers (relative change against the
    reference's same month; for a segment, beyond the portfolio's)."""
    rows = []
    missing_now = _mean_var(moments["missing"])
    missing_ref = ref.moments_at("missing", calendar_month)
    per_month = ref.customers_at(calendar_month)
    for j, key in enumerate(keys):
        n = missing_now[j, 0]
        if n <= 0:
            continue
        rise = missing_now[j, 1] - missing_ref[j, 1]
        rows.append(
            _row(
                month,
                "data_quality",
                key,
                "feature_missing",
                missing_now[j, 1],
                t.missing_watch,
                _level(rise, t.missing_watch, t.missing_alert),
                n,
                note=f"reference {missing_ref[j, 1]:.3f}",
            )
        )
        num, den = quality["estimated"][j]
        if den > 0:
            share = num / den
            rows.append(
                _row(
                    month,
                    "data_quality",
                    key,
                    "estimated",
                    share,
                    t.estimated_watch,
                    _level(share, t.estimated_watch, t.estimated_alert),
                    den,
                )
            )
        num, den = quality["no_bill"][j]
        if den > 0:
            share = num / den
            before = previous["no_bill"][j] if previous is not None else np.zeros(2)
            if before[1] > 0:
                rise = share - before[0] / before[1]
                verdict, note = _level(rise, t.no_bill_watch, t.no_bill_alert), f"rise {rise:+.3f}"
            else:
                verdict, note = STABLE, "first month: no rise to judge"
            rows.append(
                _row(
                    month,
                    "data_quality",
                    key,
                    "no_bill",
                    share,
                    t.no_bill_watch,
                    verdict,
                    den,
                    note=note,
                )
            )
        ref_n = per_month[j]
        all_ratio = missing_now[0, 0] / per_month[0] if per_month[0] > 0 else math.nan
        if ref_n > 0:
            ratio = n / ref_n
            change = ratio - 1 if j == 0 else ratio / all_ratio - 1
            rows.append(
                _row(
                    month,
                    "volume",
                    key,
                    "customers",
                    change,
                    t.volume_watch,
                    _level(abs(change), t.volume_watch, t.volume_alert),
                    n,
                    note=f"reference {ref_n:.0f} customers a month",
                )
            )
    return rows


def _level(value: float, watch: float, alert: float) -> str:
    if not math.isfinite(value):
        return STABLE
    if value >= alert:
        return ALERT
    if value >= watch:
        return WATCH
    return STABLE


def feature_summary(month: str, rows: list[dict[str, Any]], t: Thresholds) -> list[dict[str, Any]]:
    """One ``feature_drift`` row per segment: the largest feature PSI, the largest movers
    named (``item``, by PSI among the significant ones, else all), the worst verdict."""
    by_segment: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_segment.setdefault(r["segment"], []).append(r)
    out = []
    rank = {STABLE: 0, WATCH: 1, ALERT: 2}
    for key, group in by_segment.items():
        flagged = [r for r in group if r["verdict"] != STABLE] or group
        top = sorted(flagged, key=lambda r: (-rank[r["verdict"]], -r["value"]))[: t.top_movers]
        worst = max((r["verdict"] for r in group), key=rank.__getitem__)
        out.append(
            _row(
                month,
                "feature_drift",
                key,
                ", ".join(r["item"] for r in top),
                max(r["value"] for r in group),
                t.psi_watch,
                worst,
                group[0]["n"],
                min(r["p_value"] for r in group),
                f"{sum(r['verdict'] != STABLE for r in group)} of {len(group)} features flagged",
            )
        )
    return out
