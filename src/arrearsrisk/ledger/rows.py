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
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, LedgerError
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

__all__ = ["AccountRows", "Rows", "account_ledger", "account_rows"]

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


@lru_cache(maxsize=4096)
def _is_period(text: str) -> bool:
    """Whether ``text`` is a billing period ``YYYY-MM`` (periods recur from one account
    to the next: each text is matched once)."""
    return _PERIOD.match(text) is not None


@lru_cache(maxsize=4096)
def _month_number(period: str) -> int:
    """The month number of a valid period ``YYYY-MM``."""
    return int(period[:4]) * 12 + int(period[5:7]) - 1


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
    if col.kind == "period" and not _is_period(value):
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


def _typed_by_missing(cells: list[Any]) -> bool:
    """Whether every cell is empty and some is not ``None`` (NaN, ``NaT``, ``pd.NA``):
    a DataFrame of such rows types the column by those values (``float64`` for NaN,
    ``datetime64`` for ``NaT``), which the validator refuses in a text, date or yes/no
    column, so the reader does not judge it.

    >>> _typed_by_missing([None, float("nan")]), _typed_by_missing([None, "x", float("nan")])
    (True, False)
    >>> _typed_by_missing([None, None]), _typed_by_missing([])
    (False, False)
    """
    odd = False
    for v in cells:
        if v is None:
            continue
        if not _missing(v):
            return False
        odd = True
    return odd


def _texts(cells: list[Any], col: ColumnSpec) -> list[Any]:
    """A text column read by :func:`_text`, each distinct value once."""
    try:
        distinct = set(cells)
    except TypeError:  # an unhashable cell: not plain
        raise _Unsure from None
    if col.kind == "period":
        if set(map(type, distinct)) == {str} and all(map(_is_period, distinct)):
            return cells
    elif all(
        type(v) is str and v.strip() and (not col.choices or v in col.choices) for v in distinct
    ):
        return cells
    seen = {v: _text(v, col) for v in distinct}
    if all(seen[v] is v for v in seen):
        return cells
    return [seen[v] for v in cells]


def _dates(cells: list[Any], col: ColumnSpec) -> list[Any]:
    """A date column read by :func:`_date`; ``datetime.date`` cells in range at once."""
    low = max(_FIRST_DAY, _EARLIEST.get(col.name, _EARLY))
    if set(map(type, cells)) == {dt.date} and low <= min(cells) and max(cells) <= _LAST_DAY:
        return cells  # every cell a date in range (checked in C)
    return [v if type(v) is dt.date and low <= v <= _LAST_DAY else _date(v, col) for v in cells]


def _numbers(cells: list[Any], col: ColumnSpec) -> list[Any]:
    """A number column read by :func:`_number`; plain in-range floats at once."""
    top, low, gt = MAX_ABS_NUMBER, col.min_value, col.gt_value
    if set(map(type, cells)) == {float} and math.isfinite(sum(cells)):  # no NaN, no infinity
        least, most = min(cells), max(cells)  # checked in C, as the cells below one by one
        if (
            -top < least
            and most < top
            and (low is None or low <= least)
            and (gt is None or gt < least)
        ):
            return cells
    if low is None and gt is None:
        return [v if type(v) is float and -top < v < top else _number(v, col) for v in cells]
    if gt is None and low is not None and low > -top:
        return [v if type(v) is float and low <= v < top else _number(v, col) for v in cells]
    if low is None and gt is not None and gt >= -top:
        return [v if type(v) is float and gt < v < top else _number(v, col) for v in cells]
    return [_number(v, col) for v in cells]


def _flags(cells: list[Any], col: ColumnSpec) -> list[Any]:
    """A yes/no column read by :func:`_flag`."""
    return [v if type(v) is bool else _flag(v, col) for v in cells]


_COLUMN_READERS: dict[str, Callable[[list[Any], ColumnSpec], list[Any]]] = {
    "id": _texts,
    "str": _texts,
    "category": _texts,
    "period": _texts,
    "date": _dates,
    "float": _numbers,
    "bool": _flags,
}
"""Each kind's reader of a whole column: the same values and the same refusals as
:data:`_READERS` cell by cell (tested), faster on plainly valid columns."""

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
    if set(map(type, rows)) != {dict} and not all(isinstance(row, Mapping) for row in rows):
        raise _Unsure
    if set(map(len, rows)) != {len(header)}:
        raise _Unsure  # rows of other columns
    try:  # each row's cells in header order, transposed into columns (in C)
        if len(header) == 1:
            data = {header[0]: [row[header[0]] for row in rows]}
        else:
            columns = zip(*map(itemgetter(*header), rows), strict=True)
            data = {c: list(column) for c, column in zip(header, columns, strict=True)}
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
            if cells is None:
                self.values[col.name] = [None] * n
            elif n == 1:  # the customer: one cell (as _typed_by_missing of one cell)
                cell = cells[0]
                if cell is not None and col.kind != "float" and frame is None and _missing(cell):
                    raise _Unsure  # pandas types it float or datetime: the validator's call
                self.values[col.name] = [_READERS[col.kind](cell, col)]
            elif col.kind != "float" and frame is None and _typed_by_missing(cells):
                raise _Unsure  # pandas types it float or datetime: the validator's call
            else:
                self.values[col.name] = _COLUMN_READERS[col.kind](cells, col)
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


_EPOCH_ORDINAL = _EPOCH.toordinal()


def _day(d: dt.date | None) -> int:
    return NO_DAY if d is None else d.toordinal() - _EPOCH_ORDINAL


@dataclass(frozen=True, slots=True)
class AccountRows:
    """One account's bills and payments as Python lists, in the order of
    :class:`~arrearsrisk.ledger.tables.LedgerArrays` (bills by due day then period,
    payments by day): its arrays' values without numpy."""

    customer_id: str
    opened: int
    """Opening day, ``NO_DAY`` if unknown."""
    b_period: list[int]
    b_issue: list[int]
    b_due: list[int]
    b_kwh: list[float]
    b_amount: list[float]
    b_estimated: list[int]
    p_date: list[int]
    p_amount: list[float]
    p_channel: list[int]


def account_rows(ledger: Ledger) -> AccountRows:
    """The lists of a one-account ledger: kept by :func:`account_ledger` as it read
    them, else taken from the ledger's arrays (e.g. ``ledger.subset([id])``).

    Raises
    ------
    ArrearsRiskError
        If the ledger holds more than one customer.

    Examples
    --------
    >>> one = account_ledger({"customer_id": "C1", "category": "commercial"}, [], [])
    >>> account_rows(one).customer_id, account_rows(one).b_issue
    ('C1', [])
    """
    if isinstance(ledger, _AccountLedger):
        return ledger._rows
    arr = ledger.arrays
    if arr.n_customers != 1:
        raise ArrearsRiskError(
            f"an account's rows are those of a ledger of one account, got "
            f"{arr.n_customers:,} customers.\n  hint: ledger.subset([customer_id])."
        )
    return AccountRows(
        customer_id=str(arr.customer_ids[0]),
        opened=int(arr.c_opened[0]),
        b_period=arr.b_period.tolist(),
        b_issue=arr.b_issue.tolist(),
        b_due=arr.b_due.tolist(),
        b_kwh=arr.b_kwh.tolist(),
        b_amount=arr.b_amount.tolist(),
        b_estimated=arr.b_estimated.tolist(),
        p_date=arr.p_date.tolist(),
        p_amount=arr.p_amount.tolist(),
        p_channel=arr.p_channel.tolist(),
    )


class _AccountLedger(Ledger):
    """A one-account :class:`Ledger` read by :func:`account_ledger`: its bills and
    payments tables are built on first access (features read only the arrays)."""

    _tables: dict[str, _Table]
    _rows: AccountRows

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

    @cached_property
    def data_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        r = self._rows
        days = [*r.b_issue, *r.p_date]
        return (_timestamp(min(days)), _timestamp(max(days))) if days else None

    @cached_property
    def arrays(self) -> LedgerArrays:
        r = self._rows  # already in order
        return LedgerArrays(
            customer_ids=np.array([r.customer_id], dtype=object),
            c_opened=np.array([r.opened], dtype=np.int32),
            c_row=np.zeros(1, dtype=np.uint64),
            b_cust=np.zeros(len(r.b_issue), dtype=np.int32),
            b_period=np.array(r.b_period, dtype=np.int32),
            b_issue=np.array(r.b_issue, dtype=np.int32),
            b_due=np.array(r.b_due, dtype=np.int32),
            b_kwh=np.array(r.b_kwh, dtype=np.float64).reshape(-1),
            b_amount=np.array(r.b_amount, dtype=np.float64).reshape(-1),
            b_estimated=np.array(r.b_estimated, dtype=np.int8),
            p_cust=np.zeros(len(r.p_date), dtype=np.int32),
            p_date=np.array(r.p_date, dtype=np.int32),
            p_amount=np.array(r.p_amount, dtype=np.float64).reshape(-1),
            p_channel=np.array(r.p_channel, dtype=np.int8),
        )


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
    e = _EPOCH_ORDINAL  # the three dates are required: never None here
    issue = [d.toordinal() - e for d in b_values["issue_date"]]
    due = [d.toordinal() - e for d in b_values["due_date"]]
    paid = [d.toordinal() - e for d in p_values["paid_date"]]
    if any(d < i for i, d in zip(issue, due, strict=True)):
        raise _Unsure  # due before issue
    if n_p and not n_b:
        raise _Unsure  # payments without a bill: the validator warns
    month = [_month_number(p) for p in periods]
    b_values_month = month  # in table order, as the ledger keeps its bills' periods
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
    kwh, b_amount, p_amount = b_values["kwh"], b_values["amount"], p_values["amount"]
    b_key = list(zip(due, month, strict=True))
    if any(b > a for a, b in zip(b_key[1:], b_key, strict=False)):  # not in FIFO order yet
        b_order = sorted(range(n_b), key=b_key.__getitem__)  # stable
        month, issue, due, kwh, b_amount, est = (
            [v[i] for i in b_order] for v in (month, issue, due, kwh, b_amount, est)
        )
    if any(b > a for a, b in zip(paid[1:], paid, strict=False)):
        p_order = sorted(range(n_p), key=paid.__getitem__)
        paid, p_amount, channel = ([v[i] for i in p_order] for v in (paid, p_amount, channel))
    rows = AccountRows(
        customer_id=cid,
        opened=_day(c_values["opened"][0]),
        b_period=month,
        b_issue=issue,
        b_due=due,
        b_kwh=kwh,
        b_amount=b_amount,
        b_estimated=est,
        p_date=paid,
        p_amount=p_amount,
        p_channel=channel,
    )
    ledger = object.__new__(_AccountLedger)
    if customers is not None:
        ledger.__dict__["customers"] = customers
    ledger._tables = {"customers": c_table, "bills": b_table, "payments": p_table}
    ledger._rows = rows
    ledger._bill_rows = np.zeros(n_b, dtype=np.int32)
    ledger._payment_rows = np.zeros(n_p, dtype=np.int32)
    ledger._bill_periods = np.array(b_values_month, dtype=np.int32)
    ledger._identifiers = {}
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
