"""The report's worklist: money at risk with its unit, the first action and its due date,
the lists per usage category and the overdue measures."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from arrearsrisk.plans import plan_measures
from arrearsrisk.reports.cards import cards_section
from arrearsrisk.reports.portfolio import portfolio, portfolio_section
from arrearsrisk.reports.worklist import worklist_section

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plans"))
from test_risk_plans_status import OCT, SEP, plans_at, scores


def october(tmp_path: Path) -> pd.DataFrame:
    sheet = plan_measures(plans_at(SEP))
    sheet["status"] = "在办"
    path = tmp_path / "september.csv"
    sheet.to_csv(path, index=False)
    return plans_at(OCT, previous=path)


def test_the_worklist_shows_money_at_risk_first_actions_categories_and_overdue(tmp_path):
    plans = october(tmp_path)
    zh = worklist_section(plans, "zh", 50)
    assert "风险金额（元/3个月）" in zh and "首要措施" in zh
    for label in ("居民", "工业", "商业"):  # one list per category present
        assert f">{label}</h3>" in zh
    overdue = zh[zh.index('id="overdue"') :]
    n = sum(m.overdue for ms in plans["measures"] for m in ms)
    assert n > 0 and overdue.count("<tr>") == 1 + n
    assert "在办" in overdue
    en = worklist_section(plans, "en", 1)
    assert "Money at risk (CNY per 3 months)" in en and "legal deadline near" in en
    assert en[: en.index('id="worklist-categories"')].count("<tr>") == 1 + 1


def test_no_overdue_measure_says_so():
    assert "No measure is overdue." in worklist_section(plans_at(SEP), "en", 10)


def test_the_headline_is_the_money_at_risk_with_its_unit():
    plans = plans_at(SEP)
    s = scores(SEP)
    html = portfolio_section(portfolio(s, plans, None), plans, None, s, "zh")
    assert "风险金额（元/3个月）" in html and "预期损失" not in html


def test_cards_mark_the_first_action_due_dates_and_statuses():
    plans = plans_at(SEP)
    html = cards_section(plans, "en", 1)
    assert html.count("first action") == 1
    assert "due 2025-09-03 · proposed" in html
