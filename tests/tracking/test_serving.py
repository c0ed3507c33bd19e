"""Serving: the pyfunc model of a tracked run takes customers' ledger rows and returns
the rows :func:`arrearsrisk.score` gives them, with a clear error for each bad record.

Three layers, real parts throughout:

* the request handling (:mod:`arrearsrisk.tracking.serving`) on the committed sample
  bundle: equal to ``ar.score`` / ``ar.score_account``, errors per record, peer
  contexts from a folder;
* the pyfunc model of a real tracked run (SQLite store in a temporary folder), loaded
  with ``mlflow.pyfunc.load_model``;
* ``mlflow models serve`` of that run as a subprocess on 127.0.0.1, a few bounded HTTP
  requests (no other network).
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import mlflow
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError, PeerContextWarning
from arrearsrisk.tracking import pyfunc, serving
from arrearsrisk.tracking.serving import (
    INPUT_COLUMNS,
    PARAM_DEFAULTS,
    PEERS_ENV,
    RESPONSE_COLUMNS,
    PeerSource,
    ledger_records,
    score_records,
)

AS_OF = "2025-09-30"
EARLIER = "2025-08-31"
MID_MONTH = "2025-10-15"  # 15 days after AS_OF: served by AS_OF's context, with a note
CUSTOMERS = 300  # trained on (the tracked run)
START_SECONDS = 120  # for the server to answer /ping
REQUEST_SECONDS = 60


def score_rows(scores: pd.DataFrame, ids: list[str]) -> list[dict[str, Any]]:
    """The rows of ``ar.score`` for ``ids`` as the served model returns them: ``as_of``
    as ISO text, ``None`` for NaN, empty notes and error."""
    rows = scores.set_index("customer_id").loc[ids].reset_index()
    out = []
    for row in rows.to_dict("records"):
        row = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        row["as_of"] = row["as_of"].date().isoformat()
        row["grade"] = str(row["grade"])
        out.append({**row, "notes": "", "error": ""})
    return out


def as_json(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records through JSON, as an HTTP client sends them."""
    return json.loads(json.dumps(records))


def handful(scores: pd.DataFrame) -> list[str]:
    """A warned customer, a Grade I, a Grade II and two Grade III ones."""
    by = scores.set_index("customer_id")
    warned = by.index[by["a_warning"]][:1].tolist()
    picks = [
        by.index[(by["grade"] == g) & ~by["a_warning"]][:n].tolist()
        for g, n in (("I", 1), ("II", 1), ("III", 2))
    ]
    ids = warned + [c for p in picks for c in p]
    assert len(ids) == 5
    return ids


@pytest.fixture(scope="module")
def contexts(sample_ledger) -> dict[str, ar.PeerContext]:
    return {t: ar.peer_context(sample_ledger, t) for t in (EARLIER, AS_OF)}


@pytest.fixture(scope="module")
def peers_dir(tmp_path_factory, contexts) -> Path:
    """A folder as the monthly batch fills it: the contexts of two month ends."""
    folder = tmp_path_factory.mktemp("peers")
    for t, ctx in contexts.items():
        ctx.save(folder / f"peers-{t}.json")
    return folder


@pytest.fixture(scope="module")
def batch(sample_ledger, sample_model, contexts) -> pd.DataFrame:
    return ar.score(sample_ledger, AS_OF, sample_model, lang="en", peers=contexts[AS_OF])


# --- the request handling, on the sample bundle -------------------------------------------


def test_records_score_as_the_batch_scores_them(sample_ledger, sample_model, batch, peers_dir):
    ids = handful(batch)
    records = as_json(ledger_records(sample_ledger, ids))
    got = score_records(
        sample_model, records, {"as_of": AS_OF, "lang": "en"}, PeerSource(peers_dir)
    )
    assert list(got.columns) == list(RESPONSE_COLUMNS)
    assert got.to_dict("records") == score_rows(batch, ids)
    assert set(got["grade"]) == {"I", "II", "III"} and got["a_warning"].any()


def test_records_score_as_score_account_does(sample_ledger, sample_model, contexts, peers_dir):
    ids = ["C0002", "C0010", "C0013"]
    records = as_json(ledger_records(sample_ledger, ids))
    got = score_records(
        sample_model, records, {"as_of": AS_OF, "reasons": "all", "top": 2}, PeerSource(peers_dir)
    )
    for record, row in zip(records, got.to_dict("records"), strict=True):
        want = ar.score_account(
            sample_model,
            AS_OF,
            record["customer"],
            record["bills"],
            record["payments"],
            peers=contexts[AS_OF],
            reasons="all",
            top=2,
        )
        assert row == {**want, "as_of": AS_OF, "notes": "", "error": ""}
        assert 1 <= len(row["reasons"].split("；")) <= 2  # Chinese by default


def test_a_record_may_carry_its_own_date(sample_ledger, sample_model, contexts, peers_dir):
    ids = ["C0010", "C0013"]
    records = as_json(ledger_records(sample_ledger, ids))
    records[0]["as_of"], records[1]["as_of"] = EARLIER, AS_OF
    got = score_records(sample_model, pd.DataFrame(records), None, PeerSource(peers_dir))
    for t, row in zip((EARLIER, AS_OF), got.to_dict("records"), strict=True):
        want = ar.score(
            sample_ledger.subset([row["customer_id"]]), t, sample_model, peers=contexts[t]
        )
        assert row == score_rows(want, [row["customer_id"]])[0]


def test_a_record_s_date_may_repeat_the_request_s(sample_ledger, sample_model, batch, peers_dir):
    record = {**as_json(ledger_records(sample_ledger, ["C0010"]))[0], "as_of": "2025-09"}
    got = score_records(
        sample_model, [record], {"as_of": AS_OF, "lang": "en"}, PeerSource(peers_dir)
    )
    assert got.to_dict("records") == score_rows(batch, ["C0010"])  # 2025-09 is 2025-09-30


def good(ledger: ar.Ledger) -> dict[str, Any]:
    return as_json(ledger_records(ledger, ["C0010"]))[0]


def bill(**changes: Any) -> dict[str, Any]:
    row = {
        "customer_id": "C1",
        "period": "2025-08",
        "issue_date": "2025-09-01",
        "due_date": "2025-09-15",
        "kwh": 5200.0,
        "amount": 4420.0,
    }
    return {**row, **changes}


CUSTOMER = {"customer_id": "C1", "category": "commercial", "region": "R01"}
BAD_RECORDS = {
    "no customer_id": (
        {"customer": {"category": "commercial"}, "bills": [], "payments": []},
        None,
        r"^customers: column 'customer_id' is required but missing\.",
    ),
    "a bad date": (
        {"customer": CUSTOMER, "bills": [bill(issue_date="2025-02-30")], "payments": []},
        "C1",
        r"^bills: column 'issue_date' has values that are not dates \(YYYY-MM-DD\)\.",
    ),
    "a category the schema lacks": (
        {"customer": {**CUSTOMER, "category": "shop"}, "bills": [], "payments": []},
        "C1",
        r"^customers: column 'category' has values outside the allowed set\.",
    ),
    "a bill of another customer": (
        {"customer": CUSTOMER, "bills": [bill(customer_id="C9")], "payments": []},
        "C1",
        r"^bills: column 'customer_id' has ids not found in customers\.customer_id\.",
    ),
    "not active yet": (
        {"customer": {**CUSTOMER, "opened": "2025-12-01"}, "bills": [], "payments": []},
        "C1",
        r"^customer C1 is not active at 2025-09-30: it opened later",
    ),
    "no customer": (
        {"bills": [], "payments": []},
        None,
        r"^'customer' is missing: give the customer's row as an object",
    ),
    "customer as text": (
        {"customer": "C1", "bills": [], "payments": []},
        None,
        r"^'customer' must be an object \(column name to value\), got str\.$",
    ),
    "no payments": (
        {"customer": CUSTOMER, "bills": []},
        "C1",
        r"^'payments' is missing: give the account's payments as a list of objects",
    ),
    "bills as an object": (
        {"customer": CUSTOMER, "bills": bill(), "payments": []},
        "C1",
        r"^'bills' must be a list of objects \(one per row\), got dict\.$",
    ),
    "a bill as text": (
        {"customer": CUSTOMER, "bills": ["2025-08"], "payments": []},
        "C1",
        r"^bills\[0\] must be an object \(column name to value\), got str\.$",
    ),
    "two dates": (
        {"customer": CUSTOMER, "bills": [], "payments": [], "as_of": EARLIER},
        "C1",
        r"^as_of given twice: '2025-08-31' in the record and '2025-09-30' in the parameters",
    ),
}


@pytest.mark.parametrize("name", list(BAD_RECORDS))
def test_a_bad_record_gets_its_error_and_the_others_their_scores(
    name, sample_ledger, sample_model, batch, peers_dir
):
    bad, cid, message = BAD_RECORDS[name]
    records = [good(sample_ledger), bad, good(sample_ledger)]
    got = score_records(
        sample_model, records, {"as_of": AS_OF, "lang": "en"}, PeerSource(peers_dir)
    )
    rows = got.to_dict("records")
    assert rows[0] == rows[2] == score_rows(batch, ["C0010"])[0]
    assert rows[1]["customer_id"] == cid
    assert re.match(message, rows[1]["error"]) and "Traceback" not in rows[1]["error"]
    assert all(
        rows[1][k] is None for k in RESPONSE_COLUMNS if k not in ("customer_id", "notes", "error")
    )


def test_a_record_without_a_good_date_is_refused(sample_ledger, sample_model, peers_dir):
    undated, june = good(sample_ledger), {**good(sample_ledger), "as_of": "June"}
    got = score_records(sample_model, [undated, june], {}, PeerSource(peers_dir))
    assert got["error"].tolist() == [
        'as_of is missing: give the scoring date in the request\'s parameters ({"params": '
        '{"as_of": "2025-09-30"}}) or in the record.',
        "as_of 'June' is not a date; pass e.g. '2024-06-30'.",
    ]
    assert got["customer_id"].tolist() == ["C0010", "C0010"] and got["grade"].isna().all()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lang": "fr"}, "lang must be one of ['zh', 'en'], got 'fr'."),
        ({"as_of": "June"}, "as_of 'June' is not a date; pass e.g. '2024-06-30'."),
        (
            {"reasons": "some"},
            "parameter reasons must be one of ['risky', 'all', 'none'], got 'some'.",
        ),
        ({"top": 0}, "parameter top must be a whole number >= 1, got 0."),
        ({"top": True}, "parameter top must be a whole number >= 1, got True."),
        (
            {"language": "en"},
            "unknown parameter(s) ['language']; known: ['as_of', 'lang', 'reasons', 'top'].",
        ),
    ],
)
def test_a_bad_parameter_is_every_record_s_error(
    params, message, sample_ledger, sample_model, peers_dir
):
    records = [good(sample_ledger), good(sample_ledger)]
    got = score_records(sample_model, records, {"as_of": AS_OF, **params}, PeerSource(peers_dir))
    assert got["error"].tolist() == [message, message]
    assert got["customer_id"].tolist() == ["C0010", "C0010"] and got["grade"].isna().all()


def test_no_records_no_rows_and_input_that_is_no_records(sample_model):
    empty = score_records(sample_model, pd.DataFrame(), {"as_of": AS_OF}, PeerSource("none"))
    assert list(empty.columns) == list(RESPONSE_COLUMNS) and empty.empty
    odd = score_records(sample_model, 42, {"as_of": AS_OF}, PeerSource("none"))
    assert odd["error"].tolist() == ["the input must be records (one per customer), got int."]


def test_a_dataframe_column_other_than_the_fields_is_ignored(
    sample_ledger, sample_model, peers_dir, batch
):
    frame = pd.DataFrame([good(sample_ledger)]).assign(note="hello")
    got = score_records(sample_model, frame, {"as_of": AS_OF, "lang": "en"}, PeerSource(peers_dir))
    assert got.to_dict("records") == score_rows(batch, ["C0010"])


# --- peer contexts --------------------------------------------------------------------------


def test_the_latest_context_on_or_before_the_date_serves_it(peers_dir, contexts):
    source = PeerSource(peers_dir)
    assert source.for_date(pd.Timestamp(AS_OF)) == contexts[AS_OF]
    assert source.for_date(pd.Timestamp("2025-09-29")) == contexts[EARLIER]
    assert source.for_date(pd.Timestamp(MID_MONTH)) == contexts[AS_OF]


def test_a_lagging_context_serves_with_a_note(sample_ledger, sample_model, contexts, peers_dir):
    records = as_json(ledger_records(sample_ledger, ["C0010"]))
    got = score_records(
        sample_model, records, {"as_of": MID_MONTH, "lang": "en"}, PeerSource(peers_dir)
    )
    with pytest.warns(PeerContextWarning, match=r"computed as of 2025-09-30 and serve"):
        want = ar.score(
            sample_ledger.subset(["C0010"]),
            MID_MONTH,
            sample_model,
            lang="en",
            peers=contexts[AS_OF],
        )
    row = got.to_dict("records")[0]
    assert row["notes"].startswith(
        "peers were computed as of 2025-09-30 and serve features as of 2025-10-15 (15 days later)."
    )
    assert {**row, "notes": ""} == score_rows(want, ["C0010"])[0]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (
            "2025-11-30",
            r"^the latest peer context on or before 2025-11-30 in .* is of 2025-09-30, "
            r"61 days earlier: more than the 31 days a peer context serves\.",
        ),
        (
            "2025-07-31",
            r"^no peer context on or before 2025-07-31 in .*: the earliest is of "
            r"2025-08-31, and a context after the scoring date would see the future\.",
        ),
    ],
)
def test_a_date_no_context_serves_is_refused(as_of, message, peers_dir):
    with pytest.raises(ArrearsRiskError, match=message):
        PeerSource(peers_dir).for_date(pd.Timestamp(as_of))


def test_the_refusal_is_the_record_s_error(sample_ledger, sample_model, peers_dir):
    got = score_records(
        sample_model, [good(sample_ledger)], {"as_of": "2025-11-30"}, PeerSource(peers_dir)
    )
    assert "more than the 31 days a peer context serves" in got.loc[0, "error"]


def test_a_context_saved_later_is_read_without_a_restart(tmp_path, contexts):
    source = PeerSource(tmp_path)
    with pytest.raises(
        ArrearsRiskError, match=r"^no peer context in .*: the folder holds no \*\.json"
    ):
        source.for_date(pd.Timestamp(AS_OF))
    contexts[EARLIER].save(tmp_path / "a.json")
    assert source.for_date(pd.Timestamp(AS_OF)) == contexts[EARLIER]
    contexts[AS_OF].save(tmp_path / "b.json")
    assert source.for_date(pd.Timestamp(AS_OF)) == contexts[AS_OF]
    contexts[EARLIER].save(tmp_path / "b.json")  # replaced: read again
    (tmp_path / "a.json").unlink()
    assert source.for_date(pd.Timestamp(AS_OF)) == contexts[EARLIER]


def test_a_file_that_is_no_context_is_named(tmp_path, contexts):
    contexts[AS_OF].save(tmp_path / "peers.json")
    (tmp_path / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ArrearsRiskError, match=r"^peer context file .*notes\.json: "):
        PeerSource(tmp_path).for_date(pd.Timestamp(AS_OF))


def test_one_file_serves_as_a_folder_does(peers_dir, contexts):
    source = PeerSource(peers_dir / f"peers-{AS_OF}.json")
    assert source.for_date(pd.Timestamp(MID_MONTH)) == contexts[AS_OF]
    with pytest.raises(ArrearsRiskError, match=r"^no peer context on or before 2025-09-29"):
        source.for_date(pd.Timestamp("2025-09-29"))


def test_without_a_context_records_are_refused_with_the_way_out(
    sample_ledger, sample_model, monkeypatch
):
    monkeypatch.delenv(PEERS_ENV, raising=False)
    got = score_records(sample_model, [good(sample_ledger)], {"as_of": AS_OF})
    assert got.loc[0, "error"].startswith("no peer context is configured for this model")
    assert f"set {PEERS_ENV}" in got.loc[0, "error"]


def test_none_scores_each_account_as_its_own_peer_group(sample_ledger, sample_model):
    record = good(sample_ledger)
    got = score_records(sample_model, [record], {"as_of": AS_OF}, PeerSource(" none "))
    want = ar.score_account(
        sample_model, AS_OF, record["customer"], record["bills"], record["payments"]
    )
    assert got.to_dict("records") == [{**want, "as_of": AS_OF, "notes": "", "error": ""}]


def test_the_configured_source_model_config_first(tmp_path, monkeypatch, peers_dir):
    monkeypatch.setenv(PEERS_ENV, str(peers_dir))
    assert PeerSource.configured().location == peers_dir.resolve()
    assert PeerSource.configured({"peers": ""}).location == peers_dir.resolve()
    assert PeerSource.configured({"peers": "none"}).location == "none"
    monkeypatch.setenv(PEERS_ENV, "")
    assert PeerSource.configured().location is None
    with pytest.raises(
        ArrearsRiskError, match=r"^peer context location .*missing does not exist\."
    ):
        PeerSource.configured({"peers": str(tmp_path / "missing")})


def test_ledger_records_are_the_ledger_s_rows(sample_ledger):
    records = ledger_records(sample_ledger, ["C0013", "C0002"])
    assert [r["customer"]["customer_id"] for r in records] == ["C0013", "C0002"]
    back = ar.Ledger(
        customers=pd.DataFrame([r["customer"] for r in records]),
        bills=pd.DataFrame([b for r in records for b in r["bills"]]),
        payments=pd.DataFrame([p for r in records for p in r["payments"]]),
    )
    want = sample_ledger.subset(["C0013", "C0002"])
    for name in ("customers", "bills", "payments"):
        a = (
            getattr(back, name)
            .sort_values(list(getattr(back, name).columns[:3]))
            .reset_index(drop=True)
        )
        b = (
            getattr(want, name)
            .sort_values(list(getattr(want, name).columns[:3]))
            .reset_index(drop=True)
        )
        pd.testing.assert_frame_equal(a, b[a.columns], check_dtype=False)
    with pytest.raises(
        ArrearsRiskError, match=r"^customer\(s\) not in the ledger: \['nobody'\]\.$"
    ):
        ledger_records(sample_ledger, ["nobody"])


# --- the pyfunc model of a tracked run ------------------------------------------------------


@pytest.fixture(scope="module")
def tracked(tmp_path_factory, sample_ledger) -> Iterator[SimpleNamespace]:
    """One tracked training on the sample's first customers; MLflow points at its store."""
    folder = tmp_path_factory.mktemp("serving")
    ledger = sample_ledger.subset(sorted(sample_ledger.customers["customer_id"])[:CUSTOMERS])
    frame = ar.training_frame(ledger, ar.monthly_cutoffs(ledger))
    uri = f"sqlite:///{folder}/mlflow.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.delenv(PEERS_ENV, raising=False)
        mp.chdir(folder)
        result = ar.train(frame, params={"num_threads": 1}, num_boost_round=30)
        yield SimpleNamespace(
            folder=folder, result=result, uri=f"runs:/{result.run_id}/model", tracking_uri=uri
        )


@pytest.fixture(scope="module")
def tracked_batch(tracked, sample_ledger, contexts) -> dict[str, pd.DataFrame]:
    model = tracked.result.model
    return {
        lang: ar.score(sample_ledger, AS_OF, model, lang=lang, peers=contexts[AS_OF])
        for lang in ("zh", "en")
    }


@pytest.mark.slow
def test_the_pyfunc_of_a_run_scores_as_score_does(tracked, tracked_batch, sample_ledger, peers_dir):
    model = mlflow.pyfunc.load_model(tracked.uri, model_config={"peers": str(peers_dir)})
    ids = handful(tracked_batch["en"])
    records = as_json(ledger_records(sample_ledger, ids))
    got = model.predict(pd.DataFrame(records), params={"as_of": AS_OF, "lang": "en"})
    assert got.to_dict("records") == score_rows(tracked_batch["en"], ids)
    chinese = model.predict(pd.DataFrame(records), params={"as_of": AS_OF})
    assert chinese.to_dict("records") == score_rows(tracked_batch["zh"], ids)
    assert chinese.loc[0, "model_version"] == tracked.result.model.version


@pytest.mark.slow
def test_the_pyfunc_signature_names_records_params_and_columns(tracked):
    meta = mlflow.pyfunc.load_model(tracked.uri).metadata
    assert meta.get_input_schema().input_names() == list(INPUT_COLUMNS)
    assert meta.get_output_schema().input_names() == list(RESPONSE_COLUMNS)
    params = {p.name: p.default for p in meta.get_params_schema().params}
    assert params == PARAM_DEFAULTS
    folder = Path(mlflow.artifacts.download_artifacts(tracked.uri))
    example = json.loads((folder / "serving_input_example.json").read_text())
    assert example["params"] == pyfunc.EXAMPLE_PARAMS


@pytest.mark.slow
def test_the_pyfunc_reads_the_environment_s_peers(
    tracked, monkeypatch, sample_ledger, peers_dir, tracked_batch
):
    monkeypatch.setenv(PEERS_ENV, str(peers_dir))
    model = mlflow.pyfunc.load_model(tracked.uri)
    got = model.predict(pd.DataFrame([good(sample_ledger)]), params={"as_of": AS_OF, "lang": "en"})
    assert got.to_dict("records") == score_rows(tracked_batch["en"], ["C0010"])
    monkeypatch.setenv(PEERS_ENV, str(peers_dir / "missing"))
    with pytest.raises(ArrearsRiskError, match=r"^peer context location .*missing does not exist"):
        mlflow.pyfunc.load_model(tracked.uri)


# --- mlflow models serve ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def strict_json(text: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def post(url: str, body: Any) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with _LOCAL.open(request, timeout=REQUEST_SECONDS) as response:
            return response.status, strict_json(response.read())
    except urllib.error.HTTPError as err:
        return err.code, strict_json(err.read())


@pytest.fixture(scope="module")
def server(tracked, peers_dir) -> Iterator[str]:
    """``mlflow models serve`` of the tracked run on 127.0.0.1, stopped at the end."""
    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracked.tracking_uri,
        PEERS_ENV: str(peers_dir),
        "OMP_NUM_THREADS": "1",
        # --env-manager local runs `uvicorn` from PATH: this interpreter's
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("MLFLOW_PYFUNC_INFERENCE_CONFIG", None)
    log = tracked.folder / f"server-{port}.log"
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        tracked.uri,
        "--env-manager",
        "local",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=tracked.folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"mlflow models serve exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with _LOCAL.open(f"{base}/ping", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"mlflow models serve did not answer /ping in {START_SECONDS} s:\n"
                    f"{log.read_text()[-5000:]}"
                )
            time.sleep(0.5)
        yield f"{base}/invocations"
    finally:  # the server and its uvicorn child: their own process group
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)


@pytest.mark.slow
def test_the_server_scores_one_customer(server, sample_ledger, tracked_batch):
    record = good(sample_ledger)
    status, body = post(
        server, {"dataframe_records": [record], "params": {"as_of": AS_OF, "lang": "en"}}
    )
    assert status == 200
    assert body == {"predictions": score_rows(tracked_batch["en"], ["C0010"])}


@pytest.mark.slow
def test_the_server_scores_several_and_refuses_the_bad_one_alone(
    server, sample_ledger, tracked_batch
):
    ids = handful(tracked_batch["zh"])
    records = ledger_records(sample_ledger, ids)
    bad = {"customer": {"category": "commercial"}, "bills": [], "payments": []}
    status, body = post(
        server, {"dataframe_records": [*records[:2], bad, *records[2:]], "params": {"as_of": AS_OF}}
    )
    assert status == 200
    rows = body["predictions"]
    want = score_rows(tracked_batch["zh"], ids)
    assert rows[:2] + rows[3:] == want
    assert rows[2] == {
        **dict.fromkeys(RESPONSE_COLUMNS),
        "notes": "",
        "error": "customers: column 'customer_id' is required but missing.\n"
        "  hint: expected: account key.",
    }


@pytest.mark.slow
def test_the_server_s_errors_hold_no_stack_trace(server, sample_ledger):
    record = good(sample_ledger)
    bodies = []
    status, body = post(server, {"dataframe_records": [record], "params": {"as_of": "2026-06-30"}})
    assert status == 200 and body["predictions"][0]["error"].startswith(
        "the latest peer context on or before 2026-06-30"
    )
    bodies.append(body)
    status, body = post(server, {"dataframe_records": [record], "params": {"top": "x"}})
    assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Invalid parameters found" in body["message"] and "'top'" in body["message"]
    bodies.append(body)
    status, body = post(server, b'{"dataframe_records": [')
    assert status == 400 and body["error_code"] == "BAD_REQUEST"
    bodies.append(body)
    for body in bodies:
        assert "stack_trace" not in json.dumps(body) and "Traceback" not in json.dumps(body)


# --- a bug is no stack trace either --------------------------------------------------------


def test_an_unexpected_failure_of_one_account_is_its_error(
    sample_ledger, sample_model, batch, peers_dir, monkeypatch, caplog
):
    real = serving.score_account

    def fails_on_c1(model, as_of, customer, *args, **kwargs):
        if customer["customer_id"] == "C1":
            raise RuntimeError("boom")
        return real(model, as_of, customer, *args, **kwargs)

    monkeypatch.setattr(serving, "score_account", fails_on_c1)
    records = [good(sample_ledger), {"customer": CUSTOMER, "bills": [], "payments": []}]
    got = score_records(
        sample_model, records, {"as_of": AS_OF, "lang": "en"}, PeerSource(peers_dir)
    )
    assert got.to_dict("records")[0] == score_rows(batch, ["C0010"])[0]
    assert got.loc[1, "error"] == (
        "internal error while scoring this account (RuntimeError: boom); the server's log has "
        "the details."
    )
    assert "Traceback" in caplog.text and "record 1 (customer C1) failed" in caplog.text


def test_an_unexpected_failure_of_a_request_is_an_mlflow_error_without_trace(
    sample_model, monkeypatch
):
    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(pyfunc, "score_records", broken)
    model = pyfunc.RiskModelPyfunc()
    model.model, model.peers = sample_model, PeerSource("none")
    with pytest.raises(
        MlflowException,
        match=r"^internal error while scoring the request "
        r"\(KeyError\); the server's log has the details\.$",
    ) as caught:
        model.predict(None, pd.DataFrame(), {})
    assert caught.value.get_http_status_code() == 500
    assert "stack_trace" not in caught.value.serialize_as_json()
