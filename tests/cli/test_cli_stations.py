"""Per-station output on the command line: ``report --region`` (one station or several,
an unknown one refused naming those there are) and ``run`` writing a report per station,
their index and the peer context that on-demand scoring reads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import arrearsrisk as ar
from arrearsrisk.cli import main
from arrearsrisk.sample import write_sample
from arrearsrisk.sample.parameters import REGIONS
from arrearsrisk.sample.staff import STATION_NAMES, write_sample_staff

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
NO_HAZARD = "default:customers.*high_hazard:arrearsrisk.errors.LedgerWarning"


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def customers_in(page: str) -> set[str]:
    return set(re.findall(r"\bC\d{4}\b", page))


@pytest.fixture(scope="module")
def scores_file(tmp_path_factory, sample_ledger, sample_model) -> Path:
    path = tmp_path_factory.mktemp("scores") / "scores.parquet"
    ar.score(sample_ledger, "2026-01-31", sample_model, lang="zh").to_parquet(path)
    return path


def listed(workbook: Path) -> pd.DataFrame:
    """The customers of a plans workbook: its worklist and its release candidates."""
    sheets = pd.read_excel(workbook, sheet_name=["工作清单", "可解除措施"], dtype=str)
    return pd.concat(sheets.values())[["户号", "供电所"]]


def report(scores_file: Path, out: Path, *regions: str) -> object:
    args = ["report", "--data", SAMPLE, "--scores", scores_file, "--staff", SAMPLE / "staff.csv"]
    return invoke(*args, *(x for r in regions for x in ("--region", r)), "--out", out)


@pytest.mark.filterwarnings(NO_HAZARD)
def test_report_of_two_stations_holds_only_their_plans(scores_file, sample_ledger, tmp_path):
    whole = report(scores_file, tmp_path / "all")
    assert whole.exit_code == 0, whole.output
    part = report(scores_file, tmp_path / "two", "Dongcheng", "西关供电所")  # a code, a name
    assert part.exit_code == 0, part.output
    regions = sample_ledger.customers.set_index("customer_id")["region"]
    scores = pd.read_parquet(scores_file)
    mine = scores[scores["customer_id"].map(regions).isin(["Dongcheng", "Xiguan"])]
    plans_all = pd.read_excel(tmp_path / "all" / "plans.xlsx", sheet_name="工作清单", dtype=str)
    plans_two = pd.read_excel(tmp_path / "two" / "plans.xlsx", sheet_name="工作清单", dtype=str)
    assert 0 < len(plans_two) < len(plans_all)
    assert sorted(plans_two["户号"]) == sorted(
        plans_all.loc[plans_all["户号"].map(regions).isin(["Dongcheng", "Xiguan"]), "户号"]
    )
    assert set(plans_two["供电所"]) == {"Dongcheng", "Xiguan"}
    assert f"{len(mine):,} customers scored, {len(plans_two):,} plans" in part.output
    every = listed(tmp_path / "all" / "plans.xlsx")
    expected = every[every["户号"].map(regions).isin(["Dongcheng", "Xiguan"])]
    assert sorted(listed(tmp_path / "two" / "plans.xlsx")["户号"]) == sorted(expected["户号"])
    page = (tmp_path / "two" / "report.html").read_text(encoding="utf-8")
    assert "<title>东城供电所、西关供电所电费回收风险报告 · 2026-01-31</title>" in page
    assert re.search(r"<h1>东城供电所、西关供电所电费回收风险报告 <small[^>]*>Dongcheng · Xiguan"
                     r"</small></h1>", page)  # fmt: skip
    shown = customers_in(page)
    assert shown and shown <= set(expected["户号"])  # worklist, cards, release: only theirs
    assert customers_in((tmp_path / "all" / "report.html").read_text(encoding="utf-8")) - shown


@pytest.mark.filterwarnings(NO_HAZARD)
def test_report_of_an_unknown_region_is_refused_naming_the_regions(scores_file, tmp_path):
    result = report(scores_file, tmp_path / "x", "Dongcheng", "Xiangyang")
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: unknown region(s) 'Xiangyang'; the scored customers are in: "
        + ", ".join(f"{r} ({STATION_NAMES[r]})" for r in sorted(REGIONS))
        + "."
    ]
    assert not (tmp_path / "x" / "report.html").exists()
    assert not (tmp_path / "x" / "plans.xlsx").exists()


@pytest.mark.slow  # trains a model
@pytest.mark.filterwarnings(NO_HAZARD)
def test_run_writes_a_report_per_station_and_the_peer_context(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_sample(tmp_path / "ledger", n_customers=300, months=30, seed=5)
    staff = write_sample_staff(tmp_path / "ledger")
    result = invoke(
        "run", "--data", tmp_path / "ledger", "--out", tmp_path / "out", "--model-dir",
        tmp_path / "model", "--no-track", "--staff", staff,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ledger = ar.read_ledger(tmp_path / "ledger")
    as_of = ar.pipeline.job.latest_month_end(ledger)

    peers = tmp_path / "out" / f"peers-{as_of.date()}.json"
    assert ar.PeerContext.load(peers) == ar.peer_context(ledger, as_of)
    assert json.loads(peers.read_text(encoding="utf-8"))  # a JSON document
    assert f"ARREARSRISK_PEERS={peers}" in result.output

    stations = tmp_path / "out" / "stations"
    regions = sorted(ledger.customers["region"].dropna().unique())
    assert sorted(p.name for p in stations.iterdir()) == sorted(
        [*(f"{r}.html" for r in regions), "index.html"]
    )
    assert f"{len(regions)} station reports listed in {stations / 'index.html'}" in result.output
    by_region = ledger.customers.set_index("customer_id")["region"]
    every = listed(tmp_path / "out" / "plans.xlsx")
    for region in regions:
        page = (stations / f"{region}.html").read_text(encoding="utf-8")
        shown = customers_in(page)
        assert {by_region[c] for c in shown} == {region}
        assert shown == set(every.loc[every["供电所"] == region, "户号"])  # all of them
        assert f"<title>{STATION_NAMES[region]}电费回收风险报告 · {as_of.date()}</title>" in page
    index = (stations / "index.html").read_text(encoding="utf-8")
    assert [m for m in re.findall(r'href="([^"]+)">[^<]+</a><small>', index)] == [
        f"{r}.html" for r in regions
    ]
    assert 'href="../report.html"' in index
