"""One validator for the ledger, driven by :data:`arrearsrisk.schema.SCHEMA`.

:func:`validate_table` parses a raw table (strings from CSV, or typed columns from
Parquet or a DataFrame) into the canonical dtypes and raises a
:class:`~arrearsrisk.errors.LedgerError` naming table, column, rule and up to five
offending rows.  :func:`validate_ledger` adds the rules that span tables (foreign
keys, an empty ledger).  Nothing is dropped or silently coerced.

Canonical dtypes: ``id``/``str``/``category``/``period`` columns are pandas strings,
``date`` columns ``datetime64[s]`` at midnight, ``float`` columns ``float64`` and
``bool`` columns the nullable ``boolean`` dtype (missing = unknown).
"""

from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd

from arrearsrisk.errors import LedgerError, LedgerWarning
from arrearsrisk.schema import SCHEMA, ColumnSpec, TableSpec

__all__ = ["MAX_ROWS_SHOWN", "validate_ledger", "validate_table"]

MAX_ROWS_SHOWN = 5
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})
_PERIOD_RE = r"^\d{4}-(0[1-9]|1[0-2])$"


def _fail(
    spec: TableSpec,
    column: str | None,
    rule: str,
    what: str,
    frame: pd.DataFrame | None = None,
    bad: np.ndarray | pd.Series | None = None,
    hint: str = "",
) -> LedgerError:
    """Build the :class:`LedgerError` for ``rule`` with the first offending rows."""
    where = f"column '{column}' " if column else ""
    lines = [f"{spec.name}: {where}{what}"]
    if frame is not None and bad is not None:
        mask = np.asarray(bad, dtype=bool)
        n_bad = int(mask.sum())
        shown = frame.loc[mask].head(MAX_ROWS_SHOWN)
        lines.append(
            f"  rule '{rule}' broken in {n_bad:,} of {len(frame):,} rows; "
            f"first {len(shown)} (by row label):"
        )
        lines.extend("    " + line for line in shown.to_string(max_colwidth=40).splitlines())
    if hint:
        lines.append(f"  hint: {hint}")
    return LedgerError("\n".join(lines), table=spec.name, column=column, rule=rule)


def _is_blank(values: pd.Series) -> np.ndarray:
    """Missing cells: NA, or text that is empty after stripping."""
    blank = values.isna().to_numpy(dtype=bool)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.astype("str")
        blank = blank | (text.str.strip() == "").to_numpy(dtype=bool, na_value=True)
    return blank


def _parse_text(
    values: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame
) -> pd.Series:
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("str")
    if values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype):
        ok = values.map(
            lambda v: (
                v is None
                or v is pd.NA
                or isinstance(v, str)
                or (isinstance(v, float) and np.isnan(v))
            )
        )
        is_text = ok.astype(bool).to_numpy()
        if not is_text.all():
            raise _fail(
                spec,
                col.name,
                "text",
                "must hold text.",
                frame,
                ~is_text,
                hint="convert the column to strings before building the Ledger.",
            )
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
        parsed = values
        if getattr(values.dtype, "tz", None) is not None:
            raise _fail(
                spec,
                col.name,
                "date",
                "must hold dates without a time zone.",
                hint="use .dt.tz_localize(None) first.",
            )
    else:
        text = values.astype("str").str.strip()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = parsed.isna().to_numpy() & ~_is_blank(values)
        if bad.any():
            raise _fail(
                spec,
                col.name,
                "date",
                "has values that are not dates (YYYY-MM-DD).",
                frame,
                bad,
                hint="write dates as ISO 8601, e.g. 2024-03-15.",
            )
    parsed = parsed.astype("datetime64[s]")
    not_midnight = (parsed.notna() & (parsed != parsed.dt.normalize())).to_numpy()
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
    return parsed


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
    text = values.astype("str").str.strip().str.lower()
    blank = _is_blank(values)
    is_true = text.isin(_TRUE).to_numpy()
    is_false = text.isin(_FALSE).to_numpy()
    bad = ~(is_true | is_false | blank)
    if bad.any():
        raise _fail(
            spec,
            col.name,
            "boolean",
            "has values that are not booleans.",
            frame,
            bad,
            hint="use true/false, yes/no or 1/0; leave the cell empty if unknown.",
        )
    out = pd.array(is_true, dtype="boolean")
    out[blank] = pd.NA
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


def _check_values(series: pd.Series, spec: TableSpec, col: ColumnSpec, frame: pd.DataFrame) -> None:
    """The rules of one parsed column beyond its type."""
    missing = (
        _is_blank(series)
        if col.kind in ("id", "str", "category", "period")
        else (series.isna().to_numpy())
    )
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
    present = ~missing
    if col.kind == "period":
        ok = series.str.match(_PERIOD_RE).fillna(False).to_numpy(dtype=bool)
        bad = present & ~ok
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
    if col.choices:
        bad = present & ~series.isin(col.choices).to_numpy(dtype=bool)
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
    if col.min_value is not None:
        bad = present & (series.to_numpy(dtype="float64", na_value=np.nan) < col.min_value)
        if bad.any():
            raise _fail(spec, col.name, "min_value", f"must be >= {col.min_value:g}.", frame, bad)
    if col.gt_value is not None:
        bad = present & ~(series.to_numpy(dtype="float64", na_value=np.nan) > col.gt_value)
        if bad.any():
            raise _fail(spec, col.name, "gt_value", f"must be > {col.gt_value:g}.", frame, bad)


def _infer_extra(values: pd.Series) -> pd.Series:
    """Type an extra text column read from CSV: numbers, booleans, else text."""
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return values
    blank = _is_blank(values)
    text = values.astype("str").str.strip()
    number = pd.to_numeric(text.where(~blank), errors="coerce")
    if (number.notna().to_numpy() | blank).all() and (~blank).any():
        return number.astype("float64")
    lowered = text.str.lower()
    if (lowered.isin(_TRUE | _FALSE).to_numpy() | blank).all() and (~blank).any():
        out = pd.array(lowered.isin(_TRUE).to_numpy(), dtype="boolean")
        out[blank] = pd.NA
        return pd.Series(out, index=values.index, name=values.name)
    return values.astype("str").where(~blank)


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
    spec = SCHEMA[name]
    if not isinstance(frame, pd.DataFrame):
        raise _fail(spec, None, "table", f"must be a pandas DataFrame, got {type(frame).__name__}.")
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise _fail(spec, twice[0], "duplicate_column", "appears more than once.")
    for col in spec.columns:
        if col.required and col.name not in frame.columns:
            close = difflib.get_close_matches(col.name, columns, n=1)
            hint = (
                f"did you mean '{close[0]}'?" if close else f"expected: {col.meaning or col.name}."
            )
            raise _fail(spec, col.name, "required_column", "is required but missing.", hint=hint)
    out: dict[str, pd.Series] = {}
    for col in spec.columns:
        if col.name in frame.columns:
            series = _PARSERS[col.kind](frame[col.name], spec, col, frame)
            _check_values(series, spec, col, frame)
        else:
            series = _empty_column(col, len(frame), frame.index)
        out[col.name] = series
    for extra in frame.columns:
        if extra not in out:
            out[str(extra)] = _infer_extra(frame[extra]) if infer_extra else frame[extra]
    typed = pd.DataFrame(out, index=frame.index, copy=False)
    if spec.key:
        dup_rows = typed.duplicated(list(spec.key), keep=False).to_numpy()
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
    return typed


def _empty_column(col: ColumnSpec, n: int, index: pd.Index) -> pd.Series:
    dtype = {"date": "datetime64[s]", "float": "float64", "bool": "boolean"}.get(col.kind, "str")
    return pd.Series(pd.NA if dtype == "boolean" else None, index=index, dtype=dtype, name=col.name)


def validate_ledger(
    tables: dict[str, pd.DataFrame], *, infer_extra: bool = False
) -> dict[str, pd.DataFrame]:
    """Validate the three tables and the rules that span them.

    Returns the typed tables.  Raises :class:`LedgerError` for missing tables, an
    empty ledger, or bills and payments of customers not in ``customers``; warns
    (:class:`LedgerWarning`) about payments of customers that have no bill.
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
    typed = {name: validate_table(name, tables[name], infer_extra=infer_extra) for name in SCHEMA}
    customers = typed["customers"]
    if customers.empty:
        raise _fail(
            SCHEMA["customers"], None, "empty", "table is empty: the ledger has no customers."
        )
    known = pd.Index(customers["customer_id"])
    for spec in SCHEMA.values():
        for fk in spec.foreign_keys:
            ids = typed[spec.name][fk.column]
            orphan = ~ids.isin(known).to_numpy(dtype=bool)
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
    billed = pd.unique(typed["bills"]["customer_id"])
    no_bill = ~typed["payments"]["customer_id"].isin(billed).to_numpy(dtype=bool)
    if no_bill.any():
        n_cust = typed["payments"]["customer_id"][no_bill].nunique()
        warnings.warn(
            f"payments: {int(no_bill.sum()):,} payments of {n_cust:,} customers that have no bill "
            "at all; they are kept as credit.",
            LedgerWarning,
            stacklevel=3,
        )
    return typed
