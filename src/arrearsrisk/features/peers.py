"""Peer context as of the date: recent serious-arrears rates of the customer's industry
and region, and the size of its group.

A customer is *in arrears* when a bill due in the last 6 months was more than 30
days late (see :mod:`arrearsrisk.features.payments`).  Rates are leave-one-out (the
customer's own state is not in its peers' rate) and shrunk toward the overall rate
with a weight of :data:`PRIOR_WEIGHT` customers, so a small industry is not judged
on two accounts.

Peer rates need every customer of a group.  To build features on one partition of
the customers (e.g. on a distributed engine), compute :func:`peer_context` once on
the whole ledger and pass it to :func:`arrearsrisk.build_features`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.texts import NumberText, ReasonText, zh_en
from arrearsrisk.vocabulary import SERIOUS_LATE_DAYS

__all__ = [
    "FAMILY",
    "NAMES",
    "PRIOR_WEIGHT",
    "REASONS",
    "PeerContext",
    "build",
    "context_from_snapshot",
]

PRIOR_WEIGHT = 20.0
NAMES: tuple[str, ...] = ("industry_arrears_rate_6m", "region_arrears_rate_6m", "group_size")
_NONE = "(none)"


@dataclass(frozen=True)
class PeerContext:
    """Counts per peer group as of a date: small tables, cheap to ship to workers.

    ``industry`` and ``region`` are frames indexed by the group value with columns
    ``customers`` and ``in_arrears``; ``group`` counts accounts per ``group_id``.
    """

    as_of: pd.Timestamp
    industry: pd.DataFrame
    region: pd.DataFrame
    group: pd.Series
    overall_rate: float


def _keys(values: pd.Series) -> pd.Series:
    text = values.astype("str")
    return text.where(values.notna() & (text.str.strip() != ""), _NONE)


def _in_arrears(s: Snapshot) -> np.ndarray:
    hit = s.b_is_due & s.in_window(s.b_due, 6) & (s.b_days_late > SERIOUS_LATE_DAYS)
    return s.per_customer(s.b_cust[hit]) > 0


def context_from_snapshot(s: Snapshot, in_arrears: np.ndarray | None = None) -> PeerContext:
    """Count active customers and those in arrears per industry, region and group
    (``in_arrears``: each customer's flag, if already computed)."""
    cust = s.ledger.customers.iloc[s.c_row]
    active = s.active
    flags = _in_arrears(s) if in_arrears is None else in_arrears
    flag = flags[active].astype(np.float64)
    frames = {}
    for col in ("industry", "region"):
        keys = _keys(cust[col])[active].to_numpy()
        frames[col] = (
            pd.DataFrame({"key": keys, "customers": 1.0, "in_arrears": flag})
            .groupby("key")[["customers", "in_arrears"]]
            .sum()
        )
    groups = _keys(cust["group_id"])[active]
    return PeerContext(
        as_of=s.as_of,
        industry=frames["industry"],
        region=frames["region"],
        group=groups[groups != _NONE].value_counts().astype(np.float64),
        overall_rate=float(flag.mean()) if len(flag) else 0.0,
    )


def _rate(keys: pd.Series, table: pd.DataFrame, own: np.ndarray, overall: float) -> np.ndarray:
    n = table["customers"].reindex(keys).to_numpy(dtype=np.float64, na_value=0.0)
    hits = table["in_arrears"].reindex(keys).to_numpy(dtype=np.float64, na_value=0.0)
    n_others = np.clip(n - 1, 0, None)
    hits_others = np.clip(hits - own, 0, None)
    return (hits_others + PRIOR_WEIGHT * overall) / (n_others + PRIOR_WEIGHT)


def build(s: Snapshot, peers: PeerContext | None = None) -> dict[str, np.ndarray]:
    """Peer features of every customer; ``peers`` defaults to this snapshot's own."""
    flags = _in_arrears(s)
    ctx = peers if peers is not None else context_from_snapshot(s, flags)
    cust = s.ledger.customers.iloc[s.c_row]
    own = (flags & s.active).astype(np.float64)
    groups = _keys(cust["group_id"])
    size = ctx.group.reindex(groups).to_numpy(dtype=np.float64, na_value=0.0)
    return {
        "industry_arrears_rate_6m": _rate(
            _keys(cust["industry"]), ctx.industry, own, ctx.overall_rate
        ),
        "region_arrears_rate_6m": _rate(_keys(cust["region"]), ctx.region, own, ctx.overall_rate),
        "group_size": np.where(groups.to_numpy() == _NONE, 0.0, size),
    }


REASONS: dict[str, ReasonText] = {
    "industry_arrears_rate": NumberText(
        zh_en(
            "同行业近{w}个月{v:.0%}的用户严重欠费",
            "{v:.0%} of the industry seriously in arrears over {w} months",
        )
    ),
    "region_arrears_rate": NumberText(
        zh_en(
            "本供电区域近{w}个月{v:.0%}的用户严重欠费",
            "{v:.0%} of the supply area seriously in arrears over {w} months",
        )
    ),
    "group_size": NumberText(zh_en("集团户共{v:.0f}户", "one of a group of {v:.0f} accounts")),
}
"""Reason texts by feature name or stem."""

FAMILY = FeatureFamily(
    name="peers",
    names=NAMES,
    build=build,
    monotone={},
    reasons=REASONS,
    needs=("peers",),
    summary="recent arrears rate of the customer's industry and region, group size",
)
