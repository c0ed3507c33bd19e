"""Execution engines: where the per-customer work runs.

Every engine runs the same pandas code of :mod:`arrearsrisk.features`,
:mod:`arrearsrisk.asof` and :mod:`arrearsrisk.scoring` on buckets of customers; an
engine decides only how the buckets are made and where they run.  ``local`` runs
in this process on the whole ledger.  A new engine (e.g. Spark) is one module in this
folder with a class following :class:`~arrearsrisk.engines.base.Engine`, registered
with :func:`register_engine` (by dotted name, so its heavy client is imported only when
it is asked for), and checked with :func:`check_engine` against ``local``.

Examples
--------
>>> from arrearsrisk.engines import get_engine, engines
>>> sorted(engines())
['local']
>>> get_engine("local").name
'local'
"""

from arrearsrisk.engines.base import Engine, check_engine, engines, get_engine, register_engine
from arrearsrisk.engines.local import LocalEngine

register_engine("local", LocalEngine)

__all__ = ["Engine", "LocalEngine", "check_engine", "engines", "get_engine", "register_engine"]
