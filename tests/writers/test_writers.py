"""Output files by suffix: every registered table format keeps a scores table, and the
plans go to a workbook or a measures table."""

from __future__ import annotations

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.writers import (
    _FORMATS,
    TableFormat,
    check_table_format,
    read_table,
    register_table_format,
    table_formats,
    write_measures,
    write_plans,
    write_table,
)


@pytest.mark.parametrize("suffix", sorted(table_formats()))
def test_every_registered_table_format_passes_its_contract(suffix, tmp_path):
    check_table_format(suffix, tmp_path)


def test_the_contract_refuses_a_format_that_loses_leading_zeros(tmp_path):
    def write(table: pd.DataFrame, file) -> None:
        table.to_csv(file, index=False)

    def read(file) -> pd.DataFrame:  # reads ids as numbers: "007" becomes 7
        return pd.read_csv(file, parse_dates=["as_of"])

    register_table_format(TableFormat(".lossy", write, read, "loses leading zeros"))
    try:
        with pytest.raises(ar.ArrearsRiskError, match="does not round-trip column 'customer_id'"):
            check_table_format(".lossy", tmp_path)
    finally:
        del _FORMATS[".lossy"]


def test_csv_is_utf8_with_a_bom_and_keeps_text_ids(tmp_path):
    table = pd.DataFrame({"customer_id": ["007", "C2"], "reasons": ["近12个月逾期", "x"]})
    path = write_table(table, tmp_path / "out" / "t.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_table(path)["customer_id"].tolist() == ["007", "C2"]


def test_unknown_suffixes_are_refused_by_name(tmp_path):
    with pytest.raises(ar.ArrearsRiskError, match=r"cannot write '\.txt' tables; use one of"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.txt")
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(ar.ArrearsRiskError, match=r"cannot read '\.json' tables"):
        read_table(tmp_path / "t.json")
    with pytest.raises(FileNotFoundError, match="file not found"):
        read_table(tmp_path / "absent.csv")
    with pytest.raises(ar.ArrearsRiskError, match=r"a suffix is '\.' and letters"):
        register_table_format(TableFormat("csv", print, pd.read_csv, "no dot"))  # type: ignore[arg-type]


def test_measures_with_nested_values_are_written_as_text(tmp_path):
    measures = pd.DataFrame({"customer_id": ["1"], "steps": [[("notice", "2025-10-07")]]})
    back = read_table(write_measures(measures, tmp_path / "m.parquet"))
    assert back["steps"].tolist() == ["[('notice', '2025-10-07')]"]


def test_plans_go_to_a_workbook_or_a_measures_table(sample_ledger, sample_model, tmp_path):
    scores = ar.score(sample_ledger, "2025-09-30", sample_model, reasons="none")
    with pytest.warns(ar.LedgerWarning, match="high_hazard"):  # the sample has none
        plans = ar.risk_plans(scores, sample_ledger)
    book = write_plans(plans, tmp_path / "plans.xlsx")
    assert book.read_bytes()[:2] == b"PK"  # an .xlsx is a zip
    table = read_table(write_plans(plans, tmp_path / "plans.csv"))
    assert len(table) == len(ar.plan_measures(plans))
    assert set(table["customer_id"]) == set(plans["customer_id"])
