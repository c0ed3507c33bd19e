"""The segments a month is judged on: the portfolio, each region, category and industry
section, and each region x category.

A segment is named by its key: ``"all"``, ``"region=Nanhu"``, ``"category=industrial"``,
``"industry_section=C"``, ``"region=Nanhu & category=industrial"``.  Customers without a
value of a kind (households have no industry) belong to no segment of that kind.

Examples
--------
>>> import pandas as pd
>>> cols = {"region": pd.Categorical(["N", "S"]), "category": pd.Categorical(["a", "a"])}
>>> [kind for kind, _, _ in segment_labels(cols)]
['all', 'region', 'category', 'region & category']
>>> kind, keys, codes = segment_labels(cols)[3]
>>> [keys[c] for c in codes]
['region=N & category=a', 'region=S & category=a']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ALL",
    "CROSSES",
    "KINDS",
    "OTHER",
    "kind_of",
    "segment_labels",
]

ALL = "all"
"""The key of the whole portfolio."""

KINDS: tuple[str, ...] = ("region", "category", "industry_section")
"""The columns whose values are segments on their own."""

CROSSES: tuple[tuple[str, str], ...] = (("region", "category"),)
"""Pairs of kinds crossed into segments (a local downturn often hits one kind of
customer in one place)."""

OTHER = "(other)"
"""The value of a pooled segment: the small segments of one kind together."""

_JOIN = " & "


def kind_of(key: str) -> str:
    """The kind of a segment key: ``"all"``, ``"region"``, ``"region & category"``...

    >>> kind_of("region=Nanhu & category=industrial"), kind_of("all")
    ('region & category', 'all')
    """
    if key == ALL:
        return ALL
    return _JOIN.join(part.split("=", 1)[0] for part in key.split(_JOIN))


def _codes(values: Any, n: int) -> tuple[list[str], np.ndarray]:
    """The distinct values (as text) and each customer's code into them (-1: missing)."""
    cat = pd.Categorical(values)
    if len(cat) != n:
        raise ValueError(f"a segment column has {len(cat)} values, expected {n}")
    levels = [str(v) for v in cat.categories]
    return levels, np.asarray(cat.codes, dtype=np.int64)


def segment_labels(columns: Mapping[str, Any]) -> list[tuple[str, list[str], np.ndarray]]:
    """The segments of each kind and each customer's one, as ``(kind, keys, codes)``:
    ``codes[i]`` is customer ``i``'s position in ``keys`` (-1: none of this kind).  The
    portfolio comes first (one key ``"all"``), then :data:`KINDS`, then :data:`CROSSES`,
    for the kinds ``columns`` has.  Vectorised (categorical codes)."""
    present = [k for k in KINDS if k in columns]
    n = len(columns[present[0]]) if present else len(next(iter(columns.values()), []))
    out: list[tuple[str, list[str], np.ndarray]] = [(ALL, [ALL], np.zeros(n, dtype=np.int64))]
    coded = {k: _codes(columns[k], n) for k in present}
    for kind in present:
        levels, codes = coded[kind]
        out.append((kind, [f"{kind}={v}" for v in levels], codes))
    for a, b in CROSSES:
        if a in coded and b in coded:
            (la, ca), (lb, cb) = coded[a], coded[b]
            keys = [f"{a}={x}{_JOIN}{b}={y}" for x in la for y in lb]
            codes = np.where((ca >= 0) & (cb >= 0), ca * len(lb) + cb, -1)
            out.append((f"{a}{_JOIN}{b}", keys, codes))
    return out
