"""One monitored month: score every customer once, then count everything by segment.

:func:`month_counts` builds the features at the month end, predicts (no reasons: they
are not needed), bins every variable on the reference's frozen bins and adds the counts
and moments up per judged segment with ``numpy.bincount``: vectorised over customers,
one pass per variable and segment kind.

Examples
--------
>>> import arrearsrisk as ar
>>> from arrearsrisk.monitoring.sampling import build_reference
>>> from arrearsrisk.monitoring.pooling import SegmentPlan
>>> ledger, model = ar.read_ledger("data/sample"), ar.load_model("models/sample")
>>> ref = build_reference(ledger, model, ["2024-06-30"])
>>> plan = SegmentPlan.from_sizes(ref.segments, ref.moments["p_I"][:, :, 0].sum(axis=1), 300)
>>> month = month_counts(ledger, model, "2025-06-30", ref, plan)
>>> month.counts["p_I"].shape[0] == len(plan.keys), int(month.moments["p_I"][0, 0])
(True, 2933)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.models.manifest_checks import TARGETS
from arrearsrisk.monitoring.pooling import SegmentPlan
from arrearsrisk.monitoring.reference import (
    GRADE_MIX,
    MOMENTS,
    MonitoringReference,
    scored_columns,
)
from arrearsrisk.monitoring.segments import ALL, KINDS, segment_labels
from arrearsrisk.timeline import parse_as_of

__all__ = ["BillDates", "MonthCounts", "month_counts"]


@dataclass
class MonthCounts:
    """What one month contributes.

    Attributes
    ----------
    as_of : Timestamp
        The month end.
    counts : dict of str to numpy.ndarray
        Per variable, ``(segments, bins)`` counts (features: NaN rows for segments that
        have no feature reference, the crossed ones).
    moments : dict of str to numpy.ndarray
        Per :data:`~arrearsrisk.monitoring.reference.MOMENTS` name, ``(segments, 3)``.
    scores : pandas.DataFrame
        One row per customer: customer_id, p_I, p_warning, grade (0 I, 1 II, 2 III,
        3 warned), the judged segment per kind (``seg_<kind>``, -1 none) and ``billed``
        (a bill issued in the month).
    quality : dict of str to numpy.ndarray
        ``(segments, 2)`` numerators and denominators: ``estimated`` (bills issued in
        the month with an estimated reading / bills issued), ``no_bill`` (customers
        without a bill issued in the month / customers).
    """

    as_of: pd.Timestamp
    counts: dict[str, np.ndarray]
    moments: dict[str, np.ndarray]
    scores: pd.DataFrame
    quality: dict[str, np.ndarray]


def _count(codes: np.ndarray, rows: np.ndarray, n_seg: int, n_bins: int) -> np.ndarray:
    keep = rows >= 0
    return np.bincount(rows[keep] * n_bins + codes[keep], minlength=n_seg * n_bins).reshape(
        n_seg, n_bins
    )


def month_counts(
    ledger: Any,
    model: Any,
    as_of: Any,
    reference: MonitoringReference,
    plan: SegmentPlan,
    bills: BillDates | None = None,
) -> MonthCounts:
    """Score ``ledger`` at ``as_of`` with ``model`` and count by the judged segments of
    ``plan`` on ``reference``'s bins (``bills``: :meth:`BillDates.of` the ledger, built
    once for many months)."""
    from arrearsrisk.features import feature_columns

    ts = parse_as_of(as_of)
    ids, feats = feature_columns(ledger, ts)
    x = model.spec.matrix(feats)
    graded = model.grade({t: model.raw(x, t) for t in TARGETS})
    del x
    names = reference.features
    cols = scored_columns(feats, names, graded["p_I"], graded["codes"], graded["a_warning"])
    n_seg = len(plan.keys)
    labelled = segment_labels({k: feats[k] for k in KINDS if k in feats})
    rows_by_kind: list[tuple[bool, np.ndarray, str]] = []
    for kind, keys, codes in labelled:
        rows = plan.positions(kind, keys, reference._index)[codes]
        rows_by_kind.append((kind == ALL or kind in KINDS, rows, kind))
    level = np.array([all(i < reference.n_level for i in m) for m in plan.members])
    counts: dict[str, np.ndarray] = {}
    for name, binning in reference.binnings.items():
        if name in cols:
            values = cols[name]
        elif name in feats:
            values = feats[name]
        else:  # a reference feature the features no longer have: all missing
            values = np.full(len(ids), np.nan)
        codes = binning.codes(values)
        total = np.zeros((n_seg, binning.n_bins))
        features_only = name not in ("p_I", GRADE_MIX)
        for is_level, rows, _ in rows_by_kind:
            if features_only and not is_level:
                continue
            total += _count(codes, rows, n_seg, binning.n_bins)
        if features_only:
            total[~level] = np.nan
        counts[name] = total
    moments: dict[str, np.ndarray] = {}
    for name in MOMENTS:
        v = np.asarray(cols[name], dtype=np.float64)
        total = np.zeros((n_seg, 3))
        for _, rows, _ in rows_by_kind:
            keep = rows >= 0
            r = rows[keep]
            total[:, 0] += np.bincount(r, minlength=n_seg)
            total[:, 1] += np.bincount(r, weights=v[keep], minlength=n_seg)
            total[:, 2] += np.bincount(r, weights=v[keep] ** 2, minlength=n_seg)
        moments[name] = total
    scores = pd.DataFrame(
        {
            "customer_id": np.asarray(ids).astype(str),
            "p_I": graded["p_I"],
            "p_warning": graded["p_warning"],
            "grade": cols[GRADE_MIX],
            **{f"seg_{kind}": rows for _, rows, kind in rows_by_kind},
        }
    )
    if bills is None:
        bills = BillDates.of(ledger)
    quality, billed = _quality(bills, ts, scores, n_seg, [k for _, _, k in rows_by_kind])
    scores["billed"] = billed
    return MonthCounts(ts, counts, moments, scores, quality)


@dataclass(frozen=True)
class BillDates:
    """The bills' issue days, customers and estimated flags as arrays (built once)."""

    issue: np.ndarray  # datetime64[D]
    customer: np.ndarray  # str
    estimated: np.ndarray  # bool

    @classmethod
    def of(cls, ledger: Any) -> BillDates:
        """The arrays of ``ledger.bills``."""
        bills = ledger.bills
        est = (
            bills["estimated"].to_numpy(dtype=bool, na_value=False)
            if "estimated" in bills.columns
            else np.zeros(len(bills), dtype=bool)
        )
        return cls(
            pd.to_datetime(bills["issue_date"]).to_numpy().astype("datetime64[D]"),
            bills["customer_id"].astype(str).to_numpy(),
            est,
        )


def _quality(
    bills: BillDates, ts: pd.Timestamp, scores: pd.DataFrame, n_seg: int, kinds: list[str]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Estimated readings and customers without a bill, issued in ``ts``'s month, by
    segment; and whether each customer got a bill in the month."""
    start = np.datetime64(ts.to_period("M").start_time.date(), "D")
    end = np.datetime64(ts.date(), "D")
    in_month = (bills.issue >= start) & (bills.issue <= end)
    customer = pd.Index(scores["customer_id"])
    who = customer.get_indexer(bills.customer[in_month])
    est = bills.estimated[in_month]
    known = who >= 0
    who, est = who[known], est[known]
    has_bill = np.zeros(len(customer), dtype=bool)
    has_bill[who] = True
    out = {"estimated": np.zeros((n_seg, 2)), "no_bill": np.zeros((n_seg, 2))}
    for kind in kinds:
        rows = scores[f"seg_{kind}"].to_numpy()
        bill_rows = rows[who]
        keep = bill_rows >= 0
        out["estimated"][:, 0] += np.bincount(
            bill_rows[keep], weights=est[keep].astype(float), minlength=n_seg
        )
        out["estimated"][:, 1] += np.bincount(bill_rows[keep], minlength=n_seg)
        keep = rows >= 0
        out["no_bill"][:, 0] += np.bincount(
            rows[keep], weights=(~has_bill[keep]).astype(float), minlength=n_seg
        )
        out["no_bill"][:, 1] += np.bincount(rows[keep], minlength=n_seg)
    return out, has_bill
