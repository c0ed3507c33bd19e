"""The Spark engine: the same ledger rules, features, labels, training frames and scores
as the pandas functions, on the sample, on a generated ledger and on a skewed one.

One local session for the module (``local[2]``, 4 shuffle partitions, no UI, loopback
only); the workers run this interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import arrearsrisk as ar
from arrearsrisk.engines import check_engine, get_engine
from arrearsrisk.sample import write_sample
from tests.conftest import SAMPLE, SAMPLE_MODEL, tiny_tables

pytest.importorskip("pyspark")

from arrearsrisk import spark as ars
from arrearsrisk.spark.buckets import plan_buckets

AS_OF = "2025-09-30"
LABEL_AS_OF = "2024-06-30"


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    session = ars.local_session(2, shuffle_partitions=4)
    session.sparkContext.setLogLevel("OFF")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample_spark(spark) -> ars.SparkLedger:
    """The committed sample, read and validated by Spark from its CSV files."""
    return ars.read_ledger(spark, SAMPLE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A simulated ledger of 2,500 customers x 30 months, as Parquet."""
    folder = tmp_path_factory.mktemp("generated")
    write_sample(folder, 2500, months=30, start="2023-01", seed=7, fmt="parquet")
    return folder


def _same_features(got: pd.DataFrame, want: pd.DataFrame) -> None:
    want = want.reset_index() if want.index.name == "customer_id" else want
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for name in want.columns:
        a, b = got[name], want[name].reset_index(drop=True)
        if isinstance(b.dtype, pd.CategoricalDtype) or not pd.api.types.is_float_dtype(b):
            assert (
                a.astype(object).where(a.notna(), None).tolist()
                == b.astype(object).where(b.notna(), None).tolist()
            ), name
        else:
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=name)


def _same_scores(got: pd.DataFrame, want: pd.DataFrame) -> None:
    want = want.sort_values("customer_id", ignore_index=True)
    assert list(got.columns) == list(ar.SCORE_COLUMNS)
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    assert got["grade"].tolist() == want["grade"].tolist()
    assert got["a_warning"].tolist() == want["a_warning"].tolist()
    assert got["reasons"].tolist() == want["reasons"].tolist()
    assert got["model_version"].tolist() == want["model_version"].tolist()
    assert (got["as_of"] == want["as_of"]).all()
    for col in ("p_I", "p_II", "p_III", "p_warning", "exposure", "arrears"):
        np.testing.assert_allclose(got[col], want[col], rtol=0, atol=1e-9, err_msg=col)


# ------------------------------------------------------------------ the sample


def test_reading_the_sample_gives_the_pandas_tables(sample_spark, sample_ledger):
    local = sample_spark.to_local()
    for name in ("customers", "bills", "payments"):
        got, want = getattr(local, name), getattr(sample_ledger, name)
        key = ["customer_id", *(["period"] if name == "bills" else ["paid_date", "amount"])]
        key = key[:1] if name == "customers" else key
        got = got.sort_values(key, kind="stable", ignore_index=True)
        want = want.sort_values(key, kind="stable", ignore_index=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)
    assert sample_spark.data_span == sample_ledger.data_span
    assert sample_spark.identifier_columns == {}


def test_features_equal_the_pandas_features_on_the_sample(sample_spark, sample_ledger):
    got = ars.to_pandas(ars.build_features(sample_spark, AS_OF))
    _same_features(got, ar.build_features(sample_ledger, AS_OF))
    assert isinstance(got["region"].dtype, pd.CategoricalDtype)


def test_scores_equal_the_pandas_scores_on_the_sample(sample_spark, sample_ledger, sample_model):
    got = ars.to_pandas(ars.score(sample_spark, AS_OF, SAMPLE_MODEL, lang="en"))
    _same_scores(got, ar.score(sample_ledger, AS_OF, sample_model, lang="en"))


def test_labels_and_training_frame_equal_the_pandas_ones(sample_spark, sample_ledger):
    got = ars.to_pandas(ars.build_labels(sample_spark, LABEL_AS_OF))
    want = ar.build_labels(sample_ledger, LABEL_AS_OF).reset_index()
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)
    assert got["grade"].dtype == want["grade"].dtype
    cutoffs = ["2024-05-31", LABEL_AS_OF]
    frame = ars.to_pandas(ars.training_frame(sample_spark, cutoffs))
    _same_features(frame, ar.training_frame(sample_ledger, cutoffs))


def test_the_spark_engine_passes_the_engine_contract(spark, sample_ledger):
    ledger = sample_ledger.subset(sample_ledger.customers["customer_id"][:400])
    check_engine(get_engine("spark", spark=spark), ledger, AS_OF, SAMPLE_MODEL)


def test_labels_need_the_outcome_window_covered_as_in_pandas(sample_spark, sample_ledger):
    with pytest.raises(ar.LedgerError, match="need data until 2026-03-02") as got:
        ars.build_labels(sample_spark, "2025-10-31")
    with pytest.raises(ar.LedgerError, match="need data until 2026-03-02") as want:
        ar.build_labels(sample_ledger, "2025-10-31")
    assert str(got.value) == str(want.value)
    assert got.value.rule == want.value.rule == "coverage"


def test_scoring_errors_are_the_pandas_errors(sample_spark):
    with pytest.raises(ar.ArrearsRiskError, match="as_of '2024-13-01' is not a date"):
        ars.score(sample_spark, "2024-13-01", SAMPLE_MODEL)
    with pytest.raises(ar.ArrearsRiskError, match="reasons must be 'risky', 'all' or 'none'"):
        ars.score(sample_spark, AS_OF, SAMPLE_MODEL, reasons="some")  # type: ignore[arg-type]


# ------------------------------------------------------------------ a generated ledger


def test_features_and_scores_equal_pandas_on_a_generated_ledger(spark, generated, sample_model):
    ledger = ars.read_ledger(spark, generated)
    local = ar.read_ledger(generated)
    as_of = "2025-05-31"
    feats = ars.to_pandas(ars.build_features(ledger, as_of, buckets=5))
    _same_features(feats, ar.build_features(local, as_of))
    scores = ars.to_pandas(ars.score(ledger, as_of, sample_model, reasons="all", buckets=5))
    _same_scores(scores, ar.score(local, as_of, sample_model, reasons="all"))
    assert len(scores) > 2000


def test_long_histories_get_buckets_of_their_own_and_change_nothing(spark, tmp_path):
    tables = ar.sample.simulate_ledger(600, 24, seed=5)
    customers, bills, payments = tables
    heavy = payments["customer_id"].value_counts().index[:3].tolist()
    extra = payments[payments["customer_id"].isin(heavy)]
    many = pd.concat([payments, *[extra.assign(amount=0.01)] * 40], ignore_index=True)
    local = ar.Ledger(customers, bills, many)
    rows = pd.concat([bills["customer_id"], many["customer_id"]]).value_counts()
    assert set(rows[rows > 600].index) == set(heavy)  # 41 times their payments
    ledger = ars.SparkLedger.from_local(spark, local)
    plan = plan_buckets(ledger, buckets=3, heavy_rows=600)
    assert set(plan.heavy) == set(heavy)
    assert all(b >= plan.hashed for b in plan.heavy.values())
    got = ars.to_pandas(ars.build_features(ledger, "2024-10-31", buckets=plan))
    _same_features(got, ar.build_features(local, "2024-10-31"))


# ------------------------------------------------------------------ the ledger's rules


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or value != value else str(value)


def _texts(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every cell as text (``None`` when missing), as a CSV export holds it."""
    return {
        name: pd.DataFrame({c: pd.Series([_text(v) for v in f[c]], dtype=object) for c in f})
        for name, f in tables.items()
    }


def _spark_tables(spark, tables: dict[str, pd.DataFrame], parts: int = 1) -> dict[str, object]:
    """The tables as Spark DataFrames of text columns."""
    out = {}
    for name, frame in tables.items():
        arrays = [pa.array([_text(v) for v in frame[c].tolist()], pa.string()) for c in frame]
        arrow = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
        out[name] = spark.createDataFrame(arrow).repartition(parts)
    return out


def _broken(tables, name, column, value, rows=(0,)):
    frame = tables[name].copy()
    frame[column] = frame[column].astype(object)
    for row in rows:
        frame.loc[row, column] = value
    return {**tables, name: frame}


CASES = {
    "negative kwh": lambda t: _broken(t, "bills", "kwh", "-5"),
    "a date that is no date": lambda t: _broken(t, "bills", "due_date", "2024-02-30x"),
    "an unknown category": lambda t: _broken(t, "customers", "category", "comercial"),
    "a yes/no that is neither": lambda t: _broken(t, "customers", "tenant", "maybe"),
    "a bad period": lambda t: _broken(t, "bills", "period", "2024-13"),
    "a missing amount": lambda t: _broken(t, "payments", "amount", None),
    "a payment of zero": lambda t: _broken(t, "payments", "amount", "0"),
    "due before issue": lambda t: _broken(t, "bills", "due_date", "2024-01-01"),
    "a duplicate bill": lambda t: _broken(t, "bills", "period", "2024-02"),
    "a duplicate customer": lambda t: _broken(t, "customers", "customer_id", "C2"),
    "an orphan payment": lambda t: _broken(t, "payments", "customer_id", "C9"),
    "a near-miss header": lambda t: {**t, "bills": t["bills"].rename(columns={"kwh": "kwhh"})},
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_rule_gives_the_pandas_ledger_error(spark, case):
    tables = _texts(CASES[case](tiny_tables()))
    with pytest.raises(ar.LedgerError) as want:
        ar.Ledger(**tables)
    first_line = str(want.value).splitlines()[0]
    with pytest.raises(
        ar.LedgerError, match=first_line.replace("(", r"\(").replace(")", r"\)")
    ) as got:
        ars.read_ledger(spark, _spark_tables(spark, tables))
    assert (got.value.table, got.value.column, got.value.rule) == (
        want.value.table,
        want.value.column,
        want.value.rule,
    )


def test_a_rule_broken_in_several_partitions_counts_every_row(spark, sample_ledger):
    raw = {
        name: pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("customers", "bills", "payments")
    }
    bills = raw["bills"].copy()
    bills.loc[[5, 700, 9000, 50_000], "kwh"] = "-3"
    given = _spark_tables(spark, {**raw, "bills": bills}, parts=3)
    with pytest.raises(ar.LedgerError, match="rule 'min_value' broken in 4 of 96,978 rows") as got:
        ars.read_ledger(spark, given)
    assert got.value.column == "kwh"


def test_folders_missing_or_ambiguous_tables_are_refused(spark, tmp_path):
    with pytest.raises(FileNotFoundError, match="ledger folder not found"):
        ars.read_ledger(spark, tmp_path / "nowhere")
    (tmp_path / "customers.csv").write_text("customer_id,category\nC1,commercial\n")
    with pytest.raises(ar.LedgerError, match="bills: table is missing") as err:
        ars.read_ledger(spark, tmp_path)
    assert err.value.rule == "missing_table"
    (tmp_path / "customers.parquet").mkdir()
    with pytest.raises(ar.LedgerError, match="two sources could hold this table") as err:
        ars.read_ledger(spark, tmp_path)
    assert err.value.rule == "ambiguous"


def test_a_ragged_csv_row_is_refused(spark, tmp_path):
    for name, frame in tiny_tables().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    text = (tmp_path / "payments.csv").read_text()
    (tmp_path / "payments.csv").write_text(text + "C1,2024-05-01\n")
    with pytest.raises(ar.LedgerError, match="rows do not have the header's fields") as err:
        ars.read_ledger(spark, tmp_path)
    assert err.value.rule == "ragged_row"


def test_csv_extra_columns_are_typed_on_every_value_and_identifiers_found(spark, tmp_path):
    tables = tiny_tables()
    n = 30
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "category": ["commercial"] * n,
            "floors": [str(i % 4) for i in range(n)],
            "vip": ["yes", "no", ""] * 10,
            "meter_serial": [f"M{i:04d}" for i in range(n)],
        }
    )
    customers.to_csv(tmp_path / "customers.csv", index=False)
    bills = tables["bills"].assign(customer_id=["C1", "C1", "C1", "C2", "C2"])
    bills.to_csv(tmp_path / "bills.csv", index=False)
    tables["payments"].to_csv(tmp_path / "payments.csv", index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        want = ar.read_ledger(tmp_path)
        ledger = ars.read_ledger(spark, tmp_path)
    said = [str(w.message) for w in caught if issubclass(w.category, ar.LedgerWarning)]
    assert sum("meter_serial" in s for s in said) == 2  # once by pandas, once by Spark
    assert ledger.identifier_columns == {
        "meter_serial": "it has 30 distinct values in 30 customers"
    }
    assert ledger.attribute_columns == want.attribute_columns == ["floors", "vip"]
    types = dict(ledger.customers.dtypes)
    assert (types["floors"], types["vip"]) == ("double", "boolean")
    got = ars.to_pandas(ars.build_features(ledger, "2024-03-31"))
    _same_features(got, ar.build_features(want, "2024-03-31"))


# ------------------------------------------------------------------ the house


def test_importing_the_spark_module_and_the_engines_does_not_import_pyspark():
    code = (
        "import sys, arrearsrisk, arrearsrisk.engines, arrearsrisk.spark\n"
        "import arrearsrisk.engines.spark\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_workers_run_this_interpreter_with_one_thread(spark):
    def probe(batches):
        for _ in batches:
            yield pa.RecordBatch.from_pylist(
                [{"python": sys.executable, "omp": os.environ.get("OMP_NUM_THREADS", "")}]
            )

    from arrearsrisk.spark.session import quiet_pyspark

    with quiet_pyspark():
        rows = spark.range(2).mapInArrow(probe, "python string, omp string").collect()
    assert {r["python"] for r in rows} == {sys.executable}
    assert {r["omp"] for r in rows} == {"1"}
    conf = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")
    assert conf == str(ars.RECOMMENDED_CONF["spark.sql.execution.arrow.maxRecordsPerBatch"])


def test_the_model_predicts_on_one_thread_and_is_loaded_once_per_worker(sample_model):
    from arrearsrisk.spark import worker

    digest, files = worker.model_files(SAMPLE_MODEL)
    first = worker.cached_model(digest, files)
    assert worker.cached_model(digest, files) is first
    seen = []

    class Spy:
        def __init__(self, booster):
            self.booster = booster

        def predict(self, x, **kwargs):
            seen.append(kwargs.get("num_threads"))
            return self.booster.predict(x, **kwargs)

    one = worker.OneThreadModel.of(sample_model)
    one.boosters = {k: Spy(b) for k, b in sample_model.boosters.items()}
    x = np.zeros((3, len(one.spec.names)))
    one.predict_matrix(x)
    one.contributions(x)
    assert seen == [1, 1, 1, 1]
    assert first.version == sample_model.version


def test_apply_in_pandas_round_trips_pandas_3_frames(spark, sample_ledger):
    """pyspark's own pandas conversion, which arrearsrisk avoids (Arrow throughout), also
    works with pandas 3 on a features frame: the same values come back."""
    feats = ar.build_features(
        sample_ledger.subset(sample_ledger.customers["customer_id"][:50]), AS_OF
    )
    flat = feats.reset_index()
    flat.attrs = {}
    for col in flat.columns:
        if isinstance(flat[col].dtype, pd.CategoricalDtype):
            flat[col] = flat[col].astype("str")
    df = spark.createDataFrame(pa.Table.from_pandas(flat, preserve_index=False))
    schema = df.schema
    from arrearsrisk.spark.session import quiet_pyspark

    with quiet_pyspark():
        back = df.groupBy("category").applyInPandas(lambda pdf: pdf, schema).toArrow()
    got = back.to_pandas().sort_values("customer_id", ignore_index=True)
    want = flat.sort_values("customer_id", ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_the_command_line_scores_with_spark_as_it_does_locally(spark, tmp_path):
    from click.testing import CliRunner

    from arrearsrisk.cli import main

    write_sample(tmp_path / "ledger", 300, months=24, seed=2, fmt="parquet")
    common = ["--data", str(tmp_path / "ledger"), "--as-of", "2024-10-31"]
    common += ["--model", str(SAMPLE_MODEL), "--lang", "en"]
    runner = CliRunner()
    local = runner.invoke(main, ["score", *common, "--out", str(tmp_path / "local.csv")])
    done = runner.invoke(
        main, ["score", *common, "--engine", "spark", "--out", str(tmp_path / "spark.csv")]
    )
    assert local.exit_code == 0, local.output
    assert done.exit_code == 0, done.output
    assert "with Spark" in done.output
    got = pd.read_csv(tmp_path / "spark.csv", dtype={"customer_id": str})
    want = pd.read_csv(tmp_path / "local.csv", dtype={"customer_id": str})
    _same_scores(got, want)
    refused = runner.invoke(
        main, ["score", *common, "--engine", "spark", "--customer", "C0001", "--out", "x.csv"]
    )
    assert refused.exit_code == 2
    assert "no --customer or --chunk-customers" in refused.output
