"""Which segments are judged, pooled or skipped, decided once from the reference.

A segment with fewer than ``min_customers`` customers in an average reference month is
pooled with the other small segments of its kind into ``"<kind>=(other)"``; segments
seen in a monitored month but absent from the reference go there too.  A pool still
under ``min_customers`` is skipped.  The decision depends only on the reference, so a
segment is judged the same way every month.

Examples
--------
>>> import numpy as np
>>> plan = SegmentPlan.from_sizes(["all", "region=N", "region=S", "region=W"],
...                               np.array([900.0, 700.0, 120.0, 90.0]), 200)
>>> plan.keys, plan.status["region=S"]
(['all', 'region=N', 'region=(other)'], 'pooled into region=(other)')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from arrearsrisk.monitoring.segments import ALL, OTHER, kind_of

__all__ = ["SegmentPlan"]


@dataclass
class SegmentPlan:
    """The judged segments (``keys``, the portfolio first), each a set of reference
    segments (``members``: positions in the reference's list), and what became of
    every reference segment (``status``)."""

    keys: list[str]
    members: list[list[int]]
    status: dict[str, str]
    other: dict[str, int] = field(default_factory=dict)  # kind -> position of its pool
    _by_ref: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @classmethod
    def from_sizes(
        cls, segments: Sequence[str], sizes: np.ndarray, min_customers: int
    ) -> SegmentPlan:
        """The plan for reference ``segments`` with ``sizes`` customers a month."""
        keys: list[str] = []
        members: list[list[int]] = []
        status: dict[str, str] = {}
        small: dict[str, list[int]] = {}
        for i, key in enumerate(segments):
            if key == ALL or sizes[i] >= min_customers:
                keys.append(key)
                members.append([i])
                status[key] = "judged"
            else:
                small.setdefault(kind_of(key), []).append(i)
        other: dict[str, int] = {}
        kinds = list(dict.fromkeys(kind_of(k) for k in segments if k != ALL))
        for kind in kinds:
            pool = small.get(kind, [])
            name = _other_key(kind)
            size = float(sum(sizes[i] for i in pool))
            if pool and size >= min_customers:
                other[kind] = len(keys)
                keys.append(name)
                members.append(pool)
                for i in pool:
                    status[segments[i]] = f"pooled into {name}"
            else:
                for i in pool:
                    status[segments[i]] = (
                        f"skipped: {sizes[i]:.0f} customers a month, pooled "
                        f"{size:.0f} < {min_customers}"
                    )
        by_ref = np.full(len(segments) + 1, -1, dtype=np.int64)
        for j, refs in enumerate(members):
            by_ref[refs] = j
        return cls(keys, members, status, other, by_ref)

    def positions(self, kind: str, keys: Sequence[str], index: dict[str, int]) -> np.ndarray:
        """For the month's segment ``keys`` of one ``kind``, their judged position
        (-1: skipped); keys unknown to the reference go to the kind's pool."""
        pool = self.other.get(kind, -1)
        out = np.empty(len(keys) + 1, dtype=np.int64)
        for i, key in enumerate(keys):
            ref = index.get(key, -1)
            out[i] = self._by_ref[ref] if ref >= 0 else pool
            if ref < 0 and key not in self.status:
                self.status[key] = (
                    f"new since the reference: pooled into {_other_key(kind)}"
                    if pool >= 0
                    else "new since the reference: skipped (no pool of its kind)"
                )
        out[-1] = -1  # code -1: no segment of this kind
        return out

    def aggregate(self, arrays: np.ndarray) -> np.ndarray:
        """Reference ``arrays`` (segments first) summed over each judged segment's members."""
        return np.stack([arrays[m].sum(axis=0) for m in self.members])

    def table(self) -> pd.DataFrame:
        """Every segment seen and what became of it (columns segment, kind, status)."""
        rows = [{"segment": k, "kind": kind_of(k), "status": s} for k, s in self.status.items()]
        for key in self.keys:
            if key not in self.status:
                rows.append({"segment": key, "kind": kind_of(key), "status": "judged (pool)"})
        return pd.DataFrame(rows, columns=["segment", "kind", "status"])


def _other_key(kind: str) -> str:
    return " & ".join(f"{part}={OTHER}" for part in kind.split(" & "))
