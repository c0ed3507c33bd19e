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

from arrearsrisk.ledger.reading import read_ledger
from arrearsrisk.ledger.schema import CATEGORIES, CHANNELS, SCHEMA
from arrearsrisk.ledger.tables import NO_DAY, Ledger, LedgerArrays, MoneyInCents, cents

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
