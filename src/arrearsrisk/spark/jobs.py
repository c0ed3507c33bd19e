"""The Spark versions of ``build_features``, ``build_labels``, ``training_frame``,
``score`` and ``peer_context``: the library's pandas code run on buckets of customers.

Each function does on the driver what the pandas function checks before it computes
(dates, parameters, the labels' coverage, the model's inputs, the score's warnings) by
running the pandas function itself on a *probe*: a one-customer pandas ledger with the
Spark ledger's columns, identifier columns, data span and table ends.  The probe's
result also gives the output's columns and types.  Then:

1. **peers** (features, scores, training frames): each bucket computes its
   :func:`arrearsrisk.peer_context`; the driver merges the bucket contexts (counts add
   up) into the whole portfolio's context and broadcasts it;
2. **buckets**: each bucket runs the pandas function with ``peers=`` that context.

Results are lazy Spark DataFrames with the pandas function's columns; categoricals are
``string`` columns tagged in their metadata (:func:`arrearsrisk.spark.to_pandas` restores
them).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from arrearsrisk.asof.labels import build_labels as pandas_labels
from arrearsrisk.errors import ArrearsRiskError, LedgerWarning
from arrearsrisk.features import PeerContext
from arrearsrisk.features import build_features as pandas_features
from arrearsrisk.features import peer_context as pandas_peers
from arrearsrisk.features.frames import training_frame as pandas_training_frame
from arrearsrisk.features.registry import BUILTIN, families, register_family
from arrearsrisk.ledger.schema import SCHEMA
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.models.risk_model import RiskModel
from arrearsrisk.scoring.scores import score as pandas_score
from arrearsrisk.spark.arrow import DTYPE_KEY, frame_to_arrow, plain_arrow, spark_schema
from arrearsrisk.spark.buckets import BucketPlan, expected_arrow, plan_buckets, run_buckets
from arrearsrisk.spark.ledger import SparkLedger
from arrearsrisk.spark.session import quiet_pyspark
from arrearsrisk.spark.worker import (
    LedgerFacts,
    bucket_ledger,
    cached_model,
    model_files,
    worker_errors,
    worker_scope,
)
from arrearsrisk.timeline import AsOf, parse_as_of

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = [
    "build_features",
    "build_labels",
    "peer_context",
    "probe_ledger",
    "score",
    "to_pandas",
    "training_frame",
]

_PROBE_ID = "~probe"

Buckets = int | BucketPlan | None
"""How to bucket: a number of hashed buckets, a plan from
:func:`~arrearsrisk.spark.buckets.plan_buckets`, or ``None`` for the default plan."""


def _plan(ledger: SparkLedger, buckets: Buckets) -> BucketPlan:
    return buckets if isinstance(buckets, BucketPlan) else plan_buckets(ledger, buckets)


def _null_column(kind: Any, name: str) -> pd.Series:
    from pyspark.sql import types as T

    if isinstance(kind, T.BooleanType):
        return pd.Series([pd.NA], dtype="boolean", name=name)
    if isinstance(kind, T.DateType | T.TimestampNTZType | T.TimestampType):
        return pd.Series([pd.NaT], dtype="datetime64[s]", name=name)
    if isinstance(kind, T.NumericType):
        return pd.Series([np.nan], dtype="float64", name=name)
    return pd.Series([None], dtype="str", name=name)


def probe_ledger(ledger: SparkLedger) -> Ledger:
    """A one-customer pandas ledger standing for ``ledger`` on the driver: the same
    customer columns and types (all unknown), one bill issued on the last issue date and
    one payment on the last payment date (so the labels' coverage is the whole ledger's),
    and the whole ledger's identifier columns and data span."""
    columns = {f.name: _null_column(f.dataType, f.name) for f in ledger.customers.schema.fields}
    columns["customer_id"] = pd.Series([_PROBE_ID], dtype="str")
    columns["category"] = pd.Series(["residential"], dtype="str")
    columns["opened"] = pd.Series([pd.Timestamp("1970-01-01")], dtype="datetime64[s]")
    customers = pd.DataFrame(columns)
    last_bill, last_payment = ledger.table_ends
    bills = pd.DataFrame(
        {
            "customer_id": [_PROBE_ID] * (last_bill is not None),
            "period": [last_bill.strftime("%Y-%m")] if last_bill is not None else [],
            "issue_date": [last_bill] if last_bill is not None else [],
            "due_date": [last_bill] if last_bill is not None else [],
            "kwh": [0.0] * (last_bill is not None),
            "amount": [0.0] * (last_bill is not None),
        }
    )
    payments = pd.DataFrame(
        {
            "customer_id": [_PROBE_ID] * (last_payment is not None),
            "paid_date": [last_payment] if last_payment is not None else [],
            "amount": [0.01] * (last_payment is not None),
        }
    )
    for frame, name in ((bills, "bills"), (payments, "payments")):
        for col in SCHEMA[name].names:
            if col not in frame:
                frame[col] = pd.Series([pd.NA] * len(frame), dtype="object")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LedgerWarning)
        probe = Ledger(customers, bills, payments)
    probe._identifiers = dict(ledger.identifier_columns)
    probe.__dict__["data_span"] = ledger.data_span
    return probe


def _dates(values: Iterable[AsOf]) -> list[pd.Timestamp]:
    dates = sorted({parse_as_of(v) for v in values})
    if not dates:
        raise ArrearsRiskError("training_frame needs at least one cutoff date.")
    return dates


def _shipped_families() -> tuple[Any, ...]:
    """Feature families registered on the driver beyond the built-in ones (shipped to
    the workers, which register them too)."""
    return tuple(f for f in families() if f not in BUILTIN)


def _register(extra: Sequence[Any]) -> None:
    known = {f.name for f in families()}
    for family in extra:
        if family.name not in known:
            register_family(family)


def _peer_rows(ledger: Ledger, dates: Sequence[pd.Timestamp]) -> pa.Table:
    """A bucket's peer contexts, one JSON document per date (``PeerContext.to_dict``)."""
    texts = [json.dumps(pandas_peers(ledger, t).to_dict()) for t in dates]
    return pa.table(
        {
            "as_of": pa.array(np.array(dates, dtype="datetime64[us]"), pa.timestamp("us")),
            "context": pa.array(texts, pa.string()),
        }
    )


def _peer_schema() -> StructType:
    from pyspark.sql import types as T

    return T.StructType(
        [T.StructField("as_of", T.TimestampNTZType()), T.StructField("context", T.StringType())]
    )


def _peer_contexts(
    ledger: SparkLedger, dates: Sequence[pd.Timestamp], buckets: Buckets
) -> dict[pd.Timestamp, PeerContext]:
    schema = _peer_schema()
    target = expected_arrow(ledger, schema)
    facts, extra = ledger.facts, _shipped_families()

    def task(customers: pa.Table, events: pa.Table) -> pa.Table:
        with worker_scope():
            _register(extra)
            bucket = bucket_ledger(customers, events, facts)
            return _peer_rows(bucket, dates).cast(target)

    frame = run_buckets(ledger, task, schema, _plan(ledger, buckets))
    with quiet_pyspark(), worker_errors():
        rows = frame.toArrow()
    parts: dict[pd.Timestamp, list[PeerContext]] = {t: [] for t in dates}
    for day, text in zip(
        rows.column("as_of").to_pylist(), rows.column("context").to_pylist(), strict=True
    ):
        parts[pd.Timestamp(day)].append(PeerContext.from_dict(json.loads(text)))
    # Counts add up: the merged context equals the whole ledger's (PeerContext.merge).
    return {t: PeerContext.merge(parts[t]) for t in dates}


def peer_context(ledger: SparkLedger, as_of: AsOf, *, buckets: Buckets = None) -> PeerContext:
    """The portfolio's :class:`~arrearsrisk.PeerContext` at ``as_of``, from every bucket's
    (as :func:`arrearsrisk.peer_context` on the whole ledger).

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> ctx = ars.peer_context(ledger, "2025-09-30")  # doctest: +SKIP
    """
    t = parse_as_of(as_of)
    return _peer_contexts(ledger, [t], buckets)[t]


def _contexts(
    ledger: SparkLedger,
    dates: Sequence[pd.Timestamp],
    peers: PeerContext | Mapping[pd.Timestamp, PeerContext] | None,
    buckets: Buckets,
) -> dict[pd.Timestamp, PeerContext]:
    if peers is None:
        return _peer_contexts(ledger, dates, buckets)
    if isinstance(peers, PeerContext):
        return {t: peers for t in dates}
    return {t: peers[t] for t in dates}


def _bucketed(
    ledger: SparkLedger,
    example: pd.DataFrame,
    compute: Any,
    buckets: Buckets,
) -> DataFrame:
    """``compute(bucket_ledger)`` (a pandas frame shaped like ``example``) on every
    bucket, as a Spark DataFrame."""
    schema = spark_schema(example)
    target = expected_arrow(ledger, schema)
    facts: LedgerFacts = ledger.facts
    extra = _shipped_families()

    def task(customers: pa.Table, events: pa.Table) -> pa.Table:
        with worker_scope():
            _register(extra)
            if customers.num_rows == 0:
                return target.empty_table()
            frame = compute(bucket_ledger(customers, events, facts))
            return frame_to_arrow(frame, target)

    return run_buckets(ledger, task, schema, _plan(ledger, buckets))


def build_features(
    ledger: SparkLedger,
    as_of: AsOf,
    *,
    peers: PeerContext | None = None,
    buckets: Buckets = None,
) -> DataFrame:
    """:func:`arrearsrisk.build_features` in Spark: one row per active customer, columns
    ``customer_id`` then :func:`arrearsrisk.feature_names` (numbers ``double``,
    categoricals ``string``).

    Parameters
    ----------
    ledger : SparkLedger
        From :func:`arrearsrisk.spark.read_ledger`.
    as_of : str, date or Timestamp
        As for the pandas function.
    peers : PeerContext, optional
        The portfolio's peer context; by default computed from every bucket.
    buckets : int or BucketPlan, optional
        Number of hashed buckets, or a plan (:func:`arrearsrisk.spark.buckets.plan_buckets`,
        e.g. with another ``heavy_rows``); default: from the data's size and the cores.

    Returns
    -------
    pyspark.sql.DataFrame

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> feats = ars.build_features(ledger, "2025-09-30")  # doctest: +SKIP
    >>> feats.columns[:2]  # doctest: +SKIP
    ['customer_id', 'bills_due_count_3m']
    """
    t = parse_as_of(as_of)
    example = pandas_features(probe_ledger(ledger), t).reset_index()
    ctx = _contexts(ledger, [t], peers, buckets)[t]
    shared = ledger.spark.sparkContext.broadcast(ctx)

    def compute(bucket: Ledger) -> pd.DataFrame:
        return pandas_features(bucket, t, peers=shared.value).reset_index()

    return _bucketed(ledger, example, compute, buckets)


def build_labels(
    ledger: SparkLedger,
    as_of: AsOf,
    horizon_months: int = 3,
    *,
    grace_days: int = 30,
    warning_multiple: float = 2.0,
    allow_unobserved: bool = False,
    buckets: Buckets = None,
) -> DataFrame:
    """:func:`arrearsrisk.build_labels` in Spark: ``customer_id``, ``grade`` (``string``),
    ``a_warning`` per labelled customer.  The coverage of the outcome window is checked
    on the whole ledger, before any bucket runs (same :class:`~arrearsrisk.LedgerError`).

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> labels = ars.build_labels(ledger, "2024-06-30")  # doctest: +SKIP
    """
    t = parse_as_of(as_of)
    options: dict[str, Any] = {"grace_days": grace_days, "warning_multiple": warning_multiple}
    example = pandas_labels(
        probe_ledger(ledger), t, horizon_months, allow_unobserved=allow_unobserved, **options
    ).reset_index()

    def compute(bucket: Ledger) -> pd.DataFrame:
        labels = pandas_labels(bucket, t, horizon_months, allow_unobserved=True, **options)
        return labels.reset_index()

    return _bucketed(ledger, example, compute, buckets)


def _training_part(
    ledger: Ledger,
    dates: Sequence[pd.Timestamp],
    peers: Mapping[pd.Timestamp, PeerContext] | None,
    horizon_months: int,
    options: Mapping[str, Any],
) -> pd.DataFrame:
    """:func:`arrearsrisk.training_frame` of one bucket (peers given; the coverage of
    the outcome windows is checked on the whole ledger, on the driver)."""
    return pandas_training_frame(
        ledger, dates, horizon_months, peers=peers, allow_unobserved=True, **options
    )


def training_frame(
    ledger: SparkLedger,
    cutoffs: Iterable[AsOf],
    horizon_months: int = 3,
    *,
    grace_days: int = 30,
    warning_multiple: float = 2.0,
    buckets: Buckets = None,
) -> DataFrame:
    """:func:`arrearsrisk.training_frame` in Spark: ``customer_id``, ``as_of``
    (``timestamp_ntz``), the features, ``grade``, ``a_warning``, stacked over ``cutoffs``
    (every cutoff in one pass over the buckets).

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> frame = ars.training_frame(ledger, ["2024-05-31", "2024-06-30"])  # doctest: +SKIP
    """
    dates = _dates(cutoffs)
    options: dict[str, Any] = {"grace_days": grace_days, "warning_multiple": warning_multiple}
    probe = probe_ledger(ledger)
    for t in dates:  # parameters and coverage, as the pandas function checks them
        pandas_labels(probe, t, horizon_months, **options)
    example = _training_part(probe, dates[:1], None, horizon_months, options)
    contexts = _contexts(ledger, dates, None, buckets)
    shared = ledger.spark.sparkContext.broadcast(contexts)

    def compute(bucket: Ledger) -> pd.DataFrame:
        return _training_part(bucket, dates, shared.value, horizon_months, options)

    return _bucketed(ledger, example, compute, buckets)


def score(
    ledger: SparkLedger,
    as_of: AsOf,
    model: RiskModel | str | Any,
    *,
    lang: str = "zh",
    reasons: Literal["risky", "all", "none"] = "risky",
    top: int = 3,
    peers: PeerContext | None = None,
    buckets: Buckets = None,
) -> DataFrame:
    """:func:`arrearsrisk.score` in Spark: one row per active customer, columns
    :data:`arrearsrisk.SCORE_COLUMNS`.

    The model is loaded and checked on the driver, its bundle files broadcast, and each
    Python worker loads it once (every check of :func:`arrearsrisk.load_model` again)
    and predicts on one LightGBM thread.  Bad dates, languages, ``reasons`` values and
    inputs the model lacks raise on the driver, as the pandas function raises them.

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> scores = ars.score(ledger, "2025-09-30", "models/sample", lang="en")  # doctest: +SKIP
    >>> ars.to_pandas(scores).columns.tolist()[:3]  # doctest: +SKIP
    ['customer_id', 'as_of', 'grade']
    """
    t = parse_as_of(as_of)
    digest, files = model_files(model)
    local = cached_model(digest, files)
    options: dict[str, Any] = {"lang": lang, "reasons": reasons, "top": top}
    example = pandas_score(probe_ledger(ledger), t, local, **options)
    ctx = _contexts(ledger, [t], peers, buckets)[t]
    spark = ledger.spark
    shared_ctx = spark.sparkContext.broadcast(ctx)
    shared_model = spark.sparkContext.broadcast(files)

    def compute(bucket: Ledger) -> pd.DataFrame:
        model_here = cached_model(digest, shared_model.value)
        return pandas_score(bucket, t, model_here, peers=shared_ctx.value, **options)

    return _bucketed(ledger, example, compute, buckets)


def to_pandas(frame: DataFrame, *, sort: Sequence[str] | None = None) -> pd.DataFrame:
    """A Spark result of :mod:`arrearsrisk.spark` as the pandas function's frame.

    Collected through Arrow; categorical columns are categoricals again, rows are ordered
    as the pandas function orders them (by ``as_of`` then ``customer_id``, those present)
    unless ``sort`` names other columns.  Errors a worker raised come back as the
    library's own exception (:class:`~arrearsrisk.LedgerError`, ...).

    Examples
    --------
    >>> from arrearsrisk import spark as ars
    >>> ars.to_pandas(ars.score(ledger, "2025-09-30", "models/sample"))  # doctest: +SKIP
    """
    from arrearsrisk.spark.session import quiet_pyspark
    from arrearsrisk.spark.worker import worker_errors

    with quiet_pyspark(), worker_errors():
        table = frame.toArrow()
    keys = (
        list(sort)
        if sort is not None
        else [c for c in ("as_of", "customer_id") if c in frame.columns]
    )
    if keys and table.num_rows:
        table = table.sort_by([(k, "ascending") for k in keys])
    out = plain_arrow(table).to_pandas(types_mapper=None, ignore_metadata=True)
    for field in frame.schema.fields:
        tag = (field.metadata or {}).get(DTYPE_KEY)
        if tag and tag.startswith("category"):
            levels = tag.partition(":")[2]
            dtype = pd.CategoricalDtype(levels.split(",")) if levels else "category"
            out[field.name] = out[field.name].astype(dtype)
    return out
