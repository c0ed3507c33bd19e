"""The bounded-memory path: a Parquet ledger scored and framed bucket by bucket, equal
to the whole-ledger functions, resumable, and refusing what it cannot do."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import arrearsrisk as ar
from arrearsrisk.engines.chunked import RUN_FILE, bucket_of, score_parquet, training_frame_parquet
from arrearsrisk.sample import write_sample

AS_OF = "2024-09-30"
BUNDLE = Path(__file__).resolve().parents[2] / "models" / "sample"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("chunked") / "ledger"
    write_sample(path, 900, months=24, seed=7, fmt="parquet")
    return path


@pytest.fixture(scope="module")
def ledger(folder) -> ar.Ledger:
    return ar.read_ledger(folder)


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def test_chunked_scores_equal_the_whole_ledgers(folder, ledger, tmp_path):
    run = score_parquet(folder, AS_OF, BUNDLE, tmp_path / "out", chunk_customers=250, lang="en")
    assert run.buckets == 4 and run.resumed == 0
    got = _sorted(pd.read_parquet(tmp_path / "out"), ["customer_id"])
    want = _sorted(ar.score(ledger, AS_OF, BUNDLE, lang="en"), ["customer_id"])
    assert list(got.columns) == list(ar.SCORE_COLUMNS) and run.rows == len(want)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)


def test_chunked_training_frame_equals_the_whole_ledgers(folder, ledger, tmp_path):
    cuts = ar.monthly_cutoffs(ledger)[-3:]
    run = training_frame_parquet(folder, cuts, tmp_path / "frame", chunk_customers=400)
    got = _sorted(pd.read_parquet(tmp_path / "frame"), ["as_of", "customer_id"])
    want = ar.training_frame(ledger, cuts)
    assert run.rows == len(want) and run.buckets == 3
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)


def test_an_interrupted_run_resumes_where_it_stopped(folder, tmp_path):
    out = tmp_path / "out"
    first = score_parquet(folder, AS_OF, BUNDLE, out, chunk_customers=300)
    whole = _sorted(pd.read_parquet(out), ["customer_id"])
    # what a run stopped during bucket 1 leaves: its part missing, not marked done
    (out / "part-00001.parquet").unlink()
    state = json.loads((out / RUN_FILE).read_text())
    state["done"] = [k for k in state["done"] if k != 1]
    (out / RUN_FILE).write_text(json.dumps(state))
    again = score_parquet(folder, AS_OF, BUNDLE, out, chunk_customers=300)
    assert again.resumed == first.buckets - 1 and again.rows == first.rows
    assert again.seconds["partition"] < 0.05  # the partition pass is not done again
    pd.testing.assert_frame_equal(_sorted(pd.read_parquet(out), ["customer_id"]), whole)


def test_another_run_never_mixes_its_output_with_an_old_one(folder, tmp_path):
    out = tmp_path / "out"
    score_parquet(folder, AS_OF, BUNDLE, out, chunk_customers=450)
    with pytest.raises(ar.ArrearsRiskError, match="holds the output of another run"):
        score_parquet(folder, "2024-08-31", BUNDLE, out, chunk_customers=450)
    other = tmp_path / "busy"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ar.ArrearsRiskError, match="is not the output of a chunked run"):
        score_parquet(folder, AS_OF, BUNDLE, other)
    assert (other / "notes.txt").read_text() == "mine"


def test_a_broken_bucket_is_the_readers_ledger_error(folder, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("customers", "payments"):
        (broken / f"{name}.parquet").symlink_to(folder / f"{name}.parquet")
    bills = pq.read_table(folder / "bills.parquet").to_pandas()
    bills.loc[5, "customer_id"] = "NOBODY"  # a bill of an unknown customer
    bills.to_parquet(broken / "bills.parquet", index=False)
    with pytest.raises(ar.LedgerError, match="has ids not found in customers") as whole:
        ar.read_ledger(broken)
    with pytest.raises(ar.LedgerError, match="has ids not found in customers") as chunked:
        score_parquet(broken, AS_OF, BUNDLE, tmp_path / "out", chunk_customers=300)
    assert chunked.value.rule == whole.value.rule == "unknown_reference"


def test_csv_folders_and_bad_options_are_refused(tmp_path):
    csv = tmp_path / "csv"
    write_sample(csv, 50, months=12, fmt="csv")
    with pytest.raises(ar.LedgerError, match="the chunked path reads Parquet only"):
        score_parquet(csv, AS_OF, BUNDLE, tmp_path / "out")
    with pytest.raises(ar.ArrearsRiskError, match="chunk_customers must be at least 1"):
        score_parquet(csv, AS_OF, BUNDLE, tmp_path / "out", chunk_customers=0)
    with pytest.raises(ar.ArrearsRiskError, match="chunk_customers must be a whole number"):
        score_parquet(csv, AS_OF, BUNDLE, tmp_path / "out", chunk_customers=2.5)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="ledger folder not found"):
        score_parquet(tmp_path / "nowhere", AS_OF, BUNDLE, tmp_path / "out")


def test_each_warning_is_given_once_for_all_buckets(folder, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score_parquet(folder, "2030-01-31", BUNDLE, tmp_path / "out", chunk_customers=300)
    outside = [w for w in caught if "outside" in str(w.message) or "after" in str(w.message)]
    assert len(outside) == 1, [str(w.message) for w in caught]
    assert "of 3 buckets" in str(outside[0].message)


def test_buckets_are_a_fixed_function_of_the_id():
    ids = np.array([f"C{i:05d}" for i in range(2000)])
    k = bucket_of(ids, 7)
    assert k.min() == 0 and k.max() == 6
    assert np.array_equal(k, bucket_of(ids[::-1], 7)[::-1])  # the row's position plays no part
    counts = np.bincount(k, minlength=7)
    assert counts.min() > 200  # 2000 ids spread over 7 buckets (286 each on average)
    assert bucket_of(np.array(["C0001", "C0002", "C0001"]), 4).tolist() == [1, 2, 1]


def test_the_cli_scores_in_chunks_and_resumes(folder, ledger, tmp_path):
    from click.testing import CliRunner

    from arrearsrisk.cli import main

    out = tmp_path / "scores"
    args = ["score", "--data", str(folder), "--model", str(BUNDLE), "--as-of", AS_OF]
    args += ["--out", str(out), "--chunk-customers", "300"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    n = len(ar.score(ledger, AS_OF, BUNDLE, reasons="none"))
    assert f"scored {n:,} customers as of {AS_OF} in 3 buckets -> {out}" in first.output
    again = CliRunner().invoke(main, args)
    assert "3 resumed" in again.output and len(pd.read_parquet(out)) == n
    no_date = CliRunner().invoke(main, [a for a in args if a not in ("--as-of", AS_OF)])
    assert no_date.exit_code == 2 and "--chunk-customers needs --as-of" in no_date.output
