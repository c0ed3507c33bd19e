"""The command line: complete help, one-line errors with meaningful exit codes, and
each step on the sample."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

import arrearsrisk as ar
from arrearsrisk.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "data" / "sample")
BUNDLE = str(ROOT / "models" / "sample")
COMMANDS = ["sample", "train", "score", "plan", "report", "evaluate", "run"]


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_complete_help(name):
    command = main.commands[name]
    assert command.help and len(command.help) > 30
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{name} {param.opts} has no help"
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: main {name} [OPTIONS]")
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.opts[0] in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--data", "/no/such/folder", "--model", BUNDLE], "ledger folder not found"),
        (["score", "--data", SAMPLE, "--model", BUNDLE, "--as-of", "2025-13-45"], "is not a date"),
        (["score", "--data", SAMPLE, "--model", "/no/bundle"], "not a folder"),
        (["plan", "--data", SAMPLE, "--scores", "/no/scores.csv"], "file not found"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.output


def test_broken_ledger(tmp_path):
    ledger = ar.read_ledger(SAMPLE)
    for name in ("customers", "bills", "payments"):
        getattr(ledger, name).to_csv(tmp_path / f"{name}.csv", index=False)
    bills = pd.read_csv(tmp_path / "bills.csv", dtype=str)
    bills.loc[3, "kwh"] = "-7"
    bills.to_csv(tmp_path / "bills.csv", index=False)
    result = invoke("score", "--data", str(tmp_path), "--model", BUNDLE)
    assert result.exit_code == 2
    assert result.output.strip() == "error: bills: column 'kwh' must be >= 0."
    debug = invoke("--debug", "score", "--data", str(tmp_path), "--model", BUNDLE)
    assert isinstance(debug.exception, ar.LedgerError)


def test_usage_errors_exit_2():
    assert invoke("score", "--lang", "fr").exit_code == 2
    assert invoke("no-such-command").exit_code == 2


# the sample has no high_hazard column: plan and report print a one-line warning
@pytest.mark.filterwarnings("default::arrearsrisk.errors.LedgerWarning")
def test_score_plan_report_on_the_sample(tmp_path):
    scores = tmp_path / "scores.parquet"
    result = invoke(
        "score",
        "--data",
        SAMPLE,
        "--model",
        BUNDLE,
        "--as-of",
        "2025-09-30",
        "--out",
        str(scores),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(scores)
    assert list(table.columns) == list(ar.SCORE_COLUMNS) and len(table) > 2000
    assert f"scored {len(table):,} customers as of 2025-09-30" in result.output

    one = invoke(
        "score",
        "--data",
        SAMPLE,
        "--model",
        BUNDLE,
        "--as-of",
        "2025-09-30",
        "--customer",
        "C0017",
        "--out",
        str(tmp_path / "one.csv"),
    )
    assert one.exit_code == 0, one.output
    single = pd.read_csv(tmp_path / "one.csv", dtype={"customer_id": str})
    batch_row = table[table["customer_id"] == "C0017"]
    assert single["p_I"].iloc[0] == pytest.approx(batch_row["p_I"].iloc[0])

    plans = invoke(
        "plan",
        "--data",
        SAMPLE,
        "--scores",
        str(scores),
        "--out",
        str(tmp_path / "plans.xlsx"),
        "--lang",
        "en",
    )
    assert plans.exit_code == 0, plans.output
    sheets = pd.read_excel(tmp_path / "plans.xlsx", sheet_name=None)
    assert "Worklist" in sheets and len(sheets["Worklist"]) > 0

    report = invoke("report", "--data", SAMPLE, "--scores", str(scores), "--out", str(tmp_path))
    assert report.exit_code == 0, report.output
    assert (tmp_path / "report.html").stat().st_size > 10_000


def test_evaluate_a_saved_model(tmp_path):
    out = tmp_path / "metrics.csv"
    result = invoke("evaluate", "--data", SAMPLE, "--model", BUNDLE, "--out", str(out))
    assert result.exit_code == 0, result.output
    metrics = pd.read_csv(out).set_index("model")
    assert metrics.loc["model", "grade_I_auc"] > metrics.loc["manual", "grade_I_auc"]
    # the default months (the last 3 labelled) trained the deployed model: said so
    assert "the model was trained on 2025-07-31, 2025-08-31, 2025-09-30" in result.stderr
    assert "in sample" in result.stderr


@pytest.mark.slow  # trains models
def test_train_on_your_own_labels_of_one_date(tmp_path):
    ledger = ar.read_ledger(SAMPLE)
    labels = ar.build_labels(ledger, "2025-06-30").reset_index()
    labels["as_of"] = "2025-06-30"
    file = tmp_path / "labels.csv"
    labels[["customer_id", "as_of", "grade", "a_warning"]].to_csv(file, index=False)
    result = invoke(
        "train",
        "--data",
        SAMPLE,
        "--labels",
        str(file),
        "--no-track",
        "--model-dir",
        str(tmp_path / "model"),
    )
    assert result.exit_code == 0, result.output
    assert "validation: customers, 5 customer-grouped folds" in result.output
    model = ar.load_model(tmp_path / "model")
    assert model.info["validation"] == "customers"
    assert model.info["trained_on"] == ["2025-06-30"]


def test_train_refuses_labels_without_dates(tmp_path):
    file = tmp_path / "labels.csv"
    pd.DataFrame({"customer_id": ["C0001"], "grade": ["I"]}).to_csv(file, index=False)
    result = invoke("train", "--data", SAMPLE, "--labels", str(file), "--no-track")
    assert result.exit_code != 0
    assert "labels need the columns customer_id, as_of and grade" in result.output


def test_the_encoding_option_reaches_every_file_the_command_reads(tmp_path, sample_ledger):
    data = tmp_path / "gbk"
    data.mkdir()
    small = sample_ledger.subset(sorted(sample_ledger.customers["customer_id"])[:30])
    for name in ("customers", "bills", "payments"):
        table = getattr(small, name).copy()
        for col in table.columns:
            if pd.api.types.is_datetime64_any_dtype(table[col]):
                table[col] = table[col].dt.strftime("%Y-%m-%d")
        if name == "customers":
            table["region"] = "东城区"
        (data / f"{name}.csv").write_bytes(table.to_csv(index=False).encode("gbk"))
    out = tmp_path / "out" / "scores.csv"
    args = ["score", "--data", str(data), "--model", BUNDLE, "--as-of", "2025-12-31"]
    wrong = invoke("--encoding", "ascii", *args, "--out", str(out))
    assert wrong.exit_code == 2, wrong.output
    assert "ascii" in wrong.output and "customers.csv" in wrong.output
    right = invoke("--encoding", "gbk", *args, "--out", str(out))
    assert right.exit_code == 0, right.output
    assert len(pd.read_csv(out)) == 30
