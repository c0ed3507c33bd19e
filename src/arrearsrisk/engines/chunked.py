"""Any size on one machine: a Parquet ledger folder scored (or turned into a training
frame) in buckets of customers, with a bounded peak and the output written as it goes.

Three passes, each over one bucket of customers at a time:

1. **Partition** (streamed): the rows of ``customers``, ``bills`` and ``payments`` are
   read in record batches and written to ``<out>/_buckets/<table>/bucket=<k>/``, the
   bucket ``k`` of a row being a fixed hash of its ``customer_id`` (the same in every
   run and on every machine).  A customer's rows all land in one bucket, so every
   ledger rule (keys, foreign keys, dates; :mod:`arrearsrisk.ledger.validation`) is
   checked exactly as :func:`arrearsrisk.read_ledger` checks the whole ledger.
2. **Peers**: each bucket is read as a :class:`~arrearsrisk.Ledger` and its
   :class:`~arrearsrisk.PeerContext` (counts per industry, region and group) saved;
   the contexts add up to the whole portfolio's (:meth:`PeerContext.merge`).
3. **Work**: each bucket is scored (:func:`arrearsrisk.score`) or framed
   (:func:`arrearsrisk.training_frame`) with the merged peers and written to
   ``<out>/part-<k>.parquet``.

Memory is that of one bucket (``chunk_customers`` customers, default 200,000) plus the
record batches of pass 1, whatever the size of the ledger.  A run is **resumable**:
``<out>/_run.json`` records what the run is (input files with sizes and modification
times, the date(s), model version, options); a new run with the same record skips the
passes and buckets already done (each part is written to a temporary name, then
renamed), and one with another record refuses to mix its output with the old.  The
output folder is a Parquet dataset: ``pandas.read_parquet(out)`` or Spark read it.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> import pandas as pd
>>> import arrearsrisk as ar
>>> from arrearsrisk.engines.chunked import score_parquet
>>> folder = Path(tempfile.mkdtemp())
>>> from arrearsrisk.sample import write_sample
>>> _ = write_sample(folder / "ledger", 300, months=24, fmt="parquet")
>>> run = score_parquet(folder / "ledger", "2024-12-31", "models/sample", folder / "out",
...                     chunk_customers=100)
>>> run.buckets, len(pd.read_parquet(folder / "out")) == run.rows
(3, True)
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from tqdm import tqdm

from arrearsrisk.errors import ArrearsRiskError, LedgerError
from arrearsrisk.features.build import peer_context
from arrearsrisk.features.peer_context import PeerContext
from arrearsrisk.ledger.headers import match_headers
from arrearsrisk.ledger.reading import read_tables
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf, parse_as_of

__all__ = [
    "CHUNK_CUSTOMERS",
    "ChunkedRun",
    "bucket_of",
    "score_parquet",
    "training_frame_parquet",
]

CHUNK_CUSTOMERS = 200_000
"""Customers per bucket by default: about 2 GiB of peak memory when scoring 36 months
(``benchmarks/bench_chunked.py``)."""

BATCH_ROWS = 262_144
"""Rows per record batch in the partition pass."""

GROUP_ROWS = 32_768
"""Rows per Parquet row group of a bucket's files (each open bucket file buffers up to
this many rows in the partition pass)."""

RUN_FILE = "_run.json"
BUCKETS = "_buckets"
_FORMAT = 1


def bucket_of(customer_ids: pa.Array | pa.ChunkedArray | np.ndarray, buckets: int) -> np.ndarray:
    """The bucket (``0 .. buckets - 1``) of each customer id: a fixed hash of the id's
    text, the same in every run, process and machine.

    Examples
    --------
    >>> bucket_of(np.array(["C0001", "C0002", "C0001"]), 4).tolist()
    [1, 2, 1]
    """
    if isinstance(customer_ids, pa.ChunkedArray | pa.Array):
        text = customer_ids.cast(pa.string()).to_numpy(zero_copy_only=False)
    else:
        text = np.asarray(customer_ids)
    hashed = pd.util.hash_array(np.asarray(text, dtype=object).astype(str).astype(object))
    return (hashed % np.uint64(buckets)).astype(np.int32)


@dataclass
class ChunkedRun:
    """What :func:`score_parquet` or :func:`training_frame_parquet` did.

    Attributes
    ----------
    out : pathlib.Path
        The output folder (a Parquet dataset of ``part-<k>.parquet``).
    buckets : int
        Buckets of customers.
    rows : int
        Rows written in all (this run and the resumed parts).
    resumed : int
        Buckets found done by an earlier run and skipped.
    seconds : dict of str to float
        Time per pass (``partition``, ``peers``, ``work``) in this run.
    """

    out: Path
    buckets: int
    rows: int = 0
    resumed: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _table_path(folder: Path, name: str) -> Path:
    """The Parquet file or folder of table ``name`` (``NAME.parquet``, or ``NAME/``)."""
    found = [
        p
        for p in sorted(folder.iterdir())
        if p.name.casefold() in (f"{name}.parquet", name)
        and (p.is_dir() or p.name.casefold().endswith(".parquet"))
    ]
    if not found:
        others = sorted(p.name for p in folder.iterdir() if p.name.casefold().startswith(name))
        hint = (
            f"found {', '.join(others)}: the chunked path reads Parquet only; convert the "
            "table (e.g. pyarrow.csv.read_csv then pyarrow.parquet.write_table)."
            if others
            else "a ledger folder holds customers, bills and payments."
        )
        raise LedgerError(
            f"{name}: no {name}.parquet (file or folder of parts) in {folder}.\n  hint: {hint}",
            table=name,
            column=None,
            rule="missing_table",
        )
    if len(found) > 1:
        raise LedgerError(
            f"{name}: two Parquet sources for this table in {folder}: "
            f"{' and '.join(p.name for p in found)}.\n  hint: keep one.",
            table=name,
            column=None,
            rule="ambiguous",
        )
    return found[0]


def _dataset(path: Path, name: str) -> ds.Dataset:
    try:
        return ds.dataset(path, format="parquet")
    except (pa.ArrowException, OSError, ValueError) as err:
        raise LedgerError(
            f"{path.name}: is not a readable Parquet dataset ({err}).\n"
            "  hint: export the table again.",
            table=name,
            column=None,
            rule="file",
        ) from err


def _fingerprint(folder: Path, record: dict[str, Any]) -> dict[str, Any]:
    files = []
    for name in SCHEMA:
        path = _table_path(folder, name)
        parts = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
        files += [
            {
                "file": str(p.relative_to(folder)),
                "bytes": p.stat().st_size,
                "mtime_ns": p.stat().st_mtime_ns,
            }
            for p in parts
        ]
    return {"format": _FORMAT, "input": str(folder.resolve()), "files": files, **record}


def _begin(out: Path, record: dict[str, Any], resume: bool) -> dict[str, Any]:
    """Create ``out`` or check that it holds the same run; returns the run's state."""
    run_file = out / RUN_FILE
    if run_file.exists():
        state: dict[str, Any] = json.loads(run_file.read_text(encoding="utf-8"))
        if state.get("run") == record and resume:
            return state
        if state.get("run") != record:
            raise ArrearsRiskError(
                f"{out} holds the output of another run ({run_file.name} differs: other "
                "input files, date, model or options).\n  hint: choose another --out, or "
                "delete the folder to start again."
            )
        for part in out.glob("part-*.parquet"):  # resume=False: start again
            part.unlink()
    elif out.exists() and any(out.iterdir()):
        raise ArrearsRiskError(
            f"{out} exists and is not the output of a chunked run.\n  hint: choose an empty "
            "or new folder."
        )
    out.mkdir(parents=True, exist_ok=True)
    state = {"run": record, "partitioned": False, "done": []}
    _save_state(out, state)
    return state


def _save_state(out: Path, state: dict[str, Any]) -> None:
    tmp = out / f"{RUN_FILE}.tmp"
    tmp.write_text(json.dumps(state, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out / RUN_FILE)


def _id_column(name: str, schema: pa.Schema, source: str) -> str:
    """The input column holding customer_id (headers matched as the reader does)."""
    renames = match_headers(name, list(schema.names), source=source)
    for header in schema.names:
        if renames.get(header, header) == "customer_id":
            return str(header)
    raise AssertionError("match_headers checks that customer_id is there")  # pragma: no cover


def _partition(folder: Path, work: Path, buckets: int, bar: tqdm[Any]) -> None:
    """Pass 1: every table's rows written to their customer's bucket, batch by batch."""
    for name in SCHEMA:
        path = _table_path(folder, name)
        data = _dataset(path, name)
        key = _id_column(name, data.schema, path.name)
        schema = data.schema.append(pa.field("bucket", pa.int32()))

        def batches(data: ds.Dataset = data, key: str = key) -> Iterator[pa.RecordBatch]:
            # one batch in flight: Arrow's default read-ahead (16 batches of 4 files)
            # held gigabytes of a large ledger (peak 4.27 GiB at 5 million customers)
            for batch in data.to_batches(
                batch_size=BATCH_ROWS, batch_readahead=1, fragment_readahead=1
            ):
                k = bucket_of(batch.column(key), buckets)
                yield batch.append_column("bucket", pa.array(k, pa.int32()))
                bar.update(batch.num_rows)

        target = work / name
        ds.write_dataset(
            batches(),
            target,
            schema=schema,
            format="parquet",
            partitioning=ds.partitioning(pa.schema([("bucket", pa.int32())]), flavor="hive"),
            existing_data_behavior="delete_matching",
            max_rows_per_group=GROUP_ROWS,  # per open bucket file, buffered until written
            min_rows_per_group=GROUP_ROWS,
            max_open_files=max(buckets + 8, 64),
            basename_template="part-{i}.parquet",
        )
        # the schema of the table, for the buckets that hold none of its rows
        pq.write_metadata(data.schema, work / f"{name}._schema")


def _bucket_ledger(work: Path, k: int) -> Ledger:
    """One bucket's rows as a validated Ledger (empty tables where it has none)."""
    files: dict[str, Path] = {}
    for name in SCHEMA:
        part = work / name / f"bucket={k}"
        if not part.exists():  # no row of this table in the bucket
            part.mkdir(parents=True)
            schema = pq.read_schema(work / f"{name}._schema")
            pq.write_table(schema.empty_table(), part / "part-empty.parquet")
        files[name] = part
    return read_tables(files)


class _Warnings:
    """The warnings of every bucket, each kind given once at the end with the number of
    buckets that gave it (a kind: the first line with its numbers blanked)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[type[Warning], str], list[Any]] = {}

    def record(self) -> Any:
        return warnings.catch_warnings(record=True)

    def add(self, caught: list[warnings.WarningMessage]) -> None:
        kinds: dict[tuple[type[Warning], str], str] = {}
        for w in caught:
            first = str(w.message).splitlines()[0]
            kinds.setdefault((w.category, re.sub(r"\d[\d,.]*", "#", first)), first)
        for kind, first in kinds.items():
            self.seen.setdefault(kind, [first, 0])[1] += 1

    def replay(self) -> None:
        for (category, _), (first, n) in self.seen.items():
            where = f" (the first of {n} buckets that warned so)" if n > 1 else ""
            warnings.warn(f"{first}{where}", category, stacklevel=4)


def _run(
    folder: str | os.PathLike[str],
    out: str | os.PathLike[str],
    record: dict[str, Any],
    dates: Sequence[pd.Timestamp],
    work_fn: Callable[[Ledger, dict[pd.Timestamp, PeerContext]], pd.DataFrame],
    *,
    chunk_customers: int,
    resume: bool,
    progress: bool,
    what: str,
) -> ChunkedRun:
    source, target = Path(folder), Path(out)
    if not source.is_dir():
        raise FileNotFoundError(f"ledger folder not found: {source}")
    if isinstance(chunk_customers, bool) or not isinstance(chunk_customers, int):
        raise ArrearsRiskError(f"chunk_customers must be a whole number, got {chunk_customers!r}.")
    if chunk_customers < 1:
        raise ArrearsRiskError(f"chunk_customers must be at least 1, got {chunk_customers}.")
    customers = _dataset(_table_path(source, "customers"), "customers").count_rows()
    buckets = max(1, math.ceil(customers / chunk_customers))
    record = _fingerprint(source, {**record, "buckets": buckets})
    state = _begin(target, record, resume)
    result = ChunkedRun(target, buckets)
    work = target / BUCKETS
    said = _Warnings()

    t0 = time.perf_counter()
    if not state["partitioned"]:
        rows = sum(_dataset(_table_path(source, n), n).count_rows() for n in SCHEMA)
        with tqdm(
            total=rows, desc="partition", unit="row", unit_scale=True, disable=not progress
        ) as bar:
            _partition(source, work, buckets, bar)
        state.update(partitioned=True, peers=None)
        _save_state(target, state)
    result.seconds["partition"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    peers_dir = work / "peers"
    if state.get("peers") is None:
        peers_dir.mkdir(exist_ok=True)
        for k in tqdm(range(buckets), desc="peers", unit="bucket", disable=not progress):
            if all((peers_dir / f"{k}-{t.date()}.json").exists() for t in dates):
                continue
            with said.record() as caught:
                warnings.simplefilter("always")
                ledger = _bucket_ledger(work, k)
            said.add(caught)
            for t in dates:
                peer_context(ledger, t).save(peers_dir / f"{k}-{t.date()}.json")
            del ledger
        state["peers"] = True
        _save_state(target, state)
    peers = {t: _merged(peers_dir, buckets, t) for t in dates}
    result.seconds["peers"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    done = set(state["done"])
    result.resumed = len(done)
    for k in tqdm(range(buckets), desc=what, unit="bucket", disable=not progress):
        part = target / f"part-{k:05d}.parquet"
        if k in done and part.exists():
            result.rows += pq.read_metadata(part).num_rows
            continue
        with said.record() as caught:
            warnings.simplefilter("always")
            ledger = _bucket_ledger(work, k)
            frame = work_fn(ledger, peers)
        said.add(caught)
        del ledger
        tmp = part.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, part)
        result.rows += len(frame)
        del frame
        done.add(k)
        state["done"] = sorted(done)
        _save_state(target, state)
    result.seconds["work"] = time.perf_counter() - t0
    said.replay()
    return result


def _merged(peers_dir: Path, buckets: int, t: pd.Timestamp) -> PeerContext:
    return PeerContext.merge(
        PeerContext.load(peers_dir / f"{k}-{t.date()}.json") for k in range(buckets)
    )


def score_parquet(
    folder: str | os.PathLike[str],
    as_of: AsOf,
    model: Any,
    out: str | os.PathLike[str],
    *,
    lang: str = "zh",
    reasons: Literal["risky", "all", "none"] = "risky",
    top: int = 3,
    chunk_customers: int = CHUNK_CUSTOMERS,
    resume: bool = True,
    progress: bool = False,
) -> ChunkedRun:
    """Score a Parquet ledger folder of any size in buckets of customers, writing the
    scores to a Parquet dataset as it goes (see the module's description).

    Parameters
    ----------
    folder : str or path-like
        The ledger: ``customers``, ``bills`` and ``payments``, each a ``.parquet`` file
        or a folder of part files (as Spark or Hive write them).
    as_of : date-like
        The scoring date, as for :func:`arrearsrisk.score`.
    model : RiskModel, str or path-like
        The model or a bundle folder / ``models:/`` URI.
    out : str or path-like
        The output folder: ``part-<k>.parquet`` files with :data:`arrearsrisk.SCORE_COLUMNS`,
        and the run's working files (``_run.json``, ``_buckets/``, which may be
        deleted once the run has ended).
    lang, reasons, top
        As for :func:`arrearsrisk.score`.
    chunk_customers : int, default :data:`CHUNK_CUSTOMERS`
        Customers per bucket (memory grows with it).
    resume : bool, default True
        Continue the run already in ``out`` if it is this run (else start it again).
    progress : bool, default False
        Progress bars for the passes.

    Returns
    -------
    ChunkedRun

    Raises
    ------
    LedgerError
        A table missing or broken, as :func:`arrearsrisk.read_ledger` says it (the
        bucket's rows are validated by the same rules).
    ArrearsRiskError
        ``out`` holds another run's output, or a bad option.

    Examples
    --------
    See the module's example.
    """
    from arrearsrisk.models.loading import load_model
    from arrearsrisk.scoring.scores import score

    date = parse_as_of(as_of)
    loaded = load_model(model) if isinstance(model, str | os.PathLike) else model
    record = {
        "what": "score",
        "as_of": str(date.date()),
        "model_version": loaded.version,
        "lang": lang,
        "reasons": reasons,
        "top": top,
        "chunk_customers": chunk_customers,
    }

    def work(ledger: Ledger, peers: dict[pd.Timestamp, PeerContext]) -> pd.DataFrame:
        return score(ledger, date, loaded, lang=lang, reasons=reasons, top=top, peers=peers[date])

    return _run(
        folder,
        out,
        record,
        [date],
        work,
        chunk_customers=chunk_customers,
        resume=resume,
        progress=progress,
        what="score",
    )


def training_frame_parquet(
    folder: str | os.PathLike[str],
    cutoffs: Sequence[AsOf],
    out: str | os.PathLike[str],
    *,
    horizon_months: int = 3,
    grace_days: int = 30,
    warning_multiple: float = 2.0,
    chunk_customers: int = CHUNK_CUSTOMERS,
    resume: bool = True,
    progress: bool = False,
) -> ChunkedRun:
    """:func:`arrearsrisk.training_frame` of a Parquet ledger folder of any size, in
    buckets of customers, written to a Parquet dataset as it goes.

    The rows are those of the whole-ledger frame (each bucket's rows ordered by
    ``as_of`` then ``customer_id``; the parts are buckets, not a global order), with
    the peer features of the whole portfolio at each cutoff.

    Parameters
    ----------
    folder, out, chunk_customers, resume, progress
        As for :func:`score_parquet`.
    cutoffs : sequence of date-like
        The cutoffs, as for :func:`arrearsrisk.training_frame`.
    horizon_months, grace_days, warning_multiple
        The labels' parameters.

    Returns
    -------
    ChunkedRun
    """
    from arrearsrisk.features.frames import training_frame

    dates = sorted({parse_as_of(t) for t in cutoffs})
    if not dates:
        raise ArrearsRiskError("training_frame_parquet needs at least one cutoff.")
    record = {
        "what": "training_frame",
        "cutoffs": [str(t.date()) for t in dates],
        "horizon_months": horizon_months,
        "grace_days": grace_days,
        "warning_multiple": warning_multiple,
        "chunk_customers": chunk_customers,
    }

    def work(ledger: Ledger, peers: dict[pd.Timestamp, PeerContext]) -> pd.DataFrame:
        return training_frame(
            ledger,
            dates,
            horizon_months=horizon_months,
            grace_days=grace_days,
            warning_multiple=warning_multiple,
            peers=peers,
        )

    return _run(
        folder,
        out,
        record,
        dates,
        work,
        chunk_customers=chunk_customers,
        resume=resume,
        progress=progress,
        what="frame",
    )
