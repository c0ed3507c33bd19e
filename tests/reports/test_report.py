"""The manager's report: a self-contained HTML page that opens in headless Chromium with
no console error, prints one card per page, and an Excel workbook pandas can read."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.i18n import text
from arrearsrisk.plans import plan_measures, release_candidates, risk_plans
from arrearsrisk.reports import render_report, write_report, write_workbook

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF, PREVIOUS = "2025-09-30", "2025-08-31"


def demo_scores(ledger: ar.Ledger, as_of: str, seed: int) -> pd.DataFrame:
    """Scores with the CONTRACT columns, made from the sample's features (no model)."""
    f = ar.build_features(ledger, as_of)
    rng = np.random.default_rng(seed)
    late = f["late_bills_count_12m"].to_numpy(np.float64)
    serious = f["serious_late_bills_count_12m"].to_numpy(np.float64)
    ratio = np.nan_to_num(f["arrears_to_bill_ratio"].to_numpy(np.float64))
    z = -3 + 0.8 * late + 1.5 * serious + 1.2 * np.minimum(ratio, 3) + rng.normal(0, 0.5, len(f))
    p1 = 1 / (1 + np.exp(-z))
    p2 = (1 - p1) / (1 + np.exp(-(z + 1.5)))
    grade = np.where(p1 >= 0.5, "I", np.where(p2 >= 0.35, "II", "III"))
    reasons = [
        [
            *([f"{int(n)} bills paid late in 12 months"] if n else []),
            *([f"arrears of {r:.1f} months' bills"] if r > 0.05 else []),
        ]
        for n, r in zip(late, ratio, strict=True)
    ]
    return pd.DataFrame(
        {
            "customer_id": f.index.astype(str),
            "as_of": pd.Timestamp(as_of),
            "grade": grade,
            "p_I": p1,
            "p_II": p2,
            "p_III": 1 - p1 - p2,
            "a_warning": (ratio >= 2) & (grade == "I"),
            "p_warning": np.clip(p1 * np.minimum(ratio, 2) / 2, 0, 1),
            "exposure": f["bill_amount_mean_12m"].to_numpy(np.float64),
            "arrears": f["arrears_amount"].to_numpy(np.float64),
            "reasons": reasons,
            "model_version": "demo",
        }
    )


@pytest.fixture(scope="module")
def sample(sample_ledger) -> dict[str, object]:
    ledger = sample_ledger
    scores = demo_scores(ledger, AS_OF, seed=0)
    previous = demo_scores(ledger, PREVIOUS, seed=1)
    regions = sorted(ledger.customers["region"].dropna().unique())
    staff = pd.DataFrame(
        {
            "region": regions,
            "head": [f"王{i}所长" for i in range(len(regions))],
            "manager": [f"李{i}" for i in range(len(regions))],
            "officer": [f"张{i}" for i in range(len(regions))],
        }
    )
    out: dict[str, object] = {"ledger": ledger, "scores": scores, "previous": previous}
    for lang in ("zh", "en"):
        with pytest.warns(ar.LedgerWarning, match="high_hazard"):  # the sample has none
            out[f"plans_{lang}"] = risk_plans(scores, ledger, lang, staff=staff, previous=previous)
        out[f"release_{lang}"] = release_candidates(scores, ledger, lang, staff=staff)
    return out


def _report(sample, lang: str, path: Path, **kwargs) -> Path:
    return write_report(
        sample[f"plans_{lang}"],
        sample["scores"],
        path,
        lang,
        previous=sample["previous"],
        ledger=sample["ledger"],
        release=sample[f"release_{lang}"],
        **kwargs,
    )


# -- HTML -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_needs_no_network(sample, lang, tmp_path):
    page = _report(sample, lang, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r"https?://", page)
    assert not re.search(r"""(?:src|href)=["'](?!#|data:)""", page)
    assert "@media print" in page and "break-before:page" in page


def test_the_page_has_each_part_in_its_language(sample, tmp_path):
    zh = _report(sample, "zh", tmp_path / "zh.html").read_text(encoding="utf-8")
    en = _report(sample, "en", tmp_path / "en.html").read_text(encoding="utf-8")
    for words in ("总体情况", "工作清单", "客户策略卡", "可解除措施", "等级迁移", "依法停电程序"):
        assert words in zh
    for words in ("Portfolio", "Worklist", "Customer cards", "Release of measures"):
        assert words in en
    assert en.count("<svg") == zh.count("<svg") == 3  # area, industry, exposure
    top = sample["plans_en"].iloc[0]
    assert f'id="c-{top.customer_id}"' in en


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["本期摘要", "总体情况", "工作清单", "分类别工作清单", "逾期未办措施",
                "客户策略卡", "可解除措施", "名词解释"]),
        ("en", ["Summary", "Portfolio", "Worklist", "Worklists by category",
                "Overdue measures", "Customer cards", "Release of measures", "Glossary"]),
    ],
)  # fmt: skip
def test_the_navigation_bar_links_every_section(sample, lang, words, tmp_path):
    page = _report(sample, lang, tmp_path / "r.html").read_text(encoding="utf-8")
    nav = page[page.index("<nav>") : page.index("</nav>")]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav)
    assert [t for _, t in links] == words
    assert [a for a, _ in links] == [
        "summary", "portfolio", "worklist", "worklist-categories", "overdue-measures", "cards",
        "release", "glossary",
    ]  # fmt: skip
    for anchor, _ in links:  # every link has its section
        assert page.count(f'<section id="{anchor}"') == 1


def test_cards_and_worklist_are_capped_and_say_so(sample, tmp_path):
    plans = sample["plans_en"]
    page = _report(sample, "en", tmp_path / "r.html", max_cards=3, max_worklist=7)
    text = page.read_text(encoding="utf-8")
    assert text.count('<article class="pcard') == 3
    worklist = text[text.index('id="worklist"') : text.index('id="worklist-categories"')]
    assert worklist.count("<tr>") == 1 + 7  # the category lists and overdue table follow
    assert f"Showing the top 7 of {len(plans):,}" in text
    assert f"Cards for the 3 highest-priority customers (of {len(plans):,})" in text
    ids = re.findall(r'<article class="pcard g-[IV]+" id="c-([^"]+)"', text)
    assert ids == plans["customer_id"].head(3).tolist()


def test_text_is_escaped(sample):
    plans = sample["plans_en"].head(2).copy()
    plans["region"] = "<b>Area & Co</b>"
    page = render_report(plans, sample["scores"], "en", max_cards=2)
    assert "&lt;b&gt;Area &amp; Co&lt;/b&gt;" in page
    assert "<b>Area" not in page


def test_the_migration_table_counts_grade_changes(sample):
    scores, previous = sample["scores"], sample["previous"]
    page = render_report(sample["plans_en"], scores, "en", previous=previous, max_cards=0)
    before = previous.set_index("customer_id")["grade"].reindex(scores["customer_id"])
    rank = {"I": 0, "II": 1, "III": 2}
    up = sum(
        1
        for b, g in zip(before, scores["grade"], strict=True)
        if isinstance(b, str) and rank[g] < rank[b]
    )
    assert f"Risk up for {up} customers" in page
    without = render_report(sample["plans_en"], scores, "en", max_cards=0)
    assert "No previous scoring given" in without


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"plans": pd.DataFrame({"customer_id": ["a"]})}, r"plans: column\(s\) \['priority'"),
        ({"max_cards": -1}, r"max_cards must be a whole number >= 0, got -1"),
        ({"lang": "de"}, r"lang must be one of \['zh', 'en'\], got 'de'"),
        ({"scores": pd.DataFrame({"customer_id": ["a"]})}, r"scores: column\(s\) \['grade'"),
    ],
)
def test_bad_report_input_is_refused(sample, kwargs, match):
    args = {"plans": sample["plans_en"], "scores": sample["scores"], "lang": "en"} | kwargs
    with pytest.raises(ArrearsRiskError, match=match):
        render_report(**args)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_opens_in_chromium_without_errors(sample, browser, lang, tmp_path):
    path = _report(sample, lang, tmp_path / f"report_{lang}.html", max_cards=4, max_worklist=25)
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
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    assert page.locator("article.pcard").count() == 4
    assert page.locator("#worklist tbody tr").count() == 25
    assert page.locator("svg.chart").count() == 3
    # nothing of the worklist or the release list is wider than its box on a 1366-px
    # screen (long English measure names wrap in their chips)
    overflowing = page.evaluate(
        "Array.from(document.querySelectorAll('#worklist *, #release *'))"
        ".filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)"
        ".map(e => `${e.tagName}.${e.className} ${e.scrollWidth}>${e.clientWidth}`)"
    )
    assert overflowing == []
    shot = tmp_path / f"report_{lang}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    shutil.copy(shot, f"/tmp/report_{lang}.png")
    # the parts a manager looks at first, one picture each (copied next to the page's)
    for name, part in (
        ("summary", "#summary"),
        ("card", "article.pcard"),
        ("worklist", "#worklist"),
    ):
        piece = tmp_path / f"{name}_{lang}.png"
        page.locator(part).first.screenshot(path=str(piece))
        assert piece.stat().st_size > 10_000, name
        shutil.copy(piece, f"/tmp/report_{name}_{lang}.png")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3 + 4  # summary, portfolio, worklist, then one page per card
    page.close()


# -- Excel ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "sheets"),
    [
        ("zh", ["工作清单", "措施明细", "可解除措施", "说明"]),
        ("en", ["Worklist", "Measures", "Release", "About"]),
    ],
)
def test_the_workbook_opens_with_pandas_and_has_the_sheets(sample, lang, sheets, tmp_path):
    plans, release = sample[f"plans_{lang}"], sample[f"release_{lang}"]
    path = write_workbook(plans, tmp_path / "plans.xlsx", lang, release=release)
    book = pd.read_excel(path, sheet_name=None)
    assert list(book) == sheets
    worklist, measures = book[sheets[0]], book[sheets[1]]
    assert len(worklist) == len(plans) and len(book[sheets[2]]) == len(release)
    assert len(measures) == len(plan_measures(plans))
    priority, customer = worklist.columns[:2]  # then the contact columns the ledger has
    assert list(worklist.columns[2:5]) == [
        text(f"col_{c}", lang) for c in ("account_name", "supply_address", "phone_number")
    ]
    at_risk = worklist.columns[5]
    assert worklist[priority].tolist() == plans["priority"].tolist()
    assert worklist[customer].astype(str).tolist() == plans["customer_id"].tolist()
    assert worklist[at_risk].tolist() == pytest.approx(plans["loss_at_risk"].tolist())
    first = plans.iloc[0]
    row = worklist.iloc[0]
    assert row[text("col_p_I", lang)] == pytest.approx(first["p_I"])
    assert row[text("col_exposure", lang)] == pytest.approx(first["exposure"])
    assert pd.Timestamp(row[text("col_review_date", lang)]) == first["review_date"]


def test_the_workbook_has_frozen_filterable_headers_and_formats(sample, tmp_path):
    path = write_workbook(sample["plans_en"], tmp_path / "p.xlsx", "en")
    wb = openpyxl.load_workbook(path)
    ws = wb["Worklist"]
    assert ws.freeze_panes == "C2"
    # 29 plan columns and the three contact columns after the customer (C, D, E)
    assert ws.auto_filter.ref == f"A1:AF{len(sample['plans_en']) + 1}"
    assert [ws["C1"].value, ws["E1"].value] == ["Account name", "Phone"]
    assert ws["E2"].data_type == "s"  # phones as text cells: a leading zero stays
    assert ws["A1"].value == "Priority" and ws["A1"].font.b
    assert ws["N2"].number_format == "0%" and ws["Q2"].number_format == "#,##0"
    assert ws["AB2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["V"].width == pytest.approx(40.71, abs=0.01)  # 40 characters
    assert wb["About"]["B2"].value == len(sample["plans_en"])


def test_the_workbook_keeps_awkward_text(sample, tmp_path):
    plans = sample["plans_en"].head(3).copy()
    plans["region"] = ["A & <B>", "tab\there", "ctrl\x01char"]
    path = write_workbook(plans, tmp_path / "p.xlsx", "en")
    regions = pd.read_excel(path, sheet_name="Worklist")["Area"].tolist()
    assert regions == ["A & <B>", "tab\there", "ctrlchar"]


def test_import_does_not_load_report_dependencies():
    code = (
        "import sys, arrearsrisk, arrearsrisk.plans.risk_plans, arrearsrisk.reports\n"
        "print([m for m in ('openpyxl', 'matplotlib', 'playwright') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
