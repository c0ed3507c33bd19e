"""Sample ledgers written to files: CSV or Parquet, and their row counts.

:func:`write_sample` simulates a ledger (:func:`~arrearsrisk.sample.tables.simulate_ledger`)
and writes ``customers``, ``bills`` and ``payments`` to a folder; :func:`count_rows`
counts the data rows of a written file without reading it as a table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pandas as pd

from arrearsrisk.sample.tables import SampleTables, simulate_ledger

__all__ = ["count_rows", "write_sample"]


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with dates as YYYY-MM-DD, booleans true/false (empty = unknown), no index."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_timestamp(column.type):
            table = table.set_column(i, column.name, table.column(i).cast(pa.date32()))
    with open(path, "wb") as fh:
        fh.write((",".join(frame.columns) + "\n").encode())
        pcsv.write_csv(table, fh, pcsv.WriteOptions(include_header=False, quoting_style="none"))


def write_sample(
    path: str | os.PathLike[str],
    n_customers: int = 3000,
    months: int = 36,
    start: str = "2023-01",
    seed: int = 0,
    fmt: Literal["csv", "parquet"] = "csv",
    progress: bool = False,
) -> dict[str, Path]:
    """Simulate a ledger and write ``customers``, ``bills`` and ``payments`` to a folder.

    Parameters
    ----------
    path : str or os.PathLike
        Folder to write into (created if missing; existing files are replaced).
    n_customers, months, start, seed, progress
        As in :func:`simulate_ledger`.
    fmt : {"csv", "parquet"}, default "csv"
        CSV: dates ``YYYY-MM-DD``, booleans ``true``/``false`` (empty = unknown),
        amounts with at most 2 decimals, no index column.  Parquet: written by pyarrow.

    Returns
    -------
    dict of str to pathlib.Path
        The file written for each table.

    Raises
    ------
    ValueError
        If ``fmt`` is not ``"csv"`` or ``"parquet"``, or as :func:`simulate_ledger`.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    tables = simulate_ledger(n_customers, months, start, seed, progress)
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, frame in zip(SampleTables._fields, tables, strict=True):
        target = folder / f"{name}.{fmt}"
        if fmt == "csv":
            _write_csv(frame, target)
        else:
            frame.to_parquet(target, index=False, engine="pyarrow")
        written[name] = target
    return written


def count_rows(path: str | os.PathLike[str]) -> int:
    """Number of data rows of a table file written by :func:`write_sample`.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.csv`` file (with a header line) or a ``.parquet`` file.

    Returns
    -------
    int
        Rows, without the header.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)
