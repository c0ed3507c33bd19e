"""The column readers of one account's rows equal the cell readers they speed up: the
same values, and a refusal exactly when some cell is refused (the fast twin's check)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from arrearsrisk.ledger.rows import _COLUMN_READERS, _READERS, AccountRows, _Unsure, account_rows
from arrearsrisk.ledger.schema import SCHEMA

COLUMNS = [col for table in SCHEMA.values() for col in table.columns]

CELLS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e11, 1e11),
    st.integers(-(10**11), 10**11),
    st.booleans(),
    st.sampled_from(["", "  ", "x", "2024-06", "2024-13", "F51", "residential", "online"]),
    st.sampled_from(["2025-09-01", "2025-9-01", "1899-12-31", "1985-01-01", "2031-01-01"]),
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
    st.just(pd.NA),
    st.just(pd.NaT),
    st.just(np.float64(2.5)),
    st.just(np.float32(1.5)),
    st.just(np.bool_(True)),
    st.just(pd.Timestamp("2025-09-01")),
    st.just(pd.Timestamp("2025-09-01 10:00")),
    st.just([1]),  # unhashable
)


def _cell_by_cell(cells: list[Any], col: Any) -> list[Any] | None:
    try:
        return [_READERS[col.kind](v, col) for v in cells]
    except _Unsure:
        return None


def _column(cells: list[Any], col: Any) -> list[Any] | None:
    try:
        return _COLUMN_READERS[col.kind](cells, col)
    except _Unsure:
        return None


def _same(a: list[Any] | None, b: list[Any] | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(
        (x is None and y is None)
        or (isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y))
        or (type(x) is type(y) and x == y)
        for x, y in zip(a, b, strict=True)
    )


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(COLUMNS), st.lists(CELLS, max_size=6))
def test_a_column_reads_as_its_cells_do(col, cells):
    assert _same(_column(cells, col), _cell_by_cell(cells, col))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(COLUMNS), st.data())
def test_a_column_of_plain_values_reads_as_its_cells_do(col, data):
    plain = {
        "date": st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
        "float": st.floats(-2e10, 2e10),
        "bool": st.booleans(),
    }.get(col.kind, st.sampled_from(["R01", "2024-06", "commercial", "bank_debit", " "]))
    cells = data.draw(st.lists(plain, min_size=1, max_size=8))
    assert _same(_column(cells, col), _cell_by_cell(cells, col))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_column_of_one_type_reads_as_its_cells_do(data):
    # the readers judge a column of floats only, or of dates only, at once (min, max and
    # a sum in C): NaN, infinities, bounds and pandas' date range must still refuse
    col = data.draw(st.sampled_from([c for c in COLUMNS if c.kind in ("float", "date")]))
    cell = (
        st.floats(-2e10, 2e10) | st.sampled_from([float("nan"), float("inf"), -float("inf")])
        if col.kind == "float"
        else st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
        | st.dates(dt.date(1940, 1, 1), dt.date(2030, 12, 31))
    )
    cells = data.draw(st.lists(cell, min_size=1, max_size=30))
    assert _same(_column(cells, col), _cell_by_cell(cells, col))


def test_the_rows_of_a_subset_ledger_are_its_arrays(sample_ledger):
    cid = sample_ledger.customers["customer_id"].iloc[3]
    one = sample_ledger.subset([cid])
    rows = account_rows(one)
    assert isinstance(rows, AccountRows) and rows.customer_id == cid
    assert rows.b_due == one.arrays.b_due.tolist() and rows.p_amount == one.arrays.p_amount.tolist()


def test_an_empty_cell_that_types_its_column_goes_to_the_validator():
    # a dict holding NaN in a text column: pandas makes that column float64, which the
    # validator refuses; the reader must not accept what the validator refuses
    import pytest

    from arrearsrisk.errors import LedgerError
    from arrearsrisk.ledger.rows import account_ledger

    row = {"customer_id": "C1", "category": "residential", "phone_number": float("nan")}
    with pytest.raises(LedgerError, match="column 'phone_number' must hold text"):
        account_ledger(row, [], [])
    row["phone_number"] = None  # None is an empty cell of any column
    assert account_ledger(row, [], []).customers["phone_number"].isna().all()
