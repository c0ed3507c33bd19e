"""arrearsrisk on Spark: the ledger read and validated in Spark, features, labels,
training frames and scores computed by the library's pandas code on buckets of
customers.  The only part of arrearsrisk that imports pyspark, and only when a function
here is called (``pip install arrearsrisk[spark]``).

========== ==================================================================
module     what it holds
========== ==================================================================
session    :func:`local_session`, the settings the functions rely on
reading    :func:`read_ledger`: Parquet or CSV folders, or tables, validated
validation the ledger's rules as Spark aggregations (and the library's validator
           on each partition)
ledger     :class:`SparkLedger`: the typed tables and the whole-ledger facts
buckets    customers in hash buckets (heavy customers in buckets of their own)
worker     what runs in a Python worker: the bucket's Ledger, the cached model,
           errors sent back to the driver
jobs       :func:`build_features`, :func:`build_labels`, :func:`training_frame`,
           :func:`score`, :func:`peer_context`
arrow      Arrow between Spark and pandas; :func:`to_pandas`
========== ==================================================================

Examples
--------
>>> from arrearsrisk import spark as ars
>>> spark = ars.local_session(2)  # doctest: +SKIP
>>> ledger = ars.read_ledger(spark, "data/sample")  # doctest: +SKIP
>>> scores = ars.score(ledger, "2025-09-30", "models/sample")  # doctest: +SKIP
>>> ars.to_pandas(scores)["grade"].value_counts().to_dict()  # doctest: +SKIP
{'III': 2069, 'II': 508, 'I': 387}
"""

from arrearsrisk.spark.jobs import (
    build_features,
    build_labels,
    peer_context,
    score,
    to_pandas,
    training_frame,
)
from arrearsrisk.spark.ledger import SparkLedger
from arrearsrisk.spark.reading import read_ledger
from arrearsrisk.spark.session import RECOMMENDED_CONF, local_session

__all__ = [
    "RECOMMENDED_CONF",
    "SparkLedger",
    "build_features",
    "build_labels",
    "local_session",
    "peer_context",
    "read_ledger",
    "score",
    "to_pandas",
    "training_frame",
]
