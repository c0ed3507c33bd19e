"""Grade migration: customers by grade at one scoring and the next, the one implementation
both the monitoring (check ``grade_migration``, per segment) and the manager's report
(:func:`arrearsrisk.reports.charts.migration_table`) count with.

:func:`align` puts two scorings on the union of their customers (a customer absent before
is ``new``, one absent now is ``closed``); :func:`migration_counts` counts the pairs
(before, now), per group if given; :func:`moves` says how many continuing customers moved
to a higher or a lower risk.

Examples
--------
>>> before = pd.Series(["I", "II", "III"], index=["a", "b", "c"])
>>> now = pd.Series(["II", "I", "III"], index=["a", "b", "d"])
>>> aligned = align(before, now, ["I", "II", "III"])
>>> aligned.ids.tolist(), aligned.before.tolist(), aligned.now.tolist()
(['a', 'b', 'c', 'd'], [0, 1, 2, 3], [1, 0, 3, 2])
>>> counts = migration_counts(aligned.before, aligned.now, 3)
>>> counts[0].tolist()
[[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]]
>>> [m.tolist() for m in moves(counts, [0, 1, 2])]  # up, down, continuing
[[1], [1], [2]]
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError

__all__ = ["CLOSED", "NEW", "Aligned", "align", "migration_counts", "moves"]

NEW = "new"
"""The state before of a customer not scored then (the row after the grades)."""

CLOSED = "closed"
"""The state now of a customer no longer scored (the column after the grades)."""


class Aligned(NamedTuple):
    """Two scorings on the union of their customers: ``ids`` (before's first, then the
    new ones), and per customer the state's position before and now (``len(states)``:
    new before, closed now)."""

    ids: pd.Index
    before: np.ndarray
    now: np.ndarray


def _codes(grades: pd.Series, states: Sequence[Hashable], which: str) -> np.ndarray:
    index = pd.Index(list(states))
    values = grades.to_numpy(dtype=object)
    if index.inferred_type == "string":  # categorical or text grades compare as texts
        values = np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)
    codes = index.get_indexer(pd.Index(values, dtype=object))
    if (codes < 0).any():
        bad = values[codes < 0][0]
        who = grades.index[codes < 0][0]
        raise ArrearsRiskError(
            f"{which}: grade {bad!r} of customer {who} is not one of {', '.join(map(str, states))}."
        )
    return codes.astype(np.int64)


def align(before: pd.Series, now: pd.Series, states: Sequence[Hashable]) -> Aligned:
    """``before`` and ``now`` (grades indexed by customer id, each id once) on the union
    of their customers.

    Raises
    ------
    ArrearsRiskError
        If an id repeats or a grade is not one of ``states``.
    """
    for which, grades in (("before", before), ("now", now)):
        if not grades.index.is_unique:
            twice = grades.index[grades.index.duplicated()][0]
            raise ArrearsRiskError(f"{which}: customer {twice} is given more than once.")
    b = _codes(before, states, "before")
    a = _codes(now, states, "now")
    ids = before.index.append(now.index[~now.index.isin(before.index)])
    absent = len(states)
    b_all = np.full(len(ids), absent, dtype=np.int64)
    a_all = np.full(len(ids), absent, dtype=np.int64)
    b_all[: len(before)] = b
    a_all[ids.get_indexer(now.index)] = a
    return Aligned(ids, b_all, a_all)


def migration_counts(
    before: np.ndarray,
    now: np.ndarray,
    n_states: int,
    group: np.ndarray | None = None,
    n_groups: int = 1,
) -> np.ndarray:
    """Customers per (group, state before, state now): int64 of shape
    ``(n_groups, n_states + 1, n_states + 1)``, rows the states then new, columns the
    states then closed.  ``group`` (0 to ``n_groups - 1`` per customer; negative: left
    out) splits them, all in group 0 by default."""
    size = n_states + 1
    b = np.asarray(before, dtype=np.int64)
    a = np.asarray(now, dtype=np.int64)
    g = np.zeros(len(b), dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64)
    keep = g >= 0
    flat = (g[keep] * size + b[keep]) * size + a[keep]
    counts = np.bincount(flat, minlength=n_groups * size * size)
    return counts.reshape(n_groups, size, size)


def moves(counts: np.ndarray, risk: Sequence[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group: continuing customers (scored before and now) moving to a higher risk,
    to a lower one, and all continuing customers.  ``risk`` ranks the states, lower is
    riskier (``[0, 1, 2]`` for I, II, III; a warned state above I: ``-1``)."""
    r = np.asarray(risk, dtype=np.float64)
    n = len(r)
    inner = np.asarray(counts)[:, :n, :n]
    up = r[None, :] < r[:, None]  # [before, now]: now riskier
    down = r[None, :] > r[:, None]
    return (
        (inner * up).sum(axis=(1, 2)),
        (inner * down).sum(axis=(1, 2)),
        inner.sum(axis=(1, 2)),
    )
