"""What runs inside a Python worker, and how its errors reach the driver.

* :func:`bucket_ledger`: a bucket's rows (customers; bills and payments in one table) as
  a :class:`~arrearsrisk.Ledger` validated by the library's own validator, given the
  whole ledger's identifier columns and data span (a bucket must not judge them on its
  own customers);
* :func:`cached_model`: the broadcast model bundle, loaded once per Python worker
  (Spark reuses workers between tasks) with every check of :func:`arrearsrisk.load_model`,
  predicting on one LightGBM thread (a task is one core);
* :func:`worker_scope` / :func:`worker_errors`: an :class:`~arrearsrisk.ArrearsRiskError`
  raised in a worker travels to the driver inside Spark's error text and is raised there
  again as the same class with the same message and attributes.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib
import json
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from arrearsrisk.errors import ArrearsRiskError, LedgerWarning
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.models.risk_model import RiskModel
from arrearsrisk.spark.arrow import arrow_to_frame

__all__ = [
    "BUCKET",
    "EVENT_COLUMNS",
    "TABLE",
    "LedgerFacts",
    "OneThreadModel",
    "bucket_ledger",
    "cached_model",
    "model_files",
    "worker_errors",
    "worker_scope",
]

BUCKET = "_bucket"
"""Column holding a customer's bucket."""
TABLE = "_table"
"""Column telling bills (0) from payments (1) in the events table of a bucket."""
BILL_COLUMNS: tuple[str, ...] = SCHEMA["bills"].names
PAYMENT_COLUMNS: tuple[str, ...] = SCHEMA["payments"].names
EVENT_COLUMNS: tuple[str, ...] = (
    *BILL_COLUMNS,
    *(c for c in PAYMENT_COLUMNS if c not in BILL_COLUMNS),
)
"""Columns of the events table: bills' and payments' schema columns (``customer_id`` and
``amount`` shared), then :data:`TABLE`."""

_MARK = "ARREARSRISK-ERROR"
_MARKED = re.compile(_MARK + r"\[([A-Za-z0-9+/=]+)\]")


@dataclass(frozen=True)
class LedgerFacts:
    """What a bucket must know of the whole ledger: the identifier columns (with their
    reasons) and the data span, both judged on every customer."""

    identifiers: Mapping[str, str]
    data_span: tuple[pd.Timestamp, pd.Timestamp] | None


def bucket_ledger(customers: pa.Table, events: pa.Table, facts: LedgerFacts) -> Ledger:
    """The :class:`~arrearsrisk.Ledger` of one bucket, validated by the library.

    ``customers`` holds the bucket's customer rows, ``events`` its bills (``_table`` 0)
    and payments (``_table`` 1) with the columns :data:`EVENT_COLUMNS`.
    """
    cust = arrow_to_frame(
        customers.drop_columns([c for c in (BUCKET,) if c in customers.column_names])
    )
    if events.num_rows:
        ev = arrow_to_frame(events.select([*EVENT_COLUMNS, TABLE]))
        is_bill = (ev[TABLE] == 0).to_numpy()
        bills = ev.loc[is_bill, list(BILL_COLUMNS)].reset_index(drop=True)
        payments = ev.loc[~is_bill, list(PAYMENT_COLUMNS)].reset_index(drop=True)
    else:
        bills = pd.DataFrame({c: pd.Series([], dtype="str") for c in BILL_COLUMNS})
        payments = pd.DataFrame({c: pd.Series([], dtype="str") for c in PAYMENT_COLUMNS})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LedgerWarning)  # the driver warns once, for all
        ledger = Ledger(cust, bills, payments)
    # Judged on the whole ledger, as Ledger.subset keeps them for its subsets.
    ledger._identifiers = dict(facts.identifiers)
    ledger.__dict__["data_span"] = facts.data_span
    return ledger


class OneThreadModel(RiskModel):
    """A :class:`~arrearsrisk.RiskModel` whose boosters predict on one thread: a Spark
    task is one core, and LightGBM's default of every core would oversubscribe them."""

    def raw(self, x: np.ndarray, target: str, num_threads: int = 0) -> np.ndarray:
        return super().raw(x, target, num_threads=1)

    def contributions(
        self, x: np.ndarray, target: str = "grade_I", num_threads: int = 0
    ) -> np.ndarray:
        return super().contributions(x, target, num_threads=1)

    @classmethod
    def of(cls, model: RiskModel) -> OneThreadModel:
        """The same model, predicting on one thread."""
        one = cls.__new__(cls)
        one.__dict__.update(model.__dict__)
        return one


def model_files(model: RiskModel | str | Any) -> tuple[str, dict[str, bytes]]:
    """The bundle files of ``model`` (a loaded model, a bundle folder or a URI) as
    ``(digest, {file name: bytes})``, to broadcast; the model is loaded (and checked)
    here on the driver first."""
    from arrearsrisk.models.loading import load_model

    loaded = model if isinstance(model, RiskModel) else load_model(model)
    with tempfile.TemporaryDirectory(prefix="arrearsrisk-bundle-") as tmp:
        folder = Path(loaded.save(Path(tmp) / "bundle"))
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + data)
    return digest.hexdigest(), files


_MODELS: dict[str, OneThreadModel] = {}
_MODELS_LOCK = threading.Lock()


def cached_model(digest: str, files: Mapping[str, bytes]) -> OneThreadModel:
    """The model of the broadcast ``files``, loaded once per Python worker.

    The bytes are written to a temporary folder and loaded by
    :meth:`~arrearsrisk.RiskModel.load`, so a worker checks the bundle as the driver did.
    """
    with _MODELS_LOCK:
        found = _MODELS.get(digest)
        if found is None:
            tmp = tempfile.mkdtemp(prefix="arrearsrisk-model-")
            try:
                for name, data in files.items():
                    (Path(tmp) / name).write_bytes(data)
                found = OneThreadModel.of(RiskModel.load(tmp))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            _MODELS.clear()  # one model per worker at a time: a new job's model replaces it
            _MODELS[digest] = found
        return found


def _encode(err: ArrearsRiskError) -> str:
    attrs = {k: v for k, v in vars(err).items() if isinstance(v, str | int | float | type(None))}
    payload = {"cls": type(err).__name__, "module": type(err).__module__, "message": str(err)}
    payload["attrs"] = attrs  # type: ignore[assignment]
    return base64.b64encode(json.dumps(payload).encode()).decode()


def _decode(text: str) -> ArrearsRiskError:
    payload = json.loads(base64.b64decode(text))
    cls: Any = ArrearsRiskError
    if payload.get("module", "").startswith("arrearsrisk"):
        found = getattr(importlib.import_module(payload["module"]), payload["cls"], None)
        if isinstance(found, type) and issubclass(found, ArrearsRiskError):
            cls = found
    err = cls.__new__(cls)
    Exception.__init__(err, payload["message"])
    err.__dict__.update(payload.get("attrs", {}))
    return err


class WorkerError(RuntimeError):
    """Carries an :class:`~arrearsrisk.ArrearsRiskError` out of a Python worker."""


@contextlib.contextmanager
def worker_scope() -> Iterator[None]:
    """Run a worker's part: library errors are wrapped for :func:`worker_errors`, and
    the ledger's warnings are left to the driver (which gives them once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LedgerWarning)
        try:
            yield
        except ArrearsRiskError as err:
            raise WorkerError(f"{_MARK}[{_encode(err)}] {err}") from err


@contextlib.contextmanager
def worker_errors() -> Iterator[None]:
    """On the driver: raise again, as itself, a library error a worker raised during a
    Spark action in this block.

    >>> carried = f"task failed: {_MARK}[{_encode(ArrearsRiskError('no'))}]"
    >>> with worker_errors():
    ...     raise RuntimeError(carried)
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.ArrearsRiskError: no
    """
    try:
        yield
    except Exception as exc:
        found = _MARKED.search(str(exc))
        if found is None:
            raise
        raise _decode(found.group(1)) from None
