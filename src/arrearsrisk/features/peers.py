"""Peer context as of the date: recent serious-arrears rates of the customer's industry
and region, and the size of its group.

A customer is *in arrears* when a bill due in the last 6 months was more than 30
days late (see :mod:`arrearsrisk.features.payments`).  Rates are leave-one-out (the
customer's own state is not in its peers' rate) and shrunk toward the overall rate
with a weight of :data:`PRIOR_WEIGHT` customers, so a small industry is not judged
on two accounts.

Peer rates need every customer of a group.  To build features on one partition of
the customers (e.g. on a distributed engine), compute :func:`peer_context` once on
the whole ledger, or on each partition and add the contexts up
(:meth:`PeerContext.merge`), and pass it to :func:`arrearsrisk.build_features`.  A
context holds counts only, so the contexts of disjoint partitions add up exactly to
the whole ledger's; it is saved as JSON (:meth:`PeerContext.save`) for a service that
scores single accounts, and serves dates up to :data:`PEER_CONTEXT_TOLERANCE_DAYS`
after its own (:func:`check_peer_date`).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.asof.account import AccountSnapshot
from arrearsrisk.asof.snapshot import Snapshot
from arrearsrisk.features.family import FeatureFamily
from arrearsrisk.features.peer_context import (
    _NONE,
    _TABLES,
    PEER_CONTEXT_FORMAT,
    PEER_CONTEXT_TOLERANCE_DAYS,
    PEER_CONTEXT_VERSION,
    PeerContext,
    check_peer_date,
)
from arrearsrisk.features.texts import NumberText, ReasonText, is_missing, zh_en
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.vocabulary import SERIOUS_LATE_DAYS

__all__ = [
    "FAMILY",
    "NAMES",
    "PEER_CONTEXT_FORMAT",
    "PEER_CONTEXT_TOLERANCE_DAYS",
    "PEER_CONTEXT_VERSION",
    "PRIOR_WEIGHT",
    "REASONS",
    "PeerContext",
    "build",
    "build_one",
    "check_peer_date",
    "context_from_snapshot",
]

PRIOR_WEIGHT = 20.0
NAMES: tuple[str, ...] = ("industry_arrears_rate_6m", "region_arrears_rate_6m", "group_size")


def _keys(values: pd.Series) -> pd.Series:
    text = values.astype("str")
    return text.where(values.notna() & (text.str.strip() != ""), _NONE)


_FEW = 32
"""Customers up to which peer keys are read and looked up in plain Python (one
account's call: pandas' per-call cost would be most of it); the same values as the
vectorised path (tested against it)."""


def _key_list(values: pd.Series | list[Any], rows: np.ndarray) -> list[str]:
    """:func:`_keys` of ``values`` at positions ``rows``, for a few rows of a text column
    (its Series, or its cells as Python values)."""
    if isinstance(values, list):
        picked = [values[i] for i in rows.tolist()]
    elif len(values) <= 4 * _FEW:
        whole = values.tolist()
        picked = [whole[i] for i in rows.tolist()]
    else:
        picked = values.array.take(rows).tolist()
    return [_key(v) for v in picked]


def _key(value: Any) -> str:
    """A cell as a peer key: its text, :data:`_NONE` when empty or blank (as :func:`_keys`)."""
    if is_missing(value):
        return _NONE
    text = str(value)
    return text if text.strip() != "" else _NONE


def _in_arrears(s: Snapshot) -> np.ndarray:
    hit = s.b_is_due & s.in_window(s.b_due, 6) & (s.b_days_late > SERIOUS_LATE_DAYS)
    return s.per_customer(s.b_cust[hit]) > 0


def _counts_per_key(keys: np.ndarray, flag: np.ndarray, name: str) -> pd.DataFrame:
    # factorised as Python text: numpy's fixed-width strings would drop trailing NULs
    code, uniq = pd.factorize(keys.astype(object), sort=True)
    return pd.DataFrame(
        {
            "customers": np.bincount(code, minlength=len(uniq)).astype(np.int64),
            "in_arrears": np.bincount(code, weights=flag, minlength=len(uniq)).astype(np.int64),
        },
        index=pd.Index(uniq.tolist(), dtype="str", name=name),
    )


def context_from_snapshot(s: Snapshot, in_arrears: np.ndarray | None = None) -> PeerContext:
    """Count active customers and those in arrears per industry, region and group
    (``in_arrears``: each customer's flag, if already computed)."""
    cust = s.ledger.customers.iloc[s.c_row]
    active = s.active
    flags = _in_arrears(s) if in_arrears is None else in_arrears
    flag = flags[active].astype(np.float64)
    tables = {
        col: _counts_per_key(_keys(cust[col])[active].to_numpy(), flag, col) for col in _TABLES
    }
    groups = _keys(cust["group_id"])[active].to_numpy().astype(object)
    code, uniq = pd.factorize(groups[groups != _NONE], sort=True)
    size = np.bincount(code, minlength=len(uniq))
    return PeerContext(
        as_of=s.as_of,
        industry=tables["industry"],
        region=tables["region"],
        group=pd.Series(size.astype(np.int64), index=pd.Index(uniq.tolist(), dtype="str")),
        total_customers=int(active.sum()),
        total_in_arrears=int(flag.sum()),
    )


def _rate_of(n: np.ndarray, hits: np.ndarray, own: np.ndarray, overall: float) -> np.ndarray:
    n_others = np.clip(n - 1, 0, None)
    hits_others = np.clip(hits - own, 0, None)
    return (hits_others + PRIOR_WEIGHT * overall) / (n_others + PRIOR_WEIGHT)


def _looked_up(table: pd.DataFrame | pd.Series, keys: pd.Series) -> list[np.ndarray]:
    """The counts of ``table`` (its columns, or the Series) at ``keys``, 0 where absent."""
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    at = frame.index.get_indexer(pd.Index(keys))
    found = at >= 0
    out = []
    for name in frame.columns:
        values = np.zeros(len(keys), dtype=np.float64)
        values[found] = frame[name].to_numpy(dtype=np.float64)[at[found]]
        out.append(values)
    return out


def build(s: Snapshot, peers: PeerContext | None = None) -> dict[str, np.ndarray]:
    """Peer features of every customer; ``peers`` defaults to this snapshot's own."""
    flags = _in_arrears(s)
    ctx = peers if peers is not None else context_from_snapshot(s, flags)
    own = (flags & s.active).astype(np.float64)
    counts: dict[str, list[np.ndarray]] = {}
    none = np.zeros(len(s.c_row), dtype=bool)
    for col in ("industry", "region", "group_id"):
        table = ctx.group if col == "group_id" else getattr(ctx, col)
        if len(s.c_row) <= _FEW:
            cells = s.ledger.schema_values("customers", col)
            keys = _key_list(s.ledger.customers[col] if cells is None else cells, s.c_row)
            counts[col] = list(ctx.counts_of(col, keys).T)
            if col == "group_id":
                none = np.array([k == _NONE for k in keys], dtype=bool)
        else:
            key_series = _keys(s.ledger.customers[col].iloc[s.c_row])
            counts[col] = _looked_up(table, key_series)
            if col == "group_id":
                none = key_series.to_numpy() == _NONE
    overall = ctx.overall_rate
    (industry_n, industry_hits), (region_n, region_hits) = counts["industry"], counts["region"]
    return {
        "industry_arrears_rate_6m": _rate_of(industry_n, industry_hits, own, overall),
        "region_arrears_rate_6m": _rate_of(region_n, region_hits, own, overall),
        "group_size": np.where(none, 0.0, counts["group_id"][0]),
    }


_Lookups = tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]], dict[str, float]]
_LOOKUPS: dict[int, tuple[weakref.ref[PeerContext], _Lookups]] = {}
"""Plain dict lookups of each live peer context by ``id`` (a context holds frames and
is not hashable), dropped when the context is; two threads may both build one, alike."""


def _table_lookup(table: pd.DataFrame) -> dict[str, tuple[float, float]]:
    keys = table.index.tolist()
    n, hits = table["customers"].tolist(), table["in_arrears"].tolist()
    return {k: (float(a), float(b)) for k, a, b in zip(keys, n, hits, strict=True)}


def _lookups(ctx: PeerContext) -> _Lookups:
    """The counts of ``ctx`` as dicts (industry, region: key to customers and in
    arrears; group: key to accounts), built once per context."""
    key = id(ctx)
    entry = _LOOKUPS.get(key)
    if entry is not None and entry[0]() is ctx:
        return entry[1]
    group = {k: float(n) for k, n in zip(ctx.group.index.tolist(), ctx.group.tolist(), strict=True)}
    found = (_table_lookup(ctx.industry), _table_lookup(ctx.region), group)

    def forget(ref: weakref.ref[PeerContext]) -> None:
        held = _LOOKUPS.get(key)
        if held is not None and held[0] is ref:
            del _LOOKUPS[key]

    _LOOKUPS[key] = (weakref.ref(ctx, forget), found)
    return found


def _key_of(ledger: Ledger, col: str) -> str:
    """The account's peer key of column ``col``, as :func:`_key_list` reads it."""
    cells = ledger.schema_values("customers", col)
    return _key(cells[0] if cells is not None else ledger.customers[col].tolist()[0])


def _one_rate(n: float, hits: float, own: float, overall: float) -> float:
    """:func:`_rate_of` of one account, in the same float operations."""
    n_others = max(n - 1.0, 0.0)
    hits_others = max(hits - own, 0.0)
    return (hits_others + PRIOR_WEIGHT * overall) / (n_others + PRIOR_WEIGHT)


_NO_COUNTS = (0.0, 0.0)


def build_one(account: AccountSnapshot, peers: PeerContext | None = None) -> dict[str, float]:
    """Peer features of one account: the one-account twin of :func:`build`.

    Parameters
    ----------
    account : AccountSnapshot
        The account as of the date.
    peers : PeerContext, optional
        The portfolio's peer context; without it the account is its own peer group
        (the context of its one-account snapshot, as :func:`build` makes it).

    Returns
    -------
    dict
        ``{name: value}`` in :data:`NAMES` order, as ``float``.

    Examples
    --------
    >>> from arrearsrisk.asof.account import _example
    >>> build_one(_example())
    {'industry_arrears_rate_6m': 0.0, 'region_arrears_rate_6m': 0.0, 'group_size': 0.0}
    """
    start, day = account.window_start[6], account.day
    flag = False
    for due, is_due, late in zip(account.b_due, account.b_is_due, account.b_days_late, strict=True):
        if is_due and start < due <= day and late > SERIOUS_LATE_DAYS:
            flag = True
            break
    active = account.active
    own = 1.0 if flag and active else 0.0
    ledger = account.ledger
    industry, region = _key_of(ledger, "industry"), _key_of(ledger, "region")
    group = _key_of(ledger, "group_id")
    if peers is None:  # the context of this account alone
        n = 1.0 if active else 0.0
        industry_counts = region_counts = (n, own)
        overall = own  # its in_arrears over its customers (0.0 without any)
        size = n
    else:
        industries, regions, groups = _lookups(peers)
        industry_counts = industries.get(industry, _NO_COUNTS)
        region_counts = regions.get(region, _NO_COUNTS)
        overall = peers.overall_rate
        size = groups.get(group, 0.0)
    return {
        "industry_arrears_rate_6m": _one_rate(*industry_counts, own, overall),
        "region_arrears_rate_6m": _one_rate(*region_counts, own, overall),
        "group_size": 0.0 if group == _NONE else size,
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
    build_one=build_one,
    summary="recent arrears rate of the customer's industry and region, group size",
)
