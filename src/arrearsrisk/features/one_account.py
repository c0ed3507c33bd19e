"""One account's features as plain values, from each family's one-account kernel.

:func:`account_features` is :func:`~arrearsrisk.features.build.feature_columns` for a
ledger of one account: the same features, as ``{name: value}`` (a ``float``, or a
categorical's text, ``None`` when missing).  Each registered family computes them with
its ``build_one`` kernel on the account's
:class:`~arrearsrisk.asof.account.AccountSnapshot`; a family without one (a family of
one's own) is built by its batch builder on the one-account snapshot, so every family
counts, only slower.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.asof.account import AccountSnapshot, account_snapshot
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.features.build import add_family_columns, build_family, declared_columns
from arrearsrisk.features.family import FeatureFamily, OneValue
from arrearsrisk.features.peer_context import PeerContext, check_peer_date
from arrearsrisk.features.registry import families, reserved_names
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf

__all__ = ["account_features", "one_value"]


def one_value(column: Any) -> OneValue:
    """The single value of a one-row batch column, as a kernel gives it: a ``float``,
    or a categorical's text (``None`` when missing).

    >>> one_value(np.array([2.5])), one_value(pd.Categorical(["C26"])), one_value(
    ...     pd.Categorical([None], categories=["C26"]))
    (2.5, 'C26', None)
    """
    if isinstance(column, pd.Categorical):
        code = int(column.codes[0])
        return None if code < 0 else str(column.categories[code])
    return float(np.asarray(column, dtype=np.float64)[0])


def _batch(
    family: FeatureFamily, account: AccountSnapshot, context: Mapping[str, Any]
) -> dict[str, OneValue]:
    snap = take_snapshot(account.ledger, account.as_of)
    return {k: one_value(v) for k, v in build_family(family, snap, context).items()}


def _kernel(
    family: FeatureFamily, account: AccountSnapshot, context: Mapping[str, Any]
) -> dict[str, OneValue]:
    assert family.build_one is not None
    built = family.build_one(account, **{k: context[k] for k in family.needs})
    return declared_columns(family, built, account.ledger, "build_one")


def account_features(
    ledger: Ledger, as_of: AsOf, *, peers: PeerContext | None = None
) -> tuple[AccountSnapshot, dict[str, OneValue]]:
    """The features of a one-account ledger at ``as_of``: the account's row of
    :func:`arrearsrisk.build_features`, as plain values.

    Parameters
    ----------
    ledger : Ledger
        A ledger of one customer (:func:`arrearsrisk.ledger.rows.account_ledger`).
    as_of : str, date or Timestamp
    peers : PeerContext, optional
        The portfolio's peer context (see :func:`arrearsrisk.build_features`).

    Returns
    -------
    (AccountSnapshot, dict)
        The account as of the date (``.active`` says whether the batch has a row for
        it) and ``{feature name: value}`` in :func:`~arrearsrisk.features.feature_names`
        order, numbers as ``float`` (NaN: missing), categoricals as ``str`` or ``None``.

    Raises
    ------
    ArrearsRiskError
        If the ledger holds more than one customer, or ``peers`` is of another date.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ledger = ar.read_ledger("data/sample")
    >>> one = ledger.subset(["C0001"])
    >>> account, values = account_features(one, "2024-06-30")
    >>> batch = ar.build_features(one, "2024-06-30")
    >>> values["late_bills_count_12m"] == float(batch["late_bills_count_12m"].iloc[0])
    True
    >>> values["category"] == batch["category"].iloc[0]
    True
    """
    account = account_snapshot(ledger, as_of)
    if peers is not None:
        check_peer_date(peers, account.as_of)
    context = {"peers": peers, "reserved": reserved_names()}
    values: dict[str, OneValue] = {}
    for family in families():
        built = (
            _kernel(family, account, context)
            if family.build_one is not None
            else _batch(family, account, context)
        )
        add_family_columns(values, family, built)
    return account, values
