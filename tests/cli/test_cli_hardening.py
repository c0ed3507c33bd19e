"""The command line never writes where it reads, and every error on bad input or paths
is one line on stderr with exit 2 (click's own usage errors too); no input file changes,
whatever the outputs aim at."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import arrearsrisk as ar
from arrearsrisk.cli import main
from arrearsrisk.sample import write_sample

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
BUNDLE = ROOT / "models" / "sample"


def invoke(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_line_error(result: object, exit_code: int = 2) -> str:
    """The single stderr line of a failed command (CliRunner mixes stderr in output)."""
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.output and "Usage:" not in result.output
    return lines[0]


def snapshot(*folders: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file under ``folders``."""
    out = {}
    for folder in folders:
        for file in sorted(Path(folder).rglob("*")):
            if file.is_file():
                out[str(file)] = (
                    hashlib.sha256(file.read_bytes()).hexdigest(),
                    file.stat().st_mtime_ns,
                )
    return out


@pytest.fixture
def data(tmp_path_factory) -> Path:
    """A copy of the sample ledger in its own folder, and scores of it beside it."""
    folder = tmp_path_factory.mktemp("ledger")
    for name in ("customers", "bills", "payments"):
        (folder / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    return folder


# -- click's own usage errors in one line ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (
            ["score", "--lang", "fr"],
            r"error: Invalid value for '--lang': 'fr' is not one of 'zh', 'en'\. "
            r"\(see 'main score --help'\)",
        ),
        (
            ["score", "--no-such-option"],
            r"error: No such option '--no-such-option'\. \(see 'main score --help'\)",
        ),
        (["no-such-command"], r"error: No such command 'no-such-command'"),
        (["sample"], r"error: Missing option '--out'"),
        (["sample", "--out", "x", "--customers", "0"], r"error: Invalid value for '--customers'"),
        (
            ["score", "--data", str(SAMPLE / "customers.csv")],
            r"error: Invalid value for '--data': Directory .* is a file",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args, match):
    line = one_line_error(invoke(*args))
    assert re.match(match, line), line


def test_help_still_exits_0():
    result = invoke("score", "--help")
    assert result.exit_code == 0 and result.output.startswith("Usage: main score")


# -- paths ----------------------------------------------------------------------------


def test_an_out_whose_parent_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    line = one_line_error(
        invoke("score", "--data", SAMPLE, "--model", BUNDLE, "--out", blocker / "s.csv")
    )
    assert line.endswith("file.txt is a file, not a folder; choose another output path.")


def test_an_unwritable_out_is_refused(tmp_path, monkeypatch):
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **k: real(p, mode) and not str(p).startswith(str(tmp_path))
    )
    line = one_line_error(
        invoke("score", "--data", SAMPLE, "--model", BUNDLE, "--out", tmp_path / "s.csv")
    )
    assert "cannot write in" in line and "(permission denied)" in line


def test_an_os_error_while_writing_is_one_line_and_exit_2():
    # /proc accepts no new folder: the write itself fails (as root, access() allows it)
    line = one_line_error(
        invoke("score", "--data", SAMPLE, "--model", BUNDLE, "--out", "/proc/arrearsrisk/s.csv")
    )
    assert "/proc/arrearsrisk" in line


def test_scores_that_are_a_folder_or_a_bad_policy_are_one_line(tmp_path):
    (tmp_path / "s.csv").mkdir()
    line = one_line_error(
        invoke(
            "plan", "--data", SAMPLE, "--scores", tmp_path / "s.csv", "--out", tmp_path / "p.csv"
        )
    )
    assert "is a folder" in line
    policy = tmp_path / "p.toml"
    policy.write_bytes(b"\xff\xfe\xff garbage")
    line = one_line_error(
        invoke(
            "plan",
            "--data",
            SAMPLE,
            "--policy",
            policy,
            "--scores",
            tmp_path / "x.csv",
            "--out",
            tmp_path / "p.csv",
        )
    )
    assert line.startswith("error: policy: ") and "p.toml" in line


# -- no command writes where it reads -------------------------------------------------


def refused(args: list[object], inputs: list[Path], match: str) -> None:
    before = snapshot(*inputs)
    line = one_line_error(invoke(*args))
    assert match in line, line
    assert snapshot(*inputs) == before  # nothing written, nothing changed


def test_score_into_the_data_folder_is_refused_before_anything_is_written(data):
    refused(
        ["score", "--data", data, "--model", BUNDLE, "--out", data / "customers.csv"],
        [data],
        "is inside the input folder",
    )
    refused(
        ["score", "--data", data, "--model", BUNDLE, "--out", data / "scores.csv"],
        [data],
        "is inside the input folder",
    )
    refused(
        ["score", "--data", data, "--model", BUNDLE, "--out", BUNDLE / "scores.csv"],
        [data, BUNDLE],
        "is inside the input folder",
    )


def test_plan_and_report_never_write_over_their_inputs(data, tmp_path):
    scores = tmp_path / "scores.csv"
    scores.write_text("customer_id,as_of,grade,p_I,a_warning,exposure,arrears\n")
    policy = tmp_path / "policy.toml"
    policy.write_bytes(ar.plans.default_policy_path().read_bytes())
    for out in (scores, policy, data / "plans.xlsx", data / "m.csv"):
        refused(
            ["plan", "--data", data, "--scores", scores, "--policy", policy, "--out", out],
            [data, tmp_path],
            "--out",
        )
    refused(
        ["report", "--data", data, "--scores", scores, "--out", data],
        [data, tmp_path],
        "is inside the input folder",
    )


def test_evaluate_train_run_and_sample_never_write_into_the_data(data):
    refused(
        ["evaluate", "--data", data, "--model", BUNDLE, "--out", data / "metrics.csv"],
        [data],
        "is inside the input folder",
    )
    refused(
        ["train", "--data", data, "--no-track", "--model-dir", data / "model"],
        [data],
        "is inside the input folder",
    )
    refused(
        ["train", "--data", data, "--no-track", "--model-dir", data], [data], "is also an input"
    )
    refused(
        ["run", "--data", data, "--no-track", "--out", data], [data], "is inside the input folder"
    )
    refused(
        ["run", "--data", data, "--no-track", "--out", data / "out"],
        [data],
        "is inside the input folder",
    )
    refused(
        ["sample", "--out", data, "--customers", "5", "--months", "3"],
        [data],
        "already holds a ledger (bills.csv, customers.csv, payments.csv)",
    )


def test_sample_overwrites_only_when_asked(tmp_path):
    assert invoke("sample", "--out", tmp_path, "--customers", "5", "--months", "3").exit_code == 0
    again = invoke("sample", "--out", tmp_path, "--customers", "5", "--months", "3", "--seed", "1")
    assert "--overwrite" in one_line_error(again)
    forced = invoke("sample", "--out", tmp_path, "--customers", "5", "--months", "3", "--overwrite")
    assert forced.exit_code == 0, forced.output


def test_score_writes_csv_that_spreadsheets_cannot_run(data, tmp_path):
    customers = pd.read_csv(data / "customers.csv", dtype=str)
    customers.loc[0, "customer_id"] = "=1+1"
    customers.to_csv(data / "customers.csv", index=False)
    for name in ("bills", "payments"):
        table = pd.read_csv(data / f"{name}.csv", dtype=str)
        table.loc[table["customer_id"] == "C0001", "customer_id"] = "=1+1"
        table.to_csv(data / f"{name}.csv", index=False)
    out = tmp_path / "scores.csv"
    result = invoke(
        "score", "--data", data, "--model", BUNDLE, "--as-of", "2025-09-30", "--out", out
    )
    assert result.exit_code == 0, result.output
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert any(line.startswith("'=1+1,") for line in lines)
    assert not any(line.startswith(("=", "+", "@")) for line in lines)
    assert "=1+1" in ar.writers.read_table(out)["customer_id"].tolist()


# -- every subcommand, outputs beside the data: inputs unchanged -------------------------


@pytest.mark.slow  # trains a model
@pytest.mark.filterwarnings("default::arrearsrisk.errors.LedgerWarning")  # no high_hazard
def test_every_subcommand_leaves_every_input_file_unchanged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # any store a command makes stays here
    data = tmp_path / "ledger"
    write_sample(data, n_customers=300, months=30)
    out = tmp_path / "out"
    model = tmp_path / "model"
    before = snapshot(data)

    def ok(*args: object) -> None:
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert snapshot(data) == before

    def aimed_at_data(*args: object) -> None:
        line = one_line_error(invoke(*args))
        assert "input" in line or "already holds a ledger" in line, line
        assert snapshot(data) == before

    aimed_at_data("sample", "--out", data, "--customers", "5", "--months", "3")
    aimed_at_data("train", "--data", data, "--no-track", "--model-dir", data / "model")
    ok("train", "--data", data, "--no-track", "--model-dir", model)
    inputs = before | snapshot(model)
    aimed_at_data("score", "--data", data, "--model", model, "--out", data / "customers.csv")
    aimed_at_data("score", "--data", data, "--model", model, "--out", model / "s.csv")
    ok("score", "--data", data, "--model", model, "--out", out / "scores.csv")
    scores = out / "scores.csv"
    inputs |= snapshot(out)
    aimed_at_data("plan", "--data", data, "--scores", scores, "--out", data / "plans.xlsx")
    aimed_at_data("plan", "--data", data, "--scores", scores, "--out", scores)
    ok("plan", "--data", data, "--scores", scores, "--out", out / "plans.xlsx")
    aimed_at_data("report", "--data", data, "--scores", scores, "--out", data)
    ok("report", "--data", data, "--scores", scores, "--out", tmp_path / "report")
    aimed_at_data("evaluate", "--data", data, "--model", model, "--out", data / "m.csv")
    ok("evaluate", "--data", data, "--model", model, "--out", out / "metrics.csv")
    aimed_at_data(
        "run", "--data", data, "--no-track", "--out", data, "--model-dir", tmp_path / "m2"
    )
    aimed_at_data(
        "run", "--data", data, "--no-track", "--out", tmp_path / "run", "--model-dir", data
    )
    ok(
        "run",
        "--data",
        data,
        "--no-track",
        "--out",
        tmp_path / "run",
        "--model-dir",
        tmp_path / "m2",
    )
    after = snapshot(data, model) | {k: v for k, v in snapshot(out).items() if k == str(scores)}
    assert {k: v for k, v in after.items() if k in inputs} == {
        k: v for k, v in inputs.items() if k in after
    }
