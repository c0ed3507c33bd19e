"""The staff table on the command line and in the main job: ``plan`` / ``report`` /
``run --staff``, gaps refused with ``--strict-staff``, and every plan of the job named."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import arrearsrisk as ar
from arrearsrisk.cli import main
from arrearsrisk.pipeline.job import run_job
from arrearsrisk.plans.people import read_staff, staff_loads
from arrearsrisk.sample import write_sample
from arrearsrisk.sample.staff import write_sample_staff

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
NO_HAZARD = "default:customers.*high_hazard:arrearsrisk.errors.LedgerWarning"


@pytest.fixture(scope="module")
def scores_file(tmp_path_factory, sample_ledger, sample_model) -> Path:
    file = tmp_path_factory.mktemp("scores") / "scores.csv"
    ar.score(sample_ledger, "2025-09-30", sample_model, lang="zh").to_csv(file, index=False)
    return file


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.filterwarnings(NO_HAZARD)
def test_plan_with_the_sample_staff_names_an_officer_on_every_row(scores_file, tmp_path):
    out = tmp_path / "plans.xlsx"
    result = invoke(
        "plan", "--data", SAMPLE, "--scores", scores_file, "--staff", SAMPLE / "staff.csv",
        "--strict-staff", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["工作清单"]
    header = [c.value for c in ws[1]]
    people = [header.index(h) for h in ("第一责任人", "管理责任人", "具体责任人")]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) > 100
    assert all(row[i] not in (None, "未指定") for row in rows for i in people)


@pytest.mark.filterwarnings(NO_HAZARD)
@pytest.mark.filterwarnings("default::arrearsrisk.errors.StaffWarning")  # as a user has it
def test_strict_staff_refuses_an_area_nobody_covers(scores_file, tmp_path):
    staff = read_staff(SAMPLE / "staff.csv")
    partial = tmp_path / "staff.csv"
    staff[staff["region"] != "Hexi"].drop(columns="phone").to_csv(partial, index=False)
    args = ["plan", "--data", SAMPLE, "--scores", scores_file, "--staff", partial]
    strict = invoke(*args, "--strict-staff", "--out", tmp_path / "strict.xlsx")
    assert strict.exit_code == 2
    errors = [line for line in strict.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith("error: staff: nobody in the staff table covers area(s) Hexi (")
    assert not (tmp_path / "strict.xlsx").exists()
    lenient = invoke(*args, "--out", tmp_path / "lenient.csv")
    assert lenient.exit_code == 0
    assert "warning: staff: nobody in the staff table covers area(s) Hexi (" in lenient.output
    measures = pd.read_csv(tmp_path / "lenient.csv", dtype=str)
    hexi = measures["region"] == "Hexi"
    assert hexi.any() and measures.loc[hexi, "officer"].isna().all()  # kept, named nobody
    assert measures.loc[~hexi, "officer"].notna().all()


def test_an_empty_or_integer_coded_staff_file_is_refused_on_the_command_line(scores_file, tmp_path):
    empty = tmp_path / "staff.csv"
    empty.write_text("region,role,staff_id,name,cap\n", encoding="utf-8")
    result = invoke(
        "report", "--data", SAMPLE, "--scores", scores_file, "--staff", empty,
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "error: staff.csv: the staff table is empty: no plan could name anyone.\n"
    )
    inside = invoke("run", "--data", SAMPLE, "--staff", empty, "--out", SAMPLE / "out")
    assert inside.exit_code == 2 and "--out" in inside.output  # refused before reading


@pytest.mark.slow  # trains a model
@pytest.mark.filterwarnings(NO_HAZARD)
def test_the_job_names_three_people_on_every_plan_within_the_caps(tmp_path):
    data = tmp_path / "ledger"
    write_sample(data, n_customers=600, months=30, fmt="parquet", seed=3)
    staff_file = write_sample_staff(data)
    said: list[str] = []
    result = run_job(
        data,
        tmp_path / "out",
        model_dir=tmp_path / "model",
        register_as=None,
        track=False,
        progress=False,
        say=said.append,
        staff=staff_file,
        strict_staff=True,
    )
    plans_file = result.files["workbook"]
    plans = pd.read_excel(plans_file, sheet_name="工作清单", dtype=str)
    assert len(plans) == result.counts["plans"] == result.counts["plans_with_officer"] > 0
    people = plans[["第一责任人", "管理责任人", "具体责任人"]]
    assert people.notna().all().all() and not people.isin(["未指定"]).any().any()
    staff = read_staff(staff_file)
    loads = staff_loads(
        pd.DataFrame({"region": plans["供电所"], "officer": plans["具体责任人"]}), staff
    )
    assert (loads["load"] <= loads["cap"]).all() and int(loads["load"].sum()) == len(plans)
    line = next(s for s in said if s.strip().startswith("staff:"))
    assert f"{len(plans):,} of {len(plans):,} plans with an officer" in line
