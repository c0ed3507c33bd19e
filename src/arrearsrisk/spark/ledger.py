"""The Spark ledger: the three typed tables as Spark DataFrames, and what must be judged
on the whole ledger (identifier columns, data span, the tables' ends).

Build one with :func:`arrearsrisk.spark.read_ledger` (validated in Spark) or
:meth:`SparkLedger.from_local` (from a validated pandas :class:`~arrearsrisk.Ledger`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from arrearsrisk.asof.labels import table_ends
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.spark.arrow import arrow_to_frame, plain_arrow
from arrearsrisk.spark.session import quiet_pyspark
from arrearsrisk.spark.worker import LedgerFacts

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkLedger", "table_to_arrow"]

_EPOCH = pd.Timestamp("1970-01-01")


def table_to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A typed ledger table as Arrow in the Spark ledger's types: text ``string``, dates
    ``date32``, numbers ``double`` (integers as they are), flags ``bool``.

    >>> import arrearsrisk as ar
    >>> led = ar.read_ledger("data/sample").subset(["C0001"])
    >>> table_to_arrow(led.bills).schema.field("due_date").type
    DataType(date32[day])
    """
    table = plain_arrow(pa.Table.from_pandas(frame, preserve_index=False))
    fields = []
    for f in table.schema:
        kind = f.type
        if pa.types.is_timestamp(kind) and kind.tz is None:
            name = str(f.name)
            values = frame[name]
            days = values.dropna().to_numpy(dtype="datetime64[s]").view(np.int64)
            if (days % 86_400 == 0).all():
                kind = pa.date32()
        fields.append(pa.field(f.name, kind))
    return table.cast(pa.schema(fields))


@dataclass(frozen=True, eq=False)
class SparkLedger:
    """A validated ledger held as Spark DataFrames.

    Attributes
    ----------
    customers, bills, payments : pyspark.sql.DataFrame
        The typed tables (``docs/contract.md``, section 1): text ``string``, dates
        ``date``, numbers ``double``, yes/no ``boolean`` (null = unknown), extra columns
        after the schema's.
    identifier_columns : dict of str to str
        Extra customer columns that identify a customer, with the reason (judged on
        every customer; never features).
    data_span : tuple of Timestamp, or None
        First and last date of the data (bill issue and payment dates).
    table_ends : tuple of Timestamp or None
        The last issue date and the last payment date (for the labels' coverage).
    """

    customers: DataFrame
    bills: DataFrame
    payments: DataFrame
    identifier_columns: dict[str, str]
    data_span: tuple[pd.Timestamp, pd.Timestamp] | None
    table_ends: tuple[pd.Timestamp | None, pd.Timestamp | None]
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    """Facts computed once per ledger (row counts, the bucket plan)."""

    @property
    def spark(self) -> SparkSession:
        """The session the tables belong to."""
        return self.customers.sparkSession

    @property
    def attribute_columns(self) -> list[str]:
        """Customer columns beyond the schema that the models use as features."""
        from arrearsrisk.ledger.schema import SCHEMA

        known = set(SCHEMA["customers"].names)
        return [
            c for c in self.customers.columns if c not in known and c not in self.identifier_columns
        ]

    @property
    def facts(self) -> LedgerFacts:
        """What each bucket must know of the whole ledger."""
        return LedgerFacts(dict(self.identifier_columns), self.data_span)

    @property
    def latest_month_end(self) -> pd.Timestamp | None:
        """The last month end on or before the ledger's last bill or payment date (the
        default scoring date of the command line), ``None`` without data."""
        if self.data_span is None:
            return None
        last = self.data_span[1]
        end = last + pd.offsets.MonthEnd(0)
        return end if end == last else end - pd.offsets.MonthEnd(1)

    def __repr__(self) -> str:
        return f"SparkLedger(customers={self.customers.columns[:3]}..., span={self.data_span})"

    @classmethod
    def from_local(cls, spark: SparkSession, ledger: Ledger) -> SparkLedger:
        """The Spark ledger of a validated pandas :class:`~arrearsrisk.Ledger` (its
        tables go to Spark through Arrow).

        Examples
        --------
        >>> import arrearsrisk as ar
        >>> from arrearsrisk.spark import SparkLedger
        >>> sl = SparkLedger.from_local(spark, ar.read_ledger("data/sample"))  # doctest: +SKIP
        """
        with quiet_pyspark():
            customers, bills, payments = (
                spark.createDataFrame(table_to_arrow(t))
                for t in (ledger.customers, ledger.bills, ledger.payments)
            )
        return cls(
            customers,
            bills,
            payments,
            identifier_columns=dict(ledger._identifiers),
            data_span=ledger.data_span,
            table_ends=table_ends(ledger),
        )

    def to_local(self) -> Ledger:
        """The same ledger as a pandas :class:`~arrearsrisk.Ledger` (collects every row
        to the driver: for checks and small ledgers).

        Examples
        --------
        >>> sl.to_local()  # doctest: +SKIP
        Ledger(3,000 customers, 96,978 bills 2023-01..2025-12, 94,169 payments)
        """
        from arrearsrisk.spark.worker import worker_errors

        with quiet_pyspark(), worker_errors():
            frames = [
                arrow_to_frame(t.toArrow()) for t in (self.customers, self.bills, self.payments)
            ]
        import warnings

        from arrearsrisk.errors import LedgerWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LedgerWarning)  # given when the ledger was read
            ledger = Ledger(*frames)
        ledger._identifiers = dict(self.identifier_columns)
        return ledger

    def persist(self) -> SparkLedger:
        """Keep the three tables in Spark's cache (memory, then disk): worth it before
        several calls on the same ledger (peers, features, scores each read it)."""
        for table in (self.customers, self.bills, self.payments):
            table.persist()
        return self

    def unpersist(self) -> SparkLedger:
        """Free what Spark keeps of this ledger: the tables (when persisted, as CSV
        tables are) and the tables partitioned by bucket (kept by the first pass over
        the buckets)."""
        for key in [k for k in self.cache if k.startswith("bucketed:")]:
            for table in self.cache.pop(key):
                table.unpersist()
        for table in (self.customers, self.bills, self.payments):
            table.unpersist()
        return self
