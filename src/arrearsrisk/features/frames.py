"""Training frames: features and labels stacked over many as-of dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from tqdm import tqdm

from arrearsrisk.asof.labels import build_labels, label_end, uncovered
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features.build import build_features
from arrearsrisk.features.peer_context import PeerContext
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf, add_months, parse_as_of
from arrearsrisk.vocabulary import GRADE_DTYPE, GRADES

__all__ = ["monthly_cutoffs", "training_frame"]


def _data_span(ledger: Ledger) -> tuple[pd.Timestamp, pd.Timestamp]:
    bills, pays = ledger.bills, ledger.payments
    first = bills["issue_date"].min()
    last = max(bills["issue_date"].max(), pays["paid_date"].max() if len(pays) else first)
    return pd.Timestamp(first), pd.Timestamp(last)


def monthly_cutoffs(
    ledger: Ledger,
    *,
    history_months: int = 12,
    horizon_months: int = 3,
    grace_days: int = 30,
) -> list[pd.Timestamp]:
    """Month-end as-of dates with ``history_months`` of bills before them and their
    outcome fully observed in the ledger.

    Every table's coverage counts on its own (:func:`arrearsrisk.asof.uncovered`): when
    the payments export ends months before the bills, only dates whose outcome window
    the payments still cover are offered.  A ledger without bills has none.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> cuts = ar.monthly_cutoffs(ar.read_ledger("data/sample"))
    >>> cuts[0].date(), cuts[-1].date()
    (datetime.date(2024, 1, 31), datetime.date(2025, 9, 30))
    """
    if ledger.bills.empty:
        return []
    first, last = _data_span(ledger)
    start = add_months(first.to_period("M").to_timestamp(), history_months) - pd.Timedelta(days=1)
    ends = pd.date_range(start, last, freq="ME")
    return [
        t
        for t in ends
        if label_end(t, horizon_months, grace_days) <= last
        and not uncovered(ledger, t, horizon_months, grace_days)
    ]


def _user_labels(labels: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(labels, pd.DataFrame):
        raise ArrearsRiskError(f"labels must be a DataFrame, got {type(labels).__name__}.")
    frame = labels.reset_index() if "customer_id" not in labels.columns else labels
    missing = [c for c in ("customer_id", "as_of") if c not in frame.columns]
    if missing or not ({"grade", "a_warning"} & set(frame.columns)):
        raise ArrearsRiskError(
            "labels need columns customer_id, as_of and grade and/or a_warning; "
            f"got {list(labels.columns)}."
        )
    out = frame[[c for c in ("customer_id", "as_of", "grade", "a_warning") if c in frame]].copy()
    out["customer_id"] = out["customer_id"].astype("str")
    out["as_of"] = pd.to_datetime(out["as_of"], errors="coerce")
    if out["as_of"].isna().any():
        raise ArrearsRiskError("labels: column 'as_of' has values that are not dates.")
    if "grade" in out:
        bad = ~out["grade"].astype("str").isin(GRADES)
        if bad.any():
            raise ArrearsRiskError(
                f"labels: column 'grade' must be one of {', '.join(GRADES)}; "
                f"got {out.loc[bad, 'grade'].head(5).tolist()}."
            )
        out["grade"] = out["grade"].astype("str").astype(GRADE_DTYPE)
    if "a_warning" in out:
        if out["a_warning"].isna().any() or not out["a_warning"].isin([True, False]).all():
            raise ArrearsRiskError("labels: column 'a_warning' must hold booleans.")
        out["a_warning"] = out["a_warning"].astype(bool)
    dup = out.duplicated(["customer_id", "as_of"])
    if dup.any():
        raise ArrearsRiskError(
            "labels: (customer_id, as_of) must be unique; duplicated: "
            f"{out.loc[dup, ['customer_id', 'as_of']].head(5).to_dict('records')}."
        )
    return out


def training_frame(
    ledger: Ledger,
    cutoffs: Iterable[AsOf],
    horizon_months: int = 3,
    labels: pd.DataFrame | None = None,
    *,
    grace_days: int = 30,
    warning_multiple: float = 2.0,
    peers: Mapping[pd.Timestamp, PeerContext] | None = None,
    progress: bool = False,
    allow_unobserved: bool = False,
) -> pd.DataFrame:
    """Features and labels of every labelled customer, stacked over ``cutoffs``.

    Parameters
    ----------
    ledger : Ledger
        The validated ledger.
    cutoffs : iterable of dates
        As-of dates, e.g. from :func:`monthly_cutoffs`.
    horizon_months : int, default 3
        Label horizon (see :func:`arrearsrisk.build_labels`).
    labels : pandas.DataFrame, optional
        Your own labels instead of :func:`arrearsrisk.build_labels`: columns
        ``customer_id``, ``as_of`` and ``grade`` and/or ``a_warning``.  Only customers
        with a label at a cutoff are kept.
    grace_days, warning_multiple
        Passed to :func:`arrearsrisk.build_labels`.
    peers : mapping of Timestamp to PeerContext, optional
        The portfolio's peer context at each cutoff, when ``ledger`` is a part of it
        (a bucket of customers, :mod:`arrearsrisk.engines.chunked`); default: each
        cutoff's own, from ``ledger``.
    progress : bool
        Show a progress bar over the cutoffs.
    allow_unobserved : bool, default False
        Passed to :func:`arrearsrisk.build_labels`: label a part of the ledger whose
        coverage was checked on the whole (a bucket of an engine's job, whose own last
        payment may come early).

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id``, ``as_of``, the features, then the label columns;
        rows ordered by ``as_of`` then ``customer_id``.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> frame = ar.training_frame(ledger, ["2024-05-31", "2024-06-30"])
    >>> frame["as_of"].nunique(), list(frame.columns[-2:])
    (2, ['grade', 'a_warning'])
    """
    dates = sorted({parse_as_of(c) for c in cutoffs})
    if not dates:
        raise ArrearsRiskError("training_frame needs at least one cutoff date.")
    given = _user_labels(labels) if labels is not None else None
    parts = []
    for t in tqdm(dates, desc="training frame", unit="cutoff", disable=not progress):
        if peers is not None and t not in peers:
            raise ArrearsRiskError(f"peers has no context for the cutoff {t.date()}.")
        feats = build_features(ledger, t, peers=None if peers is None else peers[t])
        if given is None:
            lab = build_labels(
                ledger,
                t,
                horizon_months,
                grace_days=grace_days,
                warning_multiple=warning_multiple,
                allow_unobserved=allow_unobserved,
            )
        else:
            lab = given[given["as_of"] == t].drop(columns="as_of").set_index("customer_id")
        part = feats.join(lab, how="inner")
        part.insert(0, "as_of", t)
        parts.append(part)
    frame = pd.concat(parts).reset_index()
    frame = frame.sort_values(["as_of", "customer_id"], kind="stable", ignore_index=True)
    frame.attrs["labels"] = {
        "source": "user" if given is not None else "build_labels",
        "horizon_months": horizon_months,
        "grace_days": grace_days,
        "warning_multiple": warning_multiple,
    }
    return frame
