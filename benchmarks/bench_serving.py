"""Benchmark: the MLflow serving round trip, ``mlflow models serve`` of a tracked run.

Run ``python benchmarks/bench_serving.py [--sizes 1 10 100 200] [--repeats 5]
[--as-of 2025-09-30] [--lang en] [--customers N] [--rounds R]`` (with
``OMP_NUM_THREADS=1``; the server gets it too).

1. Setup, in a temporary folder: ``ar.read_ledger("data/sample")``; a tracked
   ``ar.train`` (``params={"num_threads": 1}``) on the whole sample, as ``make run``
   trains the champion (``--customers 300 --rounds 30``: the smaller model of the
   ``tracked`` fixture of ``tests/tracking/test_serving.py``) into a SQLite MLflow
   store there; the peer context of ``--as-of`` saved
   into a peers folder; then ``python -m mlflow models serve -m runs:/<id>/model
   --env-manager local -h 127.0.0.1`` on a free port with ``ARREARSRISK_PEERS`` naming
   that folder.  The server's start (until ``/ping`` answers 200) is timed.
2. Requests: for each of ``--sizes``, the records (``ledger_records``) of that many
   sample customers active at ``--as-of``, POSTed to ``/invocations`` as
   ``{"dataframe_records": [...], "params": {"as_of": ..., "lang": ...}}``: one warm-up
   request, then ``--repeats`` timed ones (wall time from sending the encoded body to
   the decoded answer): median and max per request, and per customer.  Every answer is
   checked: HTTP 200, and each row equal to the customer's row of ``ar.score(ledger,
   as_of, model, peers=ctx, lang=...)`` with the trained ``RiskModel`` (grade, reasons
   and every other value equal, numbers within 1e-12); "equal" is printed, else the
   benchmark stops with the first difference.
3. The references, in the same run and on the same records: the in-process
   ``score_records(model, records, params, PeerSource(peers folder))`` (median per
   request; its rows are checked too) and ``ar.score_account`` of each record (median
   per customer), so the print shows what HTTP, JSON and MLflow add to a request.

The server is always stopped (its process group), and the load average is printed at
the start and the end: on the shared 2-core machine other jobs change the figures.

Goals: none to pass or fail.  docs/serving.md's "Speed and limits" quotes this
benchmark's figures (before the speed-up of ``ar.score_account`` they were measured by
hand: one customer 48 to 58 ms a request, 200 customers 3.7 s, 16 to 18 ms a customer);
for 100 customers and more, what a request adds to its ``score_account`` calls should
stay a small share of it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "sample"
NUMBER_TOLERANCE = 1e-12
PROBABILITIES = ("p_I", "p_II", "p_III", "p_warning")

_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


class Mismatch(AssertionError):
    """A served row differs from the batch's, or the server answered other than 200."""


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now.

    Returns
    -------
    int
        The port number.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _strict_json(text: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def post(url: str, data: bytes, timeout: float) -> tuple[int, Any, float]:
    """POST a JSON body to the server, never through a proxy.

    Parameters
    ----------
    url : str
        The ``/invocations`` URL.
    data : bytes
        The encoded JSON body.
    timeout : float
        Seconds to wait for the answer.

    Returns
    -------
    tuple of (int, object, float)
        The HTTP status, the decoded answer and the wall time in seconds (from sending
        the body to the decoded answer).
    """
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    t0 = time.perf_counter()
    try:
        with _LOCAL.open(request, timeout=timeout) as response:
            status, body = response.status, _strict_json(response.read())
    except urllib.error.HTTPError as err:
        status, body = err.code, _strict_json(err.read())
    return status, body, time.perf_counter() - t0


def score_rows(scores: pd.DataFrame, ids: list[str]) -> list[dict[str, Any]]:
    """The rows of ``ar.score`` for ``ids`` as the served model returns them.

    Parameters
    ----------
    scores : pandas.DataFrame
        ``ar.score``'s result.
    ids : list of str
        The customers, in the request's order.

    Returns
    -------
    list of dict
        One row per customer: ``as_of`` as ISO text, ``None`` for NaN, empty ``notes``
        and ``error``.
    """
    rows = scores.set_index("customer_id").loc[ids].reset_index()
    out = []
    for row in rows.to_dict("records"):
        row = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        row["as_of"] = row["as_of"].date().isoformat()
        row["grade"] = str(row["grade"])
        out.append({**row, "notes": "", "error": ""})
    return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_rows(got: list[dict[str, Any]], want: list[dict[str, Any]], where: str) -> float:
    """Check served rows against the batch's, value for value.

    Parameters
    ----------
    got : list of dict
        The rows the server (or ``score_records``) gave.
    want : list of dict
        :func:`score_rows` of the same customers.
    where : str
        What is checked, for the message.

    Returns
    -------
    float
        The largest difference of a probability.

    Raises
    ------
    Mismatch
        At the first difference: another row count, customer, column or value (numbers
        more than 1e-12 apart, relative for the amounts).
    """
    if len(got) != len(want):
        raise Mismatch(f"{where}: {len(got)} rows for {len(want)} records")
    worst = 0.0
    for i, (row, ref) in enumerate(zip(got, want, strict=True)):
        if set(row) != set(ref):
            raise Mismatch(
                f"{where}, row {i}: columns {sorted(row)} differ from ar.score's {sorted(ref)}"
            )
        for key, expected in ref.items():
            value = row[key]
            if _number(value) and _number(expected):
                same = math.isclose(
                    value, expected, rel_tol=NUMBER_TOLERANCE, abs_tol=NUMBER_TOLERANCE
                )
                if key in PROBABILITIES:
                    worst = max(worst, abs(value - expected))
            else:
                same = value == expected
            if not same:
                raise Mismatch(
                    f"{where}, row {i} (customer {ref['customer_id']}): {key} is {value!r}, "
                    f"ar.score gives {expected!r}"
                )
    return worst


def train_tracked(
    ledger: Any, folder: Path, customers: int, rounds: int | None
) -> tuple[Any, str, str]:
    """A tracked ``ar.train`` on the sample's first customers, into ``folder``'s store.

    Parameters
    ----------
    ledger : Ledger
        The sample ledger.
    folder : Path
        The temporary folder: ``mlflow.db`` and ``mlruns`` land there.
    customers : int
        Trained on the first this many customers (0: all).
    rounds : int or None
        ``num_boost_round`` (None: ``ar.train``'s default, as ``make run`` trains).

    Returns
    -------
    tuple of (TrainResult, str, str)
        The training's result, the tracking URI and the model's ``runs:/`` URI.
    """
    import arrearsrisk as ar
    from arrearsrisk.tracking.serving import PEERS_ENV

    ids = sorted(ledger.customers["customer_id"])
    part = ledger.subset(ids[:customers]) if customers else ledger
    frame = ar.training_frame(part, ar.monthly_cutoffs(part))
    uri = f"sqlite:///{folder}/mlflow.db"
    os.environ["MLFLOW_TRACKING_URI"] = uri
    os.environ.pop(PEERS_ENV, None)
    here = Path.cwd()
    os.chdir(folder)
    try:
        extra = {} if rounds is None else {"num_boost_round": rounds}
        result = ar.train(frame, params={"num_threads": 1}, **extra)
    finally:
        os.chdir(here)
    return result, uri, f"runs:/{result.run_id}/model"


def start_server(
    model_uri: str, tracking_uri: str, peers: Path, folder: Path, start_seconds: float
) -> tuple[subprocess.Popen[bytes], str, float]:
    """Start ``mlflow models serve`` on 127.0.0.1 and wait for ``/ping``.

    Parameters
    ----------
    model_uri : str
        The ``runs:/`` URI of the model.
    tracking_uri : str
        The MLflow store the model was logged to.
    peers : Path
        The peer contexts' folder (``ARREARSRISK_PEERS``).
    folder : Path
        The working folder; the server's log is written there.
    start_seconds : float
        Seconds at most to wait for ``/ping``.

    Returns
    -------
    tuple of (subprocess.Popen, str, float)
        The server's process (leader of its own process group: stop it with
        :func:`stop_server`), the ``/invocations`` URL and the seconds until ``/ping``
        answered 200.

    Raises
    ------
    RuntimeError
        If the server exits or does not answer in time (with its log's tail); it is
        stopped first.
    """
    from arrearsrisk.tracking.serving import PEERS_ENV

    port = free_port()
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracking_uri,
        PEERS_ENV: str(peers),
        "OMP_NUM_THREADS": "1",
        # --env-manager local runs `uvicorn` from PATH: this interpreter's
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("MLFLOW_PYFUNC_INFERENCE_CONFIG", None)
    log = folder / f"server-{port}.log"
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "models",
        "serve",
        "-m",
        model_uri,
        "--env-manager",
        "local",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    t0 = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + start_seconds
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"mlflow models serve exited ({proc.returncode}); its log's end:\n"
                    f"{log.read_text(errors='replace')[-5000:]}"
                )
            try:
                with _LOCAL.open(f"{base}/ping", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"mlflow models serve did not answer /ping in {start_seconds:.0f} s; its "
                    f"log's end:\n{log.read_text(errors='replace')[-5000:]}"
                )
            time.sleep(0.25)
    except BaseException:
        stop_server(proc)
        raise
    return proc, f"{base}/invocations", time.perf_counter() - t0


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server and its uvicorn child: their own process group.

    Parameters
    ----------
    proc : subprocess.Popen
        The process :func:`start_server` started.
    """
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)


def bench_size(
    n: int,
    url: str,
    *,
    ledger: Any,
    ids: list[str],
    model: Any,
    ctx: Any,
    peers: Path,
    batch: pd.DataFrame,
    as_of: str,
    lang: str,
    repeats: int,
    timeout: float,
) -> dict[str, float]:
    """Time and check the requests of ``n`` customers, and the references.

    Parameters
    ----------
    n : int
        Customers per request.
    url : str
        The server's ``/invocations`` URL.
    ledger, ids, model, ctx, peers, batch
        The sample ledger, its customers active at ``as_of`` (the first ``n`` are sent),
        the trained ``RiskModel``, the peer context, its folder and ``ar.score``'s rows.
    as_of, lang : str
        The request's parameters.
    repeats : int
        Timed requests (after one warm-up).
    timeout : float
        Seconds to wait for an answer.

    Returns
    -------
    dict
        Medians in seconds: ``request``, ``in_process`` and ``account`` (per customer).

    Raises
    ------
    Mismatch
        If an answer is not 200 or a row differs from ``ar.score``'s.
    """
    import arrearsrisk as ar
    from arrearsrisk.tracking.serving import PeerSource, ledger_records, score_records

    chosen = ids[:n]
    records = json.loads(json.dumps(ledger_records(ledger, chosen)))  # as a client sends
    params = {"as_of": as_of, "lang": lang}
    data = json.dumps({"dataframe_records": records, "params": params}).encode("utf-8")
    want = score_rows(batch, chosen)

    walls, worst = [], 0.0
    for i in range(repeats + 1):  # the first is the warm-up
        status, body, wall = post(url, data, timeout)
        where = f"request {i} of {n} customers" + (" (warm-up)" if i == 0 else "")
        if status != 200:
            raise Mismatch(f"{where}: HTTP {status}: {json.dumps(body)[:2000]}")
        if not isinstance(body, dict) or "predictions" not in body:
            raise Mismatch(f"{where}: no 'predictions' in the answer: {json.dumps(body)[:2000]}")
        worst = max(worst, check_rows(body["predictions"], want, where))
        if i:
            walls.append(wall)

    source = PeerSource(peers)
    local = []
    for i in range(repeats + 1):
        t0 = time.perf_counter()
        got = score_records(model, records, params, source)
        if i:
            local.append(time.perf_counter() - t0)
        check_rows(got.to_dict("records"), want, f"in-process score_records of {n} customers")

    account = []
    for i in range(repeats + 1):
        for record in records:
            t0 = time.perf_counter()
            ar.score_account(
                model,
                as_of,
                record["customer"],
                record["bills"],
                record["payments"],
                peers=ctx,
                lang=lang,
            )
            if i:
                account.append(time.perf_counter() - t0)

    request, in_process = statistics.median(walls), statistics.median(local)
    per_account = statistics.median(account)
    overhead = request - in_process
    print(
        f"{n} customer(s) a request (body {len(data) / 1024:,.0f} kB), {repeats} timed after "
        f"a warm-up: {repeats + 1} answers HTTP 200 and equal to ar.score "
        f"(largest probability difference {worst:.1e})"
    )
    print(
        f"  HTTP round trip            median {_ms(request)}, max {_ms(max(walls))}; "
        f"per customer median {_ms(request / n)}, max {_ms(max(walls) / n)}"
    )
    print(
        f"  in process score_records   median {_ms(in_process)}; per customer {_ms(in_process / n)}"
    )
    print(
        f"  ar.score_account           median {_ms(per_account)} per customer "
        f"(x {n} = {_ms(per_account * n).strip()})"
    )
    print(
        f"  HTTP + JSON + MLflow       {_ms(overhead)} of the request's median "
        f"({overhead / request:.0%})"
    )
    return {"request": request, "in_process": in_process, "account": per_account}


def main() -> None:
    """Run the benchmark (arguments: see ``--help``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 200])
    parser.add_argument("--repeats", type=int, default=5, help="timed requests per size")
    parser.add_argument("--as-of", default="2025-09-30")
    parser.add_argument("--lang", default="en", choices=["zh", "en"])
    parser.add_argument("--start-seconds", type=float, default=180, help="wait for /ping")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a request")
    parser.add_argument(
        "--customers", type=int, default=0, help="train on the first N customers (0: all)"
    )
    parser.add_argument(
        "--rounds", type=int, default=None, help="num_boost_round (default: ar.train's)"
    )
    args = parser.parse_args()
    if args.repeats < 1 or min(args.sizes) < 1:
        parser.error("--repeats and --sizes must be >= 1")
    print(f"machine: {os.cpu_count()} cores, load average {_load()} at start")

    import arrearsrisk as ar

    warnings.simplefilter("ignore", ar.LedgerWarning)
    ledger = ar.read_ledger(DATA)
    with tempfile.TemporaryDirectory(prefix="bench_serving-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        result, tracking_uri, model_uri = train_tracked(ledger, folder, args.customers, args.rounds)
        trees = sum(result.model.tree(t).n_trees for t in ("grade_I", "grade_I_II", "warning"))
        print(
            f"setup: tracked ar.train on {args.customers or 'all'} customers "
            f"({trees} trees in the three boosters) {time.perf_counter() - t0:.1f} s, "
            f"{model_uri}"
        )
        model = result.model
        ctx = ar.peer_context(ledger, args.as_of)
        peers = folder / "peers"
        peers.mkdir()
        ctx.save(peers / f"peers-{args.as_of}.json")
        batch = ar.score(ledger, args.as_of, model, peers=ctx, lang=args.lang)
        ids = list(batch["customer_id"])
        if max(args.sizes) > len(ids):
            parser.error(f"--sizes: only {len(ids)} customers are active at {args.as_of}")

        proc, url, started = start_server(
            model_uri, tracking_uri, peers, folder, args.start_seconds
        )
        try:
            print(
                f"server: mlflow models serve answered /ping {started:.1f} s after its start "
                f"({url}, OMP_NUM_THREADS=1)"
            )
            print(
                f"requests: records of the sample's customers active at {args.as_of}, "
                f"lang {args.lang!r}, model {model.version}"
            )
            found = {
                n: bench_size(
                    n,
                    url,
                    ledger=ledger,
                    ids=ids,
                    model=model,
                    ctx=ctx,
                    peers=peers,
                    batch=batch,
                    as_of=args.as_of,
                    lang=args.lang,
                    repeats=args.repeats,
                    timeout=args.timeout,
                )
                for n in args.sizes
            }
        finally:
            stop_server(proc)
    print(
        "summary (median a request, HTTP and JSON included): "
        + ", ".join(
            f"{n} customer(s) {_ms(f['request']).strip()} ({_ms(f['request'] / n).strip()} a "
            f"customer; score_account {_ms(f['account']).strip()})"
            for n, f in found.items()
        )
    )
    print(f"machine: load average {_load()} at the end")


if __name__ == "__main__":
    main()
