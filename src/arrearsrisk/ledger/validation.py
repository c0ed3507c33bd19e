"""One validator for the ledger, driven by :data:`arrearsrisk.ledger.schema.SCHEMA`.

:func:`validate_table` parses a raw table (strings from CSV, or typed columns from
Parquet or a DataFrame) into the canonical dtypes and raises a
:class:`~arrearsrisk.errors.LedgerError` naming table, column, rule and up to five
offending rows.  :func:`validate_ledger` adds the rules that span tables (foreign
keys, an empty ledger).  Nothing is dropped or silently coerced.

Canonical dtypes: ``id``/``str``/``category``/``period`` columns are pandas strings,
``date`` columns ``datetime64[s]`` at midnight, ``float`` columns ``float64`` and
``bool`` columns the nullable ``boolean`` dtype (missing = unknown).

Text columns are factorized once (hash-encoded; fast on pyarrow-backed strings) and
their rules checked on the distinct values only, so a 36-million-row bills table
costs seconds, not minutes.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arrearsrisk.errors import LedgerError, LedgerWarning
from arrearsrisk.ledger.headers import match_headers
from arrearsrisk.ledger.schema import SCHEMA, ColumnSpec, TableSpec
from arrearsrisk.timeline import period_numbers
from arrearsrisk.vocabulary import FALSE_WORDS, TRUE_WORDS

__all__ = ["MAX_ROWS_SHOWN", "Validated", "validate_ledger", "validate_table"]

MAX_ROWS_SHOWN = 5
MAX_ABS_NUMBER = 1e10
"""Largest magnitude of a number column (amounts in CNY, kWh, kVA, kV): ten billion,
far above any real monthly bill.  Inside it integer cents are exact in ``int64`` and
every customer's sum of up to 9,000 such amounts stays exact in ``float64`` cents."""
FLOAT32_EXACT_CENTS = 2.0**17
"""Below this magnitude a ``float32`` still tells cents apart (its spacing is under
half a cent), so the nearest cent of a ``float32`` amount is the amount exported."""
MONEY_COLUMNS = frozenset({"amount", "deposit"})
"""Number columns holding CNY (kept to whole cents when they come as ``float32``)."""
_PARTIAL_DATE_RE = r"^\d{4}([-/.]\d{1,2})?$"
_PERIOD_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
_SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Validated:
    """The typed tables, and integer keys the validator derived on the way.

    ``customer_rows`` maps ``bills`` and ``payments`` rows to the row position of their
    customer in ``customers``; ``bill_periods`` holds each bill's month number
    (``year * 12 + month - 1``).
    """

    tables: dict[str, pd.DataFrame]
    customer_rows: dict[str, np.ndarray]
    bill_periods: np.ndarray


def _fail(
    spec: TableSpec,
    column: str | None,
    rule: str,
    what: str,
    frame: pd.DataFrame | None = None,
    bad: np.ndarray | None = None,
    hint: str = "",
) -> LedgerError:
    """Build the :class:`LedgerError` for ``rule`` with the first offending rows."""
    where = f"column '{column}' " if column else ""
    lines = [f"{spec.name}: {where}{what}"]
    if frame is not None and bad is not None:
        mask = np.asarray(bad, dtype=bool)
        n_bad = int(mask.sum())
        shown = frame.iloc[np.flatnonzero(mask)[:MAX_ROWS_SHOWN]]
        lines.append(
            f"  rule '{rule}' broken in {n_bad:,} of {len(frame):,} rows; "
            f"first {len(shown)} (by row label):"
        )
        lines.extend("    " + line for line in shown.to_string(max_colwidth=40).splitlines())
    if hint:
        lines.append(f"  hint: {hint}")
    return LedgerError("\n".join(lines), table=spec.name, column=column, rule=rule)


@dataclass(frozen=True)
class _Factors:
    """A column as codes into its distinct values (``-1`` for missing)."""

    codes: np.ndarray
    uniques: pd.Series

    @classmethod
    def of(cls, values: pd.Series) -> _Factors:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return cls(np.asarray(codes), pd.Series(uniques))

    def expand(self, per_unique: np.ndarray, missing: bool) -> np.ndarray:
        """A per-row mask from a mask over the distinct values."""
        lookup = np.append(np.asarray(per_unique, dtype=bool), missing)
        return lookup[self.codes]  # code -1 picks the appended ``missing`` value

    def blank(self) -> np.ndarray:
        """Missing cells: NA, or text that is empty after stripping."""
        text = self.uniques.astype("str").str.strip()
        return self.expand((text == "").to_numpy(dtype=bool, na_value=True), True)


def _is_blank(values: pd.Series) -> np.ndarray:
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return _Factors.of(values).blank()
    return values.isna().to_numpy(dtype=bool)


def _parse_text(
    values: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame
) -> pd.Series:
    """Text stays text: pandas strings, or a categorical of strings (kept as it is, so a
    dictionary-encoded column of millions of rows is never expanded)."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values
    if len(values) == 0:  # an empty column built from [] has no meaningful dtype
        return values.astype("str")
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("str")
    if values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype):
        factors = _Factors.of(values)
        is_text = np.array([isinstance(v, str) for v in factors.uniques], dtype=bool)
        if not is_text.all():
            raise _fail(
                spec,
                col.name,
                "text",
                "must hold text.",
                frame,
                ~factors.expand(is_text, True),
                hint="convert the column to strings before building the Ledger.",
            )
        if isinstance(values.dtype, pd.CategoricalDtype):
            return values.cat.remove_unused_categories()
        return values.astype("str")
    raise _fail(
        spec,
        col.name,
        "text",
        f"must hold text, got dtype {values.dtype}.",
        hint="convert the column to strings before building the Ledger.",
    )


def _parse_date(
    values: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        if getattr(values.dtype, "tz", None) is not None:
            raise _fail(
                spec,
                col.name,
                "date",
                "must hold dates without a time zone.",
                hint="use .dt.tz_localize(None) first.",
            )
        parsed = values.astype("datetime64[s]")
    else:
        factors = _Factors.of(values)
        text = factors.uniques.astype("str").str.strip()
        partial = text.str.match(_PARTIAL_DATE_RE).to_numpy(dtype=bool, na_value=False)
        if partial.any():
            raise _fail(
                spec,
                col.name,
                "date",
                "has partial dates (a year or a month, no day).",
                frame,
                factors.expand(partial, False),
                hint="write whole days, e.g. 2024-03-15; a billing month belongs in 'period'.",
            )
        uniq = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad_u = uniq.isna().to_numpy() & (text != "").to_numpy(dtype=bool, na_value=False)
        if bad_u.any():
            raise _fail(
                spec,
                col.name,
                "date",
                "has values that are not dates (YYYY-MM-DD).",
                frame,
                factors.expand(bad_u, False),
                hint="write dates as ISO 8601, e.g. 2024-03-15.",
            )
        lookup = np.append(uniq.to_numpy(dtype="datetime64[s]"), np.datetime64("NaT", "s"))
        parsed = pd.Series(lookup[factors.codes], index=values.index, name=values.name)
    seconds = parsed.to_numpy(dtype="datetime64[s]").view(np.int64)
    not_midnight = (seconds % _SECONDS_PER_DAY != 0) & parsed.notna().to_numpy()
    if not_midnight.any():
        raise _fail(
            spec,
            col.name,
            "date",
            "has a time of day; dates are whole days.",
            frame,
            not_midnight,
            hint="drop the time with .dt.normalize() if it is noise.",
        )
    return parsed


def _parse_float(
    values: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame
) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        raise _fail(spec, col.name, "number", "must hold numbers, got booleans.")
    if pd.api.types.is_numeric_dtype(values.dtype):
        parsed = _from_float32(values, spec, col, frame) if _is_narrow_float(values) else None
        if parsed is None:
            parsed = values.astype("float64")
    else:
        parsed = pd.to_numeric(values.astype("str").str.strip(), errors="coerce").astype("float64")
        bad = parsed.isna().to_numpy() & ~_is_blank(values)
        if bad.any():
            raise _fail(
                spec,
                col.name,
                "number",
                "has values that are not numbers.",
                frame,
                bad,
                hint="use a dot as decimal separator and no thousands separator.",
            )
    infinite = np.isinf(parsed.to_numpy())
    if infinite.any():
        raise _fail(spec, col.name, "number", "has infinite values.", frame, infinite)
    huge = np.abs(parsed.to_numpy(dtype="float64", na_value=np.nan)) >= MAX_ABS_NUMBER
    if huge.any():
        raise _fail(
            spec,
            col.name,
            "range",
            f"has values of magnitude {MAX_ABS_NUMBER:,.0f} or more.",
            frame,
            huge,
            hint="numbers must lie within +/- 10 billion; check the unit (fen vs yuan) "
            "and the export of these rows.",
        )
    return parsed


def _is_narrow_float(values: pd.Series) -> bool:
    """A ``float32`` (or ``float16``) column, numpy or nullable."""
    dtype = values.dtype
    numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
    return (
        isinstance(numpy_dtype, np.dtype) and numpy_dtype.kind == "f" and numpy_dtype.itemsize < 8
    )


def _from_float32(
    values: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame
) -> pd.Series:
    """A ``float32`` column as the ``float64`` of the decimals it was written from.

    Money is rounded to whole cents, which is exact only below
    :data:`FLOAT32_EXACT_CENTS`; larger ``float32`` amounts have lost their cents and
    are refused.  Other numbers take the shortest decimal that reads back as the same
    ``float32`` (``0.1`` stays ``0.1``, not ``0.10000000149``).
    """
    narrow = values.to_numpy(dtype=np.float32, na_value=np.nan)
    if col.name in MONEY_COLUMNS:
        lost = np.abs(narrow.astype(np.float64)) >= FLOAT32_EXACT_CENTS
        if lost.any():
            raise _fail(
                spec,
                col.name,
                "number",
                f"is float32, which cannot hold cents at or above {FLOAT32_EXACT_CENTS:,.0f}.",
                frame,
                lost,
                hint="export money as float64 or decimal (e.g. DECIMAL(18,2)), or as text.",
            )
        wide = np.round(narrow.astype(np.float64), 2)
    else:
        wide = narrow.astype("str").astype(np.float64)  # numpy prints the shortest decimal
    return pd.Series(wide, index=values.index, name=values.name)


def _parse_bool(
    values: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame
) -> pd.Series:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    if pd.api.types.is_numeric_dtype(values.dtype):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(arr) & (arr != 0) & (arr != 1)
        if bad.any():
            raise _fail(spec, col.name, "boolean", "has numbers other than 0 and 1.", frame, bad)
        out = pd.array(arr == 1, dtype="boolean")
        out[np.isnan(arr)] = pd.NA
        return pd.Series(out, index=values.index, name=values.name)
    factors = _Factors.of(values)
    text = factors.uniques.astype("str").str.strip().str.lower()
    blank_u = (text == "").to_numpy(dtype=bool, na_value=True)
    true_u = text.isin(TRUE_WORDS).to_numpy(dtype=bool)
    bad_u = ~(true_u | text.isin(FALSE_WORDS).to_numpy(dtype=bool) | blank_u)
    if bad_u.any():
        raise _fail(
            spec,
            col.name,
            "boolean",
            "has values that are not booleans.",
            frame,
            factors.expand(bad_u, False),
            hint="use true/false, yes/no or 1/0; leave the cell empty if unknown.",
        )
    out = pd.array(factors.expand(true_u, False), dtype="boolean")
    out[factors.expand(blank_u, True)] = pd.NA
    return pd.Series(out, index=values.index, name=values.name)


_PARSERS = {
    "id": _parse_text,
    "str": _parse_text,
    "category": _parse_text,
    "period": _parse_text,
    "date": _parse_date,
    "float": _parse_float,
    "bool": _parse_bool,
}


def _check_values(
    series: pd.Series,
    spec: TableSpec,
    col: ColumnSpec,
    frame: pd.DataFrame,
    factors: _Factors | None,
) -> None:
    """The rules of one parsed column beyond its type."""
    missing = factors.blank() if factors is not None else series.isna().to_numpy(dtype=bool)
    if not col.nullable and missing.any():
        raise _fail(
            spec,
            col.name,
            "required_value",
            "has missing values.",
            frame,
            missing,
            hint=f"every row needs a {col.name}.",
        )
    if factors is not None and col.kind == "period":
        ok_u = (
            factors.uniques.astype("str").str.match(_PERIOD_RE).to_numpy(dtype=bool, na_value=False)
        )
        bad = factors.expand(~ok_u, False) & ~missing
        if bad.any():
            raise _fail(
                spec,
                col.name,
                "period",
                "has values that are not months YYYY-MM.",
                frame,
                bad,
                hint="write the billing month as e.g. 2024-03.",
            )
    if factors is not None and col.choices:
        bad = factors.expand(~factors.uniques.isin(col.choices).to_numpy(dtype=bool), False)
        bad &= ~missing
        if bad.any():
            first = str(series[bad].iloc[0])
            close = difflib.get_close_matches(first.lower(), col.choices, n=1)
            hint = f"allowed: {', '.join(col.choices)}."
            if close:
                hint = f"did you mean '{close[0]}' for '{first}'? " + hint
            raise _fail(
                spec,
                col.name,
                "choices",
                "has values outside the allowed set.",
                frame,
                bad,
                hint=hint,
            )
    values = None
    if col.min_value is not None or col.gt_value is not None:
        values = series.to_numpy(dtype="float64", na_value=np.nan)
    if values is not None and col.min_value is not None:
        bad = ~missing & (values < col.min_value)
        if bad.any():
            raise _fail(spec, col.name, "min_value", f"must be >= {col.min_value:g}.", frame, bad)
    if values is not None and col.gt_value is not None:
        bad = ~missing & ~(values > col.gt_value)
        if bad.any():
            raise _fail(spec, col.name, "gt_value", f"must be > {col.gt_value:g}.", frame, bad)


def _infer_extra(values: pd.Series) -> pd.Series:
    """Type an extra text column read from CSV: numbers, booleans, else text.

    Digit strings that are codes, not quantities, stay text: a value with a leading
    zero (``"0571"``, ``"007"``) or of 11 digits or more (a mobile number, an id card),
    so that :mod:`arrearsrisk.ledger.identifiers` sees them as text.
    """
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return values
    blank = _is_blank(values)
    text = values.astype("str").str.strip()
    number = pd.to_numeric(text.where(~blank), errors="coerce")
    code_like = text.str.match(r"^[+-]?(0\d|\d{11,})").to_numpy(dtype=bool, na_value=False)
    if (number.notna().to_numpy() | blank).all() and (~blank).any() and not code_like.any():
        return number.astype("float64")
    lowered = text.str.lower()
    if (lowered.isin(TRUE_WORDS | FALSE_WORDS).to_numpy() | blank).all() and (~blank).any():
        out = pd.array(lowered.isin(TRUE_WORDS).to_numpy(), dtype="boolean")
        out[blank] = pd.NA
        return pd.Series(out, index=values.index, name=values.name)
    return values.astype("str").where(~blank)


def _duplicated(codes: list[np.ndarray]) -> np.ndarray:
    """Rows whose combination of codes appears more than once."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c in codes:
        key = key * (int(c.max(initial=0)) + 2) + (c.astype(np.int64) + 1)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = ordered[1:] == ordered[:-1]
    dup_sorted = np.zeros(len(key), dtype=bool)
    dup_sorted[1:] |= same
    dup_sorted[:-1] |= same
    out = np.zeros(len(key), dtype=bool)
    out[order] = dup_sorted
    return out


def _table(
    name: str, frame: pd.DataFrame, infer_extra: bool
) -> tuple[pd.DataFrame, dict[str, _Factors]]:
    spec = SCHEMA[name]
    if not isinstance(frame, pd.DataFrame):
        raise _fail(spec, None, "table", f"must be a pandas DataFrame, got {type(frame).__name__}.")
    renames = match_headers(name, list(frame.columns))  # duplicates, near misses, required
    if renames:
        frame = frame.rename(columns=renames)
    out: dict[str, pd.Series] = {}
    factors: dict[str, _Factors] = {}
    for col in spec.columns:
        if col.name in frame.columns:
            series = _PARSERS[col.kind](frame[col.name], spec, col, frame)
            if col.kind in ("id", "str", "category", "period"):
                factors[col.name] = _Factors.of(series)
            _check_values(series, spec, col, frame, factors.get(col.name))
        else:
            series = _empty_column(col, frame.index)
        out[col.name] = series
    for extra in frame.columns:
        if extra not in out:
            out[str(extra)] = _infer_extra(frame[extra]) if infer_extra else frame[extra]
    typed = pd.DataFrame(out, index=frame.index, copy=False)
    if spec.key:
        dup_rows = _duplicated([factors[k].codes for k in spec.key])
        if dup_rows.any():
            raise _fail(
                spec,
                ", ".join(spec.key),
                "unique_key",
                f"key ({', '.join(spec.key)}) is not unique.",
                frame,
                dup_rows,
                hint="each key must appear once; merge or remove the duplicates.",
            )
    for earlier, later in spec.ordered:
        bad = (typed[later] < typed[earlier]).to_numpy(dtype=bool, na_value=False)
        if bad.any():
            raise _fail(spec, later, "date_order", f"must not be before {earlier}.", frame, bad)
    return typed, factors


def validate_table(name: str, frame: pd.DataFrame, *, infer_extra: bool = False) -> pd.DataFrame:
    """Parse and check one ledger table against the schema.

    Parameters
    ----------
    name : {"customers", "bills", "payments"}
        Which table.
    frame : pandas.DataFrame
        The raw table.
    infer_extra : bool
        Type extra text columns (as read from CSV) as numbers or booleans when every
        value parses; otherwise they are kept as they come.

    Returns
    -------
    pandas.DataFrame
        The table in canonical dtypes, with every schema column present (a missing
        optional column is all-missing, i.e. unknown) followed by extra columns.

    Raises
    ------
    LedgerError
        On the first rule broken.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"customer_id": ["C1"], "paid_date": ["2024-01-05"],
    ...                     "amount": ["-3"]})
    >>> validate_table("payments", raw)
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.LedgerError: payments: column 'amount' must be > 0.
    ...
    """
    return _table(name, frame, infer_extra)[0]


def _empty_column(col: ColumnSpec, index: pd.Index) -> pd.Series:
    dtype = {"date": "datetime64[s]", "float": "float64", "bool": "boolean"}.get(col.kind, "str")
    return pd.Series(pd.NA if dtype == "boolean" else None, index=index, dtype=dtype, name=col.name)


def _rows_in(ids: _Factors, known: pa.Array) -> np.ndarray:
    """Position of each id in ``known`` (-1 if absent), looked up once per distinct id."""
    found = pc.fill_null(pc.index_in(pa.array(ids.uniques.astype("str")), value_set=known), -1)
    per_unique = np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int32)
    return np.append(per_unique, np.int32(-1))[ids.codes]


def validate_ledger(tables: dict[str, pd.DataFrame], *, infer_extra: bool = False) -> Validated:
    """Validate the three tables and the rules that span them.

    Returns the typed tables with the keys derived on the way.  Raises
    :class:`LedgerError` for missing tables, an empty ledger, or bills and payments of
    customers not in ``customers``; warns (:class:`LedgerWarning`) about payments of
    customers that have no bill.
    """
    for name in SCHEMA:
        if name not in tables or tables[name] is None:
            raise _fail(
                SCHEMA[name],
                None,
                "missing_table",
                "table is missing.",
                hint="a ledger needs customers, bills and payments (payments may be empty).",
            )
    typed: dict[str, pd.DataFrame] = {}
    factors: dict[str, dict[str, _Factors]] = {}
    for name in SCHEMA:
        typed[name], factors[name] = _table(name, tables[name], infer_extra)
    if typed["customers"].empty:
        raise _fail(
            SCHEMA["customers"], None, "empty", "table is empty: the ledger has no customers."
        )
    known = pa.array(typed["customers"]["customer_id"].astype("str"))
    rows: dict[str, np.ndarray] = {}
    for spec in SCHEMA.values():
        for fk in spec.foreign_keys:
            rows[spec.name] = _rows_in(factors[spec.name][fk.column], known)
            orphan = rows[spec.name] < 0
            if orphan.any():
                raise _fail(
                    spec,
                    fk.column,
                    "unknown_reference",
                    f"has ids not found in {fk.ref_table}.{fk.ref_column}.",
                    tables[spec.name],
                    orphan,
                    hint=f"add these customers to {fk.ref_table} or remove their rows.",
                )
    has_bill = np.bincount(rows["bills"], minlength=len(known)) > 0
    no_bill = ~has_bill[rows["payments"]]
    if no_bill.any():
        n_cust = len(np.unique(rows["payments"][no_bill]))
        warnings.warn(
            f"payments: {int(no_bill.sum()):,} payments of {n_cust:,} customers that have no bill "
            "at all; they are kept as credit.",
            LedgerWarning,
            stacklevel=3,
        )
    period = factors["bills"]["period"]
    bill_periods = period_numbers(pd.Series(period.uniques))[period.codes]
    _warn_implausible_dates(typed, bill_periods)
    return Validated(typed, rows, bill_periods)


EARLIEST_DATE = pd.Timestamp("1990-01-01")
"""Bill and payment dates before this day get a :class:`LedgerWarning` (placeholder
"null dates" such as 1900-01-01 are the usual cause)."""
EARLIEST_OPENED = pd.Timestamp("1950-01-01")
"""Opening dates before this day get a :class:`LedgerWarning`."""
FUTURE_YEARS = 5
"""Dates more than this many years after the ledger's last issue date get a warning."""
PERIOD_GAP_MONTHS = 24
"""A bill whose period is more than this many months from its issue date gets a warning."""


def _warn(spec: TableSpec, column: str, what: str, frame: pd.DataFrame, bad: np.ndarray) -> None:
    message = str(_fail(spec, column, "plausible", what, frame, bad))
    hint = "  hint: the rows are kept as they are; correct the export if they are wrong."
    warnings.warn(f"{message}\n{hint}", LedgerWarning, stacklevel=4)


def _warn_implausible_dates(typed: dict[str, pd.DataFrame], bill_periods: np.ndarray) -> None:
    """Warn about dates far outside the ledger's span and periods far from their issue."""
    bills = typed["bills"]
    known_issue = bills["issue_date"].dropna()
    last_issue = pd.Timestamp(known_issue.max()) if len(known_issue) else None
    dated = [
        ("customers", "opened", EARLIEST_OPENED),
        ("bills", "issue_date", EARLIEST_DATE),
        ("bills", "due_date", EARLIEST_DATE),
        ("payments", "paid_date", EARLIEST_DATE),
    ]
    for table, column, earliest in dated:
        values = typed[table][column]
        early = (values < earliest).to_numpy(dtype=bool, na_value=False)
        if early.any():
            _warn(
                SCHEMA[table], column, f"has dates before {earliest.date()}.", typed[table], early
            )
        if last_issue is not None:
            latest = last_issue + pd.DateOffset(years=FUTURE_YEARS)
            late = (values > latest).to_numpy(dtype=bool, na_value=False)
            if late.any():
                _warn(
                    SCHEMA[table],
                    column,
                    f"has dates after {latest.date()}, {FUTURE_YEARS} years after the last "
                    f"issue date {last_issue.date()}.",
                    typed[table],
                    late,
                )
    if len(bills):
        issued = bills["issue_date"].to_numpy(dtype="datetime64[M]").astype(np.int64) + 1970 * 12
        far = np.abs(issued - bill_periods) > PERIOD_GAP_MONTHS
        if far.any():
            _warn(
                SCHEMA["bills"],
                "period",
                f"is more than {PERIOD_GAP_MONTHS} months from issue_date.",
                bills,
                far,
            )
