"""One account's rows as plain Python data, made a :class:`~arrearsrisk.ledger.tables.
Ledger` in microseconds when they are plainly valid.

A billing system scoring one account (:func:`arrearsrisk.score_account`) holds its rows
as Python values: a dict for the customer and lists of dicts (or small DataFrames) for
its bills and payments, with the columns of the ledger tables.  Building a ``Ledger``
from DataFrames of those rows costs milliseconds of pandas, mostly spent proving what
plain values show at a glance.  :func:`account_ledger` therefore first reads the rows
cell by cell against the same schema (:data:`~arrearsrisk.ledger.schema.SCHEMA`: kinds,
required and empty cells, choices, bounds, keys, foreign keys, date order) and the
validator's own headers, patterns and limits; rows it reads as plainly valid (text as
``str``, dates as ``datetime.date`` or ``YYYY-MM-DD``, numbers as ``int`` / ``float``,
yes/no as ``bool``, ``None`` for an empty cell) become the ledger directly.

Anything else -- any rule broken, any value of another form (``"12.5"`` as text,
``"yes"``, a ``float32`` column), anything that would warn (a payment without bills, an
implausible date, an identifier-like column) -- is not judged here: the rows are handed
to :class:`~arrearsrisk.ledger.tables.Ledger` as DataFrames, whose validator raises its
own :class:`~arrearsrisk.errors.LedgerError` (or warns, or accepts).  So the errors are
the ledger's, word for word, and this reader can only be stricter than the validator,
never looser: the tests check that whatever it accepts, the validator accepts with the
same tables.

Examples
--------
>>> ledger = account_ledger(
...     {"customer_id": "C1", "category": "commercial", "region": "East"},
...     [{"customer_id": "C1", "period": "2024-01", "issue_date": "2024-02-01",
...       "due_date": "2024-02-15", "kwh": 1200.0, "amount": 960.0}],
...     [{"customer_id": "C1", "paid_date": "2024-02-10", "amount": 960.0}])
>>> ledger
Ledger(1 customers, 1 bills 2024-01..2024-01, 1 payments)
>>> try:
...     account_ledger({"customer_id": "C1", "category": "shop"}, [], [])
... except LedgerError as err:
...     print(err.rule, err.column)
choices category
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.headers import match_headers
from arrearsrisk.ledger.identifiers import identifier_columns
from arrearsrisk.ledger.schema import CHANNELS, SCHEMA, ColumnSpec, TableSpec
from arrearsrisk.ledger.tables import NO_DAY, Ledger, LedgerArrays
from arrearsrisk.ledger.validation import (
    _PERIOD_RE,
    EARLIEST_DATE,
    EARLIEST_OPENED,
    FUTURE_YEARS,
    MAX_ABS_NUMBER,
    PERIOD_GAP_MONTHS,
)

__all__ = ["Rows", "account_ledger"]

Rows = Sequence[Mapping[str, Any]] | pd.DataFrame
"""A table's rows: a list of dicts (one per row, the table's columns as keys) or a
DataFrame."""

_EPOCH = dt.date(1970, 1, 1)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(_PERIOD_RE)
_FIRST_DAY = (pd.Timestamp.min + pd.Timedelta(days=1)).date()
_LAST_DAY = (pd.Timestamp.max - pd.Timedelta(days=1)).date()
_EARLIEST = {"opened": EARLIEST_OPENED.date()}
_EARLY = EARLIEST_DATE.date()
_FUTURE_DAYS = FUTURE_YEARS * 365  # FUTURE_YEARS years are at least this many days
_TEXT_KINDS = frozenset({"id", "str", "category", "period"})
_ESTIMATED = {True: 1, False: 0, None: -1}
_CHANNEL_CODE = {c: i for i, c in enumerate(CHANNELS)}


class _Unsure(Exception):
    """The rows are not plainly valid: the ledger's validator decides."""


def _missing(value: Any) -> bool:
    """An empty cell as pandas reads one: None, NaN, ``pd.NA``, ``NaT``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def _text(value: Any, col: ColumnSpec) -> str | None:
    if _missing(value):
        if not col.nullable:
            raise _Unsure
        return None
    if type(value) is not str:
        raise _Unsure
    if not value.strip():  # blank: an empty cell, kept as the text it is
        if not col.nullable:
            raise _Unsure
        return value
    if col.choices and value not in col.choices:
        raise _Unsure
    if col.kind == "period" and not _PERIOD.match(value):
        raise _Unsure
    return value


def _date(value: Any, col: ColumnSpec) -> dt.date | None:
    if _missing(value):
        if not col.nullable:
            raise _Unsure
        return None
    if type(value) is str:
        if not _ISO_DAY.fullmatch(value):
            raise _Unsure
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _Unsure from None
    elif type(value) is dt.date:
        day = value
    elif isinstance(value, dt.datetime):  # a Timestamp of a datetime column: midnight only
        if value.tzinfo is not None or value != dt.datetime.combine(value.date(), dt.time()):
            raise _Unsure
        day = value.date()
    else:
        raise _Unsure
    if not _FIRST_DAY <= day <= _LAST_DAY or day < _EARLIEST.get(col.name, _EARLY):
        raise _Unsure  # out of pandas' range, or early enough to be warned about
    return day


def _number(value: Any, col: ColumnSpec) -> float:
    if _missing(value):
        if not col.nullable:
            raise _Unsure
        return float("nan")
    if type(value) not in (int, float) and not isinstance(value, np.float64 | np.int64):
        raise _Unsure
    number = float(value)
    if not abs(number) < MAX_ABS_NUMBER:  # also NaN and infinities
        raise _Unsure
    if col.min_value is not None and not number >= col.min_value:
        raise _Unsure
    if col.gt_value is not None and not number > col.gt_value:
        raise _Unsure
    return number


def _flag(value: Any, col: ColumnSpec) -> bool | None:
    if _missing(value):
        if not col.nullable:
            raise _Unsure
        return None
    if type(value) is bool or type(value) is np.bool_:
        return bool(value)
    raise _Unsure


_READERS: dict[str, Callable[[Any, ColumnSpec], Any]] = {
    "id": _text,
    "str": _text,
    "category": _text,
    "period": _text,
    "date": _date,
    "float": _number,
    "bool": _flag,
}


@lru_cache(maxsize=256)
def _plain_headers(table: str, columns: tuple[str, ...]) -> bool:
    """The header names schema columns as they are (nothing to rename, no near miss)."""
    try:
        return not match_headers(table, list(columns))
    except LedgerError:
        return False


_PLAIN_KINDS = frozenset("biufMO")  # bool, int, float (float64 only), datetime, object


def _plain_dtype(dtype: Any) -> bool:
    """A column dtype whose ``tolist()`` values the reader can judge: numpy bool, int,
    float64, datetime without time zone, object; pandas strings and nullable booleans."""
    if isinstance(dtype, pd.StringDtype | pd.BooleanDtype):
        return True
    if not isinstance(dtype, np.dtype) or dtype.kind not in _PLAIN_KINDS:
        return False
    return dtype.kind != "f" or dtype.itemsize == 8


def _columns(name: str, rows: Any) -> tuple[list[str], dict[str, list[Any]], int, Any]:
    """A table's rows as (header, {column: values}, row count, the DataFrame given or
    None), or :class:`_Unsure`."""
    spec = SCHEMA[name]
    if isinstance(rows, pd.DataFrame):
        header = list(rows.columns)
        if not all(isinstance(c, str) for c in header) or len(set(header)) != len(header):
            raise _Unsure
        known = set(spec.names)
        if not all(_plain_dtype(rows[c].dtype) for c in header if c in known):
            raise _Unsure  # e.g. float32 money, a categorical: the validator's own rules
        return header, {c: rows[c].tolist() for c in header if c in known}, len(rows), rows
    if isinstance(rows, Mapping):  # the customer: one row
        header = list(rows)
        if not all(isinstance(c, str) for c in header):
            raise _Unsure
        return header, {c: [rows[c]] for c in header}, 1, None
    if not isinstance(rows, Sequence) or isinstance(rows, str):
        raise _Unsure
    if not rows:
        return [c.name for c in spec.columns if c.required], {}, 0, None
    first = rows[0]
    if not isinstance(first, Mapping):
        raise _Unsure
    header = list(first)
    if not all(isinstance(c, str) for c in header):
        raise _Unsure
    data: dict[str, list[Any]] = {c: [] for c in header}
    for row in rows:
        if not isinstance(row, Mapping) or len(row) != len(header):
            raise _Unsure
        try:
            for c in header:
                data[c].append(row[c])
        except KeyError:
            raise _Unsure from None
    return header, data, len(rows), None


class _Table:
    """A table's schema columns read by kind (a missing optional column all empty) and
    its extra columns as given."""

    def __init__(self, name: str, rows: Any) -> None:
        spec: TableSpec = SCHEMA[name]
        header, data, n, frame = _columns(name, rows)
        if not _plain_headers(name, tuple(header)):
            raise _Unsure
        self.name = name
        self.n = n
        self.values: dict[str, list[Any]] = {}
        for col in spec.columns:
            cells = data.get(col.name)
            read = _READERS[col.kind]
            self.values[col.name] = [None] * n if cells is None else [read(v, col) for v in cells]
        self.extra = [c for c in header if c not in self.values]
        self._frame = frame
        self._data = data

    @property
    def index(self) -> pd.Index:
        return self._frame.index if self._frame is not None else pd.RangeIndex(self.n)

    def given(self) -> pd.DataFrame:
        """The extra columns, as given (as a DataFrame of the rows holds them)."""
        if self._frame is not None:
            return self._frame[self.extra]
        return pd.DataFrame({c: self._data[c] for c in self.extra}, index=self.index)

    def frame(self) -> pd.DataFrame:
        """The table typed as the validator types it, extra columns as given."""
        n, spec = self.n, SCHEMA[self.name]
        texts = [c.name for c in spec.columns if c.kind in _TEXT_KINDS]
        every = pd.array([v for c in texts for v in self.values[c]], dtype="str")  # one call
        columns: dict[str, Any] = {}
        for col in spec.columns:
            cells = self.values[col.name]
            if col.kind in _TEXT_KINDS:
                at = texts.index(col.name) * n
                columns[col.name] = every[at : at + n]
            elif col.kind == "date":
                days = np.array([NO_DAY if d is None else (d - _EPOCH).days for d in cells])
                stamps = days.astype("datetime64[D]")
                stamps[days == NO_DAY] = np.datetime64("NaT")
                columns[col.name] = stamps.astype("datetime64[s]")
            elif col.kind == "float":
                columns[col.name] = np.array(cells, dtype=np.float64).reshape(n)
            else:
                columns[col.name] = pd.arrays.BooleanArray(
                    np.array([v is True for v in cells], dtype=bool).reshape(n),
                    np.array([v is None for v in cells], dtype=bool).reshape(n),
                )
        typed = pd.DataFrame(columns, index=self.index, copy=False)
        if self.extra:
            typed = pd.concat([typed, self.given()], axis=1)
        return typed


def _day(d: dt.date | None) -> int:
    return NO_DAY if d is None else (d - _EPOCH).days


class _AccountLedger(Ledger):
    """A one-account :class:`Ledger` read by :func:`account_ledger`: its bills and
    payments tables are built on first access (features read only the arrays)."""

    _tables: dict[str, _Table]

    @cached_property
    def customers(self) -> pd.DataFrame:  # type: ignore[override]
        return self._tables["customers"].frame()

    @property
    def attribute_columns(self) -> list[str]:
        return list(self._tables["customers"].extra)  # no identifier column: see _fast

    @cached_property
    def bills(self) -> pd.DataFrame:  # type: ignore[override]
        return self._tables["bills"].frame()

    @cached_property
    def payments(self) -> pd.DataFrame:  # type: ignore[override]
        return self._tables["payments"].frame()

    def schema_values(self, table: str, column: str) -> list[Any] | None:
        return self._tables[table].values.get(column)


def _fast(customer: Any, bills: Any, payments: Any) -> Ledger:
    """The ledger of plainly valid rows, or :class:`_Unsure`."""
    c_table, b_table, p_table = (
        _Table("customers", customer),
        _Table("bills", bills),
        _Table("payments", payments),
    )
    c_values, b_values, p_values = c_table.values, b_table.values, p_table.values
    n_c, n_b, n_p = c_table.n, b_table.n, p_table.n
    if n_c != 1:
        raise _Unsure
    cid = c_values["customer_id"][0]
    if any(v != cid for v in b_values["customer_id"]) or any(
        v != cid for v in p_values["customer_id"]
    ):
        raise _Unsure  # foreign keys: rows of another customer
    periods = b_values["period"]
    if len(set(periods)) != n_b:
        raise _Unsure  # key (customer_id, period)
    issue = [_day(d) for d in b_values["issue_date"]]
    due = [_day(d) for d in b_values["due_date"]]
    paid = [_day(d) for d in p_values["paid_date"]]
    if any(d < i for i, d in zip(issue, due, strict=True)):
        raise _Unsure  # due before issue
    if n_p and not n_b:
        raise _Unsure  # payments without a bill: the validator warns
    month = [int(p[:4]) * 12 + int(p[5:7]) - 1 for p in periods]
    if n_b:
        last = max(issue)
        opened = _day(c_values["opened"][0])
        if max([*due, *paid, opened]) > last + _FUTURE_DAYS:
            raise _Unsure  # far in the future: the validator warns
        for d, m in zip(b_values["issue_date"], month, strict=True):
            assert d is not None
            if abs(d.year * 12 + d.month - 1 - m) > PERIOD_GAP_MONTHS:
                raise _Unsure  # a period far from its issue date: the validator warns
    customers = c_table.frame() if c_table.extra else None
    if customers is not None and identifier_columns(customers, c_table.extra):
        raise _Unsure  # Ledger warns about identifier-like columns
    est = [_ESTIMATED[e] for e in b_values["estimated"]]
    channel = [_CHANNEL_CODE.get(c, -1) if c is not None else -1 for c in p_values["channel"]]
    arrays = LedgerArrays.in_order(
        customer_ids=np.array([cid], dtype=object),
        c_opened=np.array([_day(c_values["opened"][0])], dtype=np.int32),
        c_row=np.zeros(1, dtype=np.uint64),
        b_cust=np.zeros(n_b, dtype=np.int32),
        b_period=np.array(month, dtype=np.int32),
        b_issue=np.array(issue, dtype=np.int32),
        b_due=np.array(due, dtype=np.int32),
        b_kwh=np.array(b_values["kwh"], dtype=np.float64),
        b_amount=np.array(b_values["amount"], dtype=np.float64),
        b_estimated=np.array(est, dtype=np.int8),
        p_cust=np.zeros(n_p, dtype=np.int32),
        p_date=np.array(paid, dtype=np.int32),
        p_amount=np.array(p_values["amount"], dtype=np.float64),
        p_channel=np.array(channel, dtype=np.int8),
    )
    ledger = object.__new__(_AccountLedger)
    if customers is not None:
        ledger.__dict__["customers"] = customers
    ledger._tables = {"customers": c_table, "bills": b_table, "payments": p_table}
    ledger._bill_rows = np.zeros(n_b, dtype=np.int32)
    ledger._payment_rows = np.zeros(n_p, dtype=np.int32)
    ledger._bill_periods = np.array(month, dtype=np.int32)
    ledger._identifiers = {}
    ledger.__dict__["arrays"] = arrays
    dates = [*issue, *paid]
    ledger.__dict__["data_span"] = (
        (_timestamp(min(dates)), _timestamp(max(dates))) if dates else None
    )
    return ledger


def _timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(_EPOCH + dt.timedelta(days=day))


def _frame_of(name: str, rows: Any) -> Any:
    """The rows as the DataFrame ``Ledger`` gets (anything else passed as it is, so the
    validator names it)."""
    if isinstance(rows, pd.DataFrame) or rows is None:
        return rows
    if isinstance(rows, Mapping):
        return pd.DataFrame([dict(rows)])
    if isinstance(rows, Sequence) and not isinstance(rows, str):
        if not rows:
            return pd.DataFrame(
                {c.name: pd.Series([], dtype=object) for c in SCHEMA[name].columns if c.required}
            )
        if all(isinstance(r, Mapping) for r in rows):
            return pd.DataFrame([dict(r) for r in rows])
    return rows


def account_ledger(customer: Any, bills: Any, payments: Any) -> Ledger:
    """The :class:`Ledger` of one account's rows.

    Parameters
    ----------
    customer : dict or pandas.DataFrame
        The customer's row (column name to value), or a one-row ``customers`` table.
    bills, payments : list of dict or pandas.DataFrame
        The account's rows of those tables (may be empty); each dict has the same keys.

    Returns
    -------
    Ledger
        The same ledger as ``Ledger(customers=pd.DataFrame([customer]),
        bills=pd.DataFrame(bills), payments=pd.DataFrame(payments))``; plainly valid rows
        are read without building those DataFrames (see the module).

    Raises
    ------
    LedgerError
        As :class:`Ledger` raises it, for the first rule broken.

    Examples
    --------
    >>> one = account_ledger({"customer_id": "C7", "category": "residential"}, [], [])
    >>> one.customers[["customer_id", "category", "region"]].to_dict("records")
    [{'customer_id': 'C7', 'category': 'residential', 'region': nan}]
    >>> try:
    ...     account_ledger({"customer_id": "C7", "category": "residential"},
    ...                    [{"customer_id": "C8", "period": "2025-01",
    ...                      "issue_date": "2025-02-01", "due_date": "2025-02-15",
    ...                      "kwh": 10.0, "amount": 8.0}], [])
    ... except LedgerError as err:
    ...     print(err.table, err.rule)
    bills unknown_reference
    """
    try:
        return _fast(customer, bills, payments)
    except _Unsure:
        pass
    tables = {
        "customers": _frame_of("customers", customer),
        "bills": _frame_of("bills", bills),
        "payments": _frame_of("payments", payments),
    }
    return Ledger(**tables)
