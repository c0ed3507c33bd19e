"""Building the features of every registered family from one snapshot of the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.asof.snapshot import Snapshot, take_snapshot
from arrearsrisk.errors import FeatureFamilyError
from arrearsrisk.features.family import Column, FeatureFamily
from arrearsrisk.features.peer_context import PeerContext, check_peer_date
from arrearsrisk.features.peers import context_from_snapshot
from arrearsrisk.features.registry import families, reserved_names
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf, parse_as_of

__all__ = [
    "add_family_columns",
    "build_family",
    "build_features",
    "declared_columns",
    "feature_columns",
    "feature_names",
    "peer_context",
]


def feature_names(ledger: Ledger | None = None) -> list[str]:
    """Names of all features in output order (with a ledger: its extra attributes too).

    >>> feature_names()[:3]
    ['bills_due_count_3m', 'late_bills_count_3m', 'late_bills_share_3m']
    """
    registered = families()
    names = [n for fam in registered for n in fam.names]
    if ledger is not None:
        names += [n for fam in registered if fam.extra_names for n in fam.extra_names(ledger)]
    return names


def peer_context(ledger: Ledger, as_of: AsOf) -> PeerContext:
    """Peer-group counts of ``ledger`` at ``as_of`` (any day), to pass to
    :func:`build_features` when building features on a subset of customers.

    Computed on the whole ledger, or on each of its partitions and added up with
    :meth:`PeerContext.merge` (counts of disjoint partitions add up exactly).  A context
    serves features at its own date and, with a warning, up to
    :data:`~arrearsrisk.features.peers.PEER_CONTEXT_TOLERANCE_DAYS` (31) days after it;
    :meth:`PeerContext.save` keeps it for a service that scores single accounts.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> ctx = peer_context(ledger, "2024-06-30")
    >>> part = ledger.subset(ledger.customers["customer_id"][:100])
    >>> whole = ar.build_features(ledger, "2024-06-30")
    >>> alone = ar.build_features(part, "2024-06-30", peers=ctx)
    >>> bool((alone["region_arrears_rate_6m"]
    ...       == whole.loc[alone.index, "region_arrears_rate_6m"]).all())
    True
    >>> rest = ledger.subset(ledger.customers["customer_id"][100:])
    >>> peer_context(part, "2024-06-30") + peer_context(rest, "2024-06-30") == ctx
    True
    """
    return context_from_snapshot(take_snapshot(ledger, as_of))


def build_features(
    ledger: Ledger, as_of: AsOf, *, peers: PeerContext | None = None
) -> pd.DataFrame:
    """Features of every customer active at ``as_of``, from data dated on or before it.

    Parameters
    ----------
    ledger : Ledger
        The validated ledger.
    as_of : str, date or Timestamp
        The date features are computed at; bills issued and payments made after it
        are ignored.  Month ends work best: the consumption grid ends with the month
        before ``as_of``'s month.
    peers : PeerContext, optional
        Peer-group counts from :func:`peer_context` on the whole ledger (or merged from
        its partitions, or loaded with :meth:`PeerContext.load`); needed only when
        ``ledger`` is a subset of the customers (one partition of a larger job, one
        account).  Computed at ``as_of``, or up to 31 days before it with a
        :class:`~arrearsrisk.errors.PeerContextWarning` (the peer rates then lag: see
        :func:`~arrearsrisk.features.peers.check_peer_date` for what it costs).

    Returns
    -------
    pandas.DataFrame
        One row per active customer (opened on or before ``as_of``), indexed by
        ``customer_id``; columns :func:`feature_names`; numbers are ``float64``,
        ``category``, ``industry``, ``industry_section``, ``region`` and text
        attributes are ``category``.  ``.attrs["as_of"]`` holds the date (a
        ``Timestamp``), which :func:`arrearsrisk.score` checks when given ``features=``.

    Raises
    ------
    ArrearsRiskError
        On a bad date, or ``peers`` computed after ``as_of`` or more than 31 days
        before it.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> feats = ar.build_features(ar.read_ledger("data/sample"), "2024-06-30")
    >>> feats.index.name, feats["late_bills_count_12m"].dtype.name
    ('customer_id', 'float64')
    """
    ids, columns = feature_columns(ledger, as_of, peers=peers)
    frame = pd.DataFrame(columns, index=pd.Index(ids, name="customer_id", dtype="str"))
    frame.attrs["as_of"] = parse_as_of(as_of)  # checked by score(..., features=)
    return frame


def build_family(
    family: FeatureFamily, snap: Snapshot, context: Mapping[str, Any]
) -> dict[str, Column]:
    """The columns of ``family`` on ``snap`` (every customer of the snapshot), its
    builder given the ``context`` it declares it needs.

    Raises
    ------
    FeatureFamilyError
        If the builder does not return the family's columns in declared order.
    """
    built = family.build(snap, **{k: context[k] for k in family.needs})
    return declared_columns(family, built, snap.ledger, "build")


def declared_columns(
    family: FeatureFamily, built: object, ledger: Ledger, builder: str
) -> dict[str, Any]:
    """``built`` as a dict, if it holds the family's declared columns on ``ledger`` in
    order (what ``build`` and ``build_one`` must return).

    Raises
    ------
    FeatureFamilyError
        Naming the builder, what it built and the declared columns.
    """
    expected = family.columns(ledger)
    got = list(built) if isinstance(built, Mapping) else None
    if got != expected or not isinstance(built, Mapping):
        shown = got if got is not None else type(built).__name__
        raise FeatureFamilyError(
            f"feature family '{family.name}': {builder} built {shown}, not its declared "
            f"columns {expected} in that order",
            family=family.name,
        )
    return dict(built)


def add_family_columns(
    columns: dict[str, Any], family: FeatureFamily, built: Mapping[str, Any]
) -> None:
    """Add one family's built columns to those of the families before it (the batch's
    columns, or one account's values).

    Raises
    ------
    FeatureFamilyError
        If the family built a column another family built (an extra column of the
        ledger's, ``extra_names``, named like another family's feature).
    """
    if not columns.keys().isdisjoint(built):
        raise FeatureFamilyError(
            f"feature family '{family.name}' built columns another family built: "
            f"{sorted(columns.keys() & built.keys())}",
            family=family.name,
        )
    columns.update(built)


def feature_columns(
    ledger: Ledger, as_of: AsOf, *, peers: PeerContext | None = None
) -> tuple[np.ndarray, dict[str, Column]]:
    """The features of :func:`build_features` as ``(customer ids, {name: column})``,
    without building a DataFrame (what scoring one account needs: a few ms less)."""
    snap = take_snapshot(ledger, as_of)
    if peers is not None:
        check_peer_date(peers, snap.as_of)
    context = {"peers": peers, "reserved": reserved_names()}
    columns: dict[str, Column] = {}
    for fam in families():
        add_family_columns(columns, fam, build_family(fam, snap, context))
    active = snap.active
    return snap.customer_ids[active], {name: col[active] for name, col in columns.items()}
