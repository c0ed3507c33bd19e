"""The main job end to end, and its champion: the new model is registered as the
challenger and scores only when :func:`arrearsrisk.tracking.promote` makes it the
champion; otherwise the champion kept scores.

Real MLflow (a SQLite store in a temporary folder), real LightGBM, a simulated ledger of
600 customers written as Parquet files.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import arrearsrisk as ar
from arrearsrisk.pipeline.job import run_job
from arrearsrisk.sample import write_sample

pytestmark = [
    pytest.mark.slow,  # trains models
    # the sample ledger has no high_hazard column: plans hold the disconnection procedure
    pytest.mark.filterwarnings("default:customers.*high_hazard:arrearsrisk.errors.LedgerWarning"),
]
NAME = "job"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    folder = tmp_path_factory.mktemp("job")
    write_sample(folder / "ledger", n_customers=600, months=30, fmt="parquet", seed=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder}/mlflow.db")
        mp.chdir(folder)
        yield SimpleNamespace(folder=folder, data=folder / "ledger")


def job(store: SimpleNamespace, out: str) -> ar.pipeline.job.JobResult:
    said: list[str] = []
    result = run_job(
        store.data,
        store.folder / out,
        model_dir=store.folder / out / "model",
        register_as=NAME,
        progress=False,
        say=said.append,
    )
    result.said = said  # type: ignore[attr-defined]
    return result


def aliases() -> dict[str, int]:
    return {a: int(v) for a, v in MlflowClient().get_registered_model(NAME).aliases.items()}


def test_the_job_promotes_the_first_model_then_keeps_an_identical_one_then_the_champion(store):
    first = job(store, "first")
    assert first.promotion.startswith(f"{NAME}@champion: promoted: no {NAME}@champion before")
    assert first.scored_with == ar.load_model(first.bundle).version
    assert aliases() == {"champion": 1, "challenger": 1}
    scores = pd.read_parquet(first.files["scores_parquet"])
    assert len(scores) == first.counts["customers"] > 0

    again = job(store, "again")  # same data, same seed: the same model
    assert "already" in again.promotion and again.scored_with == first.scored_with
    assert aliases() == {"champion": 1, "challenger": 1}  # no second registration
    assert len(MlflowClient().search_model_versions(f"name = '{NAME}'")) == 1

    # a champion of another seed, set by hand: the job's model cannot be compared with
    # it (no month is out of time for both), so the champion stays and scores
    ledger = ar.read_ledger(store.data)
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    other = ar.train(frame, seed=1, register_as=NAME, alias="champion")
    assert other.model.version != first.scored_with
    kept = job(store, "kept")
    assert kept.promotion.startswith(f"{NAME}@champion kept ({other.model.version}), which scores")
    assert kept.scored_with == other.model.version
    now = aliases()
    assert (now["champion"], now["challenger"]) == (2, 1)  # the job's model is version 1 again
    assert any("kept" in line for line in kept.said)
    # the scores are the champion's
    champion_scores = ar.score(ledger, kept.as_of, other.model, reasons="none")
    scored = pd.read_parquet(kept.files["scores_parquet"]).set_index("customer_id")
    pd.testing.assert_series_equal(
        scored["p_I"], champion_scores.set_index("customer_id")["p_I"], check_names=False
    )
