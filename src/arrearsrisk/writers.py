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

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError

__all__ = [
    "TableFormat",
    "check_table_format",
    "read_table",
    "register_table_format",
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


def write_table(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``table`` (without its index) in the format of the file's suffix."""
    file = Path(path)
    fmt = _format(file, "write")
    file.parent.mkdir(parents=True, exist_ok=True)
    fmt.write(table, file)
    return file


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a table written by :func:`write_table`."""
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"file not found: {file}")
    return _format(file, "read").read(file)


def write_measures(measures: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write :func:`arrearsrisk.plan_measures` as a table (nested values as text)."""
    text = {c: str for c in measures.columns if measures[c].dtype == object}
    return write_table(measures.astype(text), path)


def write_plans(
    plans: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    lang: str = "zh",
    release: pd.DataFrame | None = None,
) -> Path:
    """Write plans: ``.xlsx`` as the workbook (worklist, measures, release candidates),
    any table suffix as one row per measure."""
    file = Path(path)
    if file.suffix.lower() == ".xlsx":
        from arrearsrisk.reports import write_workbook

        return write_workbook(plans, file, lang=lang, release=release)
    from arrearsrisk.plans import plan_measures

    return write_measures(plan_measures(plans), file)


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


def _write_csv(table: pd.DataFrame, file: Path) -> None:
    table.to_csv(file, index=False, encoding="utf-8-sig")


def _read_csv(file: Path) -> pd.DataFrame:
    table = pd.read_csv(file, dtype={"customer_id": str}, keep_default_na=True)
    if "as_of" in table:
        table["as_of"] = pd.to_datetime(table["as_of"])
    return table


def _write_parquet(table: pd.DataFrame, file: Path) -> None:
    table.to_parquet(file, index=False)


register_table_format(
    TableFormat(".csv", _write_csv, _read_csv, "CSV, UTF-8 with BOM (Excel reads Chinese)")
)
register_table_format(TableFormat(".parquet", _write_parquet, pd.read_parquet, "Parquet"))
