"""Execution engines: where the per-customer work runs.

Every engine runs the same pandas code of :mod:`arrearsrisk.features`,
:mod:`arrearsrisk.asof` and :mod:`arrearsrisk.scoring` on buckets of customers; an
engine decides only how the buckets are made and where they run.  ``local`` runs
in this process on the whole ledger; ``spark`` (:mod:`arrearsrisk.engines.spark`) runs
on hash buckets of customers in Spark.  A new engine is one module in this folder with
a class following :class:`~arrearsrisk.engines.base.Engine`, registered
with :func:`register_engine` (by dotted name, so its heavy client is imported only when
it is asked for), and checked with :func:`check_engine` against ``local``.

Examples
--------
>>> from arrearsrisk.engines import get_engine, engines
>>> "local" in engines() and "spark" in engines()
True
>>> get_engine("local").name
'local'
"""

from arrearsrisk.engines.base import Engine, check_engine, engines, get_engine, register_engine
from arrearsrisk.engines.local import LocalEngine

register_engine("local", LocalEngine)
# By dotted name: pyspark is imported only when a Spark engine is asked for.
register_engine("spark", "arrearsrisk.engines.spark:SparkEngine")

__all__ = ["Engine", "LocalEngine", "check_engine", "engines", "get_engine", "register_engine"]
