"""The ``spark`` engine: the pandas code on buckets of customers in Spark.

A thin adapter over :mod:`arrearsrisk.spark` (which alone imports pyspark): it takes a
:class:`~arrearsrisk.spark.SparkLedger` or a pandas :class:`~arrearsrisk.Ledger` (sent to
Spark through Arrow), returns Spark DataFrames, and :meth:`SparkEngine.to_pandas` turns
one into the pandas function's frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.timeline import AsOf

if TYPE_CHECKING:
    from arrearsrisk.spark import SparkLedger

DataFrame = Any
"""A ``pyspark.sql.DataFrame`` (only :mod:`arrearsrisk.spark` imports pyspark)."""
SparkSession = Any
"""A ``pyspark.sql.SparkSession``."""

__all__ = ["SparkEngine"]


class SparkEngine:
    """Runs the library's pandas code on hash buckets of customers with Spark.

    Parameters
    ----------
    spark : pyspark.sql.SparkSession, optional
        The session; by default the active one, else
        :func:`arrearsrisk.spark.local_session`.
    buckets : int, optional
        Number of hashed buckets (default: from the data's size and the cores).

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> from arrearsrisk.engines import check_engine, get_engine
    >>> engine = get_engine("spark")  # doctest: +SKIP
    >>> check_engine(engine, ar.read_ledger("data/sample"), "2025-09-30",
    ...              "models/sample")  # doctest: +SKIP
    """

    name = "spark"

    def __init__(self, spark: SparkSession | None = None, buckets: int | None = None) -> None:
        self.spark = spark
        self.buckets = buckets
        self._last: tuple[Ledger, SparkLedger] | None = None

    def session(self) -> SparkSession:
        """The session this engine runs in (started on first use)."""
        if self.spark is None:
            from arrearsrisk.spark.session import active_session, local_session

            self.spark = active_session() or local_session()
        return self.spark

    def ledger(self, ledger: SparkLedger | Ledger) -> SparkLedger:
        """``ledger`` as a Spark ledger (a pandas one is sent once and kept)."""
        if not isinstance(ledger, Ledger):
            return ledger
        if self._last is not None and self._last[0] is ledger:
            return self._last[1]
        from arrearsrisk.spark import SparkLedger

        converted = SparkLedger.from_local(self.session(), ledger)
        self._last = (ledger, converted)
        return converted

    def build_features(self, ledger: Any, as_of: AsOf) -> DataFrame:
        from arrearsrisk import spark as ars

        return ars.build_features(self.ledger(ledger), as_of, buckets=self.buckets)

    def build_labels(self, ledger: Any, as_of: AsOf) -> DataFrame:
        from arrearsrisk import spark as ars

        return ars.build_labels(self.ledger(ledger), as_of, buckets=self.buckets)

    def training_frame(self, ledger: Any, cutoffs: Sequence[AsOf]) -> DataFrame:
        from arrearsrisk import spark as ars

        return ars.training_frame(self.ledger(ledger), cutoffs, buckets=self.buckets)

    def score(self, ledger: Any, as_of: AsOf, model: Any, **options: Any) -> DataFrame:
        from arrearsrisk import spark as ars

        return ars.score(self.ledger(ledger), as_of, model, buckets=self.buckets, **options)

    def to_pandas(self, result: DataFrame) -> pd.DataFrame:
        from arrearsrisk import spark as ars

        return ars.to_pandas(result)
