"""The ledger's rules checked in Spark, with the library's own rule definitions.

Rules come in two kinds, and each is checked where its definition can be reused as is:

* **per row** (every rule of :mod:`arrearsrisk.ledger.validation` on one table: the
  cells' kinds, dates, numbers, yes/no spellings, periods, choices, bounds, required
  values, ``due_date >= issue_date``): each partition runs the library's validator
  (``validation._table``) on its rows with ``mapInArrow``; the driver raises the first
  rule broken in the library's order (by column, then rule), with the rows counted over
  the partitions that broke it;
* **across rows** (``unique_key``, ``empty``, ``unknown_reference``, the warnings on
  payments without bills, implausible dates and identifier columns, and the typing of
  extra CSV columns, which needs every value): Spark aggregations and anti-joins, with
  the library's constants and messages, a few offending rows collected for the message.

Not expressed in Spark (covered as said): the row labels of a message are
``partition:row`` (a file's row number is not known to a partition); a partition's
count of a rule is counted only where that rule is the partition's first broken one (so
a count may be lower than the pandas reader's when one partition breaks two rules of a
column); CSV decoding and ragged rows are left to Spark's CSV reader (``FAILFAST``),
whose error becomes a ``ragged_row`` or ``file`` :class:`~arrearsrisk.LedgerError`.
"""

from __future__ import annotations

import pickle
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from arrearsrisk.errors import LedgerError, LedgerWarning
from arrearsrisk.ledger.identifiers import MAX_DISTINCT_SHARE, MIN_VALUES_FOR_RATIO, _by_name
from arrearsrisk.ledger.schema import SCHEMA, ColumnSpec, TableSpec
from arrearsrisk.ledger.validation import (
    _PARSERS,
    EARLIEST_DATE,
    EARLIEST_OPENED,
    FUTURE_YEARS,
    MAX_ROWS_SHOWN,
    PERIOD_GAP_MONTHS,
    _empty_column,
    _fail,
    _is_blank,
    _table,
)
from arrearsrisk.spark.arrow import arrow_to_frame, frame_to_arrow
from arrearsrisk.vocabulary import FALSE_WORDS, TRUE_WORDS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = [
    "RULE_ORDER",
    "RawTable",
    "check_rows",
    "check_tables",
    "extra_kinds",
    "typed_table",
]

RULE_ORDER: tuple[str, ...] = (
    "text",
    "date",
    "number",
    "range",
    "boolean",
    "required_value",
    "period",
    "choices",
    "min_value",
    "gt_value",
)
"""The per-column rules in the order the library's validator checks them."""

_COUNTS = re.compile(r"rule '[^']+' broken in ([\d,]+) of ([\d,]+) rows; first (\d+)[^\n]*")
_CODE_LIKE = r"^[+-]?(0\d|\d{11,})"


@dataclass(frozen=True)
class RawTable:
    """One table as read, its headers renamed to the schema's spelling."""

    frame: DataFrame
    source: str
    from_text: bool
    """Read from CSV: extra customer columns are typed by their values."""


# ---------------------------------------------------------------- extra CSV columns


def _extra_flags(values: pd.Series) -> tuple[bool, bool, bool]:
    """(any value, every value a number that is no code, every value a yes/no word):
    the conditions of ``validation._infer_extra``, which combine over partitions."""
    blank = _is_blank(values)
    text = values.astype("str").str.strip()
    number = pd.to_numeric(text.where(~blank), errors="coerce")
    code_like = text.str.match(_CODE_LIKE).to_numpy(dtype=bool, na_value=False)
    numeric = bool((number.notna().to_numpy() | blank).all()) and not code_like.any()
    lowered = text.str.lower()
    words = bool((lowered.isin(TRUE_WORDS | FALSE_WORDS).to_numpy() | blank).all())
    return bool((~blank).any()), numeric, words


def _typed_extra(values: pd.Series, kind: str) -> pd.Series:
    """An extra text column as ``validation._infer_extra`` types it, given its kind."""
    blank = _is_blank(values)
    text = values.astype("str").str.strip()
    if kind == "number":
        return pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
    if kind == "bool":
        out = pd.array(text.str.lower().isin(TRUE_WORDS).to_numpy(), dtype="boolean")
        out[blank] = pd.NA
        return pd.Series(out, index=values.index, name=values.name)
    return values.astype("str").where(~blank)


def extra_kinds(raw: RawTable, columns: Sequence[str]) -> dict[str, str]:
    """The kind (``number``, ``bool`` or ``text``) of each extra text column of a CSV
    table, decided on every value as the pandas reader decides it."""
    from pyspark.sql import types as T

    text_cols = [c for c in columns if isinstance(raw.frame.schema[c].dataType, T.StringType)]
    if not text_cols:
        return {}
    schema = T.StructType(
        [
            T.StructField("column", T.StringType()),
            T.StructField("any", T.BooleanType()),
            T.StructField("number", T.BooleanType()),
            T.StructField("words", T.BooleanType()),
        ]
    )

    def flags(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        chunks = list(batches)
        if not chunks:
            return
        frame = arrow_to_frame(pa.Table.from_batches(chunks))
        rows = [(c, *_extra_flags(frame[c])) for c in text_cols]
        yield pa.RecordBatch.from_pylist(
            [dict(zip(("column", "any", "number", "words"), r, strict=True)) for r in rows]
        )

    found = raw.frame.select(*text_cols).mapInArrow(flags, schema).toArrow().to_pylist()
    kinds = {}
    for col in text_cols:
        mine = [r for r in found if r["column"] == col]
        present = any(r["any"] for r in mine)
        if present and all(r["number"] for r in mine):
            kinds[col] = "number"
        elif present and all(r["words"] for r in mine):
            kinds[col] = "bool"
        else:
            kinds[col] = "text"
    return {c: k for c, k in kinds.items() if k != "text"}


# ---------------------------------------------------------------- per-row rules


def _partition_frame(table: pa.Table, kinds: Mapping[str, str]) -> pd.DataFrame:
    from pyspark import TaskContext

    frame = arrow_to_frame(table)
    context = TaskContext.get()
    part = context.partitionId() if context is not None else 0
    frame.index = pd.Index([f"{part}:{i}" for i in range(len(frame))], dtype="str")
    for col, kind in kinds.items():
        frame[col] = _typed_extra(frame[col], kind)
    return frame


def _error_schema() -> StructType:
    from pyspark.sql import types as T

    return T.StructType(
        [
            T.StructField("column", T.StringType()),
            T.StructField("rule", T.StringType()),
            T.StructField("message", T.StringType()),
            T.StructField("bad", T.LongType()),
            T.StructField("rows", T.LongType()),
            T.StructField("shown", T.BinaryType()),
        ]
    )


def _rank(spec: TableSpec, row: Mapping[str, Any]) -> tuple[int, int, int]:
    rule, column = row["rule"], row["column"]
    if rule == "date_order":
        return (2, 0, 0)
    names = list(spec.names)
    index = names.index(column) if column in names else len(names)
    order = RULE_ORDER.index(rule) if rule in RULE_ORDER else len(RULE_ORDER)
    return (0, index, order)


_LABEL = re.compile(r"^ {4}(\d+:\d+) ", re.MULTILINE)


def check_rows(name: str, raw: RawTable, kinds: Mapping[str, str]) -> list[dict[str, Any]]:
    """Run the library's validator on every partition of table ``name``: one row per
    partition with its row count and the first rule it breaks, if any (with the rows
    its message shows); ``unique_key`` is left to :func:`check_unique`."""

    def check(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        chunks = list(batches)
        if not chunks:
            return
        frame = _partition_frame(pa.Table.from_batches(chunks), kinds)
        row: dict[str, Any] = {"column": None, "rule": None, "message": None, "bad": 0}
        row.update(rows=len(frame), shown=None)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LedgerWarning)
                _table(name, frame, False)
        except LedgerError as err:
            if err.rule != "unique_key":
                counts = _COUNTS.search(str(err))
                labels = [lab for lab in _LABEL.findall(str(err)) if lab in frame.index]
                row.update(column=err.column, rule=err.rule, message=str(err))
                row["bad"] = int(counts.group(1).replace(",", "")) if counts else 0
                row["shown"] = pickle.dumps(frame.loc[labels]) if labels else None
        yield pa.RecordBatch.from_pylist([row], schema=_ERROR_ARROW)

    return raw.frame.mapInArrow(check, _error_schema()).toArrow().to_pylist()


_ERROR_ARROW = pa.schema(
    [
        ("column", pa.string()),
        ("rule", pa.string()),
        ("message", pa.string()),
        ("bad", pa.int64()),
        ("rows", pa.int64()),
        ("shown", pa.binary()),
    ]
)


def raise_first(name: str, partitions: list[dict[str, Any]], stage: int) -> None:
    """Raise the first of the partitions' errors of ``stage`` (0: column rules, 2:
    ``date_order``) in the library's order, with the rows counted over the partitions
    where that rule is the first broken, and up to five of them shown."""
    spec = SCHEMA[name]
    mine = [e for e in partitions if e["rule"] and _rank(spec, e)[0] == stage]
    if not mine:
        return
    first = min(mine, key=lambda e: _rank(spec, e))
    same = [e for e in mine if (e["column"], e["rule"]) == (first["column"], first["rule"])]
    n_rows = sum(int(e["rows"]) for e in partitions)
    n_bad = sum(int(e["bad"]) for e in same)
    message = first["message"]
    found = _COUNTS.search(message)
    if found is not None:
        frames = [pickle.loads(e["shown"]) for e in same if e["shown"]]
        shown = pd.concat(frames).iloc[:MAX_ROWS_SHOWN] if frames else pd.DataFrame()
        table = "\n".join("    " + line for line in shown.to_string(max_colwidth=40).splitlines())
        where = "" if len(same) == 1 else f" (in {len(same)} partitions)"
        head = (
            f"rule '{first['rule']}' broken in {n_bad:,} of {n_rows:,} rows{where}; "
            f"first {len(shown)} (by partition:row):"
        )
        rest = message[found.end() :].split("\n")
        hint = "\n".join(line for line in rest if line.startswith("  hint:"))
        message = message[: found.start()] + head + "\n" + table + ("\n" + hint if hint else "")
    raise LedgerError(message, table=name, column=first["column"], rule=first["rule"])


# ---------------------------------------------------------------- typed tables


def _canonical(col: ColumnSpec) -> Any:
    from pyspark.sql import types as T

    return {
        "date": T.DateType(),
        "float": T.DoubleType(),
        "bool": T.BooleanType(),
    }.get(col.kind, T.StringType())


def _fast(col: ColumnSpec, kind: Any) -> bool:
    """Whether Spark's cast gives the library's value for a column of Spark type
    ``kind`` that passed the rules."""
    from pyspark.sql import types as T

    if col.kind in ("id", "str", "category", "period"):
        return isinstance(kind, T.StringType | T.IntegralType)
    if col.kind == "date":
        return isinstance(kind, T.DateType | T.TimestampNTZType)
    if col.kind == "float":
        return isinstance(kind, T.DoubleType | T.IntegralType | T.DecimalType)
    return isinstance(kind, T.BooleanType | T.IntegralType)


def _parsed(spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of a validated partition as the library's parsers type them (what
    ``validation._table`` returns, without its checks: they passed)."""
    out = {}
    for col in spec.columns:
        if col.name in frame.columns:
            out[col.name] = _PARSERS[col.kind](frame[col.name], spec, col, frame)
        else:
            out[col.name] = _empty_column(col, frame.index)
    for extra in frame.columns:
        if extra not in out:
            out[str(extra)] = frame[extra]
    return pd.DataFrame(out, index=frame.index, copy=False)


def typed_table(name: str, raw: RawTable, kinds: Mapping[str, str]) -> DataFrame:
    """Table ``name`` in the Spark ledger's types: schema columns (missing ones as
    nulls), then the extra columns.  Spark casts where they are exact, else the
    library's parsers on each partition."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    spec = SCHEMA[name]
    frame = raw.frame
    present = {f.name: f.dataType for f in frame.schema.fields}
    extras = [c for c in frame.columns if c not in spec.names]
    fast = not kinds and all(_fast(c, present[c.name]) for c in spec.columns if c.name in present)
    if fast:
        columns = [
            (F.col(f"`{c.name}`") if c.name in present else F.lit(None))
            .cast(_canonical(c))
            .alias(c.name)
            for c in spec.columns
        ]
        return frame.select(*columns, *[F.col(f"`{c}`") for c in extras])
    fields = [T.StructField(c.name, _canonical(c)) for c in spec.columns]
    for c in extras:
        kind = {"number": T.DoubleType(), "bool": T.BooleanType()}.get(kinds.get(c, ""), present[c])
        fields.append(T.StructField(c, kind))
    schema = T.StructType(fields)
    from arrearsrisk.spark.arrow import arrow_schema

    large = frame.sparkSession.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    target = arrow_schema(schema, large_strings=str(large).lower() == "true")

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        chunks = list(batches)
        if not chunks:
            return
        frame = _partition_frame(pa.Table.from_batches(chunks), kinds)
        yield from frame_to_arrow(_parsed(spec, frame), target).to_batches()

    # Parsed once: validation and every later job read the parsed rows from the cache.
    return frame.mapInArrow(parse, schema).persist()


# ---------------------------------------------------------------- across rows


def _shown(frame: DataFrame, limit: int = MAX_ROWS_SHOWN) -> pd.DataFrame:
    rows = frame.limit(limit).toArrow()
    return arrow_to_frame(rows)


def _fail_rows(
    spec: TableSpec,
    column: str | None,
    rule: str,
    what: str,
    shown: pd.DataFrame,
    n_bad: int,
    n_rows: int,
    hint: str = "",
) -> LedgerError:
    """The library's message (:func:`validation._fail`) with counts of the whole table
    and the first offending rows (labelled by position among them)."""
    err = _fail(spec, column, rule, what, shown, np.ones(len(shown), dtype=bool), hint)
    text = re.sub(
        r"rule '([^']+)' broken in [\d,]+ of [\d,]+ rows; first (\d+) \(by row label\):",
        lambda m: (
            f"rule '{m.group(1)}' broken in {n_bad:,} of {n_rows:,} rows; first {m.group(2)}:"
        ),
        str(err),
    )
    return LedgerError(text, table=spec.name, column=column, rule=rule)


def check_unique(name: str, typed: DataFrame, n_rows: int) -> None:
    """The table's key is unique (rule ``unique_key``)."""
    from pyspark.sql import functions as F

    spec = SCHEMA[name]
    if not spec.key:
        return
    keys = list(spec.key)
    dup = typed.groupBy(*keys).count().filter(F.col("count") > 1)
    found = dup.agg(F.sum("count").alias("rows")).collect()[0]["rows"]
    if not found:
        return
    first = dup.select(*keys).orderBy(*keys).limit(MAX_ROWS_SHOWN)
    shown = _shown(typed.join(first, on=keys, how="left_semi").orderBy(*keys))
    raise _fail_rows(
        spec,
        ", ".join(spec.key),
        "unique_key",
        f"key ({', '.join(spec.key)}) is not unique.",
        shown,
        int(found),
        n_rows,
        hint="each key must appear once; merge or remove the duplicates.",
    )


def check_tables(typed: Mapping[str, DataFrame], n_rows: Mapping[str, int]) -> None:
    """The rules across tables: customers not empty, bills and payments of known
    customers (``unknown_reference``); warns about payments of customers without bills.

    One aggregation per customer id over the three tables (rows of each) answers all
    three; the offending rows are fetched only when a rule is broken."""
    from pyspark.sql import functions as F

    if not n_rows["customers"]:
        raise _fail(
            SCHEMA["customers"], None, "empty", "table is empty: the ledger has no customers."
        )
    ids = [
        typed[name].select("customer_id").withColumn("_t", F.lit(i))
        for i, name in enumerate(SCHEMA)
    ]
    per_id = (
        ids[0]
        .unionByName(ids[1])
        .unionByName(ids[2])
        .groupBy("customer_id")
        .agg(*[F.sum(F.when(F.col("_t") == i, 1).otherwise(0)).alias(f"n{i}") for i in range(3)])
    )
    got = per_id.agg(
        F.sum(F.when(F.col("n0") == 0, F.col("n1")).otherwise(0)).alias("orphan_bills"),
        F.sum(F.when(F.col("n0") == 0, F.col("n2")).otherwise(0)).alias("orphan_payments"),
        F.sum(F.when((F.col("n0") > 0) & (F.col("n1") == 0), F.col("n2")).otherwise(0)).alias(
            "lonely"
        ),
        F.sum(
            F.when((F.col("n0") > 0) & (F.col("n1") == 0) & (F.col("n2") > 0), 1).otherwise(0)
        ).alias("lonely_customers"),
    ).collect()[0]
    known = typed["customers"].select("customer_id")
    for spec in SCHEMA.values():
        for fk in spec.foreign_keys:
            n_bad = int(got[f"orphan_{spec.name}"] or 0)
            if n_bad:
                orphans = typed[spec.name].join(known, on=fk.column, how="left_anti")
                raise _fail_rows(
                    spec,
                    fk.column,
                    "unknown_reference",
                    f"has ids not found in {fk.ref_table}.{fk.ref_column}.",
                    _shown(orphans),
                    n_bad,
                    n_rows[spec.name],
                    hint=f"add these customers to {fk.ref_table} or remove their rows.",
                )
    if got["lonely"]:
        warnings.warn(
            f"payments: {int(got['lonely']):,} payments of {int(got['lonely_customers']):,} "
            "customers that have no bill at all; they are kept as credit.",
            LedgerWarning,
            stacklevel=4,
        )


def identifier_columns(customers: DataFrame, extras: Sequence[str]) -> dict[str, str]:
    """:func:`arrearsrisk.ledger.identifiers.identifier_columns` over every customer: by
    name, then by the share of distinct values of a text column (Spark counts)."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    found: dict[str, str] = {}
    text_cols = []
    for col in extras:
        reason = _by_name(str(col))
        if reason:
            found[col] = reason
        elif isinstance(customers.schema[col].dataType, T.StringType):
            text_cols.append(col)
    if text_cols:
        aggs = []
        for i, col in enumerate(text_cols):
            value = F.trim(F.col(f"`{col}`"))
            value = F.when(value != "", value)
            aggs += [F.count(value).alias(f"n{i}"), F.countDistinct(value).alias(f"d{i}")]
        got = customers.agg(*aggs).collect()[0]
        for i, col in enumerate(text_cols):
            n, distinct = int(got[f"n{i}"]), int(got[f"d{i}"])
            if n >= MIN_VALUES_FOR_RATIO and distinct > MAX_DISTINCT_SHARE * n:
                found[col] = f"it has {distinct:,} distinct values in {n:,} customers"
    return {c: found[c] for c in extras if c in found}


def warn_identifiers(found: Mapping[str, str]) -> None:
    """The warning :class:`~arrearsrisk.Ledger` gives for each identifier column."""
    for column, reason in found.items():
        warnings.warn(
            f"customers: column '{column}' looks like a per-customer identifier "
            f"({reason}); it is kept in the ledger but never used as a feature.\n"
            "  hint: drop it from the export, or rename it if it is a category.",
            LedgerWarning,
            stacklevel=4,
        )


def warn_dates(typed: Mapping[str, DataFrame], n_rows: Mapping[str, int]) -> None:
    """The library's plausibility warnings: dates before 1990 (opening dates before
    1950), after five years past the last issue date, periods two years from their
    issue date (one aggregation per table, rows fetched only for a warning)."""
    from pyspark.sql import functions as F

    bills = typed["bills"]
    last = bills.agg(F.max("issue_date").alias("d")).collect()[0]["d"]
    last_issue = pd.Timestamp(last) if last is not None else None
    dated = {
        "customers": [("opened", EARLIEST_OPENED)],
        "bills": [("issue_date", EARLIEST_DATE), ("due_date", EARLIEST_DATE)],
        "payments": [("paid_date", EARLIEST_DATE)],
    }
    hint = "  hint: the rows are kept as they are; correct the export if they are wrong."
    for table, columns in dated.items():
        checks: list[tuple[str, Any, str]] = []
        for column, earliest in columns:
            checks.append(
                (
                    column,
                    F.col(column) < F.lit(earliest.date()),
                    f"has dates before {earliest.date()}.",
                )
            )
            if last_issue is not None:
                latest = last_issue + pd.DateOffset(years=FUTURE_YEARS)
                checks.append(
                    (
                        column,
                        F.col(column) > F.lit(latest.date()),
                        f"has dates after {latest.date()}, {FUTURE_YEARS} years after the "
                        f"last issue date {last_issue.date()}.",
                    )
                )
        if table == "bills":
            month = F.year("issue_date") * 12 + F.month("issue_date") - 1
            period = (
                F.substring("period", 1, 4).cast("int") * 12
                + F.substring("period", 6, 2).cast("int")
                - 1
            )
            checks.append(
                (
                    "period",
                    F.abs(month - period) > PERIOD_GAP_MONTHS,
                    f"is more than {PERIOD_GAP_MONTHS} months from issue_date.",
                )
            )
        frame = typed[table]
        sums = frame.agg(
            *[
                F.sum(F.when(cond, 1).otherwise(0)).alias(f"c{i}")
                for i, (_, cond, _) in enumerate(checks)
            ]
        ).collect()[0]
        for i, (column, cond, what) in enumerate(checks):
            n_bad = int(sums[f"c{i}"] or 0)
            if n_bad:
                err = _fail_rows(
                    SCHEMA[table],
                    column,
                    "plausible",
                    what,
                    _shown(frame.filter(cond)),
                    n_bad,
                    n_rows[table],
                )
                warnings.warn(f"{err}\n{hint}", LedgerWarning, stacklevel=4)
