"""What the served model does with a request: ledger rows in, one score row per customer
out (:func:`score_records`), peer rates from the monthly batch's peer contexts
(:class:`PeerSource`).

The MLflow pyfunc model of a run (:class:`~arrearsrisk.tracking.pyfunc.RiskModelPyfunc`,
``runs:/<run_id>/model``) hands each request here.  A request holds one record per
customer, the account's own rows as the ledger tables have them::

    {"customer": {"customer_id": "C1", "category": "commercial", ...},
     "bills": [{"customer_id": "C1", "period": "2025-08", ...}, ...],
     "payments": [{"customer_id": "C1", "paid_date": "2025-09-10", ...}, ...],
     "as_of": "2025-09-30"}

and the request's parameters ``as_of`` (for every record without its own), ``lang``,
``reasons`` and ``top``.  Each record is scored alone by
:func:`arrearsrisk.score_account`, so its row equals that account's row of
:func:`arrearsrisk.score` with the same peer context, and a bad record gets an
``error`` in its own row while the others are scored.  Nothing here raises on bad
input: every problem of a record or of the parameters is its row's ``error`` text.

Peer rates (industry and region arrears rates, group size) need the whole portfolio,
which one account's rows do not hold: the server reads the peer contexts the monthly
batch saves (:meth:`arrearsrisk.PeerContext.save`) from the file or folder named by
``ARREARSRISK_PEERS`` (or the model config's ``peers``), and scores each date with the
latest context on or before it, up to 31 days old.  See ``docs/serving.md``.

Examples
--------
>>> import arrearsrisk as ar
>>> model = ar.load_model("models/sample")
>>> records = [{
...     "customer": {"customer_id": "C1", "category": "commercial", "industry": "F51",
...                  "region": "R01", "opened": "2023-01-10"},
...     "bills": [{"customer_id": "C1", "period": "2025-08", "issue_date": "2025-09-01",
...                "due_date": "2025-09-15", "kwh": 5200.0, "amount": 4420.0}],
...     "payments": []},
...     {"customer": {"category": "commercial"}, "bills": [], "payments": []}]
>>> rows = score_records(model, records, {"as_of": "2025-09-30", "lang": "en"},
...                      PeerSource("none"))
>>> for row in rows.to_dict("records"):
...     print(row["customer_id"], row["grade"], row["error"].splitlines()[:1])
C1 I []
None None ["customers: column 'customer_id' is required but missing."]
"""

from __future__ import annotations

import logging
import math
import os
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features.peer_context import PEER_CONTEXT_TOLERANCE_DAYS, PeerContext
from arrearsrisk.scoring.account import score_account
from arrearsrisk.scoring.scores import SCORE_COLUMNS
from arrearsrisk.timeline import parse_as_of
from arrearsrisk.vocabulary import check_lang

if TYPE_CHECKING:
    from arrearsrisk.ledger.tables import Ledger
    from arrearsrisk.models.risk_model import RiskModel

__all__ = [
    "INPUT_COLUMNS",
    "NO_PEERS",
    "PARAM_DEFAULTS",
    "PEERS_CONFIG_KEY",
    "PEERS_ENV",
    "RESPONSE_COLUMNS",
    "PeerSource",
    "ledger_records",
    "score_records",
]

PEERS_ENV = "ARREARSRISK_PEERS"
"""The environment variable naming the peer context file or folder of the server."""
PEERS_CONFIG_KEY = "peers"
"""The key of the same in the MLflow model config (``mlflow.pyfunc.load_model(...,
model_config={"peers": ...})``, or ``SERVING_MODEL_CONFIG`` for ``mlflow models serve``);
when given it wins over :data:`PEERS_ENV`.  The model is logged with it empty."""
NO_PEERS = "none"
"""The peer location that scores each account as its own peer group (no context)."""
INPUT_COLUMNS: tuple[str, ...] = ("customer", "bills", "payments", "as_of")
"""The fields of a request record (``as_of`` optional: the request's parameter)."""
PARAM_DEFAULTS: dict[str, Any] = {"as_of": "", "lang": "zh", "reasons": "risky", "top": 3}
"""The request parameters and their defaults (``as_of`` ``""``: each record gives its own)."""
RESPONSE_COLUMNS: tuple[str, ...] = (*SCORE_COLUMNS, "notes", "error")
"""The columns of a response row: those of :func:`arrearsrisk.score` (``as_of`` as an ISO
date text, ``None`` for a missing number), ``notes`` (warnings about the account's rows
or the peer context, else ``""``) and ``error`` (why the record has no score, else
``""``)."""

_REASONS = ("risky", "all", "none")
_logger = logging.getLogger(__name__)
_lock = threading.Lock()
"""One request scored at a time: recording warnings is process-wide (and the scoring is
bound to one core by the GIL anyway)."""


# --- peer contexts ----------------------------------------------------------------------


@dataclass
class _Loaded:
    stamp: tuple[int, int]
    context: PeerContext


class PeerSource:
    """Where a served model gets the peer context of a scoring date.

    Parameters
    ----------
    location : str or path, optional
        A peer context file saved with :meth:`arrearsrisk.PeerContext.save`, or a folder
        of them (every ``*.json`` file in it must be one; the monthly batch adds one a
        month, read on the next request without a restart); :data:`NO_PEERS`
        (``"none"``) to score each account as its own peer group, as
        :func:`arrearsrisk.score_account` does without ``peers`` (its peer rates then
        differ from the batch's); ``None``: not configured, every record is refused with
        a hint.

    Raises
    ------
    ArrearsRiskError
        If ``location`` names no file or folder: a server started with a wrong path
        should not start.

    Examples
    --------
    >>> import tempfile, pathlib, arrearsrisk as ar
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = ar.peer_context(ar.read_ledger("data/sample"), "2025-09-30").save(
    ...     folder / "peers-2025-09-30.json")
    >>> source = PeerSource(folder)
    >>> source.for_date(pd.Timestamp("2025-10-15")).as_of.date()
    datetime.date(2025, 9, 30)
    >>> source.for_date(pd.Timestamp("2025-11-30"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arrearsrisk.errors.ArrearsRiskError: the latest peer context on or before 2025-11-30 ...
    """

    def __init__(self, location: str | os.PathLike[str] | None) -> None:
        self.location: Path | str | None
        if location is None or (isinstance(location, str) and location.strip() == NO_PEERS):
            self.location = None if location is None else NO_PEERS
        else:
            path = Path(location).expanduser().resolve()
            if not path.exists():
                raise ArrearsRiskError(
                    f"peer context location {path} does not exist.\n"
                    f"  hint: point {PEERS_ENV} at a file saved with PeerContext.save or a "
                    f"folder of them, or set it to {NO_PEERS!r}."
                )
            self.location = path
        self._cache: dict[Path, _Loaded] = {}

    @classmethod
    def configured(cls, model_config: Mapping[str, Any] | None = None) -> PeerSource:
        """The source named by ``model_config["peers"]`` when given (not empty), else by
        :data:`PEERS_ENV`, else none (:meth:`for_date` refuses with a hint)."""
        given = dict(model_config or {}).get(PEERS_CONFIG_KEY)
        if given:
            return cls(given)
        return cls(os.environ.get(PEERS_ENV) or None)

    def __repr__(self) -> str:
        return f"PeerSource({str(self.location) if self.location else None!r})"

    def for_date(self, as_of: pd.Timestamp) -> PeerContext | None:
        """The context that serves ``as_of``: the latest on or before it (``None`` for
        :data:`NO_PEERS`).

        Raises
        ------
        ArrearsRiskError
            If no source is configured, none of its contexts is dated on or before
            ``as_of``, the latest is more than 31 days older, or a file is not a peer
            context (naming it).
        """
        if self.location == NO_PEERS:
            return None
        if self.location is None:
            raise ArrearsRiskError(
                "no peer context is configured for this model: peer rates (industry and "
                "region arrears rates, group size) need the whole portfolio's counts.\n"
                f"  hint: set {PEERS_ENV} (or the model config's {PEERS_CONFIG_KEY!r}) to a "
                "peer context file saved by the monthly batch with PeerContext.save, or a "
                f"folder of them; {NO_PEERS!r} scores each account as its own peer group "
                "(its peer rates then differ from the batch's)."
            )
        assert isinstance(self.location, Path)
        contexts = self._contexts(self.location)
        if not contexts:
            raise ArrearsRiskError(
                f"no peer context in {self.location}: the folder holds no *.json file.\n"
                "  hint: the monthly batch saves one a month: "
                "ar.peer_context(ledger, month_end).save(folder / f'peers-{month_end}.json')."
            )
        before = [c for c in contexts if c.as_of <= as_of]
        if not before:
            first = min(c.as_of for c in contexts)
            raise ArrearsRiskError(
                f"no peer context on or before {as_of.date()} in {self.location}: the "
                f"earliest is of {first.date()}, and a context after the scoring date would "
                "see the future.\n"
                "  hint: to score a past date, save that month end's peer context there."
            )
        latest = max(before, key=lambda c: c.as_of)
        days = (as_of - latest.as_of).days
        if days > PEER_CONTEXT_TOLERANCE_DAYS:
            raise ArrearsRiskError(
                f"the latest peer context on or before {as_of.date()} in {self.location} is "
                f"of {latest.as_of.date()}, {days} days earlier: more than the "
                f"{PEER_CONTEXT_TOLERANCE_DAYS} days a peer context serves.\n"
                "  hint: save a newer one there (the monthly batch: "
                "ar.peer_context(ledger, month_end).save(...))."
            )
        return latest

    def _contexts(self, location: Path) -> list[PeerContext]:
        files = sorted(location.glob("*.json")) if location.is_dir() else [location]
        out = []
        for file in files:
            try:
                stat = file.stat()
            except FileNotFoundError as err:
                raise ArrearsRiskError(f"peer context file {file} is gone.") from err
            stamp = (stat.st_mtime_ns, stat.st_size)
            known = self._cache.get(file)
            if known is None or known.stamp != stamp:
                known = _Loaded(stamp, PeerContext.load(file))
                self._cache[file] = known
            out.append(known.context)
        for gone in set(self._cache) - set(files):
            del self._cache[gone]
        return out


# --- requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Params:
    as_of: str
    lang: str
    reasons: Any
    top: int


def _params(params: Mapping[str, Any] | None) -> _Params:
    """The request's parameters, checked (an ArrearsRiskError names the bad one)."""
    given = {**PARAM_DEFAULTS, **dict(params or {})}
    unknown = sorted(set(given) - set(PARAM_DEFAULTS))
    if unknown:
        raise ArrearsRiskError(f"unknown parameter(s) {unknown}; known: {sorted(PARAM_DEFAULTS)}.")
    as_of, lang, reasons, top = (given[k] for k in ("as_of", "lang", "reasons", "top"))
    if not isinstance(as_of, str):
        raise ArrearsRiskError(f"parameter as_of must be a date text, got {as_of!r}.")
    if as_of:
        parse_as_of(as_of)
    check_lang(lang)
    if reasons not in _REASONS:
        raise ArrearsRiskError(
            f"parameter reasons must be one of {list(_REASONS)}, got {reasons!r}."
        )
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise ArrearsRiskError(f"parameter top must be a whole number >= 1, got {top!r}.")
    return _Params(as_of, lang, reasons, int(top))


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _records(model_input: Any) -> list[Any]:
    """The request's records: rows of a DataFrame (MLflow's ``dataframe_records``) or a
    list of dicts; a record's missing field is ``None``."""
    if isinstance(model_input, pd.DataFrame):
        columns = [c for c in model_input.columns if c in INPUT_COLUMNS]
        rows = model_input[columns].to_dict("records")
        return [{k: (None if _missing(v) else v) for k, v in row.items()} for row in rows]
    if isinstance(model_input, Mapping):
        return [model_input]
    if isinstance(model_input, Sequence) and not isinstance(model_input, str | bytes):
        return list(model_input)
    raise ArrearsRiskError(
        f"the input must be records (one per customer), got {type(model_input).__name__}."
    )


def _rows(record: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = record.get(name)
    if _missing(value):
        raise ArrearsRiskError(
            f"{name!r} is missing: give the account's {name} as a list of objects "
            "(one per row, the ledger table's columns), [] if it has none."
        )
    if isinstance(value, pd.DataFrame):
        return value.to_dict("records")  # type: ignore[return-value]
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        raise ArrearsRiskError(
            f"{name!r} must be a list of objects (one per row), got {type(value).__name__}."
        )
    for i, row in enumerate(value):
        if not isinstance(row, Mapping):
            raise ArrearsRiskError(
                f"{name}[{i}] must be an object (column name to value), got {type(row).__name__}."
            )
    return list(value)


def _customer_id(record: Any) -> Any:
    customer = record.get("customer") if isinstance(record, Mapping) else None
    cid = customer.get("customer_id") if isinstance(customer, Mapping) else None
    return cid if isinstance(cid, str | int) and not isinstance(cid, bool) else None


def _score_one(model: RiskModel, record: Any, params: _Params, peers: PeerSource) -> dict[str, Any]:
    """One record's score row (keys :data:`SCORE_COLUMNS`), or an ArrearsRiskError."""
    if not isinstance(record, Mapping):
        raise ArrearsRiskError(
            "a record must be an object with 'customer', 'bills' and 'payments', got "
            f"{type(record).__name__}."
        )
    customer = record.get("customer")
    if _missing(customer):
        raise ArrearsRiskError(
            "'customer' is missing: give the customer's row as an object (the customers "
            "table's columns: customer_id, category, ...)."
        )
    if not isinstance(customer, Mapping):
        raise ArrearsRiskError(
            f"'customer' must be an object (column name to value), got {type(customer).__name__}."
        )
    bills, payments = _rows(record, "bills"), _rows(record, "payments")
    own = record.get("as_of")
    if _missing(own) and not params.as_of:
        raise ArrearsRiskError(
            "as_of is missing: give the scoring date in the request's parameters "
            '({"params": {"as_of": "2025-09-30"}}) or in the record.'
        )
    given: Any = params.as_of if _missing(own) else own
    ts = parse_as_of(given)
    if not _missing(own) and params.as_of and ts != parse_as_of(params.as_of):
        raise ArrearsRiskError(
            f"as_of given twice: {own!r} in the record and {params.as_of!r} in the "
            "parameters; give one."
        )
    context = peers.for_date(ts)
    return score_account(
        model,
        ts,
        customer,
        bills,
        payments,
        peers=context,
        lang=params.lang,
        reasons=params.reasons,
        top=params.top,
    )


def _plain(value: Any) -> Any:
    """A table cell or a score as JSON has it: ISO date text, None for empty (NaN
    included), Python scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NaT or _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def _notes(caught: Iterable[warnings.WarningMessage]) -> str:
    seen: list[str] = []
    for w in caught:
        text = str(w.message)
        if text not in seen:
            seen.append(text)
    return "\n".join(seen)


def score_records(
    model: RiskModel,
    records: Any,
    params: Mapping[str, Any] | None = None,
    peers: PeerSource | None = None,
) -> pd.DataFrame:
    """Score each record of a request: one row per record, in order, never raising on
    bad input.

    Parameters
    ----------
    model : RiskModel
        The loaded model.
    records : pandas.DataFrame or list of dict
        One record per customer: ``customer`` (the customer's row, a dict), ``bills``
        and ``payments`` (lists of dicts, the account's rows of those tables; ``[]`` if
        none) and, optionally, ``as_of``.  Columns of a DataFrame other than
        :data:`INPUT_COLUMNS` are ignored; a missing value (``None`` or NaN) is missing.
    params : dict, optional
        ``as_of`` (ISO date; for every record without its own; a record may not give
        another), ``lang`` (``"zh"`` or ``"en"``), ``reasons`` (``"risky"``, ``"all"``,
        ``"none"``) and ``top`` (reasons at most), as :func:`arrearsrisk.score_account`
        takes them; defaults :data:`PARAM_DEFAULTS`.
    peers : PeerSource, optional
        Where the peer contexts are (default: :meth:`PeerSource.configured`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESPONSE_COLUMNS`, object dtype, JSON-ready: a scored record's
        row is :func:`arrearsrisk.score_account`'s (``as_of`` as ISO text, ``None`` for
        NaN) with ``notes`` (warnings, e.g. that the peer context is some days older
        than ``as_of``) and ``error`` ``""``; a record that cannot be scored has its
        ``customer_id`` (when readable), ``error`` saying why and nothing else.  An
        error of the parameters is every row's error.
    """
    source = PeerSource.configured() if peers is None else peers
    try:
        items = _records(records)
    except ArrearsRiskError as err:
        return pd.DataFrame([{"error": str(err)}], columns=list(RESPONSE_COLUMNS), dtype=object)
    request_error: ArrearsRiskError | None = None
    try:
        checked = _params(params)
    except ArrearsRiskError as err:
        request_error = err
    out = []
    with _lock:
        for i, record in enumerate(items):
            row: dict[str, Any] = dict.fromkeys(RESPONSE_COLUMNS)
            row["customer_id"] = _customer_id(record)
            row["notes"] = row["error"] = ""
            if request_error is not None:
                row["error"] = str(request_error)
                out.append(row)
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    scored = _score_one(model, record, checked, source)
                    row.update({key: _plain(value) for key, value in scored.items()})
                except ArrearsRiskError as err:
                    row["error"] = str(err)
                except Exception as err:  # a bug must not fail the request's other accounts
                    _logger.exception("record %d (customer %s) failed", i, row["customer_id"])
                    row["error"] = (
                        f"internal error while scoring this account ({type(err).__name__}: "
                        f"{err}); the server's log has the details."
                    )
            row["notes"] = _notes(caught)
            for w in caught:
                _logger.info("record %d (customer %s): %s", i, row["customer_id"], w.message)
            out.append(row)
    return pd.DataFrame(out, columns=list(RESPONSE_COLUMNS), dtype=object)


# --- requests from a ledger -------------------------------------------------------------


def _table_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def ledger_records(
    ledger: Ledger, customer_ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Request records of ledger customers, as a billing system would send them.

    Parameters
    ----------
    ledger : Ledger
        The ledger holding the customers.
    customer_ids : sequence of str, optional
        Whose records, in this order (default: every customer, in the ledger's order).

    Returns
    -------
    list of dict
        One record per customer: ``customer``, ``bills`` and ``payments`` with dates as
        ISO text and ``None`` for empty cells, ready for ``json.dumps`` (the request body
        is ``{"dataframe_records": records, "params": {...}}``).

    Raises
    ------
    ArrearsRiskError
        If a customer id is not in the ledger.

    Examples
    --------
    >>> import json, arrearsrisk as ar
    >>> [record] = ledger_records(ar.read_ledger("data/sample"), ["C0001"])
    >>> sorted(record), record["customer"]["opened"], record["bills"][0]["issue_date"]
    (['bills', 'customer', 'payments'], '2009-06-01', '2023-02-02')
    >>> len(json.dumps(record)) > 0
    True
    """
    ids = list(ledger.customers["customer_id"]) if customer_ids is None else list(customer_ids)
    customers = ledger.customers.set_index("customer_id", drop=False)
    unknown = [c for c in ids if c not in customers.index]
    if unknown:
        raise ArrearsRiskError(f"customer(s) not in the ledger: {unknown[:5]}.")
    wanted = set(ids)
    by_id: dict[str, dict[str, list[dict[str, Any]]]] = {
        c: {"bills": [], "payments": []} for c in ids
    }
    for name in ("bills", "payments"):
        table = getattr(ledger, name)
        part = table[table["customer_id"].isin(wanted)]
        for row in _table_rows(part):
            by_id[row["customer_id"]][name].append(row)
    rows = {r["customer_id"]: r for r in _table_rows(customers.loc[ids].reset_index(drop=True))}
    return [{"customer": rows[c], **by_id[c]} for c in ids]
