"""The monitoring page: exact cells and flags on a literal table, escaping, refusals, and
the page of a real monitoring opened in headless Chromium (no console error, no request
but the file itself), with screenshots."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.monitoring import Monitoring
from arrearsrisk.reports.monitoring_page import (
    FLAG_CHECKS,
    INSUFFICIENT_CELL,
    STRIPS,
    WARNING_STRIP,
    render_monitoring_page,
    strip_cells,
    write_monitoring_page,
)
from tests.monitoring_project import monitored
from tests.reports.test_report import CHROMIUM, CHROMIUM_ARGS

AWKWARD = 'region=<b>Nan&"hu"</b>'


def _row(month, check, segment, item, value, threshold, verdict, estimated=False, n=500.0):
    return {
        "month": month,
        "check": check,
        "segment": segment,
        "item": item,
        "value": value,
        "threshold": threshold,
        "verdict": verdict,
        "n": n,
        "p_value": float("nan"),
        "estimated": estimated,
        "note": "",
    }


@pytest.fixture
def literal() -> Monitoring:
    months = ["2025-01", "2025-02", "2025-03"]
    rows = []
    for month, value, verdict in zip(
        months, [0.001, 0.015, 0.031], ["stable", "watch", "alert"], strict=True
    ):
        rows.append(_row(month, "arrears", AWKWARD, "share", value, 0.01, verdict))
    for month, value in zip(months, [0.02, 0.03, 0.05], strict=True):
        rows.append(_row(month, "score_psi", "all", "p_I", value, 0.1, "stable", n=3000.0))
    rows.append(_row("2025-01", "performance", "all", "grade_I_precision", 0.60, 0.62, "stable"))
    for month, value in zip(months, [0.58, 0.59, 0.57], strict=True):
        rows.append(
            _row(
                month,
                "estimated_performance",
                "all",
                "grade_I_precision",
                value,
                0.62,
                "stable",
                True,
            )
        )
    rows.append(_row("2025-02", "data_quality", "all", "estimated", 0.2, 0.15, "watch"))
    rows.append(_row("2025-02", "data_quality", "all", "no_bill", 0.01, 0.05, "stable"))
    segments = pd.DataFrame(
        {
            "segment": ["all", AWKWARD, "category=public", "category=(other)"],
            "kind": ["all", "region", "category", "category"],
            "status": ["judged", "judged", "pooled into category=(other)", "judged (pool)"],
        }
    )
    return Monitoring(
        pd.DataFrame(rows),
        segments=segments,
        months=months,
        matured=["2025-01"],
        reference_months=["2024-01-31", "2024-12-31"],
        model_version="m-test",
    )


def test_a_cell_is_the_worst_of_its_rows_and_shows_the_main_item(literal):
    cells = strip_cells(literal, "en").set_index(["check", "segment", "month"])
    assert cells.loc[("data_quality", "all", "2025-02"), "verdict"] == "watch"
    assert cells.loc[("data_quality", "all", "2025-02"), "text"] == "20%"  # the worst item
    assert cells.loc[("arrears", AWKWARD, "2025-03"), "text"] == "+3.1"  # points
    assert cells.loc[("score_psi", "all", "2025-02"), "text"] == "0.03"
    # matured months show the realised figure, the others the estimate, marked
    perf = cells.xs("performance", level="check").loc["all"]
    assert perf["text"].to_dict() == {"2025-01": "60%", "2025-02": "59%", "2025-03": "57%"}
    assert perf["estimated"].to_dict() == {"2025-01": False, "2025-02": True, "2025-03": True}
    assert 'Nan&"hu"' in cells.loc[("arrears", AWKWARD, "2025-02"), "tip"]


def test_the_page_lists_alerts_first_in_plain_words(literal):
    page = render_monitoring_page(literal, "zh")
    flags = page[page.index('id="flags"') : page.index('id="precision"')]
    rows = re.findall(r"<tr>(.*?)</tr>", flags[flags.index("<tbody>") :])
    assert len(rows) == 2  # the awkward region's arrears, the data quality of the whole
    assert "告警" in rows[0] and "2025-02" in rows[0] and "比全部客户多上升 1.5 个百分点" in rows[0]
    assert "数据质量" in rows[1] and "估抄电量账单占比 20.0%（关注线 15.0%）" in rows[1]
    kpis = dict(re.findall(r'<div class="l">([^<]+)</div><div class="v">([^<]+)</div>', page))
    assert kpis["告警"] == "1" and kpis["关注"] == "1" and kpis["监测月份"] == "3"
    assert kpis["I级精确率（最近到期月）"] == "60.0%"
    assert kpis["I级精确率预估（最近一月）"] == "57.0%"
    en = render_monitoring_page(literal, "en")
    assert "share of customers in arrears rose 1.5 points beyond the portfolio" in en
    assert "agricultural" not in en and "budget-funded institution → category other (pooled)" in en


def test_estimates_are_hatched_and_marked(literal):
    page = render_monitoring_page(literal, "zh")
    strip = page[page.index('id="strip-performance"') :]
    strip = strip[: strip.index("</table>")]
    assert len(re.findall(r'<td class="v-stable est"', strip)) == 2
    assert strip.count("<sup>估</sup>") == 2
    assert len(re.findall(r'<td class="v-stable"', strip)) == 1


def _with(literal: Monitoring, rows: list[dict]) -> Monitoring:
    table = pd.concat([literal.table, pd.DataFrame(rows)], ignore_index=True)
    return Monitoring(
        table,
        segments=literal.segments,
        months=literal.months,
        matured=literal.matured,
        reference_months=literal.reference_months,
        model_version=literal.model_version,
    )


FEW = "insufficient data: 4 events, fewer than 20; not judged"


def test_figures_on_too_few_events_are_grey_not_red(literal):
    rows = [
        # the matured month: Grade I judged stable, the warning on 4 events (not judged)
        _row("2025-01", "performance", "all", "warning_precision", 0.1, 0.6, "stable"),
        # a segment whose every figure rests on too few events
        _row("2025-01", "performance", "region=N", "grade_I_precision", 0.2, 0.62, "stable"),
        _row("2025-01", "performance", "region=N", "warning_precision", 0.0, 0.6, "stable"),
    ]
    rows[0]["note"] = rows[1]["note"] = rows[2]["note"] = FEW
    result = _with(literal, rows)
    cells = strip_cells(result, "zh").set_index(["check", "segment", "month"])
    assert cells.loc[("performance", "all", "2025-01"), "verdict"] == "stable"
    assert cells.loc[("performance", "region=N", "2025-01"), "verdict"] == INSUFFICIENT_CELL
    assert "数据不足: " in cells.loc[("performance", "region=N", "2025-01"), "tip"]
    page = render_monitoring_page(result, "zh")
    strip = page[page.index('id="strip-performance"') :]
    strip = strip[: strip.index("</table>")]
    assert strip.count('class="v-insufficient"') == 1 and "v-alert" not in strip
    assert "数据不足（事件少于 20 个，不作判断）" in page
    assert "fewer than 20 events, not judged" in render_monitoring_page(result, "en")


def test_estimated_alerts_are_counted_and_marked_apart(literal):
    rows = [
        _row(
            "2025-03",
            "estimated_performance",
            "region=S",
            "grade_I_precision",
            0.3,
            0.62,
            "alert",
            True,
        ),
        _row(
            "2025-03", "estimated_performance", "region=S", "grade_I_auc", 0.8, 0.9, "watch", True
        ),
    ]
    result = _with(literal, rows)
    page = render_monitoring_page(result, "zh")
    kpis = dict(re.findall(r'<div class="l">([^<]+)</div><div class="v">([^<]+)</div>', page))
    assert kpis["告警"] == "1" and kpis["关注"] == "1"  # the realised ones only
    assert kpis["预估表现告警"] == "1"
    assert "实际表现告警 1 项、关注 1 项；预估表现告警 1 项、关注 0 项（预估，待结果确认）" in page
    assert '<div class="kpi est alert">' in page
    flags = page[page.index('id="flags"') : page.index('id="precision"')]
    estimated = re.findall(r'<tr class="est">(.*?)</tr>', flags)
    assert len(estimated) == 1
    assert '<span class="vbadge v-alert est">告警<sup>估</sup></span>' in estimated[0]
    assert '<span class="estag">预估</span>' in estimated[0]
    assert "预估：I级精确率 30.0%，回测 62.0%（待结果确认）" in estimated[0]
    strip = page[page.index('id="strip-performance"') :]
    assert "其中预估 1 项" in strip[: strip.index("</h3>")]
    en = render_monitoring_page(result, "en")
    assert "estimated performance: alerts 1, watches 0 (estimates" in en
    without = render_monitoring_page(literal, "en")
    assert "Realised: alerts 1, watches 1; estimated performance: alerts 0, watches 0" in without
    matured = Monitoring(
        literal.table[literal.table["check"] != "estimated_performance"],
        months=literal.months,
        matured=literal.months,
    )
    assert "Realised: alerts 1, watches 1.</p>" in render_monitoring_page(matured, "en")


def test_features_are_named_in_words_with_their_ids_aside(literal):
    rows = [_row("2025-02", "feature_drift", "all", "late_streak, kwh_mean_3m", 0.4, 0.1, "watch")]
    result = _with(literal, rows)
    page = render_monitoring_page(result, "zh")
    flags = page[page.index('id="flags"') : page.index('id="precision"')]
    assert "变动最大的特征：连续逾期期数、月均用电量（近3个月）；最大 PSI 0.40" in flags
    assert ">late_streak, kwh_mean_3m</div>" in flags  # the ids, small
    cells = strip_cells(result, "en").set_index(["check", "segment", "month"])
    tip = cells.loc[("feature_drift", "all", "2025-02"), "tip"]
    assert "bills late in a row, mean monthly consumption (3 months)" in tip
    assert "[late_streak, kwh_mean_3m]" in tip


def test_every_text_is_escaped(literal):
    page = render_monitoring_page(literal, "en")
    assert "<b>Nan" not in page
    assert "&lt;b&gt;Nan&amp;&quot;hu&quot;&lt;/b&gt;" in page


def test_the_page_needs_no_network_and_no_script(literal, tmp_path):
    for lang in ("zh", "en"):
        text = write_monitoring_page(literal, tmp_path / f"m_{lang}.html", lang).read_text("utf-8")
        assert "<script" not in text and "http" not in text and "url(" not in text
        assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_bad_input_is_refused(literal, tmp_path):
    with pytest.raises(ArrearsRiskError, match=r"renders the result of arrearsrisk\.monitor"):
        render_monitoring_page(literal.table, "zh")  # type: ignore[arg-type]
    with pytest.raises(ArrearsRiskError, match="lang must be one of"):
        write_monitoring_page(literal, tmp_path / "m.html", "fr")
    assert not (tmp_path / "m.html").exists()


def test_a_quiet_monitoring_says_there_is_nothing_to_act_on(literal):
    calm = Monitoring(
        literal.table.assign(verdict="stable"), months=literal.months, model_version="m"
    )
    assert calm.alerts().empty and calm.first_flags().empty  # no row comes back
    assert "Every check stayed stable" in render_monitoring_page(calm, "en")


# -- the page of a real monitoring in Chromium ----------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_opens_in_chromium_without_errors(browser, lang, tmp_path):
    result = monitored()
    assert len(result.matured) < len(result.months)  # some months are estimated
    path = write_monitoring_page(result, tmp_path / f"monitoring_{lang}.html", lang)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    assert problems == []
    assert requests == [path.as_uri()]
    cells = strip_cells(result, lang)
    shown = set(cells["check"])
    assert {"performance", WARNING_STRIP} <= shown <= {c for c, _, _ in STRIPS}
    assert page.locator("table.strip").count() == len(shown)
    grey = page.locator("table.strip td.v-insufficient").count()
    assert grey == (cells["verdict"] == INSUFFICIENT_CELL).sum()
    assert (
        grey
        == page.locator(
            "#strip-performance td.v-insufficient, #strip-warning_performance td.v-insufficient,"
            " #strip-estimate_error td.v-insufficient"
        ).count()
    )
    months = len(result.months)
    header = page.locator("#strip-score_psi table.strip thead th")
    assert header.count() == months + 1
    assert page.locator("#strip-performance td.est").count() > 0
    assert page.locator("#flags tbody tr").count() == min(
        60, len(result.first_flags(checks=FLAG_CHECKS))
    )
    assert page.locator("svg.chart circle").count() >= months
    shot = tmp_path / f"monitoring_{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    shutil.copy(shot, f"/tmp/monitoring_{lang}.png")

    page.close()


@pytest.mark.slow
def test_a_real_monitoring_judges_no_figure_on_too_few_events():
    from arrearsrisk.monitoring.performance import insufficient

    result = monitored()
    t = result.table
    perf = t[t["check"].isin(["performance", "estimated_performance", "estimate_error"])]
    few = perf[perf["note"].map(insufficient)]
    assert len(few) > 0 and set(few["verdict"]) == {"stable"}
    assert few["item"].str.startswith("warning_").any()  # the warning's few events
    events = few["note"].str.extract(r"^insufficient data: ([\d.]+) events")[0].astype(float)
    assert (events < result.thresholds.min_events).all()
    # the Grade I strip is coloured by Grade I's figures only
    cells = strip_cells(result, "en")
    grade_I = cells[cells["check"] == "performance"]
    warning = cells[cells["check"] == WARNING_STRIP]
    assert len(grade_I) and len(warning)
    assert not grade_I["tip"].str.contains("warning").any()
    assert warning["tip"].str.contains("warning precision").all()
