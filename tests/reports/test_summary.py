"""The one-page summary for the head of unit and the glossary: exact figures on a tiny
literal portfolio, both languages, one printed A4 page in headless Chromium, and every
measure of the policy explained."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.plans import PLAN_COLUMNS, PlanMeasure
from arrearsrisk.plans.policy import default_policy_path, load_policy, parse_policy
from arrearsrisk.reports.formatting import esc
from arrearsrisk.reports.glossary import GLOSSARY_TEXT, glossary_measures, glossary_section
from arrearsrisk.reports.html import render_report, render_summary, write_summary
from arrearsrisk.reports.summary import SUMMARY_TEXT, summary_figures, summary_section

AS_OF = pd.Timestamp("2025-09-30")
DUE = pd.Timestamp("2025-10-03")


def measure(code: str, status: str = "proposed", *, first: bool = False, overdue: bool = False):
    names = {"follow_up": "催费提醒与上门走访", "guarantee": "签订电费担保合同",
             "deposit": "收取电费保证金"}  # fmt: skip
    return PlanMeasure(code, "action", names[code], "风险I级", "说明", None, "", (), proposed=AS_OF,
                       due=DUE, status=status, first=first, overdue=overdue)  # fmt: skip


# 14 customers: 12 with a plan (priority 1..12), two Grade III without one.
IDS = [f"C{i:02d}" for i in range(1, 15)]
GRADES = ["I", "I", "II", "I", "II", "II", "I", "II", "II", "I", "II", "II", "III", "III"]
WARNED = [True, True] + [False] * 12
ARREARS = [5000.0, 4000.0, 0.0, 1200.0, 0.0, 300.0, 800.0, 0.0, 0.0, 2500.0, 0.0, 0.0, 0.0, 100.0]
REGIONS = ["Hexi"] * 8 + ["Nanhu"] * 4 + ["Hexi", "Nanhu"]
RISK = [9000.0, 8000.0, 7000.0, 6000.0, 5000.0, 4000.0, 3000.0, 2000.0, 1000.0, 900.0, 800.0,
        np.nan]  # fmt: skip  # the last plan's p_I is unknown
OFFICERS = ["何健"] * 4 + ["林宇"] * 4 + ["郑玲"] * 3 + [None]
MEASURES = [
    (measure("follow_up", "done"), measure("guarantee", "in_progress", first=True)),  # 在办
    (measure("follow_up", "waived"),),  # 免予执行
    (measure("follow_up", "done"), measure("deposit", "waived")),  # 已办结
    (measure("follow_up", first=True, overdue=True), measure("deposit", overdue=True)),
    *[(measure("follow_up", first=True),)] * 8,
]


def tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    scores = pd.DataFrame(
        {
            "customer_id": IDS,
            "as_of": AS_OF,
            "grade": GRADES,
            "a_warning": WARNED,
            "exposure": 1000.0,
            "arrears": ARREARS,
            "region": REGIONS,
            "industry": None,
        }
    )
    n = 12
    plans = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in PLAN_COLUMNS})
    plans = plans.assign(
        priority=range(1, n + 1),
        customer_id=IDS[:n],
        as_of=AS_OF,
        grade=GRADES[:n],
        a_warning=WARNED[:n],
        exposure=1000.0,
        arrears=ARREARS[:n],
        loss_at_risk=RISK,
        region=REGIONS[:n],
        category="commercial",
        overdue=[sum(m.overdue for m in ms) for ms in MEASURES],
        first_due=[DUE if any(m.first for m in ms) else pd.NaT for ms in MEASURES],
        officer=pd.Series(OFFICERS, dtype=object),
        measures=MEASURES,
        change_text="",
        reasons=[()] * n,
    )
    plans.attrs["horizon_months"] = 3
    return plans, scores


def test_the_figures_are_counted_exactly():
    plans, scores = tiny()
    f = summary_figures(plans, scores)
    assert f.scored == 14 and f.plans == 12 and f.warnings == 2
    assert f.grades == {"I": 5, "II": 7, "III": 2}
    assert f.money_at_risk == 46700.0  # the unknown one counts 0
    assert f.arrears == 13900.0 and f.arrears_planned == 13800.0
    assert f.plan_status == {"proposed": 9, "in_progress": 1, "done": 1, "waived": 1}
    assert f.measure_status == {"proposed": 10, "in_progress": 1, "done": 2, "waived": 2}
    assert (f.overdue_measures, f.overdue_plans) == (2, 1)
    assert f.scope == ("Hexi", "Nanhu")
    assert f.first["customer_id"].tolist() == IDS[:10]
    assert f.first["first_action"].tolist()[:3] == ["签订电费担保合同", "", ""]
    officers = f.officers
    assert officers["officer"].tolist() == ["何健", "林宇", "郑玲", None]
    assert officers["plans"].tolist() == [4, 4, 3, 1]
    assert officers["loss_at_risk"].tolist() == [30000.0, 14000.0, 2700.0, 0.0]
    assert officers["open"].tolist() == [3, 4, 3, 1]
    assert officers["overdue"].tolist() == [2, 0, 0, 0]
    areas = f.areas.set_index("region")
    assert areas.loc["Hexi"].tolist() == [9, 4, 2, 8, 44000.0, 2]
    assert areas.loc["Nanhu"].tolist() == [5, 1, 0, 4, 2700.0, 0]
    assert f.migration is None


def test_the_migration_counts_the_customers_scored_now():
    plans, scores = tiny()
    previous = pd.DataFrame(
        {
            "customer_id": ["C01", "C02", "C03", "C13", "C99"],
            "grade": ["II", "I", "III", "I", "I"],
            "a_warning": [False, True, False, True, True],
        }
    )
    m = summary_figures(plans, scores, previous).migration
    # C01 II->I and C03 III->II up, C13 I->III down; C99 is not scored now
    assert m == {"grade_I_before": 2, "grade_I_now": 5, "up": 2, "down": 1,
                 "new_warning": 1, "new": 10}  # fmt: skip
    with pytest.raises(ArrearsRiskError, match=r"previous: column 'grade' required"):
        summary_figures(plans, scores, previous.drop(columns="grade"))


def test_scores_without_a_needed_column_are_refused():
    plans, scores = tiny()
    with pytest.raises(ArrearsRiskError, match=r"scores: column\(s\) \['arrears'\] required"):
        summary_figures(plans, scores.drop(columns="arrears"))
    with pytest.raises(ArrearsRiskError, match=r"regions: 2 values for 14 rows of scores"):
        summary_figures(plans, scores, regions=pd.Series(["a", "b"]))


def test_the_chinese_summary_reads_as_a_supply_company_writes():
    plans, scores = tiny()
    html = summary_section(plans, scores, "zh", as_of="2025-09-30")
    assert (
        "本期评价客户 14 户，其中I级风险 5 户（36%）、II级风险 7 户（50%），A级预警 2 户；"
        "需制定策略 12 户，风险金额 46,700 元/3个月；待办措施 11 条，逾期未办 2 条。"
    ) in html
    assert "评分日期 2025-09-30 · 2个供电所" in html
    assert "优先处理的前 10 户（共 12 户）" in html and "金额单位：元/3个月" in html
    for words in ("待办", "在办", "已办结", "免予执行", "逾期未办", "具体责任人工作量",
                  "各供电所情况", "未提供上期评分", "另有 1 户未指定具体责任人"):  # fmt: skip
        assert words in html
    assert not re.search(
        r"[A-Za-z]{4,}", re.sub(r"<[^>]+>", " ", html).replace("Hexi", "").replace("Nanhu", "")
    )


def test_the_english_summary():
    plans, scores = tiny()
    html = summary_section(plans, scores, "en", as_of="2025-09-30")
    assert (
        "14 customers scored: 5 Grade I (36%), 7 Grade II (50%), 2 A-level warnings; "
        "12 customers with a plan, money at risk 46,700 CNY per 3 months; 11 measures still "
        "to do, 2 overdue."
    ) in html
    assert "The first 10 of 12 plans to work" in html and "1 plans name no officer" in html
    for name in ("何健", "林宇", "郑玲", "催费提醒与上门走访", "签订电费担保合同"):
        html = html.replace(name, "")  # the data: names of people and the plans' measures
    assert not re.search(r"[\u4e00-\u9fff]", html)


def test_the_first_plans_are_listed_in_priority_order():
    plans, scores = tiny()
    html = summary_section(plans, scores, "en")
    first = html[html.index("The first 10") : html.index("Officers&#x27; workload")]
    assert re.findall(r'href="#c-(C\d+)"', first) == IDS[:10]
    assert "C11" not in first and "C12" not in first
    assert first.count('class="badge warn"') == 2
    # the first plan's first action is its guarantee (in progress), with its due date
    row = first[first.index('href="#c-C01"') : first.index('href="#c-C02"')]
    assert '<td class="action" title="签订电费担保合同">' in row and ">2025-10-03</td>" in row
    assert "no open measure" in first[first.index('href="#c-C02"') :]  # C02: all waived


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_missing_value_shows_as_nan_or_none(lang):
    plans, scores = tiny()
    plans.loc[11, "region"] = None  # an area unknown, an officer missing, a NaN at risk
    scores.loc[11, "region"] = np.nan
    html = summary_section(plans, scores, lang) + glossary_section(lang, plans=plans)
    assert not re.search(r"\bnan\b", html, flags=re.I)
    assert not re.search(r"\bNone\b|\bNaT\b|\bundefined\b", html)
    assert "\x00" not in html


def test_one_station_gets_its_own_summary():
    plans, scores = tiny()
    mine = plans[plans["region"] == "Nanhu"]
    f = summary_figures(mine, scores[scores["region"] == "Nanhu"])
    assert f.scope == ("Nanhu",) and f.scored == 5 and f.plans == 4
    assert f.first["customer_id"].tolist() == ["C09", "C10", "C11", "C12"]
    html = render_summary(mine, scores[scores["region"] == "Nanhu"], "zh")
    assert "供电所：Nanhu" in html and "各供电所情况" not in html  # one area: no area table
    assert "<nav>" not in html


def test_every_text_has_both_languages():
    for table in (SUMMARY_TEXT, GLOSSARY_TEXT):
        for key, texts in table.items():
            assert set(texts) == {"zh", "en"}, key
            assert all(t.strip() for t in texts.values()), key


# -- the glossary ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_glossary_explains_every_measure_of_the_shipped_policy(lang):
    policy = load_policy()
    html = glossary_section(lang, policy)
    for m in policy.measures:
        assert f'<tr id="m-{m.code}">' in html
        assert esc(m.name(lang)) in html and esc(m.explanation(lang)) in html
    assert len(glossary_measures(lang, policy)) == len(policy.measures)
    # the grades and the warning with the policy's figures
    if lang == "zh":
        for words in ("I级风险（高风险）", "14天内复核", "II级风险（中风险）", "30天内复核",
                      "III级风险（低风险）", "A级预警", "不少于月均电费的2倍", "7天内复核",
                      "风险金额（元/3个月）", "× 70% ×", "× 15% ×", "首要措施", "下次复核",
                      "风险金额超过100,000元的7天内", "待办", "在办", "已办结", "免予执行",
                      "可解除：退还保证金、解除担保合同"):  # fmt: skip
            assert words in html, words
    else:
        for words in ("Grade I (high risk)", "reviewed within 14 days", "Money at risk (CNY "
                      "per 3 months)", "at least 2 monthly bills", "First action", "proposed",
                      "in progress", "done", "waived"):  # fmt: skip
            assert words in html, words


def test_the_glossary_follows_the_policy_it_is_given():
    shipped = default_policy_path().read_text(encoding="utf-8")
    extra = (
        '\n[[measure]]\ncode = "meter_check"\nkind = "action"\ndue_days = 9\n'
        'name_zh = "现场核查计量装置"\nname_en = "Meter check on site"\n'
        'explain_zh = "到现场核对电能表读数，消除抄表争议。"\n'
        'explain_en = "Check the meter reading on site to settle a disputed bill."\n'
        '  [[measure.when]]\n  grade = ["I"]\n'
    )
    policy = parse_policy(shipped.replace("I = 14", "I = 10") + extra)
    zh, en = glossary_section("zh", policy), glossary_section("en", policy)
    assert "现场核查计量装置" in zh and "到现场核对电能表读数，消除抄表争议。" in zh
    assert "Meter check on site" in en and "within 9 days" in en
    assert "10天内复核" in zh and "14天内复核" not in zh
    assert "现场核查计量装置" in zh[zh.index("I级风险（高风险）") : zh.index("II级风险")]


def test_a_measure_of_the_plans_missing_from_the_policy_is_listed_too():
    plans, _ = tiny()
    hold = PlanMeasure("hold", "action", "停电程序暂缓", "", "先人工核实客户标识。", None, "", ())
    plans.at[0, "measures"] = (*plans.at[0, "measures"], hold)
    html = glossary_section("zh", None, plans)
    assert '<tr id="m-hold">' in html and "先人工核实客户标识。" in html
    assert html.count('<tr id="m-follow_up">') == 1


# -- in the report, and printed ---------------------------------------------------------


def test_the_report_opens_with_the_summary_and_ends_with_the_glossary():
    plans, scores = tiny()
    page = render_report(plans, scores, "zh", max_cards=2)
    sections = re.findall(r'<section id="([^"]+)"', page)
    assert sections[0] == "summary" and sections[-1] == "glossary"
    assert page.index("</header>") < page.index('<section id="summary"')
    nav = page[page.index("<nav>") : page.index("</nav>")]
    assert nav.startswith('<nav><a href="#summary">本期摘要</a>')
    assert '<a href="#glossary">名词解释</a>' in nav


CHROMIUM = "/usr/bin/chromium"
A4_WIDTH, A4_HEIGHT = 703, 1031  # CSS px inside A4 less the 12 mm margins (186 x 273 mm)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        yield b
        b.close()


def crowded() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A company-sized summary: 40 plans, 12 areas, 30 officers, long names everywhere."""
    plans, _ = tiny()
    n = 40
    long = PlanMeasure("hold", "action", "Disconnection procedure on hold: verify the "
                       "customer's flags by hand before any step", "", "", None, "", (),
                       due=DUE, first=True)  # fmt: skip
    big = pd.concat([plans] * 4, ignore_index=True).head(n)
    big = big.assign(
        priority=range(1, n + 1),
        customer_id=[f"C{i:06d}" for i in range(n)],
        region=[f"Station area number {i % 12}" for i in range(n)],
        officer=[f"Officer with a long name {i % 30}" for i in range(n)],
        a_warning=True,
        loss_at_risk=np.linspace(12_345_678.0, 1000.0, n),
        measures=[(long,)] * n,
    )
    big.attrs["horizon_months"] = 3
    many = pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in range(3000)],
            "as_of": AS_OF,
            "grade": ["I"] * 40 + ["III"] * 2960,
            "a_warning": [True] * 40 + [False] * 2960,
            "exposure": 1000.0,
            "arrears": 123_456.0,
            "region": [f"Station area number {i % 12}" for i in range(3000)],
            "industry": None,
        }
    )
    return big, many


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", ["tiny", "crowded"])
def test_the_summary_prints_on_one_a4_page(browser, lang, case, tmp_path):
    plans, scores = tiny() if case == "tiny" else crowded()
    previous = scores[["customer_id", "grade"]].assign(grade="II")
    path = write_summary(plans, scores, tmp_path / "summary.html", lang, previous=previous)
    page = browser.new_page()
    page.goto(path.as_uri(), wait_until="load")
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    # the same section at the head of the report: the first printed page is the summary
    report = tmp_path / "report.html"
    report.write_text(render_report(plans, scores, lang, previous, max_cards=1), "utf-8")
    page.set_viewport_size({"width": A4_WIDTH, "height": A4_HEIGHT})
    page.emulate_media(media="print")
    page.goto(report.as_uri(), wait_until="load")
    box = page.locator("#summary").bounding_box()
    assert box is not None and box["y"] + box["height"] <= A4_HEIGHT
    wide = page.evaluate("document.querySelector('#summary').scrollWidth")
    assert wide <= A4_WIDTH  # nothing overflows the page's width
    after = page.evaluate("getComputedStyle(document.querySelector('#summary')).breakAfter")
    assert after == "page"
    page.close()


def test_plans_without_officers_say_so():
    plans, scores = tiny()
    plans["officer"] = pd.Series([None] * len(plans), dtype=object)
    html = summary_section(plans, scores, "zh")
    assert "策略均未指定具体责任人。" in html and "另有 12 户未指定具体责任人。" in html
    assert summary_figures(plans, scores).officers["officer"].tolist() == [None]
