"""The peer context: counts of active customers and of those in serious arrears per
industry, region and group as of a date (:class:`PeerContext`), which adds up across
partitions of the customers, is saved as JSON and serves dates up to
:data:`PEER_CONTEXT_TOLERANCE_DAYS` after its own (:func:`check_peer_date`).

The peer features built from it are :mod:`arrearsrisk.features.peers`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import os
import re
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, PeerContextWarning
from arrearsrisk.timeline import parse_as_of

__all__ = [
    "PEER_CONTEXT_FORMAT",
    "PEER_CONTEXT_TOLERANCE_DAYS",
    "PEER_CONTEXT_VERSION",
    "PeerContext",
    "check_peer_date",
]

_NONE = "(none)"
"""The key of customers without an industry, region (or group: not counted)."""

PEER_CONTEXT_FORMAT = "arrearsrisk-peer-context"
"""The ``format`` field of a saved peer context."""
PEER_CONTEXT_VERSION = 1
"""The ``format_version`` a saved peer context is written in (and the newest read)."""

PEER_CONTEXT_TOLERANCE_DAYS = 31
"""How many days after its own date a peer context may serve (see :func:`check_peer_date`).

31 days: a context computed at any month end serves every day up to the next month end
(no month is longer), so a monthly job's context covers every on-demand call until the
next job's.  Its cost, measured on the sample ledger over the months it is scored in
(2024-01 to 2025-09, 2,750 to 2,960 active customers a month), context of the previous
month end against the features' own date:

=============================  =============  =============  ==========  ==============
features as of                 industry rate  region rate    group size  grades changed
=============================  =============  =============  ==========  ==============
the 15th (15 days later)       0.099 (0.001)  0.019 (0.002)  1 account   49 of 59,988
the month end (28 to 31 days)  0.180 (0.008)  0.026 (0.006)  1 account   219 of 60,093
=============================  =============  =============  ==========  ==============

(largest absolute difference over all customers and months, the mean in brackets;
grades of the sample model, ``models/sample``, that differ.)
"""

_TABLES = ("industry", "region")
_COUNTS = ("customers", "in_arrears")
_MAX_COUNT = 2**53
"""Counts above this are refused (integers stay exact in float64 rates)."""
_FILE_KEYS = frozenset(
    {"as_of", "format", "format_version", "group", "industry", "overall", "region"}
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Invalid(Exception):
    """A rule of the peer context broken (the message names the entry)."""


def _count(value: Any, what: str) -> int:
    """``value`` as a count: a whole, finite number from 0 to :data:`_MAX_COUNT`."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if ok and not (math.isfinite(value) and float(value).is_integer()):
        ok = False
    if not ok or not 0 <= value <= _MAX_COUNT:
        shown = value.item() if isinstance(value, np.generic) else value
        raise _Invalid(f"{what} must be a whole number >= 0, got {shown!r}")
    return int(value)


def _counts(column: pd.Series, what: str, keys: pd.Index) -> np.ndarray:
    """A column of counts as ``int64``, or :class:`_Invalid` naming the first bad row."""
    dtype = column.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    values = column.to_numpy(dtype=np.float64, na_value=np.nan) if numeric else None
    if values is None:
        bad = np.ones(len(column), dtype=bool)
    else:
        bad = ~np.isfinite(values) | (values < 0) | (values > _MAX_COUNT)
        bad[~bad] = values[~bad] != np.floor(values[~bad])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _Invalid(
            f"{what} {keys[i]!r}: {column.name} must be a whole number >= 0, "
            f"got {column.tolist()[i]!r}"
        )
    return column.to_numpy(dtype=np.int64)


def _key_index(index: pd.Index, what: str, name: str) -> pd.Index:
    """The keys of a table: distinct, non-blank texts."""
    keys = list(index)
    for key in keys:
        if not isinstance(key, str):
            raise _Invalid(f"{what} keys must be texts, got {key!r}")
        if not key.strip():
            raise _Invalid(
                f"{what} key {key!r} is blank; customers without one count under {_NONE!r}"
            )
    if len(set(keys)) != len(keys):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        raise _Invalid(f"{what} key {twice[0]!r} appears more than once")
    return pd.Index(keys, dtype="str", name=name)


def _table(frame: Any, what: str) -> pd.DataFrame:
    """A canonical table of counts: ``customers``, ``in_arrears`` (``int64``) per key,
    keys sorted, rows without customers left out."""
    if not isinstance(frame, pd.DataFrame):
        raise _Invalid(
            f"{what} must be a DataFrame of customers and in_arrears per {what}, "
            f"got {type(frame).__name__}"
        )
    if sorted(map(str, frame.columns)) != sorted(_COUNTS) or len(frame.columns) != 2:
        raise _Invalid(
            f"{what} must have the columns customers and in_arrears, got {list(frame.columns)}"
        )
    keys = _key_index(frame.index, what, what)
    customers = _counts(frame["customers"], what, keys)
    in_arrears = _counts(frame["in_arrears"], what, keys)
    over = np.flatnonzero(in_arrears > customers)
    if len(over):
        i = int(over[0])
        raise _Invalid(
            f"{what} {keys[i]!r}: in_arrears {in_arrears[i]} is more than its customers "
            f"{customers[i]}"
        )
    out = pd.DataFrame({"customers": customers, "in_arrears": in_arrears}, index=keys)
    return out[out["customers"] > 0].sort_index()


def _group(series: Any) -> pd.Series:
    """Canonical group sizes: accounts (``int64``) per ``group_id``, sorted, no zeros."""
    if not isinstance(series, pd.Series):
        raise _Invalid(
            f"group must be a Series of accounts per group_id, got {type(series).__name__}"
        )
    keys = _key_index(series.index, "group", "group_id")
    if _NONE in keys:
        raise _Invalid(f"group {_NONE!r} is not a group: accounts without group_id are not counted")
    sizes = _counts(series.rename("customers"), "group", keys)
    out = pd.Series(sizes, index=keys, name="customers")
    return out[out > 0].sort_index()


def _check_totals(
    industry: pd.DataFrame, region: pd.DataFrame, group: pd.Series, n: int, hits: int
) -> None:
    if hits > n:
        raise _Invalid(f"overall: in_arrears {hits} is more than its customers {n}")
    for what, table in (("industry", industry), ("region", region)):
        got = (int(table["customers"].sum()), int(table["in_arrears"].sum()))
        if got != (n, hits):
            raise _Invalid(
                f"{what} counts add up to {got[0]} customers and {got[1]} in arrears, the "
                f"overall counts are {n} and {hits} (every active customer is counted once "
                f"per table, under {_NONE!r} when it has no {what})"
            )
    if int(group.sum()) > n:
        raise _Invalid(f"group sizes add up to {int(group.sum())} accounts, more than {n}")


@dataclass(frozen=True, eq=False)
class PeerContext:
    """Counts of active customers per peer group as of a date: small tables, cheap to
    ship to workers, that add up across partitions of the customers.

    Parameters
    ----------
    as_of : Timestamp
        The date the counts are taken at (a date text or ``datetime.date`` is turned into
        a ``Timestamp`` as :func:`arrearsrisk.timeline.parse_as_of` does).
    industry, region : pandas.DataFrame
        Indexed by the industry (region) text, ``"(none)"`` for customers without one;
        columns ``customers`` (active customers) and ``in_arrears`` (those in serious
        arrears: a bill due in the last 6 months more than 30 days late).
    group : pandas.Series
        Active accounts per ``group_id`` (customers without a group are not counted).
    total_customers, total_in_arrears : int
        Active customers and those in arrears, over the whole portfolio.

    Counts are whole numbers (held as ``int64``, keys sorted, rows of no customer left
    out), so contexts compare exactly with ``==``.  Every active customer is counted once
    in ``industry`` and once in ``region``: their counts add up to the totals.

    Raises
    ------
    ArrearsRiskError
        On a count that is negative, not a whole number, or larger than its customers,
        on a blank or repeated key, or when the tables do not add up to the totals.

    See Also
    --------
    arrearsrisk.peer_context : the context of a ledger.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"customers": [3, 1], "in_arrears": [1, 0]},
    ...                       index=["C31", "(none)"])
    >>> ctx = PeerContext("2025-09-30", counts, counts, pd.Series({"G1": 2}), 4, 1)
    >>> ctx
    PeerContext(as_of=2025-09-30, customers=4, in_arrears=1, industries=2, regions=2, groups=1)
    >>> ctx.overall_rate
    0.25
    >>> ctx.industry.index.tolist()
    ['(none)', 'C31']
    """

    as_of: pd.Timestamp
    industry: pd.DataFrame
    region: pd.DataFrame
    group: pd.Series
    total_customers: int
    total_in_arrears: int

    def __post_init__(self) -> None:
        try:
            fields = _canonical(
                self.as_of,
                self.industry,
                self.region,
                self.group,
                self.total_customers,
                self.total_in_arrears,
            )
        except _Invalid as err:
            raise ArrearsRiskError(f"PeerContext: {err}.") from None
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def counts_of(self, table: str, keys: list[str]) -> np.ndarray:
        """The counts of a few keys of one table, looked up in a dict built once.

        Parameters
        ----------
        table : {"industry", "region", "group_id"}
            Which table.
        keys : list of str
            Keys as the tables hold them (``"(none)"`` for none); an absent key counts 0.

        Returns
        -------
        numpy.ndarray
            ``float64`` of shape ``(len(keys), 2)`` (customers, in arrears) for
            ``industry`` and ``region``, ``(len(keys), 1)`` (accounts) for ``group_id``.

        Examples
        --------
        >>> import pandas as pd
        >>> counts = pd.DataFrame({"customers": [3, 1], "in_arrears": [1, 0]},
        ...                       index=["C31", "(none)"])
        >>> ctx = PeerContext("2025-09-30", counts, counts, pd.Series({"G1": 2}), 4, 1)
        >>> ctx.counts_of("industry", ["C31", "C99"]).tolist()
        [[3.0, 1.0], [0.0, 0.0]]
        >>> ctx.counts_of("group_id", ["G1"]).tolist()
        [[2.0]]
        """
        lookups: dict[str, dict[str, tuple[float, ...]]] = self.__dict__.setdefault("_lookups", {})
        found = lookups.get(table)
        if found is None:
            frame = self.group.to_frame() if table == "group_id" else getattr(self, table)
            values = frame.to_numpy(dtype=np.float64).tolist()
            found = dict(zip(frame.index.tolist(), map(tuple, values), strict=True))
            lookups[table] = found
        width = 1 if table == "group_id" else 2
        absent = (0.0,) * width
        return np.array([found.get(k, absent) for k in keys], dtype=np.float64).reshape(
            len(keys), width
        )

    @property
    def overall_rate(self) -> float:
        """Share of the active customers in arrears (0.0 without customers)."""
        n = self.total_customers
        return self.total_in_arrears / n if n else 0.0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PeerContext):
            return NotImplemented
        return (
            self.as_of == other.as_of
            and self.total_customers == other.total_customers
            and self.total_in_arrears == other.total_in_arrears
            and _same_table(self.industry, other.industry)
            and _same_table(self.region, other.region)
            and _same_table(self.group, other.group)
        )

    __hash__ = None  # type: ignore[assignment]  # holds frames: not hashable

    def __repr__(self) -> str:
        return (
            f"PeerContext(as_of={self.as_of.date()}, customers={self.total_customers}, "
            f"in_arrears={self.total_in_arrears}, industries={len(self.industry)}, "
            f"regions={len(self.region)}, groups={len(self.group)})"
        )

    # --- merging -----------------------------------------------------------------------

    @classmethod
    def merge(cls, contexts: Iterable[PeerContext]) -> PeerContext:
        """The context of the union of disjoint partitions, from theirs: counts added.

        Parameters
        ----------
        contexts : iterable of PeerContext
            The contexts of partitions of the customers, all at one ``as_of``.  Each
            customer must be in one partition only: counts cannot tell, and a customer
            in two partitions is counted twice.

        Returns
        -------
        PeerContext
            Equal (``==``) to :func:`arrearsrisk.peer_context` of the whole ledger, so
            features built per partition with it equal the whole ledger's exactly.
            ``a + b`` and ``sum(contexts)`` do the same.

        Raises
        ------
        ArrearsRiskError
            If there is no context, something else than a context, or contexts of
            different dates.

        Examples
        --------
        >>> import arrearsrisk as ar
        >>> ledger = ar.read_ledger("data/sample")
        >>> ids = ledger.customers["customer_id"]
        >>> parts = [ledger.subset(ids[:1000]), ledger.subset(ids[1000:])]
        >>> merged = ar.PeerContext.merge(ar.peer_context(p, "2025-09-30") for p in parts)
        >>> merged == ar.peer_context(ledger, "2025-09-30")
        True
        """
        items = list(contexts)
        if not items:
            raise ArrearsRiskError("PeerContext.merge needs at least one context, got none.")
        for item in items:
            if not isinstance(item, PeerContext):
                raise ArrearsRiskError(
                    f"PeerContext.merge adds up PeerContext objects, got {type(item).__name__}."
                )
        dates = sorted({item.as_of for item in items})
        if len(dates) > 1:
            shown = ", ".join(str(d.date()) for d in dates[:5])
            raise ArrearsRiskError(
                f"peer contexts of different dates cannot be merged: {shown}.\n"
                "  hint: compute every partition's context at the same as_of."
            )
        if len(items) == 1:
            return items[0]
        return cls(
            as_of=dates[0],
            industry=_add([item.industry for item in items]),
            region=_add([item.region for item in items]),
            group=_add([item.group for item in items]),
            total_customers=sum(item.total_customers for item in items),
            total_in_arrears=sum(item.total_in_arrears for item in items),
        )

    def __add__(self, other: object) -> PeerContext:
        if not isinstance(other, PeerContext):
            return NotImplemented
        return PeerContext.merge([self, other])

    def __radd__(self, other: object) -> PeerContext:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # sum(contexts) starts from 0
        return NotImplemented

    # --- JSON --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The context as plain JSON-ready data (what :meth:`save` writes).

        Examples
        --------
        >>> import pandas as pd
        >>> industry = pd.DataFrame({"customers": [2], "in_arrears": [1]}, index=["(none)"])
        >>> region = pd.DataFrame({"customers": [2], "in_arrears": [1]}, index=["城东"])
        >>> data = PeerContext("2025-09-30", industry, region, pd.Series({"G1": 2}), 2, 1).to_dict()
        >>> data["as_of"], data["overall"], data["group"]
        ('2025-09-30', {'customers': 2, 'in_arrears': 1}, {'G1': 2})
        >>> data["region"]
        {'城东': {'customers': 2, 'in_arrears': 1}}
        """

        def rows(table: pd.DataFrame) -> dict[str, dict[str, int]]:
            return {
                str(key): {"customers": int(n), "in_arrears": int(k)}
                for key, n, k in zip(
                    table.index, table["customers"], table["in_arrears"], strict=True
                )
            }

        return {
            "format": PEER_CONTEXT_FORMAT,
            "format_version": PEER_CONTEXT_VERSION,
            "as_of": self.as_of.date().isoformat(),
            "overall": {"customers": self.total_customers, "in_arrears": self.total_in_arrears},
            "industry": rows(self.industry),
            "region": rows(self.region),
            "group": {str(key): int(n) for key, n in self.group.items()},
        }

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "peer context") -> PeerContext:
        """A context from the data of :meth:`to_dict`, checked as :meth:`load` checks a
        file; errors start with ``source``.

        Raises
        ------
        ArrearsRiskError
            As :meth:`load`.
        """
        try:
            return _from_data(data)
        except _Invalid as err:
            raise ArrearsRiskError(f"{source}: {err}.") from None

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the context to ``path`` as JSON (UTF-8, keys sorted, texts as written).

        The file holds ``format`` (``"arrearsrisk-peer-context"``), ``format_version``
        (1), ``as_of`` (ISO date), ``overall`` (``customers``, ``in_arrears``),
        ``industry`` and ``region`` (``{key: {customers, in_arrears}}``) and ``group``
        (``{group_id: accounts}``).  The same context gives the same bytes.

        Returns
        -------
        pathlib.Path
            The file written.

        Examples
        --------
        >>> import tempfile, pathlib, arrearsrisk as ar
        >>> ctx = ar.peer_context(ar.read_ledger("data/sample"), "2025-09-30")
        >>> path = ctx.save(pathlib.Path(tempfile.mkdtemp()) / "peers.json")
        >>> ar.PeerContext.load(path) == ctx
        True
        """
        out = Path(path)
        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=1)
        out.write_text(text + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PeerContext:
        """Read a context written by :meth:`save`, checking every field.

        Raises
        ------
        FileNotFoundError
            If the file does not exist.
        ArrearsRiskError
            Naming the file: not UTF-8, not JSON (or ``NaN``, a key twice), not a peer
            context or of a newer format version, a key missing or unknown, ``as_of`` not
            an ISO date, a count negative or not a whole number, ``in_arrears`` larger
            than its ``customers``, tables that do not add up to ``overall``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> bad = pathlib.Path(tempfile.mkdtemp()) / "peers.json"
        >>> _ = bad.write_text('{"format": "arrearsrisk-peer-context"', encoding="utf-8")
        >>> PeerContext.load(bad)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        arrearsrisk.errors.ArrearsRiskError: peer context file .../peers.json: not valid JSON: ...
        """
        where = Path(path)
        source = f"peer context file {where}"
        raw = where.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ArrearsRiskError(
                f"{source}: not UTF-8 text (byte {err.start}: {err.reason})."
            ) from None
        try:
            data = json.loads(text, object_pairs_hook=_no_key_twice, parse_constant=_no_constant)
        except json.JSONDecodeError as err:
            raise ArrearsRiskError(
                f"{source}: not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})."
            ) from None
        except _Invalid as err:
            raise ArrearsRiskError(f"{source}: {err}.") from None
        except RecursionError:
            raise ArrearsRiskError(f"{source}: not valid JSON: nested too deeply.") from None
        return cls.from_dict(data, source=source)


def _same_table(a: pd.DataFrame | pd.Series, b: pd.DataFrame | pd.Series) -> bool:
    return type(a) is type(b) and a.index.equals(b.index) and bool(a.equals(b))  # type: ignore[arg-type]


def _add(tables: list[Any]) -> Any:
    """Counts per key added up over tables (frames or series of counts)."""
    return pd.concat(tables).groupby(level=0, sort=True).sum()


def _canonical(
    as_of: Any, industry: Any, region: Any, group: Any, n: Any, hits: Any
) -> dict[str, Any]:
    """The fields of a context, checked and in canonical form (or :class:`_Invalid`)."""
    industry_table = _table(industry, "industry")
    region_table = _table(region, "region")
    group_sizes = _group(group)
    total = _count(n, "total_customers")
    total_hits = _count(hits, "total_in_arrears")
    _check_totals(industry_table, region_table, group_sizes, total, total_hits)
    return {
        "as_of": parse_as_of(as_of),
        "industry": industry_table,
        "region": region_table,
        "group": group_sizes,
        "total_customers": total,
        "total_in_arrears": total_hits,
    }


def _no_key_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Invalid(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise _Invalid(f"{name} is not a count (JSON has no {name})")


def _json_count(value: Any, what: str) -> int:
    """A count written in JSON: an integer (not ``true``, not ``2.0``) from 0."""
    if type(value) is not int or not 0 <= value <= _MAX_COUNT:
        raise _Invalid(f"{what} must be a whole number >= 0, got {json.dumps(value)}")
    return value


def _json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{what} must be a JSON object, got {type(value).__name__}")
    return value


def _json_row(value: Any, what: str) -> tuple[int, int]:
    row = _json_object(value, what)
    if set(row) != set(_COUNTS):
        missing = sorted(set(_COUNTS) - set(row))
        extra = sorted(set(row) - set(_COUNTS))
        said = f"misses {missing}" if missing else f"has unknown keys {extra}"
        raise _Invalid(f"{what} {said} (it holds customers and in_arrears)")
    n = _json_count(row["customers"], f"{what}: customers")
    hits = _json_count(row["in_arrears"], f"{what}: in_arrears")
    if hits > n:
        raise _Invalid(f"{what}: in_arrears {hits} is more than its customers {n}")
    return n, hits


def _from_data(data: Any) -> PeerContext:
    top = _json_object(data, "the file")
    if top.get("format") != PEER_CONTEXT_FORMAT:
        found = "no format" if "format" not in top else f"format {top['format']!r}"
        raise _Invalid(f"not a peer context ({found}; expected {PEER_CONTEXT_FORMAT!r})")
    version = top.get("format_version")
    if type(version) is not int:
        raise _Invalid(f"format_version must be an integer, got {json.dumps(version)}")
    if version != PEER_CONTEXT_VERSION:
        newer = version > PEER_CONTEXT_VERSION
        raise _Invalid(
            f"format_version {version} is {'newer than' if newer else 'not'} the one this "
            f"arrearsrisk reads ({PEER_CONTEXT_VERSION})"
            + ("; upgrade arrearsrisk" if newer else "")
        )
    missing = sorted(_FILE_KEYS - set(top))
    if missing:
        raise _Invalid(f"missing key {', '.join(map(repr, missing))}")
    unknown = sorted(set(top) - _FILE_KEYS)
    if unknown:
        raise _Invalid(f"unknown key {', '.join(map(repr, unknown))}")
    as_of = top["as_of"]
    try:
        if not isinstance(as_of, str) or not _ISO_DATE.match(as_of):
            raise ValueError
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        raise _Invalid(f"as_of must be an ISO date (YYYY-MM-DD), got {json.dumps(as_of)}") from None
    n, hits = _json_row(top["overall"], "overall")
    tables: dict[str, pd.DataFrame] = {}
    for what in _TABLES:
        rows = _json_object(top[what], what)
        counts = [_json_row(value, f"{what} {key!r}") for key, value in rows.items()]
        tables[what] = pd.DataFrame(
            counts or np.empty((0, 2), dtype=np.int64),
            index=pd.Index(list(rows), dtype="str"),
            columns=list(_COUNTS),
            dtype=np.int64,
        )
    sizes = {
        key: _json_count(value, f"group {key!r}")
        for key, value in _json_object(top["group"], "group").items()
    }
    group = pd.Series(list(sizes.values()), index=pd.Index(list(sizes), dtype="str"), dtype="int64")
    fields = _canonical(day, tables["industry"], tables["region"], group, n, hits)
    return PeerContext(**fields)


def check_peer_date(peers: PeerContext, as_of: pd.Timestamp) -> None:
    """Check that ``peers`` may serve features at ``as_of``.

    A context serves its own date, and, with one
    :class:`~arrearsrisk.errors.PeerContextWarning` naming both dates, the
    :data:`PEER_CONTEXT_TOLERANCE_DAYS` (31) days after it: a context computed at a month
    end serves every day up to the next month end, so an on-demand score in mid-month
    can use the last monthly context.  Never a day before it: its counts would see the
    future.

    The peer features then lag by those days.  On the sample ledger, at the 15th of each
    month from 2024-01 to 2025-09 with the previous month end's context, the industry
    and region rates differ from their own date's by at most 0.099 and 0.019 (0.001 and
    0.002 on average), group sizes by 1 account, and 49 of 59,988 monthly grades of the
    sample model change; at the next month end (the far edge), by at most 0.180 and
    0.026, and 219 of 60,093 grades (see :data:`PEER_CONTEXT_TOLERANCE_DAYS`).

    Raises
    ------
    ArrearsRiskError
        If ``peers`` is not a :class:`PeerContext`, if ``as_of`` is before the
        context's date (its counts would see the future) or more than
        :data:`PEER_CONTEXT_TOLERANCE_DAYS` days after it.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> empty = pd.DataFrame({"customers": [], "in_arrears": []})
    >>> ctx = PeerContext("2025-09-30", empty, empty, pd.Series(dtype="int64"), 0, 0)
    >>> check_peer_date(ctx, pd.Timestamp("2025-09-30"))  # its own date: silent
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     check_peer_date(ctx, pd.Timestamp("2025-10-15"))
    >>> print(str(seen[0].message).splitlines()[0])
    peers were computed as of 2025-09-30 and serve features as of 2025-10-15 (15 days later).
    >>> check_peer_date(ctx, pd.Timestamp("2025-09-29"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.ArrearsRiskError: peers were computed as of 2025-09-30, after ...
    """
    if not isinstance(peers, PeerContext):
        raise ArrearsRiskError(
            f"peers must be a PeerContext (from peer_context or PeerContext.load), got "
            f"{type(peers).__name__}."
        )
    if as_of == peers.as_of:  # its own date (without a Timedelta: one account's calls)
        return
    days = (as_of - peers.as_of).days
    if days < 0:
        raise ArrearsRiskError(
            f"peers were computed as of {peers.as_of.date()}, after the features' as_of "
            f"{as_of.date()}: their counts would see data from the future.\n"
            "  hint: compute peer_context on or before the features' date."
        )
    if days > PEER_CONTEXT_TOLERANCE_DAYS:
        raise ArrearsRiskError(
            f"peers were computed as of {peers.as_of.date()}, features asked as of "
            f"{as_of.date()}: {days} days later, more than the "
            f"{PEER_CONTEXT_TOLERANCE_DAYS} days a peer context serves.\n"
            "  hint: compute peer_context at a date within a month before as_of."
        )
    warnings.warn(
        f"peers were computed as of {peers.as_of.date()} and serve features as of "
        f"{as_of.date()} ({days} days later).\n"
        f"  hint: peer rates lag by {days} days; a context serves up to "
        f"{PEER_CONTEXT_TOLERANCE_DAYS} days after its date.",
        PeerContextWarning,
        stacklevel=_outside_package(),
    )


def _outside_package() -> int:
    """The ``stacklevel`` of the first caller outside arrearsrisk (for the warning to
    point at the user's call, whichever public function it went through)."""
    frame = sys._getframe(2)  # the caller of check_peer_date
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level
