"""Reading a ledger into Spark: a folder of Parquet or CSV tables, or tables given.

:func:`read_ledger` finds each table as the pandas reader does (one source per table,
file names compared case-folded), reads it with Spark, matches its headers with the
library's header rules, and validates it (:mod:`arrearsrisk.spark.validation`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.encoding import detect_file_encoding
from arrearsrisk.ledger.headers import match_headers
from arrearsrisk.ledger.reading import _header
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.spark.arrow import plain_arrow
from arrearsrisk.spark.ledger import SparkLedger
from arrearsrisk.spark.session import quiet_pyspark
from arrearsrisk.spark.validation import (
    RawTable,
    check_rows,
    check_tables,
    check_unique,
    extra_kinds,
    identifier_columns,
    raise_first,
    typed_table,
    warn_dates,
    warn_identifiers,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["read_ledger"]

_KINDS = (".parquet", ".csv", ".csv.gz", "")
"""A table is ``NAME.parquet`` (a file or a folder of parts), ``NAME.csv``,
``NAME.csv.gz``, or a folder ``NAME`` of Parquet parts."""
_PANDAS_INDEX = re.compile(r"^__index_level_\d+__$")
_JAVA_CODECS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GB18030", "utf-16": "UTF-16"}


def _error(name: str, rule: str, what: str, hint: str) -> LedgerError:
    return LedgerError(f"{what}\n  hint: {hint}", table=name, column=None, rule=rule)


def _find(folder: Path, name: str) -> Path:
    entries = sorted(folder.iterdir())
    found = [
        p
        for p in entries
        if any(p.name.casefold() == f"{name}{ext}" for ext in _KINDS)
        and (p.is_dir() or p.name.casefold() != name)
    ]
    if len(found) > 1:
        shown = " and ".join(p.name for p in found)
        raise _error(
            name,
            "ambiguous",
            f"{name}: two sources could hold this table: {shown} in {folder}.",
            "keep one (a stale copy beside a fresh export?) and move the other away; "
            "the reader does not choose between them.",
        )
    if not found:
        raise _error(
            name,
            "missing_table",
            f"{name}: table is missing: no {name}.parquet, {name}.csv (or .csv.gz) or "
            f"folder {name} in {folder}.",
            "a ledger folder holds customers, bills and payments.",
        )
    return found[0]


def _spark_failure(err: Exception, source: str, name: str) -> LedgerError:
    text = str(err)
    if "MALFORMED" in text:
        record = re.search(r"Malformed CSV record: ([^\n]*?)(?: SQLSTATE|\n|$)", text)
        shown = f" (e.g. {record.group(1)!r})" if record else ""
        return _error(
            name,
            "ragged_row",
            f"{source}: rows do not have the header's fields{shown}.",
            "a field holding the separator must be quoted; remove stray separators or "
            "export the file again.",
        )
    first = text.strip().splitlines()[0] if text.strip() else type(err).__name__
    return _error(
        name, "file", f"{source}: cannot be read ({first[:300]}).", "export the table again."
    )


def _read_csv(spark: SparkSession, file: Path, name: str, encoding: str | None) -> RawTable:
    from pyspark.sql import types as T

    codec = detect_file_encoding(file, encoding)
    fields, delimiter = _header(file, name, codec)
    keep = [i for i, f in enumerate(fields) if f.strip("\ufeff \t")]
    match_headers(name, [fields[i] for i in keep], source=file.name)
    schema = T.StructType([T.StructField(f"f{i}", T.StringType()) for i in range(len(fields))])
    frame = spark.read.csv(
        str(file),
        schema=schema,
        header=True,
        sep=delimiter,
        encoding=_JAVA_CODECS.get(codec, codec),
        mode="FAILFAST",
        multiLine=codec == "utf-16",
        nullValue="",
    )
    blank = [i for i in range(len(fields)) if i not in keep]
    if blank:
        from pyspark.sql import functions as F

        counts = frame.agg(*[F.count(f"f{i}").alias(f"f{i}") for i in blank]).collect()[0]
        for i in blank:
            if counts[f"f{i}"]:
                raise _error(
                    name,
                    "empty_header",
                    f"{file.name}: column {i + 1} has no header but holds values.",
                    "name the column in the header line.",
                )
    frame = frame.select(*[frame[f"f{i}"].alias(fields[i]) for i in keep])
    return RawTable(frame, file.name, from_text=True)


def _read_parquet(spark: SparkSession, path: Path, name: str) -> RawTable:
    try:
        frame = spark.read.parquet(str(path))
    except Exception as err:  # Spark's analysis errors: unreadable footers, no files
        raise _spark_failure(err, path.name, name) from None
    frame = frame.drop(*[c for c in frame.columns if _PANDAS_INDEX.match(c)])
    return RawTable(frame, path.name, from_text=False)


def _from_folder(spark: SparkSession, folder: Path, encoding: str | None) -> dict[str, RawTable]:
    if not folder.is_dir():
        raise FileNotFoundError(f"ledger folder not found: {folder}")
    sources = {name: _find(folder, name) for name in SCHEMA}
    tables = {}
    for name, path in sources.items():
        lower = path.name.lower()
        if path.is_file() and (lower.endswith(".csv") or lower.endswith(".csv.gz")):
            tables[name] = _read_csv(spark, path, name, encoding)
        else:
            tables[name] = _read_parquet(spark, path, name)
    return tables


def _renamed(name: str, raw: RawTable) -> RawTable:
    renames = match_headers(name, list(raw.frame.columns), source=raw.source)
    if not renames:
        return raw
    frame = raw.frame.toDF(*[str(renames.get(c, c)) for c in raw.frame.columns])
    return RawTable(frame, raw.source, raw.from_text)


def _span(typed: Mapping[str, DataFrame]) -> tuple[Any, Any, Any, Any]:
    from pyspark.sql import functions as F

    bills = typed["bills"].agg(F.min("issue_date").alias("a"), F.max("issue_date").alias("b"))
    pays = typed["payments"].agg(F.min("paid_date").alias("a"), F.max("paid_date").alias("b"))
    b, p = bills.collect()[0], pays.collect()[0]
    return b["a"], b["b"], p["a"], p["b"]


def _validate(tables: Mapping[str, RawTable]) -> SparkLedger:
    typed: dict[str, DataFrame] = {}
    n_rows: dict[str, int] = {}
    for name in SCHEMA:
        raw = _renamed(name, tables[name])
        extras = [c for c in raw.frame.columns if c not in SCHEMA[name].names]
        kinds = extra_kinds(raw, extras) if raw.from_text and name == "customers" else {}
        try:
            errors = check_rows(name, raw, kinds)
        except LedgerError:
            raise
        except Exception as err:  # Spark's reader failing on a row (CSV FAILFAST)
            raise _spark_failure(err, raw.source, name) from None
        raise_first(name, errors, stage=0)
        n_rows[name] = sum(int(e["rows"]) for e in errors)
        typed[name] = typed_table(name, raw, kinds)
        check_unique(name, typed[name], n_rows[name])
        raise_first(name, errors, stage=2)
    check_tables(typed, n_rows)
    customer_extras = [c for c in typed["customers"].columns if c not in SCHEMA["customers"].names]
    identifiers = identifier_columns(typed["customers"], customer_extras)
    warn_identifiers(identifiers)
    warn_dates(typed, n_rows)
    first_bill, last_bill, first_pay, last_pay = _span(typed)
    firsts = [pd.Timestamp(d) for d in (first_bill, first_pay) if d is not None]
    lasts = [pd.Timestamp(d) for d in (last_bill, last_pay) if d is not None]
    span = (min(firsts), max(lasts)) if firsts else None
    ends = tuple(pd.Timestamp(d) if d is not None else None for d in (last_bill, last_pay))
    return SparkLedger(
        typed["customers"],
        typed["bills"],
        typed["payments"],
        identifier_columns=identifiers,
        data_span=span,
        table_ends=ends,  # type: ignore[arg-type]
    )


def read_ledger(
    spark: SparkSession,
    path_or_tables: str | os.PathLike[str] | Mapping[str, Any],
    *,
    encoding: str | None = None,
) -> SparkLedger:
    """Read and validate a ledger in Spark: the same rules and the same
    :class:`~arrearsrisk.LedgerError` as :func:`arrearsrisk.read_ledger`.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession
        The session (e.g. :func:`arrearsrisk.spark.local_session`).
    path_or_tables : str, path-like, or mapping
        A folder holding ``customers``, ``bills`` and ``payments``, each as one of
        ``NAME.parquet`` (a file or a folder of parts), a folder ``NAME`` of Parquet
        parts, ``NAME.csv`` or ``NAME.csv.gz``; or a mapping of the three names to Spark
        DataFrames (or pandas DataFrames: all three pandas are validated by
        :class:`arrearsrisk.Ledger` on the driver).
    encoding : str, optional
        The CSV files' encoding instead of detecting it.

    Returns
    -------
    SparkLedger

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    LedgerError
        A table missing, ambiguous or unreadable, a header a near miss of a known
        column, or a rule broken (see :mod:`arrearsrisk.spark.validation`).

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> ledger = ars.read_ledger(spark, "data/sample")  # doctest: +SKIP
    >>> ledger.customers.count()  # doctest: +SKIP
    3000
    """
    from pyspark.sql import DataFrame

    with quiet_pyspark():
        if isinstance(path_or_tables, str | os.PathLike):
            return _validate(_from_folder(spark, Path(path_or_tables), encoding))
        if not isinstance(path_or_tables, Mapping):
            raise LedgerError(
                "read_ledger takes a folder or a mapping of customers, bills and payments "
                f"to DataFrames, got {type(path_or_tables).__name__}.",
                table="customers",
                column=None,
                rule="table",
            )
        given = dict(path_or_tables)
        for name in SCHEMA:
            if given.get(name) is None:
                raise _error(
                    name,
                    "missing_table",
                    f"{name}: table is missing.",
                    "a ledger needs customers, bills and payments (payments may be empty).",
                )
        if all(isinstance(given[n], pd.DataFrame) for n in SCHEMA):
            local = Ledger(given["customers"], given["bills"], given["payments"])
            return SparkLedger.from_local(spark, local)
        tables = {}
        for name in SCHEMA:
            value = given[name]
            if isinstance(value, pd.DataFrame):
                value = spark.createDataFrame(
                    plain_arrow(pa.Table.from_pandas(value, preserve_index=False))
                )
            if not isinstance(value, DataFrame):
                raise _error(
                    name,
                    "table",
                    f"{name}: must be a Spark or pandas DataFrame, got {type(value).__name__}.",
                    "pass pyspark.sql.DataFrame objects (or a folder).",
                )
            tables[name] = RawTable(value, name, from_text=False)
        return _validate(tables)
