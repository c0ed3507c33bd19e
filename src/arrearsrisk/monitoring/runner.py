"""``ar.monitor(ledger, model, months)``: month-by-month monitoring of a model.

For each month end: score every customer once (as :func:`arrearsrisk.score` does,
without reasons), count everything by segment on the reference's frozen bins
(:mod:`~arrearsrisk.monitoring.month`), then judge (:mod:`~arrearsrisk.monitoring.checks`,
:mod:`~arrearsrisk.monitoring.performance`).  ``docs/monitoring.md`` describes every
check, threshold and formula.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.monitoring.checks import (
    COLUMNS,
    ReferenceView,
    _row,
    data_rows,
    drift_rows,
    feature_summary,
    level_rows,
    shift_rows,
)
from arrearsrisk.monitoring.migration import CLOSED, NEW, align, migration_counts, moves
from arrearsrisk.monitoring.month import BillDates, MonthCounts, month_counts
from arrearsrisk.monitoring.performance import (
    ESTIMATED_ITEMS,
    backtest_figures,
    calibration_verdict,
    estimated_figures,
    figure_events,
    judged_on_events,
    labels_frame,
    performance_verdict,
    realised_figures,
)
from arrearsrisk.monitoring.pooling import SegmentPlan
from arrearsrisk.monitoring.reference import GRADE_MIX, MonitoringError, MonitoringReference
from arrearsrisk.monitoring.result import Monitoring
from arrearsrisk.monitoring.segments import ALL, KINDS
from arrearsrisk.monitoring.verdicts import STABLE, WATCH, Thresholds
from arrearsrisk.timeline import parse_as_of

__all__ = ["monitor", "month_ends"]

_MONTH = re.compile(r"\d{4}-\d{2}")
_STATES = ("I", "II", "III", "warned")
_RISK = (0, 1, 2, -1)  # lower is riskier: warned is above I
_SEGMENT_FEATURES = frozenset({*KINDS, "industry"})
_NO_REFERENCE = (
    "the model {version} has no monitoring reference (bins frozen at training): it was "
    "trained before arrearsrisk saved them.\n"
    "  hint: retrain it (ar.train saves the reference in the bundle), or pass "
    "reference=arrearsrisk.monitoring.build_reference(ledger, model, "
    "model.info['trained_on']) to compare with its training months rebuilt from this ledger."
)


def month_ends(months: Any) -> list[pd.Timestamp]:
    """Month ends of ``months``: ``"YYYY-MM"`` texts, dates (moved to their month's end),
    or a ``(first, last)`` pair of either spanning every month between.

    >>> [str(m.date()) for m in month_ends(("2025-01", "2025-03"))]
    ['2025-01-31', '2025-02-28', '2025-03-31']
    """

    def end(value: Any) -> pd.Timestamp:
        if isinstance(value, str) and _MONTH.fullmatch(value.strip()):
            value = value.strip() + "-01"
        ts = parse_as_of(value)
        return (ts + pd.offsets.MonthEnd(0)).normalize()

    if isinstance(months, str):
        months = [months]
    items = list(months)
    if not items:
        raise MonitoringError("months is empty: give month ends, 'YYYY-MM' texts or a pair.")
    if isinstance(months, tuple) and len(items) == 2:
        first, last = end(items[0]), end(items[1])
        if last < first:
            raise MonitoringError(f"months: {last.date()} is before {first.date()}.")
        return list(pd.date_range(first, last, freq="ME"))
    out = sorted({end(v) for v in items})
    return out


def _reference(model: Any, reference: Any) -> MonitoringReference:
    if isinstance(reference, MonitoringReference):
        return reference
    if reference is not None:
        return MonitoringReference.from_dict(reference)
    data = getattr(model, "reference", None)
    if data is None:
        raise MonitoringError(_NO_REFERENCE.format(version=getattr(model, "version", "")))
    return MonitoringReference.from_dict(data, f"the monitoring reference of {model.version}")


def _view(reference: MonitoringReference, plan: SegmentPlan) -> ReferenceView:
    level = [all(i < reference.n_level for i in m) for m in plan.members]
    counts = {}
    for name, arr in reference.counts.items():
        if name in ("p_I", GRADE_MIX):
            counts[name] = plan.aggregate(arr)
        else:
            out = np.full((len(plan.keys), 12, arr.shape[-1]), np.nan)
            for j, members in enumerate(plan.members):
                if level[j]:
                    out[j] = arr[members].sum(axis=0)
            counts[name] = out
    moments = {name: plan.aggregate(arr) for name, arr in reference.moments.items()}
    held = np.zeros(12)
    for m in reference.months:
        held[pd.Timestamp(m).month - 1] += 1
    return ReferenceView(counts, moments, held)


def monitor(
    ledger: Any,
    model: Any,
    months: Any,
    *,
    reference: MonitoringReference | dict[str, Any] | None = None,
    thresholds: Thresholds | None = None,
    horizon_months: int | None = None,
    grace_days: int | None = None,
    progress: bool = False,
) -> Monitoring:
    """Monitor ``model`` on ``ledger`` month by month.

    Parameters
    ----------
    ledger : Ledger
        The portfolio, with its history up to the last monitored month (and later, for
        outcomes to mature).
    model : RiskModel, or str / path
        A model trained with this arrearsrisk (its bundle holds the frozen reference),
        a bundle folder or an MLflow ``models:/`` URI.
    months : sequence or (first, last)
        Month ends, ``"YYYY-MM"`` texts, or a ``(first, last)`` pair of them.
    reference : MonitoringReference or dict, optional
        The reference to compare with, for a model saved without one
        (:func:`~arrearsrisk.monitoring.sampling.build_reference`).
    thresholds : Thresholds, optional
        Overrides of the default thresholds.
    horizon_months, grace_days : int, optional
        The outcome's horizon and grace (default: the model's labels, else 3 and 30).
    progress : bool
        Show a progress bar over the months.

    Returns
    -------
    Monitoring
        The long table and its helpers.

    Raises
    ------
    MonitoringError
        If the model has no reference and none is given, or ``months`` is empty or
        malformed.

    Examples
    --------
    >>> import arrearsrisk as ar  # doctest: +SKIP
    >>> result = ar.monitor(ledger, "models/latest", ("2025-01", "2025-12"))  # doctest: +SKIP
    >>> result.first_flags()  # doctest: +SKIP

    (Skipped here: the committed sample bundle predates references;
    ``tests/monitoring`` trains one.)
    """
    from tqdm import tqdm

    from arrearsrisk.asof.labels import build_labels, uncovered

    if not hasattr(model, "spec"):
        from arrearsrisk.models.loading import load_model

        if not isinstance(model, str | os.PathLike):
            raise MonitoringError(f"model must be a RiskModel or a bundle path; got {model!r:.80}.")
        model = load_model(model)
    t = thresholds if thresholds is not None else Thresholds()
    if not isinstance(t, Thresholds):
        raise MonitoringError(f"thresholds must be a Thresholds; got {type(t).__name__}.")
    ends = month_ends(months)
    ref = _reference(model, reference)
    sizes = ref.moments["p_I"][:, :, 0].sum(axis=1) / max(len(ref.months), 1)
    plan = SegmentPlan.from_sizes(ref.segments, sizes, t.min_customers)
    view = _view(ref, plan)
    labels = model.info.get("labels", {}) if isinstance(model.info, dict) else {}
    horizon = int(horizon_months if horizon_months is not None else labels.get("horizon_months", 3))
    grace = int(grace_days if grace_days is not None else labels.get("grace_days", 30))
    multiple = float(labels.get("warning_multiple", 2.0))
    backtest = backtest_figures(model.info)
    bills = BillDates.of(ledger)
    rows: list[dict[str, Any]] = []
    matured: list[str] = []
    previous: MonthCounts | None = None
    for ts in tqdm(ends, desc="monitor", unit="month", disable=not progress):
        month = f"{ts:%Y-%m}"
        now = month_counts(ledger, model, ts, ref, plan, bills)
        rows += _month_rows(month, ts.month, plan.keys, now, view, ref, t, previous)
        rows += _migration_rows(month, plan.keys, previous, now)
        done = not uncovered(ledger, ts, horizon, grace)
        truth = None
        if done:
            matured.append(month)
            truth = labels_frame(
                build_labels(
                    ledger, ts, horizon_months=horizon, grace_days=grace, warning_multiple=multiple
                )
            )
        rows += _performance_rows(month, plan.keys, now, truth, backtest, t)
        previous = now
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return Monitoring(
        table=table,
        segments=plan.table(),
        months=[f"{ts:%Y-%m}" for ts in ends],
        matured=matured,
        reference_months=list(ref.months),
        model_version=str(model.version),
        thresholds=t,
    )


def _month_rows(
    month: str,
    calendar: int,
    keys: list[str],
    now: MonthCounts,
    view: ReferenceView,
    ref: MonitoringReference,
    t: Thresholds,
    previous: MonthCounts | None,
) -> list[dict[str, Any]]:
    rows = drift_rows(month, calendar, keys, now.counts["p_I"], view, "p_I", "score_psi", t)
    rows += drift_rows(
        month, calendar, keys, now.counts[GRADE_MIX], view, GRADE_MIX, "grade_mix_psi", t
    )
    features: list[dict[str, Any]] = []
    for name in ref.features:
        features += drift_rows(
            month,
            calendar,
            keys,
            now.counts[name],
            view,
            name,
            "feature_psi",
            t,
            ref.binnings[name].by,
            len(ref.features),
            name in _SEGMENT_FEATURES,
        )
    rows += features + feature_summary(month, features, t)
    rows += shift_rows(
        month,
        calendar,
        keys,
        now.moments["p_I"],
        view,
        "p_I",
        "score_shift",
        "mean_p_I",
        t.shift_watch,
        t.shift_alert,
        t,
    )
    rows += shift_rows(
        month,
        calendar,
        keys,
        now.moments["grade_I"],
        view,
        "grade_I",
        "grade_I_share",
        "grade_I",
        t.share_watch,
        t.share_alert,
        t,
    )
    share = shift_rows(
        month,
        calendar,
        keys,
        now.moments["in_arrears"],
        view,
        "in_arrears",
        "arrears",
        "share",
        t.share_watch,
        t.share_alert,
        t,
    )
    rows += share
    # the amount overdue (CNY, a fact) beside the share, carrying its verdict
    verdicts = {r["segment"]: r["verdict"] for r in share}
    rows += level_rows(month, keys, now.moments["arrears_amount"], "arrears", "amount", verdicts)
    rows += data_rows(
        month,
        calendar,
        keys,
        now.moments,
        now.quality,
        view,
        t,
        previous.quality if previous is not None else None,
    )
    return rows


def _migration_rows(
    month: str, keys: list[str], previous: MonthCounts | None, now: MonthCounts
) -> list[dict[str, Any]]:
    """Counts of customers by grade last month and now (I, II, III, warned; new and
    closed accounts), per segment (:mod:`~arrearsrisk.monitoring.migration`):
    descriptive (verdict stable)."""
    if previous is None:
        return []
    before = previous.scores.set_index("customer_id")
    after = now.scores.set_index("customer_id")
    aligned = align(before["grade"], after["grade"], range(len(_STATES)))
    ids = aligned.ids
    states_before = [*_STATES, NEW]
    states_after = [*_STATES, CLOSED]
    n_seg = len(keys)
    counts = np.zeros((n_seg, 5, 5), dtype=np.int64)
    for kind in (c for c in now.scores.columns if c.startswith("seg_")):
        # a customer's segment now, or last month's for a closed account
        seg_now = after[kind].reindex(ids).to_numpy(dtype=float)
        seg_before = before[kind].reindex(ids).to_numpy(dtype=float) if kind in before else seg_now
        seg = np.where(np.isnan(seg_now), seg_before, seg_now)
        seg = np.nan_to_num(seg, nan=-1).astype(np.int64)
        counts += migration_counts(aligned.before, aligned.now, len(_STATES), seg, n_seg)
    up, down, both = moves(counts, _RISK)
    rows = []
    for j, key in enumerate(keys):
        total = counts[j].sum()
        if total <= 0:
            continue
        for i, sb in enumerate(states_before):
            for k, sa in enumerate(states_after):
                if sb == NEW and sa == CLOSED:
                    continue
                rows.append(
                    _row(
                        month,
                        "grade_migration",
                        key,
                        f"{sb}->{sa}",
                        counts[j, i, k],
                        math.nan,
                        STABLE,
                        total,
                        note="descriptive",
                    )
                )
        if both[j] > 0:
            for item, moved in (("up", up[j]), ("down", down[j])):
                rows.append(
                    _row(
                        month,
                        "grade_migration",
                        key,
                        item,
                        moved / both[j],
                        math.nan,
                        STABLE,
                        both[j],
                        note="descriptive",
                    )
                )
    return rows


def _performance_rows(
    month: str,
    keys: list[str],
    now: MonthCounts,
    truth: pd.DataFrame | None,
    backtest: dict[str, float],
    t: Thresholds,
) -> list[dict[str, Any]]:
    """Estimated figures for every month; realised ones, the calibration gaps and the
    estimates' errors for a matured month; for the portfolio, each region and each
    category with at least ``min_events`` expected (or observed) Grade I customers."""
    s = now.scores
    warned = s["grade"].to_numpy() == 3
    codes = np.where(warned, 0, s["grade"].to_numpy())
    rows: list[dict[str, Any]] = []
    joined = None
    if truth is not None:
        joined = s.merge(truth, on="customer_id", how="inner")
    groups: list[tuple[str, np.ndarray, np.ndarray | None]] = []
    seg_cols = {"all": "seg_all", **{k: f"seg_{k}" for k in ("region", "category")}}
    for kind, col in seg_cols.items():
        if col not in s.columns:
            continue
        seg = s[col].to_numpy()
        seg_t = joined[col].to_numpy() if joined is not None else None
        for j in np.unique(seg[seg >= 0]):
            key = keys[j]
            if kind != ALL and (" & " in key or key.split("=")[0] not in KINDS):
                continue
            groups.append((key, seg == j, None if seg_t is None else seg_t == j))
    billed = s["billed"].to_numpy(dtype=bool)
    for key, mask, mask_t in groups:
        # labels exist for customers with bills due after the month: those billed in it
        mask = mask & billed
        p1 = s["p_I"].to_numpy()[mask]
        pw = s["p_warning"].to_numpy()[mask]
        if p1.sum() < t.min_events and key != ALL:
            continue
        est = estimated_figures(p1, codes[mask], pw, warned[mask])
        n = float(mask.sum())
        expected = figure_events(
            float((codes[mask] == 0).sum()), float(warned[mask].sum()), p1.sum(), pw.sum()
        )
        for item in ESTIMATED_ITEMS:
            ref = backtest.get(item, math.nan)
            verdict, note = judged_on_events(
                performance_verdict(item, est[item], ref, t),
                expected[item],
                "estimated from calibrated probabilities, customers billed in the month",
                t,
            )
            rows.append(
                _row(
                    month,
                    "estimated_performance",
                    key,
                    item,
                    est[item],
                    ref,
                    verdict,
                    n,
                    estimated=True,
                    note=note,
                )
            )
        if joined is None or mask_t is None:
            continue
        sub = joined[mask_t]
        y1 = sub["truth_I"].to_numpy(dtype=bool)
        if y1.sum() < t.min_events and key != ALL:
            continue
        w_t = sub["grade"].to_numpy() == 3
        real = realised_figures(
            sub["p_I"].to_numpy(),
            np.where(w_t, 0, sub["grade"].to_numpy()),
            sub["p_warning"].to_numpy(),
            w_t,
            y1,
            sub["truth_warning"].to_numpy(dtype=bool),
        )
        n_t = float(len(sub))
        observed_events = figure_events(
            float(((sub["grade"].to_numpy() == 0) | w_t).sum()),
            float(w_t.sum()),
            float(y1.sum()),
            float(sub["truth_warning"].to_numpy(dtype=bool).sum()),
        )
        for item, value in real.items():
            ref = backtest.get(item, math.nan)
            verdict, note = judged_on_events(
                performance_verdict(item, value, ref, t), observed_events[item], "", t
            )
            rows.append(_row(month, "performance", key, item, value, ref, verdict, n_t, note=note))
        for item, observed, p in (
            ("grade_I_calibration", real["grade_I_rate"], sub["p_I"].to_numpy()),
            ("warning_calibration", real["warning_rate"], sub["p_warning"].to_numpy()),
        ):
            verdict, pv = calibration_verdict(observed, p, t)
            verdict, note = judged_on_events(verdict, observed_events[item], "", t)
            rows.append(
                _row(
                    month,
                    "performance",
                    key,
                    item,
                    observed - float(np.mean(p)),
                    t.calibration_watch,
                    verdict,
                    n_t,
                    pv,
                    note=note,
                )
            )
        est_t = estimated_figures(
            sub["p_I"].to_numpy(),
            np.where(w_t, 0, sub["grade"].to_numpy()),
            sub["p_warning"].to_numpy(),
            w_t,
        )
        for item in ("grade_I_precision", "grade_I_recall", "warning_precision", "grade_I_auc"):
            err = est[item] - real[item]
            err_labelled = est_t[item] - real[item]
            verdict = WATCH if math.isfinite(err) and abs(err) >= t.rate_watch else STABLE
            verdict, note = judged_on_events(
                verdict,
                observed_events[item],
                f"on labelled customers only: {err_labelled:+.4f}",
                t,
            )
            rows.append(
                _row(month, "estimate_error", key, item, err, t.rate_watch, verdict, n, note=note)
            )
    return rows
