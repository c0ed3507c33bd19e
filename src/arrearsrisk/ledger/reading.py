"""Reading a ledger folder: ``customers``, ``bills`` and ``payments`` as Parquet or CSV."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from arrearsrisk.errors import LedgerError
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger

__all__ = ["read_ledger"]


def _find(folder: Path, name: str) -> Path | None:
    for ext in (".parquet", ".csv", ".csv.gz"):
        path = folder / f"{name}{ext}"
        if path.exists():
            return path
    return None


_DICTIONARY_COLUMNS = ("customer_id", "period", "channel")


def _read_parquet(file: Path) -> pd.DataFrame:
    """Read one Parquet table; repeated text columns come dictionary-encoded
    (categorical), which keeps a table of millions of bills small in memory."""
    names = set(pq.read_schema(file).names)
    return pd.read_parquet(
        file,
        engine="pyarrow",
        read_dictionary=[c for c in _DICTIONARY_COLUMNS if c in names],
        to_pandas_kwargs={"self_destruct": True, "split_blocks": True},
    )


def read_ledger(path: str | os.PathLike[str]) -> Ledger:
    """Read and validate a ledger from a folder of ``.csv`` or ``.parquet`` files.

    The folder holds ``customers``, ``bills`` and ``payments`` (each as
    ``NAME.parquet``, ``NAME.csv`` or ``NAME.csv.gz``).  CSV cells are read as text
    and parsed by the schema, so ids keep leading zeros and nothing is guessed;
    extra customer columns become numbers or booleans when every value parses.

    Parameters
    ----------
    path : str or path-like
        The folder.

    Returns
    -------
    Ledger

    Raises
    ------
    FileNotFoundError
        If the folder does not exist.
    LedgerError
        If a table is missing or breaks a rule.

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> ar.read_ledger("data/sample")  # doctest: +ELLIPSIS
    Ledger(3,000 customers, ... bills 2023-01..2025-12, ... payments)
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"ledger folder not found: {folder}")
    tables: dict[str, pd.DataFrame] = {}
    for name in SCHEMA:
        file = _find(folder, name)
        if file is None:
            raise LedgerError(
                f"{name}: table is missing: no {name}.parquet or {name}.csv in {folder}.\n"
                "  hint: a ledger folder holds customers, bills and payments.",
                table=name,
                column=None,
                rule="missing_table",
            )
        if file.suffix == ".parquet":
            tables[name] = _read_parquet(file)
        else:
            tables[name] = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    ledger = Ledger(**tables, _infer_extra=True)
    del tables
    pa.default_memory_pool().release_unused()  # give back Arrow's read buffers
    return ledger
