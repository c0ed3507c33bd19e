"""Reading a ledger folder: ``customers``, ``bills`` and ``payments`` as Parquet or CSV.

Every way a file can be broken ends in a :class:`~arrearsrisk.errors.LedgerError`
naming the file, never in a pandas or pyarrow exception:

========================= ============= ==============================================
situation                 rule          what happens
========================= ============= ==============================================
no file for a table       missing_table refused; files with the same stem are named
two files for one table   ambiguous     refused naming both (``customers.csv`` beside
                                        ``customers.parquet`` or ``customers.csv.gz``)
undecodable text          encoding      refused naming the encodings tried
0-byte or blank CSV       empty_file    refused (a header-only CSV is a table of 0 rows)
a row of another width    ragged_row    refused naming the rows (the header is row 1)
unreadable Parquet        file          refused (truncated, not Parquet, damaged)
========================= ============= ==============================================

File names are matched case-insensitively (``Customers.CSV``).  Text is decoded by
:mod:`arrearsrisk.ledger.encoding`; headers are matched by
:mod:`arrearsrisk.ledger.headers`.  Parquet is typed by its Arrow schema: the pandas
metadata a writer may have stored (index, dtypes) is ignored, so metadata that
disagrees with the data cannot change what is read.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.encoding import detect_file_encoding, sniff_delimiter
from arrearsrisk.ledger.headers import match_headers
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger

__all__ = ["EXTENSIONS", "read_ledger", "read_tables"]

EXTENSIONS: tuple[str, ...] = (".parquet", ".csv", ".csv.gz")
"""The file kinds a table may come as; exactly one per table."""

_DICTIONARY_COLUMNS = ("customer_id", "period", "channel")
_PANDAS_INDEX = re.compile(r"^__index_level_\d+__$")
_HEAD_CHARS = 1 << 16
_ROWS_SHOWN = 5
_AGAIN = "export the file again."


def _error(file: Path, table: str, rule: str, what: str, hint: str) -> LedgerError:
    return LedgerError(f"{file.name}: {what}\n  hint: {hint}", table=table, column=None, rule=rule)


def _find(folder: Path, name: str) -> Path:
    """The one file of table ``name`` in ``folder`` (file names compared case-folded)."""
    wanted = {f"{name}{ext}" for ext in EXTENSIONS}
    entries = sorted(p for p in folder.iterdir() if p.is_file() or _dataset_folder(p))
    found = [p for p in entries if p.name.casefold() in wanted]
    if len(found) > 1:
        shown = " and ".join(p.name for p in found)
        raise LedgerError(
            f"{name}: two files could hold this table: {shown} in {folder}.\n"
            "  hint: keep one (a stale copy beside a fresh export?) and move the other away; "
            "the reader does not choose between them.",
            table=name,
            column=None,
            rule="ambiguous",
        )
    if found:
        return found[0]
    near = [p.name for p in entries if p.name.casefold().split(".")[0] == name]
    seen = f"; found {', '.join(near)}" if near else ""
    hint = "a ledger folder holds customers, bills and payments."
    if near:
        hint = (
            f"export {name} as CSV or Parquet; tab-separated text (Excel's \"Unicode "
            f'text") is read too when named {name}.csv.'
        )
    raise LedgerError(
        f"{name}: table is missing: no {name}.parquet or {name}.csv (or .csv.gz) in "
        f"{folder}{seen}.\n  hint: {hint}",
        table=name,
        column=None,
        rule="missing_table",
    )


def _dataset_folder(path: Path) -> bool:
    """A folder named like ``bills.parquet``: a Parquet dataset of part files, as Spark,
    Hive or :mod:`arrearsrisk.engines.chunked` write them."""
    return path.is_dir() and path.name.casefold().endswith(".parquet")


def _read_parquet(file: Path, name: str) -> pd.DataFrame:
    """Read one Parquet table (a file, or a folder of part files) by its Arrow types;
    repeated text columns come dictionary-encoded (categorical), which keeps millions
    of bills small in memory."""
    try:
        schema = pq.ParquetDataset(file).schema if file.is_dir() else pq.read_schema(file)
        names = schema.names
        table = pq.read_table(file, read_dictionary=[c for c in _DICTIONARY_COLUMNS if c in names])
    except (pa.ArrowException, OSError, ValueError) as err:
        raise _error(
            file,
            name,
            "file",
            f"is not a readable Parquet file ({err}).",
            "export the table again; a file cut short while copying cannot be read.",
        ) from err
    table = table.drop_columns([c for c in table.column_names if _PANDAS_INDEX.match(c)])
    try:
        return table.to_pandas(ignore_metadata=True, self_destruct=True, split_blocks=True)
    except (pa.ArrowException, ValueError, TypeError) as err:
        raise _error(
            file,
            name,
            "file",
            f"has columns pandas cannot hold ({err}).",
            "write ledger columns as text, numbers, booleans or dates.",
        ) from err


def _header(file: Path, name: str, codec: str) -> tuple[list[str], str]:
    """The header fields of a CSV and its delimiter; refuses a blank file."""
    with _text(file, codec) as handle:
        head = handle.read(_HEAD_CHARS)
    if not head.strip():
        raise _error(
            file,
            name,
            "empty_file",
            "is empty: not even a header line.",
            f"export {name} with its header line (a table without rows is just the header).",
        )
    delimiter = sniff_delimiter(head.lstrip("\ufeff").splitlines()[0])
    try:
        text = io.StringIO(head.lstrip("\ufeff"), newline="")
        fields = next(csv.reader(text, delimiter=delimiter))
    except (csv.Error, StopIteration) as err:
        raise _error(
            file, name, "file", f"has a header line that cannot be read ({err}).", _AGAIN
        ) from err
    return fields, delimiter


def _text(file: Path, codec: str) -> io.TextIOWrapper:
    """``file`` as text in ``codec`` (decompressed when ``.gz``)."""
    if file.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(file, "rb"), encoding=codec, newline="")
    return file.open("r", encoding=codec, newline="")


def _ragged(file: Path, name: str, read: pacsv.ReadOptions, **options: object) -> LedgerError:
    """The error for rows whose width differs from the header's (re-read on one thread
    so the rows are numbered)."""
    rows: list[tuple[int | None, int, int]] = []

    def collect(row: pacsv.InvalidRow) -> str:
        rows.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    read.use_threads = False
    pacsv.read_csv(
        file,
        read_options=read,
        parse_options=pacsv.ParseOptions(invalid_row_handler=collect, **options),
        convert_options=pacsv.ConvertOptions(column_types={}, include_columns=[]),
    )
    expected = rows[0][2]
    shown = ", ".join(f"row {n:,} has {g}" for n, g, _ in rows[:_ROWS_SHOWN])
    rows_do = "1 row does" if len(rows) == 1 else f"{len(rows):,} rows do"
    return _error(
        file,
        name,
        "ragged_row",
        f"{rows_do} not have the header's {expected} fields ({shown}; the header is row 1).",
        "a field holding the separator must be quoted; remove stray separators or "
        "export the file again.",
    )


def _read_csv(file: Path, name: str, encoding: str | None) -> pd.DataFrame:
    """Read one CSV table with every cell as text (an empty cell is missing)."""
    codec = detect_file_encoding(file, encoding)
    fields, delimiter = _header(file, name, codec)
    keep = [i for i, f in enumerate(fields) if f.strip("\ufeff \t")]
    match_headers(name, [fields[i] for i in keep], source=file.name)  # before the rows
    columns = [f"f{i}" for i in range(len(fields))]
    read = pacsv.ReadOptions(
        encoding="utf8" if codec in ("utf-8", "utf-8-sig") else codec,
        column_names=columns,
    )
    options = {"delimiter": delimiter, "newlines_in_values": True}
    invalid: list[int] = []

    def count(row: pacsv.InvalidRow) -> str:
        invalid.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            file,
            read_options=read,
            parse_options=pacsv.ParseOptions(invalid_row_handler=count, **options),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in columns},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowException, OSError, UnicodeDecodeError) as err:
        raise _error(file, name, "file", f"cannot be read as CSV ({err}).", _AGAIN) from err
    if invalid:
        raise _ragged(file, name, read, **options)
    table = table.slice(1)  # the header line, read as a row so pyarrow numbers rows from it
    blank = [i for i in range(len(fields)) if i not in keep]
    for i in blank:
        if table.column(i).null_count != len(table):
            raise _error(
                file,
                name,
                "empty_header",
                f"column {i + 1} has no header but holds values.",
                "name the column in the header line.",
            )
    table = table.select(keep).rename_columns([fields[i] for i in keep])
    frame = table.to_pandas(ignore_metadata=True, self_destruct=True, split_blocks=True)
    return frame


def read_ledger(path: str | os.PathLike[str], *, encoding: str | None = None) -> Ledger:
    """Read and validate a ledger from a folder of ``.csv`` or ``.parquet`` files.

    The folder holds ``customers``, ``bills`` and ``payments``, each as exactly one of
    ``NAME.parquet``, ``NAME.csv`` or ``NAME.csv.gz``.  CSV cells are read as text
    and parsed by the schema, so ids keep leading zeros and nothing is guessed;
    extra customer columns become numbers or booleans when every value parses.
    CSV text may be UTF-8 (with or without BOM), GB18030/GBK or UTF-16 with BOM
    (Excel's "Unicode text", tab-separated): see :mod:`arrearsrisk.ledger.encoding`.

    Parameters
    ----------
    path : str or path-like
        The folder.
    encoding : str, optional
        The encoding of the CSV files (e.g. ``"big5"``), instead of detecting it.

    Returns
    -------
    Ledger

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    LedgerError
        If a table is missing or ambiguous, a file cannot be read or decoded, a header
        is a near miss of a known column, or a table breaks a rule.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ar.read_ledger("data/sample")  # doctest: +ELLIPSIS
    Ledger(3,000 customers, ... bills 2023-01..2025-12, ... payments)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"ledger folder not found: {folder}")
    return read_tables({name: _find(folder, name) for name in SCHEMA}, encoding=encoding)


def read_tables(files: dict[str, Path], *, encoding: str | None = None) -> Ledger:
    """Read and validate a ledger from one file (or Parquet folder) per table:
    :func:`read_ledger` once the files are found.

    Parameters
    ----------
    files : dict of str to path
        ``customers``, ``bills`` and ``payments``, each a ``.parquet`` file, a folder
        of Parquet part files, a ``.csv`` or a ``.csv.gz``.
    encoding : str, optional
        As for :func:`read_ledger`.

    Returns
    -------
    Ledger

    Examples
    --------
    >>> from pathlib import Path
    >>> files = {t: Path("data/sample") / f"{t}.csv" for t in ("customers", "bills", "payments")}
    >>> read_tables(files).customers.shape[0]
    3000
    """
    tables: dict[str, pd.DataFrame] = {}
    for name, file in files.items():
        if file.is_dir() or file.name.lower().endswith(".parquet"):
            frame = _read_parquet(file, name)
        else:
            frame = _read_csv(file, name, encoding)
        renames = match_headers(name, list(frame.columns), source=file.name)
        tables[name] = frame.rename(columns=renames) if renames else frame
    ledger = Ledger(**tables, _infer_extra=True)
    del tables
    pa.default_memory_pool().release_unused()  # give back Arrow's read buffers
    return ledger
