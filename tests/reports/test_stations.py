"""Reports per supply station: which customers land in which file, file names that are
safe for any region text and never collide, the station's name from the staff table,
the index of the stations, and the pages in headless Chromium."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError, StaffWarning
from arrearsrisk.plans import release_candidates, risk_plans
from arrearsrisk.reports import render_report
from arrearsrisk.reports.stations import (
    INDEX_FILE,
    NO_AREA,
    NO_AREA_FILE,
    render_stations,
    select_stations,
    station_file_names,
    station_names,
    write_station_reports,
)
from tests.reports.test_report import CHROMIUM, CHROMIUM_ARGS

AS_OF = "2024-06-30"
CUSTOMERS = ["K1", "K2", "K3", "K4", "K5", "K6", "K7"]
REGIONS = ["Dongcheng", "Dongcheng", "a/b", None, "Hexi", "HEXI", "  "]


@pytest.fixture(scope="module")
def tiny() -> dict[str, object]:
    """Seven customers in five stations (one a slash, two differing in case, two
    without an area), literal scores, their plans and a staff table naming two stations."""
    customers = pd.DataFrame(
        {
            "customer_id": CUSTOMERS,
            "category": ["commercial", "residential", "industrial", "residential",
                         "commercial", "residential", "residential"],
            "industry": ["F51", None, "C31", None, "H62", None, None],
            "region": REGIONS,
            "high_hazard": False,
            "budget_funded": False,
        }
    )  # fmt: skip
    bills = pd.DataFrame(
        {
            "customer_id": CUSTOMERS,
            "period": "2024-05",
            "issue_date": "2024-06-01",
            "due_date": "2024-06-20",
            "kwh": 100.0,
            "amount": [900.0, 60.0, 30000.0, 50.0, 700.0, 40.0, 45.0],
        }
    )
    payments = pd.DataFrame({"customer_id": ["K2"], "paid_date": ["2024-06-10"], "amount": [60.0]})
    ledger = ar.Ledger(customers=customers, bills=bills, payments=payments)
    scores = pd.DataFrame(
        {
            "customer_id": CUSTOMERS,
            "as_of": pd.Timestamp(AS_OF),
            "grade": ["I", "III", "I", "II", "II", "III", "I"],
            "p_I": [0.8, 0.05, 0.9, 0.2, 0.3, 0.02, 0.6],
            "p_II": [0.15, 0.15, 0.05, 0.6, 0.5, 0.08, 0.3],
            "p_III": [0.05, 0.8, 0.05, 0.2, 0.2, 0.9, 0.1],
            "a_warning": [True, False, True, False, False, False, False],
            "p_warning": [0.7, 0.0, 0.8, 0.1, 0.1, 0.0, 0.2],
            "exposure": [900.0, 60.0, 30000.0, 50.0, 700.0, 40.0, 45.0],
            "arrears": [900.0, 0.0, 30000.0, 50.0, 700.0, 40.0, 45.0],
            "reasons": [("欠费",)] * 7,
            "model_version": "test",
        }
    )
    staff = pd.DataFrame(
        {
            "region": ["Dongcheng", "Dongcheng", "a/b", "*"],
            "role": ["head", "officer", "head", "officer"],
            "staff_id": ["01", "02", "03", "04"],
            "name": ["韩健", "程敏", "罗军", "何健"],
            "region_name": ["东城供电所", None, "斜杠供电所", None],
        }
    )
    plans = {}
    for lang in ("zh", "en"):
        with pytest.warns(StaffWarning, match=r"area\(s\) a/b \(1\) have no officer"):
            plans[lang] = risk_plans(scores, ledger, lang, staff=staff)
    release = release_candidates(scores, ledger, "zh", staff=staff)
    return {"ledger": ledger, "scores": scores, "plans": plans["zh"], "plans_en": plans["en"],
            "staff": staff, "release": release}  # fmt: skip


def ids_in(page: str) -> set[str]:
    return set(re.findall(r"\bK\d\b", page))


# -- which customers land in which file ------------------------------------------------


def test_each_customer_lands_in_the_file_of_its_station(tiny, tmp_path):
    plans = tiny["plans"]
    assert sorted(plans["customer_id"]) == ["K1", "K3", "K4", "K5", "K7"]  # grades I/II
    files = write_station_reports(
        plans, tiny["scores"], tmp_path, "zh", ledger=tiny["ledger"], staff=tiny["staff"]
    )
    assert {k: p.name for k, p in files.items()} == {
        "Dongcheng": "Dongcheng.html",
        "HEXI": "_x48455849.html",  # Hexi and HEXI share a file on a case-insensitive disk
        "Hexi": "_x48657869.html",
        "a/b": "_x612f62.html",
        NO_AREA: NO_AREA_FILE,  # K4 (no region) and K7 (a blank one)
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(p.name for p in files.values()), INDEX_FILE]
    )
    pages = {k: p.read_text(encoding="utf-8") for k, p in files.items()}
    assert {k: ids_in(page) for k, page in pages.items()} == {  # the plans' customers
        "Dongcheng": {"K1"},
        "HEXI": set(),
        "Hexi": {"K5"},
        "a/b": {"K3"},
        NO_AREA: {"K4", "K7"},
    }
    titles = {k: re.search(r"<title>(.*?)</title>", p).group(1) for k, p in pages.items()}
    assert titles == {
        "Dongcheng": "东城供电所电费回收风险报告 · 2024-06-30",
        "HEXI": "HEXI 电费回收风险报告 · 2024-06-30",
        "Hexi": "Hexi 电费回收风险报告 · 2024-06-30",
        "a/b": "斜杠供电所电费回收风险报告 · 2024-06-30",
        NO_AREA: "未填供电所电费回收风险报告 · 2024-06-30",
    }
    heading = re.search(r"<h1>(.*?)</h1>", pages["Dongcheng"]).group(1)
    assert re.fullmatch(r'东城供电所电费回收风险报告 <small class="station-code"[^>]*>'
                        r"Dongcheng</small>", heading)  # fmt: skip
    assert "<small" not in re.search(r"<h1>(.*?)</h1>", pages["Hexi"]).group(1)


def test_a_station_report_counts_only_its_customers(tiny):
    part = select_stations(tiny["plans"], tiny["scores"], ["Dongcheng"], "en",
                           ledger=tiny["ledger"], staff=tiny["staff"])  # fmt: skip
    assert part.scores["customer_id"].tolist() == ["K1", "K2"]
    assert part.plans["customer_id"].tolist() == ["K1"]
    assert part.title == "Electricity arrears risk report: 东城供电所"
    assert part.codes == "Dongcheng"
    page = render_stations(part, "en", ledger=tiny["ledger"])
    assert ids_in(page) == {"K1"}  # K2 (Grade III) has no plan: counted, not listed
    alone = render_report(part.plans, part.scores, "en", ledger=tiny["ledger"],
                          title=part.title)  # fmt: skip
    assert page.replace(
        ' <small class="station-code" style="font-size:55%;font-weight:400;opacity:.8">'
        "Dongcheng</small></h1>", "</h1>") == alone  # fmt: skip


def test_several_stations_by_code_or_by_name_in_one_report(tiny):
    part = select_stations(
        tiny["plans"],
        tiny["scores"],
        ["斜杠供电所", "Dongcheng", "Dongcheng", ""],
        "zh",
        ledger=tiny["ledger"],
        release=tiny["release"],
        staff=tiny["staff"],
    )
    assert part.regions == ("a/b", "Dongcheng", NO_AREA)  # in the order asked, once each
    assert sorted(part.scores["customer_id"]) == ["K1", "K2", "K3", "K4", "K7"]
    assert sorted(part.plans["customer_id"]) == ["K1", "K3", "K4", "K7"]
    assert part.title == "斜杠供电所、东城供电所、未填供电所电费回收风险报告"
    assert part.codes == "a/b · Dongcheng"
    more = select_stations(tiny["plans"], tiny["scores"], ["Dongcheng", "a/b", "Hexi", "HEXI"],
                           "en", ledger=tiny["ledger"], staff=tiny["staff"])  # fmt: skip
    assert more.title == "Electricity arrears risk report: 东城供电所 and 3 more areas"


def test_an_unknown_region_names_the_regions_there_are(tiny):
    with pytest.raises(
        ArrearsRiskError,
        match=r"^unknown region\(s\) 'Xiguan', '东城'; the scored customers are in: "
        r"Dongcheng \(东城供电所\), HEXI, Hexi, a/b \(斜杠供电所\), '' \(no area\)\.$",
    ):
        select_stations(tiny["plans"], tiny["scores"], ["Xiguan", "Dongcheng", "东城"],
                        ledger=tiny["ledger"], staff=tiny["staff"])  # fmt: skip
    with pytest.raises(ArrearsRiskError, match=r"regions must be a list of one or more"):
        select_stations(tiny["plans"], tiny["scores"], [], ledger=tiny["ledger"])
    with pytest.raises(ArrearsRiskError, match=r"regions must be a list .* got 'Hexi'"):
        select_stations(tiny["plans"], tiny["scores"], "Hexi", ledger=tiny["ledger"])


def test_without_a_ledger_the_scores_must_say_the_region(tiny, tmp_path):
    with pytest.raises(ArrearsRiskError, match=r"need each scored customer's region: pass ledger="):
        write_station_reports(tiny["plans"], tiny["scores"], tmp_path)
    regions = tiny["ledger"].customers.set_index("customer_id")["region"]
    scores = tiny["scores"].assign(region=tiny["scores"]["customer_id"].map(regions),
                                   industry=None)  # fmt: skip
    files = write_station_reports(tiny["plans"], scores, tmp_path, "en")
    assert ids_in(files["a/b"].read_text(encoding="utf-8")) == {"K3"}
    assert ids_in(files[NO_AREA].read_text(encoding="utf-8")) == {"K4", "K7"}


def test_the_index_lists_each_station_with_its_counts(tiny, tmp_path):
    write_station_reports(tiny["plans"], tiny["scores"], tmp_path / "stations", "zh",
                          ledger=tiny["ledger"], staff=tiny["staff"],
                          company_report=tmp_path / "report.html")  # fmt: skip
    index = (tmp_path / "stations" / INDEX_FILE).read_text(encoding="utf-8")
    body = re.search(r"<tbody>(.*)</tbody>", index).group(1)
    rows = [
        (re.search(r'href="([^"]+)">([^<]+)</a>', row).groups(),
         [int(c.replace(",", "")) for c in re.findall(r'<td class="[^"]*">([\d,]+)</td>', row)])
        for row in body.split("</tr>")[:-1]
    ]  # fmt: skip
    # station (file, name): scored, plans, Grade I, Grade II, A-level warnings
    assert rows == [
        (("Dongcheng.html", "东城供电所"), [2, 1, 1, 0, 1]),
        (("_x48455849.html", "HEXI"), [1, 0, 0, 0, 0]),
        (("_x48657869.html", "Hexi"), [1, 1, 0, 1, 0]),
        (("_x612f62.html", "斜杠供电所"), [1, 1, 1, 0, 1]),
        (("_no-area.html", "未填供电所"), [2, 2, 1, 1, 0]),
    ]
    total = re.search(r"<tfoot>(.*)</tfoot>", index).group(1)
    assert [int(c) for c in re.findall(r'<td class="[^"]*">(\d+)</td>', total)] == [7, 5, 3, 2, 2]
    assert 'href="../report.html">全公司报告</a>' in index
    assert "<small>Dongcheng</small>" in index and "<small>Hexi</small>" not in index


def test_station_names_come_from_the_staff_table():
    staff = pd.DataFrame({"供电所": ["0001", "0001", "0002"],
                          "角色": ["负责人", "责任人", "负责人"],
                          "工号": ["1", "2", "3"], "姓名": ["李明", "孙丽", "王强"],
                          "供电所名称": [None, "城关供电所", None]})  # fmt: skip
    assert station_names(staff) == {"0001": "城关供电所"}
    assert station_names(staff.drop(columns="供电所名称")) == {}
    assert station_names(None) == {}
    staff.loc[0, "供电所名称"] = "城东供电所"
    with pytest.raises(ArrearsRiskError, match=r"area 0001 has several names in region_name"):
        station_names(staff)


def test_the_sample_staff_names_its_eight_stations():
    from arrearsrisk.plans.people import read_staff
    from arrearsrisk.sample.parameters import REGIONS as SAMPLE_REGIONS

    names = station_names(read_staff(Path(__file__).parents[2] / "data/sample/staff.csv"))
    assert names == {
        "Dongcheng": "东城供电所", "Xiguan": "西关供电所", "Nanhu": "南湖供电所",
        "Beishan": "北山供电所", "Hexi": "河西供电所", "Qiaotou": "桥头供电所",
        "Shilipu": "十里铺供电所", "Longquan": "龙泉供电所",
    }  # fmt: skip
    assert set(names) == set(SAMPLE_REGIONS)


# -- file names -----------------------------------------------------------------------


def decode(name: str) -> str | None:
    """The region of a file name, the slow way (``None``: a hashed or the no-area name)."""
    stem = name.removesuffix(".html")
    if name == NO_AREA_FILE or stem.startswith("_h"):
        return None
    if stem.startswith("_x"):
        return bytes.fromhex(stem[2:]).decode("utf-8")
    return stem


REGION_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="东城西关南湖十里铺/\\.:*?<>|\"' -_aA1", max_size=8),
    st.sampled_from(["", " ", ".", "..", "CON", "con", "Lpt1", "index", "INDEX", "a/b",
                     "a\\b", "Dongcheng", "dongcheng", "东城", "e\u0301", "\u00e9", "ß", "SS"]),
    st.text(min_size=100, max_size=130),
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), REGION_TEXT), max_size=12))
def test_file_names_are_safe_and_never_collide(regions):
    names = station_file_names(regions)
    keys = {NO_AREA if r is None or not r.strip() else r for r in regions}
    assert set(names) == keys
    files = list(names.values())
    assert len({f.casefold() for f in files}) == len(files)  # also on a case-insensitive disk
    assert INDEX_FILE not in {f.casefold() for f in files}
    for key, file in names.items():
        assert file.endswith(".html") and len(file.encode("utf-8")) <= 255
        assert re.fullmatch(r"[^\W_][\w-]*\.html|_[\w-]+\.html", file), file
        assert unicodedata.normalize("NFC", file) == file
        assert decode(file) in (key, None)
        if key == NO_AREA:
            assert file == NO_AREA_FILE
        elif decode(file) is None:
            assert len(key.encode("utf-8")) > 120  # hashed only when too long to spell out
    assert station_file_names(list(reversed(regions))) == names  # order does not matter
    with tempfile.TemporaryDirectory() as tmp:  # the names really are files
        for file in files:
            (Path(tmp) / file).write_text("x", encoding="utf-8")
        assert sorted(os.listdir(tmp)) == sorted(files)


def test_plain_names_are_kept_and_others_encoded():
    assert station_file_names(["Dongcheng", "东城", "0001", "Shi-li_pu", "CON", ".x", "a b"]) == {
        "Dongcheng": "Dongcheng.html",
        "东城": "东城.html",
        "0001": "0001.html",
        "Shi-li_pu": "Shi-li_pu.html",
        "CON": "_x434f4e.html",
        ".x": "_x2e78.html",
        "a b": "_x612062.html",
    }
    long = "长" * 80  # 240 bytes: hashed
    assert re.fullmatch(r"_h[0-9a-f]{64}\.html", station_file_names([long])[long])


# -- the pages in a browser -----------------------------------------------------------


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
def test_the_index_and_station_pages_open_in_chromium(tiny, browser, lang, tmp_path):
    plans = tiny["plans"] if lang == "zh" else tiny["plans_en"]
    folder = tmp_path / "站点 reports"  # a space and Chinese in the path too
    write_station_reports(plans, tiny["scores"], folder, lang, ledger=tiny["ledger"],
                          staff=tiny["staff"], company_report=tmp_path / "report.html")  # fmt: skip
    (tmp_path / "report.html").write_text(
        render_report(plans, tiny["scores"], lang, ledger=tiny["ledger"]), encoding="utf-8"
    )
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.goto((folder / INDEX_FILE).as_uri(), wait_until="load")
    assert page.locator("tbody tr").count() == 5
    seen = {}
    for k in range(5):
        page.goto((folder / INDEX_FILE).as_uri(), wait_until="load")
        link = page.locator("tbody tr").nth(k).locator("a").first
        name = link.inner_text()
        link.click()
        page.wait_for_load_state("load")
        seen[name] = ids_in(page.content())
    assert seen == {
        "东城供电所": {"K1"},
        "HEXI": set(),
        "Hexi": {"K5"},
        "斜杠供电所": {"K3"},
        ar.i18n.text("no_region", lang): {"K4", "K7"},
    }
    page.goto((folder / INDEX_FILE).as_uri(), wait_until="load")
    page.locator("header a").click()  # back to the company's report
    page.wait_for_load_state("load")
    assert ids_in(page.content()) == {"K1", "K3", "K4", "K5", "K7"}
    assert problems == []
    page.close()
