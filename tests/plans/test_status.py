"""Statuses read back from last month (frames, CSV, Excel) and carried into this
month's measures: exact values on tiny literal tables, errors named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.plans.risk_plans import PlanMeasure, PlanStep
from arrearsrisk.plans.status import STATUS_FRAME, carry_statuses, read_statuses

AS_OF = pd.Timestamp("2025-09-30")
D = pd.Timestamp


def zh_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "户号": ["C1", "C1", "C2"],
            "措施代码": ["follow_up", "deposit", "follow_up"],
            "办理状态": ["已办结", "在办", " "],
            "办理日期": ["2025-09-05", "2025/09/10", None],
            "办理人": ["何健", "何健", None],
            "提出日期": ["2025-08-31", "2025-08-31", "2025-08-31"],
        }
    )


def test_a_chinese_table_reads_exactly():
    got = read_statuses(zh_table())
    assert list(got.columns) == list(STATUS_FRAME)
    assert got["status"].tolist() == ["done", "in_progress", "proposed"]  # blank: proposed
    assert got["status_date"].tolist() == [D("2025-09-05"), D("2025-09-10"), pd.NaT]
    assert got["status_by"].tolist() == ["何健", "何健", ""]
    assert (got["proposed_date"] == D("2025-08-31")).all()
    assert got["due_date"].isna().all() and got["grade"].isna().all()


def test_english_headers_and_the_brief_s_status_words_read_too():
    table = pd.DataFrame(
        {
            "Customer": ["C1", "C2", "C3", "C4"],
            "Measure code": ["a", "a", "a", "a"],
            "Status": ["In Progress", "拟办", "已完成", "免于执行"],
            "Status date": [pd.Timestamp("2025-09-01"), None, None, None],
        }
    )
    got = read_statuses(table)
    assert got["status"].tolist() == ["in_progress", "proposed", "done", "waived"]
    assert got["status_date"].tolist()[0] == D("2025-09-01")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            {"办理状态": ["已办结", "搁置", "在办"]},
            r"unknown status \['搁置'\] for customer\(s\) \['C1'\]",
        ),
        (
            {"措施代码": ["follow_up", "follow_up", "follow_up"]},
            r"2 rows repeat a customer and measure, e\.g\. \[\('C1', 'follow_up'\)\]",
        ),
        (
            {"办理日期": ["2025-09-05", "下周", None]},
            r"column 'status_date' must hold dates .* \['下周'\]",
        ),
        (
            {"提出日期": [45900, "2025-08-31", "2025-08-31"]},
            r"column 'proposed_date' must hold dates .* \[45900\]",
        ),
    ],
)
def test_a_malformed_previous_table_is_refused(edit, match):
    table = zh_table()
    for col, values in edit.items():
        table[col] = values
    with pytest.raises(ArrearsRiskError, match=match):
        read_statuses(table)


def test_missing_and_doubled_columns_are_named():
    with pytest.raises(ArrearsRiskError, match=r"column\(s\) \['status'\] required but missing"):
        read_statuses(zh_table().drop(columns="办理状态"))
    with pytest.raises(
        ArrearsRiskError, match=r"columns '办理状态' and 'status' both mean 'status'"
    ):
        read_statuses(zh_table().assign(status="done"))
    with pytest.raises(ArrearsRiskError, match=r"previous must be a pandas DataFrame .* got int"):
        read_statuses(3)


def test_csv_and_xlsx_files_read_back(tmp_path):
    csv = tmp_path / "measures.csv"
    zh_table().to_csv(csv, index=False, encoding="gb18030")
    excel = tmp_path / "plans.xlsx"
    with pd.ExcelWriter(excel) as book:
        pd.DataFrame({"户号": ["C1"], "办理状态": ["在办"]}).to_excel(
            book, sheet_name="工作清单", index=False
        )
        zh_table().to_excel(book, sheet_name="措施明细", index=False)
    want = read_statuses(zh_table())
    pd.testing.assert_frame_equal(read_statuses(csv), want)
    pd.testing.assert_frame_equal(read_statuses(excel), want)  # the sheet with measure codes
    with pytest.raises(ArrearsRiskError, match="file not found"):
        read_statuses(tmp_path / "none.csv")
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(ArrearsRiskError, match=r"neither a \.csv nor an \.xlsx"):
        read_statuses(tmp_path / "x.txt")


def measure(code: str, lead: int, steps: tuple[int, ...] = ()) -> PlanMeasure:
    return PlanMeasure(
        code,
        "action",
        code,
        "why",
        "what",
        None,
        "",
        tuple(PlanStep(f"s{d}", f"step {d}", AS_OF + pd.Timedelta(days=d)) for d in steps),
        AS_OF,
        AS_OF + pd.Timedelta(days=lead),
    )


LEAD = {"follow_up": 3, "deposit": 20, "guarantee": 30}


def test_statuses_carry_dates_continue_and_overdue_is_flagged():
    proposed = [
        [measure("follow_up", 3, (2,)), measure("deposit", 20), measure("guarantee", 30)],
        [measure("follow_up", 3)],
        [measure("follow_up", 3)],
    ]
    statuses = read_statuses(zh_table())
    got = carry_statuses(["C1", "C2", "C3"], proposed, statuses, LEAD, AS_OF)
    c1 = {m.code: m for m in got[0]}
    # done last month: stays done, never overdue, not the first action
    assert (c1["follow_up"].status, c1["follow_up"].overdue, c1["follow_up"].first) == (
        "done",
        False,
        False,
    )
    assert c1["follow_up"].steps[0].date == D("2025-09-02")  # from the first proposal
    # in progress since 2025-08-31, due 20 days later: overdue, and the first action
    assert (c1["deposit"].due, c1["deposit"].overdue, c1["deposit"].first) == (
        D("2025-09-20"),
        True,
        True,
    )
    assert (c1["deposit"].status_date, c1["deposit"].status_by) == (D("2025-09-10"), "何健")
    # new this month: proposed today
    assert (c1["guarantee"].status, c1["guarantee"].due, c1["guarantee"].overdue) == (
        "proposed",
        D("2025-10-30"),
        False,
    )
    # C2: proposed last month and still open: overdue; C3: new
    assert (got[1][0].proposed, got[1][0].due, got[1][0].overdue) == (
        D("2025-08-31"),
        D("2025-09-03"),
        True,
    )
    assert (got[2][0].proposed, got[2][0].overdue, got[2][0].first) == (AS_OF, False, True)


def test_a_plan_level_status_stands_for_its_measures_and_the_due_date_gives_the_start():
    statuses = read_statuses(
        pd.DataFrame(
            {
                "customer_id": ["C1", "C1"],
                "code": [None, "deposit"],
                "status": ["waived", "in_progress"],
                "due_date": [None, "2025-10-10"],
            }
        )
    )
    got = carry_statuses(
        ["C1"], [[measure("follow_up", 3), measure("deposit", 20)]], statuses, LEAD, AS_OF
    )[0]
    assert got[0].status == "waived" and got[0].proposed == AS_OF  # no date: from today
    assert (got[1].proposed, got[1].due, got[1].first) == (D("2025-09-20"), D("2025-10-10"), True)


def test_a_measure_proposed_after_the_scoring_date_is_refused():
    statuses = read_statuses(
        pd.DataFrame(
            {
                "customer_id": ["C1"],
                "code": ["deposit"],
                "status": ["在办"],
                "proposed_date": ["2025-10-31"],
            }
        )
    )
    with pytest.raises(
        ArrearsRiskError, match=r"1 measure\(s\) first proposed after the scoring date 2025-09-30"
    ):
        carry_statuses(["C1"], [[measure("deposit", 20)]], statuses, LEAD, AS_OF)


def test_without_statuses_every_plan_has_one_first_action():
    proposed = [[measure("deposit", 20), measure("follow_up", 3)], []]
    got = carry_statuses(["C1", "C2"], proposed, None, LEAD, AS_OF)
    assert [m.first for m in got[0]] == [False, True] and got[1] == []
    assert not np.any([m.overdue for m in got[0]])


def test_a_held_measure_is_first_only_when_nothing_else_is_open():
    # the held disconnection (verify the hazard flag) is due at once, but it is a review
    # step: the plan's first action is its real measure; alone, the held note is first
    lead = {**LEAD, "disconnection_hold": 0}
    proposed = [
        [measure("disconnection_hold", 0), measure("deposit", 20), measure("follow_up", 3)],
        [measure("disconnection_hold", 0)],
    ]
    got = carry_statuses(["C1", "C2"], proposed, None, lead, AS_OF)
    assert [m.first for m in got[0]] == [False, False, True]
    assert [m.first for m in got[1]] == [True]
    done = pd.DataFrame(
        {
            "customer_id": ["C1", "C1"],
            "code": ["follow_up", "deposit"],
            "status": ["done", "waived"],
            "status_date": ["2025-09-20", "2025-09-21"],
            "status_by": ["何健", "何健"],
            "proposed_date": ["2025-08-31", "2025-08-31"],
            "due_date": [None, None],
            "as_of": ["2025-08-31", "2025-08-31"],
        }
    )
    got = carry_statuses(["C1"], proposed[:1], done, lead, AS_OF)
    assert [m.first for m in got[0]] == [True, False, False]  # everything else is closed
