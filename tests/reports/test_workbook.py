"""The plans workbook (XlsxWriter): exact cells read back by openpyxl and pandas, the
three responsible people, the status columns with their drop-down, frozen filterable
headers, number formats, and a file LibreOffice opens (converted headless to CSV and PDF).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.ledger.schema import CONTACT_COLUMNS
from arrearsrisk.plans import plan_measures, risk_plans
from arrearsrisk.plans.status import read_statuses
from arrearsrisk.reports import write_workbook
from arrearsrisk.reports.workbook import STATUS_CODES, status_labels

SOFFICE = "/usr/bin/soffice"


@pytest.fixture(scope="module")
def tiny(sample_ledger) -> dict[str, pd.DataFrame]:
    # without the sample's contact columns: the layout below is the plans' own columns
    # (tests/reports/test_cards.py checks the workbook with contacts)
    ledger = ar.Ledger(
        sample_ledger.customers.drop(columns=list(CONTACT_COLUMNS)).assign(high_hazard=False),
        sample_ledger.bills,
        sample_ledger.payments,
    )
    scores = pd.DataFrame(
        {
            "customer_id": ["C0013", "C0003"],
            "as_of": "2025-09-30",
            "grade": ["I", "II"],
            "p_I": [0.7, 0.2],
            "p_II": [0.2, 0.6],
            "p_warning": [0.6, 0.05],
            "a_warning": [True, False],
            "exposure": [60000.0, 150.0],
            "arrears": [90000.0, 0.0],
            "reasons": [["late bills in 12 months: 4"], []],
        }
    )
    staff = pd.DataFrame(  # C0013 is in Hexi, C0003 in Dongcheng: covered by "*"
        {
            "region": ["Hexi", "Hexi", "Hexi", "*"],
            "role": ["head", "manager", "officer", "head"],
            "staff_id": ["0101", "0102", "007", "0901"],
            "name": ["李明", "赵敏", "孙丽", "王伟"],
            "cap": [None, None, "5", None],
        }
    )
    with pytest.warns(ar.LedgerWarning, match=r"have no officer"):  # the "*" area has none
        zh = risk_plans(scores, ledger, "zh", staff=staff)
    en = risk_plans(scores, ledger, "en")
    return {"zh": zh, "en": en}


def _row(ws, r: int) -> dict[str, object]:
    """Row ``r`` of a sheet by header."""
    return {h.value: c.value for h, c in zip(ws[1], ws[r], strict=True)}


def test_the_worklist_reads_back_cell_by_cell_in_openpyxl(tiny, tmp_path):
    plans = tiny["zh"]
    path = write_workbook(plans, tmp_path / "plans.xlsx", "zh")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["工作清单", "措施明细", "说明"]
    ws = wb["工作清单"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["优先级", "户号", "风险金额（元/3个月）", "优先原因"]
    assert header[-8:] == [
        "首要措施",
        "首要措施期限",
        "逾期未办",
        "下次复核",
        "第一责任人",
        "管理责任人",
        "具体责任人",
        "措施",
    ]
    assert "办理状态" not in header  # the station fills in the measures sheet
    first = [c.value for c in ws[2]]
    assert first[:8] == [1, "C0013", 115200, None, "Hexi", "C26", "工业", 1]
    assert first[8:13] == ["I", "是", 0.7, 0.2, 0.6]
    assert first[13:18] == [60000, 90000, 42000, 0, "否"]
    # first action: the payment reminder, due 3 days after scoring; nothing overdue
    assert first[21:25] == [
        "催费提醒与上门走访",
        dt.datetime(2025, 10, 3),
        0,
        dt.datetime(2025, 10, 7),
    ]
    assert first[25:28] == ["李明", "赵敏", "孙丽"]
    second = [c.value for c in ws[3]]
    assert second[:3] == [2, "C0003", 22.5] and second[6:8] == ["居民", 1]
    assert second[25:28] == ["王伟", "未指定", "未指定"]  # "*" names a head, no officer
    assert ws.max_row == 3
    about = wb["说明"]
    assert [about["A2"].value, about["B2"].value] == ["策略户数", 2]
    assert about["B3"].value == len(plan_measures(plans))
    assert about["A4"].value.startswith("工作清单按风险金额（元/3个月：")


def test_the_measures_sheet_carries_what_next_month_reads_back(tiny, tmp_path):
    plans = tiny["zh"]
    ws = openpyxl.load_workbook(write_workbook(plans, tmp_path / "p.xlsx", "zh"))["措施明细"]
    assert [c.value for c in ws[1]] == [
        "优先级", "户号", "等级", "A级预警", "供电所", "具体责任人", "措施代码", "措施",
        "首要措施", "适用原因", "金额（元）", "金额说明", "步骤与日期", "提出日期", "完成期限",
        "逾期未办", "办理状态", "办理日期", "办理人",
    ]  # fmt: skip
    assert ws.max_row == 1 + len(plan_measures(plans)) == 11
    row = _row(ws, 2)
    assert [row[k] for k in ("户号", "措施代码", "首要措施", "逾期未办", "办理状态")] == [
        "C0013", "follow_up", "是", "否", "待办"
    ]  # fmt: skip
    assert (row["提出日期"], row["完成期限"]) == (
        dt.datetime(2025, 9, 30),
        dt.datetime(2025, 10, 3),
    )
    assert row["办理日期"] is None and row["办理人"] is None
    disc = _row(ws, 9)
    assert (disc["措施代码"], disc["首要措施"]) == ("disconnection", "否")
    assert disc["完成期限"] == dt.datetime(2025, 10, 17)
    assert [_row(ws, r)["首要措施"] for r in range(2, 12)].count("是") == 2  # one per plan
    assert ws["N2"].number_format == "yyyy-mm-dd" and ws["O2"].number_format == "yyyy-mm-dd"
    assert ws["Q2"].fill.fgColor.rgb == "FFFFF2CC"
    # the empty fill-in cells take the date format and the shading from their column
    assert ws.column_dimensions["R"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["R"].fill.fgColor.rgb == "FFFFF2CC"
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == "A1:S11"


def test_the_formats_filter_frozen_header_and_widths(tiny, tmp_path):
    path = write_workbook(tiny["en"], tmp_path / "plans.xlsx", "en")
    ws = openpyxl.load_workbook(path)["Worklist"]
    assert ws.freeze_panes == "C2"
    assert ws.auto_filter.ref == "A1:AC3"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb == "FF1D4E89"
    assert ws["C1"].value == "Money at risk (CNY per 3 months)"
    assert ws["C2"].number_format == "#,##0" and ws["K2"].number_format == "0%"
    assert ws["N2"].number_format == "#,##0"
    assert ws["W2"].number_format == "yyyy-mm-dd" and ws["Y2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["S"].width == pytest.approx(40.71, abs=0.01)  # 40 chars
    assert ws.column_dimensions["AC"].width == pytest.approx(60.71, abs=0.01)
    assert [ws["Z2"].value, ws["AA2"].value, ws["AB2"].value] == ["not assigned"] * 3
    assert [ws["V2"].value, ws["X2"].value] == ["Payment reminder and visit", 0]


def test_the_status_column_has_a_drop_down_and_the_date_a_check(tiny, tmp_path):
    path = write_workbook(tiny["zh"], tmp_path / "plans.xlsx", "zh", release=tiny["zh"])
    wb = openpyxl.load_workbook(path)
    assert not wb["工作清单"].data_validations.dataValidation
    rules = {str(v.sqref): v for v in wb["措施明细"].data_validations.dataValidation}
    assert set(rules) == {"Q2:Q11", "R2:R11"}  # one rule per column, not per row
    status = rules["Q2:Q11"]
    assert status.type == "list" and status.showErrorMessage
    assert status.formula1 == '"待办,在办,已办结,免予执行"'
    assert status.error == "请从下拉列表选择：待办、在办、已办结、免予执行。"
    day = rules["R2:R11"]
    assert (day.type, day.operator, day.formula1) == ("date", "greaterThanOrEqual", "N2")
    assert day.error == "请填写日期（年-月-日），不早于该措施的提出日期。"
    # the release sheet: one row per customer, not before the scoring date
    release = {str(v.sqref): v for v in wb["可解除措施"].data_validations.dataValidation}
    assert set(release) == {"AD2:AD3", "AE2:AE3"}
    assert float(release["AE2:AE3"].formula1) == (dt.date(2025, 9, 30) - dt.date(1899, 12, 30)).days
    assert wb["可解除措施"]["AD2"].value == "待办"


def test_a_station_s_edits_come_back_into_next_month_s_plans(tiny, sample_ledger, tmp_path):
    """plans -> workbook -> the station edits three measures (openpyxl) -> next month's
    plans with previous=<the workbook>: statuses carried, done stays done, overdue
    flagged; and next month's workbook shows them again."""
    ledger = ar.Ledger(
        sample_ledger.customers.drop(columns=list(CONTACT_COLUMNS)).assign(high_hazard=False),
        sample_ledger.bills,
        sample_ledger.payments,
    )
    path = write_workbook(tiny["zh"], tmp_path / "2025-09.xlsx", "zh")
    wb = openpyxl.load_workbook(path)
    ws = wb["措施明细"]
    col = {c.value: c.column for c in ws[1]}
    where = {
        (ws.cell(r, col["户号"]).value, ws.cell(r, col["措施代码"]).value): r
        for r in range(2, ws.max_row + 1)
    }
    edits = [  # as a station would: a date cell, a date typed as text, a name
        ("follow_up", "已办结", dt.datetime(2025, 10, 2), "孙丽"),
        ("contact_update", "已办结", "2025/10/06", "孙丽"),
        ("deposit", "在办", dt.datetime(2025, 10, 10), "孙丽"),
    ]
    for code, status, day, who in edits:
        r = where[("C0013", code)]
        ws.cell(r, col["办理状态"]).value = status
        ws.cell(r, col["办理日期"]).value = day
        ws.cell(r, col["办理人"]).value = who
    edited = tmp_path / "2025-09-edited.xlsx"
    wb.save(edited)

    scores = pd.DataFrame(
        {
            "customer_id": ["C0013", "C0003"],
            "as_of": "2025-10-31",  # next month
            "grade": ["I", "II"],
            "p_I": [0.7, 0.2],
            "p_II": [0.2, 0.6],
            "p_warning": [0.6, 0.05],
            "a_warning": [True, False],
            "exposure": [60000.0, 150.0],
            "arrears": [90000.0, 0.0],
        }
    )
    plans = risk_plans(scores, ledger, "zh", previous=edited)
    long = plan_measures(plans).set_index(["customer_id", "code"])
    got = long[["status", "status_date", "status_by", "proposed_date", "due_date", "overdue"]]
    day = pd.Timestamp
    assert got.loc["C0013"].to_dict("index") == {
        "follow_up": {"status": "done", "status_date": day("2025-10-02"), "status_by": "孙丽",
                      "proposed_date": day("2025-09-30"), "due_date": day("2025-10-03"),
                      "overdue": False},
        "guarantee": {"status": "proposed", "status_date": pd.NaT, "status_by": "",
                      "proposed_date": day("2025-09-30"), "due_date": day("2025-10-30"),
                      "overdue": True},
        "instalments": {"status": "proposed", "status_date": pd.NaT, "status_by": "",
                        "proposed_date": day("2025-09-30"), "due_date": day("2025-10-15"),
                        "overdue": True},
        "deposit": {"status": "in_progress", "status_date": day("2025-10-10"),
                    "status_by": "孙丽", "proposed_date": day("2025-09-30"),
                    "due_date": day("2025-10-20"), "overdue": True},
        "auto_payment": {"status": "proposed", "status_date": pd.NaT, "status_by": "",
                         "proposed_date": day("2025-09-30"), "due_date": day("2025-10-30"),
                         "overdue": True},
        "contact_update": {"status": "done", "status_date": day("2025-10-06"),
                           "status_by": "孙丽", "proposed_date": day("2025-09-30"),
                           "due_date": day("2025-10-07"), "overdue": False},
        "account_manager": {"status": "proposed", "status_date": pd.NaT, "status_by": "",
                            "proposed_date": day("2025-09-30"),
                            "due_date": day("2025-10-07"), "overdue": True},
        "disconnection": {"status": "proposed", "status_date": pd.NaT, "status_by": "",
                          "proposed_date": day("2025-09-30"), "due_date": day("2025-10-17"),
                          "overdue": True},
    }  # fmt: skip
    by_id = plans.set_index("customer_id")
    # done measures are never the first action: the open one due first is
    assert by_id.loc["C0013", "first_action"] == "account_manager"
    assert by_id.loc["C0013", "first_due"] == day("2025-10-07")
    assert by_id["overdue"].to_dict() == {"C0013": 6, "C0003": 2}
    assert by_id.loc["C0013", "jump"] == "deadline"  # the procedure's legal dates passed
    assert by_id["previous_grade"].to_dict() == {"C0013": "I", "C0003": "II"}  # 等级 read

    # next month's workbook shows the carried statuses and reads back the same
    again = write_workbook(plans, tmp_path / "2025-10.xlsx", "zh")
    sheet = pd.read_excel(again, sheet_name="措施明细").set_index(["户号", "措施代码"])
    assert sheet.loc[("C0013", "follow_up"), ["办理状态", "办理人", "逾期未办"]].tolist() == [
        "已办结", "孙丽", "否"
    ]  # fmt: skip
    assert sheet.loc[("C0013", "deposit"), ["办理状态", "逾期未办"]].tolist() == ["在办", "是"]
    assert sheet.loc[("C0013", "account_manager"), "首要措施"] == "是"
    cols = ["customer_id", "code", "status", "status_date", "status_by", "proposed_date",
            "due_date"]  # fmt: skip
    assert_frame_equal(read_statuses(again)[cols], read_statuses(plans)[cols], check_dtype=False)


def test_status_labels_in_both_languages():
    assert STATUS_CODES == ("proposed", "in_progress", "done", "waived")
    assert status_labels("zh") == ("待办", "在办", "已办结", "免予执行")
    assert status_labels("en") == ("proposed", "in progress", "done", "waived")
    with pytest.raises(ArrearsRiskError, match=r"lang"):
        status_labels("fr")


def test_pandas_reads_every_sheet_with_exact_values(tiny, tmp_path):
    plans = tiny["en"]
    release = plans.iloc[:1]
    path = write_workbook(plans, tmp_path / "plans.xlsx", "en", release=release)
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == ["Worklist", "Measures", "Release", "About"]
    worklist = book["Worklist"]
    assert worklist["Customer"].tolist() == ["C0013", "C0003"]
    assert worklist["P(Grade I)"].tolist() == [0.7, 0.2]
    assert worklist["Expected loss (CNY)"].tolist() == [42000, 30]
    assert worklist["Money at risk (CNY per 3 months)"].tolist() == [115200, 22.5]
    assert worklist["Ahead because"].isna().all()  # no legal date within 3 days
    assert worklist["Priority in category"].tolist() == [1, 1]  # industrial, residential
    assert worklist["First action due"].tolist() == [pd.Timestamp("2025-10-03")] * 2
    assert worklist["Next review"].tolist() == plans["review_date"].tolist()
    assert worklist["Next review"].iloc[0] == pd.Timestamp("2025-10-07")
    measures = book["Measures"]
    long = plan_measures(plans)
    assert measures["Measure code"].tolist() == long["code"].tolist()
    assert measures["Amount (CNY)"].fillna(-1).tolist() == long["amount"].fillna(-1).tolist()
    assert measures["Due"].tolist() == long["due_date"].tolist()
    assert measures["Proposed"].tolist() == [pd.Timestamp("2025-09-30")] * len(long)
    assert measures["Status"].tolist() == ["proposed"] * len(long)
    assert measures["Status date"].isna().all() and measures["Updated by"].isna().all()
    assert book["Release"]["Customer"].tolist() == ["C0013"]
    assert book["Release"]["Status"].tolist() == ["proposed"]
    assert book["About"].iloc[2, 0].startswith("The worklist is sorted by money at risk (CNY per")


def test_an_empty_plan_table_gives_headers_only(tiny, tmp_path):
    path = write_workbook(tiny["en"].iloc[:0], tmp_path / "plans.xlsx", "en")
    ws = openpyxl.load_workbook(path)["Worklist"]
    assert ws.max_row == 1 and ws.auto_filter.ref == "A1:AC1"
    measures = openpyxl.load_workbook(path)["Measures"]
    assert measures.max_row == 1 and measures.auto_filter.ref == "A1:S1"
    assert not measures.data_validations.dataValidation
    assert openpyxl.load_workbook(path)["About"]["B1"].value == "-"


def test_texts_stay_text_and_no_partial_file_is_left(tiny, tmp_path):
    plans = tiny["en"].copy()
    plans["region"] = ["=1+1", "http://example.invalid/x"]
    path = write_workbook(plans, tmp_path / "plans.xlsx", "en")
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(n.startswith("xl/worksheets/_rels") for n in z.namelist())  # no links
    assert not any("<f>" in s for s in sheets)
    assert pd.read_excel(path)["Area"].tolist() == ["=1+1", "http://example.invalid/x"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.xlsx"]
    with pytest.raises(ArrearsRiskError, match=r"plans: column\(s\) \['priority'\] missing"):
        write_workbook(plans.drop(columns="priority"), tmp_path / "bad.xlsx", "en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.xlsx"]


# -- LibreOffice ----------------------------------------------------------------------


def _soffice(args: list[str], tmp: Path) -> None:
    if not Path(SOFFICE).exists() or shutil.which("soffice") is None:
        pytest.skip(
            f"{SOFFICE} is absent: install Debian's libreoffice-calc-nogui (make test does)"
        )
    profile = (tmp / "lo-profile").as_uri()  # a profile of its own: parallel runs do not clash
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--norestore", *args],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp)},
    )


def test_libreoffice_converts_the_workbook_to_csv_and_pdf(tiny, tmp_path):
    path = write_workbook(tiny["zh"], tmp_path / "plans.xlsx", "zh")
    out = tmp_path / "converted"
    _soffice(
        ["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out),
         str(path)],
        tmp_path,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO((out / "plans.csv").read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["优先级", "户号", "风险金额（元/3个月）"] and rows[0][-1] == "措施"
    assert [r[1] for r in rows[1:]] == ["C0013", "C0003"]
    assert rows[1][2] == "115,200" and rows[1][10] == "70%" and rows[1][13] == "60,000"
    assert rows[1][22] == "2025-10-03" and rows[1][24] == "2025-10-07"
    assert rows[1][25:28] == ["李明", "赵敏", "孙丽"]
    _soffice(["--convert-to", "pdf", "--outdir", str(out), str(path)], tmp_path)
    pdf = (out / "plans.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000


def test_xlsxwriter_is_imported_only_when_a_workbook_is_written():
    import sys

    code = (
        "import sys, arrearsrisk, arrearsrisk.reports, arrearsrisk.plans.people\n"
        "print('xlsxwriter' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
