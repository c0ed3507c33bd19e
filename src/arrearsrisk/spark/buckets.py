"""Customers in hash buckets, and the library's pandas code run on each bucket.

A bucket is a set of whole customers: every bill and payment of a customer is in its
customer's bucket, so the FIFO settlement, the windows and every feature see a
customer's whole history, and a bucket's results are the pandas results of its
customers.  Buckets are groups of a cogroup (customers | bills and payments), run with
``applyInArrow``: Arrow in, Arrow out, no pyspark conversion of pandas.

**Sizes.** The number of buckets follows the data: at least
:data:`CUSTOMERS_PER_BUCKET` customers or :data:`ROWS_PER_BUCKET` bill and payment rows
per bucket on average, and at least two per core.  A bucket of thousands of customers
amortises the cost of building a :class:`~arrearsrisk.Ledger` and of the vectorised
code (a group per customer was measured 9.5x slower).

**Skew.** A customer cannot be split (its settlement needs its whole history), but it
must not make one bucket huge either: customers with more than ``heavy_rows`` rows
(default a quarter of :data:`ROWS_PER_BUCKET`) are found with one aggregation, taken to
the driver (there are few) and packed, largest first, into buckets of their own of at
most :data:`ROWS_PER_BUCKET` rows each (one customer alone when it is larger).  The
memory of a task is then bounded by the larger of :data:`ROWS_PER_BUCKET` rows and the
largest single history.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from arrearsrisk.spark.arrow import arrow_schema
from arrearsrisk.spark.ledger import SparkLedger
from arrearsrisk.spark.session import quiet_pyspark
from arrearsrisk.spark.worker import BUCKET, EVENT_COLUMNS, TABLE

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = [
    "CUSTOMERS_PER_BUCKET",
    "MAX_HEAVY",
    "ROWS_PER_BUCKET",
    "BucketPlan",
    "bucketed_tables",
    "counts",
    "expected_arrow",
    "plan_buckets",
    "run_buckets",
]

CUSTOMERS_PER_BUCKET = 20_000
"""Customers per bucket on average (at most)."""
ROWS_PER_BUCKET = 2_000_000
"""Bill and payment rows per bucket on average (at most); also the size of a bucket of
heavy customers."""
MAX_HEAVY = 100_000
"""At most this many heavy customers get buckets of their own (the rest stay hashed)."""


@dataclass(frozen=True)
class BucketPlan:
    """How customers are bucketed: ``hashed`` buckets by ``xxhash64(customer_id)``, and
    the heavy customers' own buckets, numbered from ``hashed`` on."""

    hashed: int
    heavy: dict[str, int]
    heavy_rows: int

    @property
    def count(self) -> int:
        """Number of buckets."""
        return self.hashed + (max(self.heavy.values()) - self.hashed + 1 if self.heavy else 0)


def _pack(counts: list[tuple[str, int]], first: int, capacity: int) -> dict[str, int]:
    """Heavy customers into buckets from ``first`` on, largest first, each bucket up to
    ``capacity`` rows (a larger customer alone).

    >>> _pack([("a", 9), ("b", 5), ("c", 4), ("d", 1)], 10, 10)
    {'a': 10, 'b': 11, 'c': 11, 'd': 10}
    """
    loads: list[int] = []
    out: dict[str, int] = {}
    for cid, rows in sorted(counts, key=lambda kv: (-kv[1], kv[0])):
        fits = [i for i, load in enumerate(loads) if load + rows <= capacity]
        if fits:
            i = min(fits, key=lambda j: (loads[j], j))
        else:
            loads.append(0)
            i = len(loads) - 1
        loads[i] += rows
        out[cid] = first + i
    return out


def _events(ledger: SparkLedger) -> DataFrame:
    """Bills and payments as one table of :data:`EVENT_COLUMNS` and ``_table``."""
    from pyspark.sql import functions as F

    bills = ledger.bills.select(
        *[c for c in EVENT_COLUMNS if c in ledger.bills.columns]
    ).withColumn(TABLE, F.lit(0).cast("byte"))
    payments = ledger.payments.select(
        *[c for c in EVENT_COLUMNS if c in ledger.payments.columns]
    ).withColumn(TABLE, F.lit(1).cast("byte"))
    events = bills.unionByName(payments, allowMissingColumns=True)
    return events.select(*EVENT_COLUMNS, TABLE)


def counts(ledger: SparkLedger) -> tuple[int, int]:
    """Customers, and bill and payment rows, of ``ledger`` (counted once)."""
    if "counts" not in ledger.cache:
        with quiet_pyspark():
            ledger.cache["counts"] = (
                ledger.customers.count(),
                ledger.bills.count() + ledger.payments.count(),
            )
    return ledger.cache["counts"]


def plan_buckets(
    ledger: SparkLedger, buckets: int | None = None, heavy_rows: int | None = None
) -> BucketPlan:
    """The bucket plan of ``ledger`` (computed once per ledger and settings).

    Parameters
    ----------
    buckets : int, optional
        Number of hashed buckets; by default from the data's size and the cores.
    heavy_rows : int, optional
        Customers with more bill and payment rows than this get buckets of their own;
        default ``ROWS_PER_BUCKET // 4``.
    """
    from pyspark.sql import functions as F

    key = f"plan:{buckets}:{heavy_rows}"
    if key in ledger.cache:
        return ledger.cache[key]
    threshold = int(heavy_rows if heavy_rows is not None else ROWS_PER_BUCKET // 4)
    with quiet_pyspark():
        per_customer = _events(ledger).groupBy("customer_id").count()
        heavy_rows_found = (
            per_customer.filter(F.col("count") > threshold)
            .orderBy(F.col("count").desc(), F.col("customer_id"))
            .limit(MAX_HEAVY)
            .collect()
        )
        n_customers, rows = counts(ledger)
    cores = max(1, int(ledger.spark.sparkContext.defaultParallelism))
    hashed = buckets or max(
        2 * cores,
        math.ceil(n_customers / CUSTOMERS_PER_BUCKET),
        math.ceil(rows / ROWS_PER_BUCKET),
    )
    heavy = _pack(
        [(r["customer_id"], int(r["count"])) for r in heavy_rows_found],
        int(hashed),
        max(ROWS_PER_BUCKET, threshold),
    )
    plan = BucketPlan(int(hashed), heavy, threshold)
    ledger.cache[key] = plan
    return plan


def _with_bucket(frame: DataFrame, plan: BucketPlan) -> DataFrame:
    from pyspark.sql import functions as F

    hashed = F.pmod(F.xxhash64(F.col("customer_id")), F.lit(plan.hashed)).cast("int")
    if not plan.heavy:
        return frame.withColumn(BUCKET, hashed)
    spark = frame.sparkSession
    heavy = spark.createDataFrame(
        pa.table({"customer_id": list(plan.heavy), "_heavy": list(plan.heavy.values())})
    ).withColumn("_heavy", F.col("_heavy").cast("int"))
    joined = frame.join(F.broadcast(heavy), on="customer_id", how="left")
    return joined.withColumn(BUCKET, F.coalesce(F.col("_heavy"), hashed)).drop("_heavy")


def run_buckets(
    ledger: SparkLedger,
    task: Callable[[pa.Table, pa.Table], pa.Table],
    schema: StructType,
    plan: BucketPlan,
) -> DataFrame:
    """``task(customers, events)`` on every bucket of ``ledger``, as one Spark DataFrame
    of ``schema`` (lazy).  ``task`` gets the Arrow schema to return through
    :func:`expected_arrow`."""
    with quiet_pyspark():
        customers, events = bucketed_tables(ledger, plan)
        grouped = customers.groupBy(BUCKET).cogroup(events.groupBy(BUCKET))
        return grouped.applyInArrow(task, schema)


def bucketed_tables(ledger: SparkLedger, plan: BucketPlan) -> tuple[DataFrame, DataFrame]:
    """The customers and the events with their bucket, partitioned by bucket (one
    partition per bucket on average), sorted by it and kept in Spark's cache (memory,
    then disk): the shuffle is done once per ledger and plan, and every later pass
    (peers, then features or scores) groups them without another one.
    :meth:`SparkLedger.unpersist` frees them."""
    from pyspark import StorageLevel

    key = f"bucketed:{plan.hashed}:{sorted(plan.heavy.items())}"
    found = ledger.cache.get(key)
    if found is None:
        parts = plan.count
        found = tuple(
            _with_bucket(frame, plan)
            .repartition(parts, BUCKET)
            .sortWithinPartitions(BUCKET)
            .persist(StorageLevel.MEMORY_AND_DISK)
            for frame in (ledger.customers, _events(ledger))
        )
        ledger.cache[key] = found
    return found


def expected_arrow(ledger: SparkLedger, schema: StructType) -> pa.Schema:
    """The Arrow schema Spark expects back for ``schema`` in ``ledger``'s session."""
    large = ledger.spark.conf.get("spark.sql.execution.arrow.useLargeVarTypes", "false")
    return arrow_schema(schema, large_strings=str(large).lower() == "true")
