"""``arrearsrisk monitor``: the table and both pages written, a short summary printed, the
run logged on request; one-line errors and exit 2 for a bundle without monitoring
reference, bad months and an output inside the ledger."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from arrearsrisk.cli import main
from tests.monitoring_project import MONTHS, monitored, project

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
OLD_BUNDLE = ROOT / "tests" / "models" / "hostile_bundle"  # saved before references existed


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result: object) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_monitor_writes_the_table_and_both_pages(tmp_path):
    p = project()
    out = tmp_path / "monitoring"
    args = ("monitor", "--data", p.data, "--model", p.bundle, "--from", MONTHS[0])
    result = invoke(*args, "--to", MONTHS[1], "--out", out, "--lang", "en", "--no-track")
    assert result.exit_code == 0, result.output
    assert sorted(f.name for f in out.iterdir()) == [
        "monitoring.csv",
        "monitoring.html",
        "monitoring_en.html",
    ]
    table = pd.read_csv(out / "monitoring.csv")
    want = monitored().table
    assert len(table) == len(want)
    assert table["verdict"].value_counts().to_dict() == want["verdict"].value_counts().to_dict()
    assert "电费风险模型运行监测报告" in (out / "monitoring.html").read_text(encoding="utf-8")
    assert "Arrears risk model monitoring report" in (out / "monitoring_en.html").read_text(
        encoding="utf-8"
    )
    flags = monitored().first_flags()
    assert (
        f"({len(monitored().months)} months, {len(monitored().matured)} matured)" in result.output
    )
    assert "first flags (first month, verdict, segment, check):" in result.output
    first = flags.iloc[0]
    assert f"  {first['first_month']}  {first['verdict']}" in result.output
    assert "MLflow run" not in result.output


def test_monitor_logs_the_run_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    p = project()
    result = invoke(
        "monitor",
        "--data",
        p.data,
        "--model",
        p.bundle,
        "--from",
        "2025-04",
        "--to",
        "2025-05",
        "--out",
        tmp_path / "m",
        "--track",
        "--experiment",
        "watching",
    )
    assert result.exit_code == 0, result.output
    assert "  MLflow run     " in result.output and "against" not in result.output


def test_a_bundle_without_a_reference_is_refused_in_one_line(tmp_path):
    p = project()
    line = one_line_error(
        invoke(
            "monitor",
            "--data",
            p.data,
            "--model",
            OLD_BUNDLE,
            "--from",
            "2025-01",
            "--to",
            "2025-02",
            "--out",
            tmp_path / "m",
        )
    )
    assert "has no monitoring reference" in line
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    ("first", "last", "match"),
    [
        ("2025-13", "2025-02", "'2025-13' is not a month; write YYYY-MM"),
        ("2025-1", "2025-02", "'2025-1' is not a month"),
        ("2025-03", "2025-01", "--to 2025-01 is before --from 2025-03"),
    ],
)
def test_bad_months_are_refused(first, last, match, tmp_path):
    p = project()
    line = one_line_error(
        invoke(
            "monitor",
            "--data",
            p.data,
            "--model",
            p.bundle,
            "--from",
            first,
            "--to",
            last,
            "--out",
            tmp_path / "m",
        )
    )
    assert match in line


def test_an_output_inside_the_ledger_is_refused(tmp_path):
    p = project()
    line = one_line_error(
        invoke(
            "monitor",
            "--data",
            p.data,
            "--model",
            p.bundle,
            "--from",
            "2025-01",
            "--to",
            "2025-02",
            "--out",
            p.data / "monitoring",
        )
    )
    assert "--out" in line
    assert not (p.data / "monitoring").exists()


def test_monitor_has_complete_help():
    command = main.commands["monitor"]
    assert command.help and len(command.help) > 30
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, param.opts
