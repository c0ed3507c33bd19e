"""``--previous`` of plan and report: last month's scores, or last month's plans workbook
whose statuses carry forward (read once, through ``risk_plans``' own status reader)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from arrearsrisk.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = str(ROOT / "data" / "sample")
MODEL = str(ROOT / "models" / "sample")


def invoke(*args: str) -> object:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.filterwarnings("default::arrearsrisk.errors.LedgerWarning")
def test_last_month_s_workbook_carries_its_statuses(tmp_path: Path) -> None:
    sep, octo = tmp_path / "sep.csv", tmp_path / "oct.csv"
    invoke("score", "--data", DATA, "--model", MODEL, "--as-of", "2025-09-30", "--out", str(sep))
    invoke("score", "--data", DATA, "--model", MODEL, "--as-of", "2025-10-31", "--out", str(octo))
    book = tmp_path / "sep.xlsx"
    invoke("plan", "--data", DATA, "--scores", str(sep), "--out", str(book))
    wb = openpyxl.load_workbook(book)
    sheet = wb["措施明细"]
    header = [c.value for c in sheet[1]]
    codes = [c.value for c in sheet[openpyxl.utils.get_column_letter(header.index("措施代码") + 1)]]
    row = codes.index("follow_up") + 1  # the first plan's follow-up: every plan has one
    customer = sheet.cell(row, header.index("户号") + 1).value
    sheet.cell(row, header.index("办理状态") + 1).value = "已办结"
    sheet.cell(row, header.index("办理日期") + 1).value = "2025-10-05"
    sheet.cell(row, header.index("办理人") + 1).value = "孙丽"
    wb.save(book)

    out = tmp_path / "oct_measures.csv"
    previous = ("--previous", str(book))
    invoke("plan", "--data", DATA, "--scores", str(octo), *previous, "--out", str(out))
    measures = pd.read_csv(out, dtype=str)
    carried = measures[(measures["customer_id"] == customer) & (measures["code"] == "follow_up")]
    assert carried[["status", "status_by"]].to_numpy().tolist() == [["done", "孙丽"]]
    assert carried["status_date"].tolist() == ["2025-10-05"]

    report = tmp_path / "report"
    invoke("report", "--data", DATA, "--scores", str(octo), "--previous", str(book),
           "--out", str(report))  # fmt: skip
    assert "等级迁移" in (report / "report.html").read_text(encoding="utf-8")
