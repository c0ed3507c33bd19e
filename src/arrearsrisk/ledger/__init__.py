"""The ledger: its schema as data, the one validator, reading files, FIFO settlement.

============ =================================================================
module       what it holds
============ =================================================================
schema       columns, kinds, rules, keys of customers, bills and payments
validation   the validator that raises every :class:`~arrearsrisk.LedgerError`
tables       :class:`Ledger` (typed tables) and its sorted numpy arrays
rows         one account's rows as plain Python data made a :class:`Ledger` fast
reading      :func:`read_ledger` from a folder of Parquet or CSV files
encoding     decoding text files (BOM, UTF-8, GB18030, UTF-16), the delimiter
headers      header matching: one normalisation, near misses refused
identifiers  extra customer columns that identify a customer (never features)
settlement   FIFO settlement of bills by payments, in integer cents
============ =================================================================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS, SCHEMA
from arrearsrisk.ledger.tables import NO_DAY, Ledger, LedgerArrays, MoneyInCents, cents

if TYPE_CHECKING:
    from arrearsrisk.ledger.reading import read_ledger

__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "NO_DAY",
    "SCHEMA",
    "Ledger",
    "LedgerArrays",
    "MoneyInCents",
    "cents",
    "read_ledger",
]


def __getattr__(name: str) -> Any:
    """:func:`read_ledger`, imported on first use (its Parquet and CSV readers are not
    needed to score one account from its rows)."""
    if name == "read_ledger":
        value = importlib.import_module("arrearsrisk.ledger.reading").read_ledger
        globals()[name] = value
        return value
    raise AttributeError(f"module 'arrearsrisk.ledger' has no attribute {name!r}")
