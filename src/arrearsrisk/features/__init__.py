"""Point-in-time features: one row per customer active at ``as_of``.

Six families, each a module with ``NAMES`` (its declared columns, named after what
they measure and their window) and ``build(snapshot)``:

============== ===============================================================
family         what it sees
============== ===============================================================
payments       FIFO settlement: late / seriously late bills over 3, 6, 12, 24
               months, arrears, streaks, partial payments, timing, channels
consumption    kWh level, trend, volatility, recent drop, zero months, season
billing        average monthly bill (exposure), swings, corrections
account        category, industry, region, supply, tenure, measures in place,
               extra customer columns
peers          recent arrears rate of the customer's industry and region
quality        estimated readings
============== ===============================================================

Every family sees the ledger only through :func:`~arrearsrisk.asof.snapshot.take_snapshot`,
so nothing dated after ``as_of`` reaches a feature.  Missing history is explicit:
counts are zero, rates and means over no bills are NaN, and
``billing_history_months`` / ``tenure_months`` say how much history there is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arrearsrisk.asof.snapshot import Snapshot, take_snapshot
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features import account, billing, consumption, payments, quality
from arrearsrisk.features import peers as peer_family
from arrearsrisk.features.peers import PeerContext
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf

__all__ = [
    "FAMILIES",
    "FeatureFamily",
    "PeerContext",
    "build_features",
    "feature_names",
    "peer_context",
]


@dataclass(frozen=True)
class FeatureFamily:
    """A named group of features with its declared column names and builder."""

    name: str
    names: tuple[str, ...]
    build: Callable[[Snapshot], dict[str, np.ndarray | pd.Categorical]]


FAMILIES: tuple[FeatureFamily, ...] = (
    FeatureFamily("payments", payments.NAMES, payments.build),  # type: ignore[arg-type]
    FeatureFamily("consumption", consumption.NAMES, consumption.build),  # type: ignore[arg-type]
    FeatureFamily("billing", billing.NAMES, billing.build),  # type: ignore[arg-type]
    FeatureFamily("account", account.NAMES, account.build),
    FeatureFamily("peers", peer_family.NAMES, peer_family.build),  # type: ignore[arg-type]
    FeatureFamily("quality", quality.NAMES, quality.build),  # type: ignore[arg-type]
)

account._RESERVED.update(n for fam in FAMILIES for n in fam.names)
account._RESERVED.update({"customer_id", "as_of", "grade", "a_warning"})


def feature_names(ledger: Ledger | None = None) -> list[str]:
    """Names of all features in output order (with a ledger: its extra attributes too).

    >>> feature_names()[:3]
    ['bills_due_count_3m', 'late_bills_count_3m', 'late_bills_share_3m']
    """
    names = [n for fam in FAMILIES for n in fam.names]
    if ledger is not None:
        names += ledger.attribute_columns
    return names


def peer_context(ledger: Ledger, as_of: AsOf) -> PeerContext:
    """Peer-group counts of the whole ``ledger`` at ``as_of``, to pass to
    :func:`build_features` when building features on a subset of customers.

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
    """
    return peer_family.context_from_snapshot(take_snapshot(ledger, as_of))


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
        Peer-group counts from :func:`peer_context` on the whole ledger; needed only
        when ``ledger`` is a subset of the customers (one partition of a larger job).

    Returns
    -------
    pandas.DataFrame
        One row per active customer (opened on or before ``as_of``), indexed by
        ``customer_id``; columns :func:`feature_names`; numbers are ``float64``,
        ``category``, ``industry``, ``industry_section``, ``region`` and text
        attributes are ``category``.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> feats = ar.build_features(ar.read_ledger("data/sample"), "2024-06-30")
    >>> feats.index.name, feats["late_bills_count_12m"].dtype.name
    ('customer_id', 'float64')
    """
    ids, columns = feature_columns(ledger, as_of, peers=peers)
    return pd.DataFrame(columns, index=pd.Index(ids, name="customer_id", dtype="str"))


def feature_columns(
    ledger: Ledger, as_of: AsOf, *, peers: PeerContext | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray | pd.Categorical]]:
    """The features of :func:`build_features` as ``(customer ids, {name: column})``,
    without building a DataFrame (what scoring one account needs: a few ms less)."""
    snap = take_snapshot(ledger, as_of)
    if peers is not None and peers.as_of != snap.as_of:
        raise ArrearsRiskError(
            f"peers were computed as of {peers.as_of.date()}, features asked as of "
            f"{snap.as_of.date()}; compute peer_context at the same date."
        )
    columns: dict[str, np.ndarray | pd.Categorical] = {}
    for fam in FAMILIES:
        built = peer_family.build(snap, peers) if fam.name == "peers" else fam.build(snap)
        expected = list(fam.names) + (account.extra_names(snap) if fam.name == "account" else [])
        assert list(built) == expected, f"{fam.name} built {list(built)} not {expected}"
        columns.update(built)
    active = snap.active
    return snap.customer_ids[active], {name: col[active] for name, col in columns.items()}
