"""The rows a reference is built from, and the references of a training frame and of a
ledger: customer months sampled, scored by the model, then counted by
:func:`~arrearsrisk.monitoring.reference.reference_from_scored`.

A training frame larger than :data:`MAX_REFERENCE_ROWS` is sampled
(:func:`reference_rows`): stratified by month (each month keeps its share of the cap)
and by customer (a seeded hash of the id ranks the customers, the same in every month,
so a customer is in the sample for all of its months or for none).
:func:`reference_of_frame` scores the sample of a training frame (what
:func:`arrearsrisk.train` saves in the bundle); :func:`build_reference` computes the
features of a ledger month by month and scores the same rows, for a bundle trained
before references existed.

Examples
--------
Four of six customer months, two a month, the same two customers in both months:

>>> ids = ["a", "b", "c"] * 2
>>> rows = reference_rows(ids, ["2024-01-31"] * 3 + ["2024-02-29"] * 3, max_rows=4)
>>> rows.tolist(), [ids[i] for i in rows]
([1, 2, 4, 5], ['b', 'c', 'b', 'c'])
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.monitoring.reference import (
    MonitoringError,
    MonitoringReference,
    reference_from_scored,
)
from arrearsrisk.monitoring.segments import KINDS

__all__ = [
    "MAX_REFERENCE_ROWS",
    "REFERENCE_SEED",
    "build_reference",
    "reference_of_frame",
    "reference_rows",
]

MAX_REFERENCE_ROWS = 200_000
"""Most rows a reference is built from (:func:`reference_rows`): a larger training frame
is sampled, by customer and stratified by month.  200,000 rows put a decile bin's share
within about 0.002 of the full frame's (a bin of 10 % over 17,000 rows a month for 12
months), far below what any threshold judges, for a fraction of the scoring time."""

REFERENCE_SEED = 0
"""The seed of the customers' sampling ranks (:func:`reference_rows`)."""


def _priority(customer_id: Any, seed: int) -> np.ndarray:
    """Each customer's sampling rank: a seeded 64-bit hash of its id (the same customer
    ranks the same in every month and every frame)."""
    ids = pd.Series(np.asarray(customer_id, dtype=object)).astype(str).to_numpy(dtype=object)
    key = hashlib.sha256(f"arrearsrisk-reference-{seed}".encode()).hexdigest()[:16]
    return np.asarray(pd.util.hash_array(ids, hash_key=key, categorize=False), dtype=np.uint64)


def _quotas(counts: np.ndarray, max_rows: int) -> np.ndarray:
    """Rows kept per month: ``max_rows`` shared in proportion to ``counts`` (largest
    remainders first, ties to the earlier month), every month with rows keeping one."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total <= max_rows:
        return counts.copy()
    share = counts * (max_rows / total)
    quota = np.floor(share).astype(np.int64)
    order = np.lexsort((np.arange(len(counts)), -(share - quota)))
    quota[order[: max_rows - int(quota.sum())]] += 1
    for i in np.flatnonzero((quota == 0) & (counts > 0)):
        quota[int(np.argmax(quota))] -= 1
        quota[i] += 1
    return quota


def _pick(month: np.ndarray, priority: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Positions of the ``quota[m]`` rows of smallest ``priority`` in each month ``m``
    (ties by position), in position order."""
    n = len(month)
    order = np.lexsort((np.arange(n), priority, month))
    in_order = month[order]
    start = np.searchsorted(in_order, np.arange(len(quota)))
    rank = np.arange(n) - start[in_order]
    return np.sort(order[rank < quota[in_order]])


def _check_cap(max_rows: Any) -> int | None:
    if max_rows is None:
        return None
    if isinstance(max_rows, bool) or not isinstance(max_rows, int | np.integer) or max_rows < 1:
        raise MonitoringError(f"max_rows must be a whole number >= 1 or None; got {max_rows!r}.")
    return int(max_rows)


def reference_rows(
    customer_id: Any,
    as_of: Any,
    max_rows: int | None = MAX_REFERENCE_ROWS,
    seed: int = REFERENCE_SEED,
) -> np.ndarray:
    """The rows a reference is built from: all of them up to ``max_rows``, else exactly
    ``max_rows``, drawn reproducibly.

    Stratified by month: each month (distinct ``as_of``) keeps its share of ``max_rows``
    (largest remainders, at least one row each).  By customer: within a month, the rows
    of the customers with the smallest seeded hash of their id are kept, the same
    customers in every month, so a customer is in the sample for all of its months or
    for none (up to the months' rounding).  ``None``: no cap.

    Parameters
    ----------
    customer_id, as_of : array-like
        Per row: the customer and its cutoff.
    max_rows : int or None, default :data:`MAX_REFERENCE_ROWS`
        The cap.
    seed : int, default :data:`REFERENCE_SEED`
        Another seed draws other customers.

    Returns
    -------
    numpy.ndarray
        Positions of the rows kept, increasing.

    Raises
    ------
    MonitoringError
        If the lengths differ, ``max_rows`` is not a whole number >= 1 or is fewer than
        the months.

    Examples
    --------
    >>> ids = ["a", "b", "c", "d"] * 3
    >>> months = ["2024-01-31"] * 4 + ["2024-02-29"] * 4 + ["2024-03-31"] * 4
    >>> rows = reference_rows(ids, months, max_rows=6)
    >>> len(rows), sorted({ids[i] for i in rows}) == sorted({ids[i] for i in rows[:2]})
    (6, True)
    >>> reference_rows(ids, months, max_rows=20).tolist() == list(range(12))
    True
    """
    cap = _check_cap(max_rows)
    dates = pd.to_datetime(pd.Series(np.asarray(as_of)))
    n = len(dates)
    if len(customer_id) != n:
        raise MonitoringError(f"{len(customer_id)} customer ids for {n} cutoffs.")
    if cap is None or n <= cap:
        return np.arange(n)
    month, months = pd.factorize(dates, sort=True)
    if cap < len(months):
        raise MonitoringError(
            f"max_rows {cap} is fewer than the {len(months)} reference months: every month "
            "needs a row."
        )
    quota = _quotas(np.bincount(month, minlength=len(months)), cap)
    return _pick(month.astype(np.int64), _priority(customer_id, seed), quota)


_TARGETS = ("grade_I", "grade_I_II", "warning")


def reference_of_frame(
    frame: pd.DataFrame,
    model: Any,
    *,
    max_rows: int | None = MAX_REFERENCE_ROWS,
    seed: int = REFERENCE_SEED,
    bins: int = 10,
) -> MonitoringReference:
    """The reference of ``model`` on a training ``frame`` (every cutoff; columns
    ``customer_id``, ``as_of`` and the features): at most ``max_rows`` rows
    (:func:`reference_rows`) scored by ``model``, the sample recorded
    (``rows``, ``source_rows``, ``sampled``).

    What :func:`arrearsrisk.train` saves in the bundle.

    Raises
    ------
    MonitoringError
        If ``customer_id`` or ``as_of`` is missing, or ``max_rows`` is wrong.
    """
    missing = [c for c in ("customer_id", "as_of") if c not in frame.columns]
    if missing:
        raise MonitoringError(f"the training frame needs the columns {missing}.")
    rows = reference_rows(frame["customer_id"], frame["as_of"], max_rows, seed)
    part = frame if len(rows) == len(frame) else frame.iloc[rows]
    x = model.spec.matrix(part)
    graded = model.grade({t: model.raw(x, t) for t in _TARGETS})
    del x
    return reference_from_scored(
        part,
        part["as_of"].to_numpy(),
        graded["p_I"],
        graded["codes"],
        graded["a_warning"],
        list(model.spec.names),
        bins=bins,
        source_rows=len(frame),
    )


def build_reference(
    ledger: Any,
    model: Any,
    months: Sequence[Any],
    *,
    bins: int = 10,
    max_rows: int | None = MAX_REFERENCE_ROWS,
    seed: int = REFERENCE_SEED,
) -> MonitoringReference:
    """The reference of ``model`` on ``ledger`` at the month ends ``months``: for a bundle
    saved without one (trained before references existed).

    Pick the months the model was trained on (``model.info["trained_on"]``) to compare
    with its training population; the result can be attached with
    ``model.reference = ref.to_dict()`` and saved with the model.  At most ``max_rows``
    customer months are scored, the same rows :func:`reference_rows` would pick from
    all of them (each month's features are computed, then only its sampled customers
    kept and scored).

    Raises
    ------
    MonitoringError
        If ``months`` is empty, or ``max_rows`` is wrong.
    """
    from arrearsrisk.features import feature_columns
    from arrearsrisk.timeline import parse_as_of

    cap = _check_cap(max_rows)
    if not len(months):
        raise MonitoringError("build_reference needs at least one month.")
    names = list(model.spec.names)
    stamps = sorted({parse_as_of(m) for m in months})  # a month given twice counts once
    parts, ranks, sizes = [], [], []
    for ts in stamps:
        ids, feats = feature_columns(ledger, ts)
        frame = pd.DataFrame({k: feats[k] for k in {*names, *KINDS, "arrears_amount"} & set(feats)})
        rank = _priority(ids, seed)
        sizes.append(len(frame))
        if cap is not None and len(frame) > cap:  # no month keeps more than the cap
            keep = _pick(np.zeros(len(frame), dtype=np.int64), rank, np.array([cap]))
            frame, rank = frame.iloc[keep].reset_index(drop=True), rank[keep]
        parts.append(frame)
        ranks.append(rank)
    if cap is not None and sum(sizes) > cap:
        if cap < len(stamps):
            raise MonitoringError(
                f"max_rows {cap} is fewer than the {len(stamps)} reference months: "
                "every month needs a row."
            )
        month = np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(parts)])
        keep = _pick(month, np.concatenate(ranks), _quotas(np.array(sizes), cap))
        offsets = np.cumsum([0, *(len(p) for p in parts)])
        parts = [
            p.iloc[keep[(keep >= a) & (keep < b)] - a].reset_index(drop=True)
            for p, a, b in zip(parts, offsets[:-1], offsets[1:], strict=True)
        ]
    dates, p1, codes, warned = [], [], [], []
    for frame, ts in zip(parts, stamps, strict=True):
        x = model.spec.matrix(frame)
        graded = model.grade({t: model.raw(x, t) for t in _TARGETS})
        del x
        dates.append(np.full(len(frame), ts))
        p1.append(graded["p_I"])
        codes.append(graded["codes"])
        warned.append(graded["a_warning"])
    frame = pd.concat(parts, ignore_index=True)
    for k in (*KINDS, *model.spec.categories):
        if k in frame:
            frame[k] = frame[k].astype("category")
    return reference_from_scored(
        frame,
        np.concatenate(dates),
        np.concatenate(p1),
        np.concatenate(codes),
        np.concatenate(warned),
        names,
        bins=bins,
        source_rows=sum(sizes),
    )
