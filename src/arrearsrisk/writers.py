"""Output files, chosen by suffix in one place: tables (scores, metrics, measures) and
plans.  The CLI and the main job write and read through here.

============ ==========================================================================
suffix       a table is written as
============ ==========================================================================
``.csv``     CSV in UTF-8 with a BOM (spreadsheet programs then read Chinese right)
``.parquet`` Parquet (types kept)
============ ==========================================================================

Plans (:func:`write_plans`) go to ``.xlsx`` as the manager's workbook, or to any table
suffix as one row per measure.  A new table format is one :func:`register_table_format`
call; :func:`check_table_format` is its contract (a scores-like table written and read
back unchanged).

**Formulas.** A spreadsheet program runs a CSV cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (CSV injection).  The CSV writer
therefore puts a ``'`` before such a text cell (the OWASP rule; a cell of quotes before
one of these gets one more), in ids and texts only, never in numbers; the CSV reader
takes it off again, so a table round-trips (:func:`neutralise`, :func:`restore`).  The
Excel workbook holds every text as a shared string, which Excel never evaluates, so it
needs no quote.

**Inputs.** :func:`write_table` and :func:`write_plans` take ``inputs=``, the files and
folders the caller read, and refuse to write over one of them or inside an input folder
(:func:`check_output`); the CLI passes every input it read.

Examples
--------
>>> import tempfile, pandas as pd
>>> table = pd.DataFrame({"customer_id": ["007"], "as_of": [pd.Timestamp("2025-09-30")]})
>>> path = write_table(table, f"{tempfile.mkdtemp()}/scores.csv")
>>> read_table(path)["customer_id"].tolist()
['007']
>>> sorted(table_formats())
['.csv', '.parquet']
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError

__all__ = [
    "FORMULA_STARTS",
    "TableFormat",
    "check_output",
    "check_table_format",
    "neutralise",
    "read_table",
    "register_table_format",
    "restore",
    "table_formats",
    "write_measures",
    "write_plans",
    "write_table",
]


@dataclass(frozen=True)
class TableFormat:
    """How tables are written to (and read from) files of one suffix."""

    suffix: str
    write: Callable[[pd.DataFrame, Path], None]
    read: Callable[[Path], pd.DataFrame]
    description: str


_FORMATS: dict[str, TableFormat] = {}


def register_table_format(fmt: TableFormat) -> TableFormat:
    """Write and read tables of ``fmt.suffix`` with ``fmt``; returns it."""
    if not (fmt.suffix.startswith(".") and fmt.suffix[1:].isalnum()):
        raise ArrearsRiskError(f"a suffix is '.' and letters, e.g. '.csv'; got {fmt.suffix!r}.")
    _FORMATS[fmt.suffix.lower()] = fmt
    return fmt


def table_formats() -> dict[str, TableFormat]:
    """The registered table formats by suffix."""
    return dict(_FORMATS)


def _format(path: Path, doing: str) -> TableFormat:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ArrearsRiskError(
            f"{path}: cannot {doing} '{path.suffix}' tables; use one of "
            f"{', '.join(sorted(_FORMATS))}."
        )
    return fmt


PathLike = str | os.PathLike[str]


def check_output(
    path: PathLike, inputs: Iterable[PathLike | None] = (), *, option: str = ""
) -> Path:
    """Refuse an output that would write where the caller reads.

    Parameters
    ----------
    path : str or path-like
        A file (or folder) about to be written.
    inputs : iterable of str or path-like
        Files and folders read by the same command (a ledger folder, scores, policy,
        staff, previous scores, labels, a model bundle).  ``None`` entries are skipped.
    option : str, optional
        How the user named ``path`` (e.g. ``"--out"``), for the message.

    Returns
    -------
    pathlib.Path
        ``path``, checked.

    Raises
    ------
    ArrearsRiskError
        If ``path`` is one of the input files, inside an input folder, or a folder
        holding an input; or if its parent is a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> data = pathlib.Path(tempfile.mkdtemp())
    >>> check_output(data.parent / "out.csv", [data]).name
    'out.csv'
    >>> try:
    ...     check_output(data / "customers.csv", [data], option="--out")
    ... except ArrearsRiskError as err:
    ...     print(str(err).splitlines()[0])  # doctest: +ELLIPSIS
    --out .../customers.csv: is inside the input folder ...; write outputs elsewhere.
    """
    out = _resolved(path)
    label = f"{option} {path}" if option else str(path)
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ArrearsRiskError(
                    f"{label}: {parent} is a file, not a folder; choose another output path."
                )
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ArrearsRiskError(
                    f"{label}: cannot write in {parent} (permission denied); choose "
                    "another output path."
                )
            break
    if out.exists() and not out.is_dir() and not os.access(out, os.W_OK):
        raise ArrearsRiskError(f"{label}: the file exists and cannot be written over.")
    for item in inputs:
        if item is None or _URI.match(str(item)):
            continue
        given = _resolved(item)
        if out == given:
            raise ArrearsRiskError(
                f"{label}: is also an input of this command ({item}); it would be "
                "overwritten. Write outputs to another file."
            )
        if given.is_dir() and given in out.parents:
            raise ArrearsRiskError(
                f"{label}: is inside the input folder {item}; write outputs elsewhere."
            )
        if out in given.parents:
            raise ArrearsRiskError(
                f"{label}: is a folder holding the input {item}; write outputs elsewhere."
            )
    return Path(path)


_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")
"""An input named by URI (``models:/NAME@champion``), not a path."""


def _resolved(path: PathLike) -> Path:
    return Path(os.path.abspath(os.path.expanduser(os.fspath(path)))).resolve()


def write_table(
    table: pd.DataFrame, path: PathLike, *, inputs: Iterable[PathLike | None] = ()
) -> Path:
    """Write ``table`` (without its index) in the format of the file's suffix.

    ``inputs`` are the files and folders the caller read; writing over one of them or
    inside an input folder is refused (:func:`check_output`).  CSV text cells that a
    spreadsheet would run as formulas get a leading ``'`` (module docstring).
    """
    file = Path(path)
    fmt = _format(file, "write")
    check_output(file, inputs)
    file.parent.mkdir(parents=True, exist_ok=True)
    fmt.write(table, file)
    return file


def read_table(path: PathLike, *, encoding: str | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table`, or a user's CSV (staff, labels).

    A CSV is decoded by :func:`arrearsrisk.ledger.encoding.read_text` (``encoding``, else
    a byte-order mark, UTF-8 or GB18030), and may be separated by commas or, as
    Excel's "Unicode text", by tabs.
    """
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"file not found: {file}")
    fmt = _format(file, "read")
    if file.is_dir():
        raise ArrearsRiskError(f"{file}: is a folder, not a {file.suffix} file.")
    if fmt.suffix == ".csv":
        return _read_csv(file, encoding)
    try:
        return fmt.read(file)
    except (OSError, ValueError) as err:
        if isinstance(err, ArrearsRiskError):
            raise
        raise ArrearsRiskError(
            f"{file}: cannot be read as {fmt.description}: {type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else ''}"
        ) from err


def write_measures(
    measures: pd.DataFrame, path: PathLike, *, inputs: Iterable[PathLike | None] = ()
) -> Path:
    """Write :func:`arrearsrisk.plan_measures` as a table (nested values as text)."""
    text = {c: str for c in measures.columns if measures[c].dtype == object}
    return write_table(measures.astype(text), path, inputs=inputs)


def write_plans(
    plans: pd.DataFrame,
    path: PathLike,
    *,
    lang: str = "zh",
    release: pd.DataFrame | None = None,
    inputs: Iterable[PathLike | None] = (),
) -> Path:
    """Write plans: ``.xlsx`` as the workbook (worklist, measures, release candidates),
    any table suffix as one row per measure.  ``inputs`` as for :func:`write_table`."""
    file = Path(path)
    inputs = list(inputs)
    if file.suffix.lower() == ".xlsx":
        from arrearsrisk.reports import write_workbook

        check_output(file, inputs)
        return write_workbook(plans, file, lang=lang, release=release)
    from arrearsrisk.plans import plan_measures

    return write_measures(plan_measures(plans), file, inputs=inputs)


def check_table_format(suffix: str, folder: str | os.PathLike[str]) -> None:
    """The contract of a table format: a scores-like table (text ids with leading zeros,
    dates, floats with NaN, bools, Chinese text) is written into ``folder`` and read
    back equal.

    Raises
    ------
    ArrearsRiskError
        Naming the column that did not survive the round trip.
    """
    table = pd.DataFrame(
        {
            "customer_id": ["007", "0042"],  # ids that look like numbers
            "as_of": pd.to_datetime(["2025-09-30", "2025-09-30"]),
            "p_I": [0.25, np.nan],
            "a_warning": [True, False],
            "reasons": ["近12个月有7笔电费逾期超过30天", "no payment in the last 12 months"],
        }
    )
    back = read_table(write_table(table, Path(folder) / f"check{suffix}"))
    for column in table.columns:
        if column not in back or not back[column].reset_index(drop=True).equals(table[column]):
            got: Any = back[column].tolist() if column in back else "no such column"
            raise ArrearsRiskError(
                f"table format {suffix!r} does not round-trip column {column!r}: wrote "
                f"{table[column].tolist()}, read {got}."
            )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet program run a CSV cell as a formula."""

_ESCAPED = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(values: pd.Series) -> pd.Series:
    """Text cells that a spreadsheet would run as formulas, with a leading ``'``.

    Only ``str`` cells change (numbers, dates and missing values never do); a cell
    already starting with quotes before a formula character gets one more, so
    :func:`restore` undoes exactly this.

    >>> neutralise(pd.Series(["=1+1", "-2", "C1", "'=x", None, 3])).tolist()
    ["'=1+1", "'-2", 'C1', "''=x", None, 3]
    """
    return values.map(lambda v: "'" + v if isinstance(v, str) and _ESCAPED.match(v) else v)


def restore(values: pd.Series) -> pd.Series:
    """The cells :func:`neutralise` changed, as they were.

    >>> restore(pd.Series(["'=1+1", "'-2", "C1", "''=x", "'quoted"])).tolist()
    ['=1+1', '-2', 'C1', "'=x", "'quoted"]
    """
    return values.map(lambda v: v[1:] if isinstance(v, str) and _QUOTED.match(v) else v)


def _text_columns(table: pd.DataFrame) -> list[str]:
    return [
        c
        for c in table.columns
        if not (
            pd.api.types.is_numeric_dtype(table[c].dtype)
            or pd.api.types.is_bool_dtype(table[c].dtype)
            or pd.api.types.is_datetime64_any_dtype(table[c].dtype)
        )
    ]


def _write_csv(table: pd.DataFrame, file: Path) -> None:
    safe = table.copy(deep=False)
    for column in _text_columns(table):
        values = table[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        safe[column] = neutralise(values)
    safe.to_csv(file, index=False, encoding="utf-8-sig")


def _read_csv(file: Path, encoding: str | None = None) -> pd.DataFrame:
    from arrearsrisk.ledger.encoding import read_text, sniff_delimiter

    try:
        text = read_text(file, encoding=encoding)
    except ArrearsRiskError as err:  # a LedgerError, for a file that is no ledger table
        raise ArrearsRiskError(str(err)) from None
    sep = sniff_delimiter(text.split("\n", 1)[0])
    try:
        with warnings.catch_warnings():  # a row longer than the header: refused, not cut
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype={"customer_id": str},
                keep_default_na=True,
                index_col=False,
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as err:
        raise ArrearsRiskError(
            f"{file}: not a readable CSV table: {str(err).strip().splitlines()[0]}."
            "\n  hint: one header row, then one row per record, all with the same columns."
        ) from None
    for column in _text_columns(table):
        table[column] = restore(table[column])
    if "as_of" in table:
        try:
            table["as_of"] = pd.to_datetime(table["as_of"])
        except (ValueError, TypeError) as err:
            raise ArrearsRiskError(
                f"{file}: column 'as_of' must hold dates (YYYY-MM-DD): {err}."
            ) from None
    return table


def _write_parquet(table: pd.DataFrame, file: Path) -> None:
    table.to_parquet(file, index=False)


register_table_format(
    TableFormat(".csv", _write_csv, _read_csv, "CSV, UTF-8 with BOM (Excel reads Chinese)")
)
register_table_format(TableFormat(".parquet", _write_parquet, pd.read_parquet, "Parquet"))
