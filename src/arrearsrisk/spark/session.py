"""A local Spark session set up for arrearsrisk, and the one import of pyspark's entry
points.

:func:`local_session` starts (or returns) a session with the settings the Spark functions
rely on: the workers run this very interpreter (``PYSPARK_PYTHON = sys.executable``),
Arrow batches of :data:`BATCH_ROWS` rows, one OpenMP thread per Python worker (a task is
one core: LightGBM runs with ``num_threads=1`` inside it), no web UI and only the
loopback interface.  Any other session works too; :data:`RECOMMENDED_CONF` lists what to
set on a cluster.

pyspark 4.x warns (``FutureWarning``) whenever it checks the pandas version and finds
pandas 3.  arrearsrisk never lets pyspark convert pandas frames: every exchange is Arrow
(``createDataFrame(pyarrow.Table)``, ``toArrow()``, ``mapInArrow``, ``applyInArrow``) and
the conversions are pyarrow's, so that warning does not concern this package and
:func:`quiet_pyspark` silences it (only it) around our calls.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["BATCH_ROWS", "RECOMMENDED_CONF", "active_session", "local_session", "quiet_pyspark"]

BATCH_ROWS = 10_000
"""Rows per Arrow batch between the JVM and the Python workers
(``spark.sql.execution.arrow.maxRecordsPerBatch``): a bucket of 20,000 customers x 36
months travels as a few hundred batches, each a few MB."""

RECOMMENDED_CONF: Mapping[str, str] = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.execution.arrow.maxRecordsPerBatch": str(BATCH_ROWS),
    "spark.python.worker.reuse": "true",
    "spark.executorEnv.OMP_NUM_THREADS": "1",
    "spark.executorEnv.OPENBLAS_NUM_THREADS": "1",
    "spark.sql.session.timeZone": "UTC",
}
"""Settings the Spark functions are built for: Arrow on, bounded Arrow batches, reused
Python workers (each keeps the loaded model between tasks), one BLAS/OpenMP thread per
worker, UTC session time (dates are days; no time zone enters)."""

_PANDAS_WARNING = "PySpark does not yet fully support pandas"


@contextlib.contextmanager
def quiet_pyspark() -> Iterator[None]:
    """Silence pyspark's pandas-version ``FutureWarning`` (and nothing else) in a block.

    Examples
    --------
    >>> import warnings
    >>> with quiet_pyspark():
    ...     warnings.warn("PySpark does not yet fully support pandas >= 3.0.0.", FutureWarning)
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS_WARNING, category=FutureWarning)
        yield


def local_session(
    cores: int = 2,
    *,
    shuffle_partitions: int = 4,
    memory: str = "2g",
    app_name: str = "arrearsrisk",
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """A local Spark session (``local[cores]``) set up for arrearsrisk.

    Parameters
    ----------
    cores : int, default 2
        Worker threads of the local master, i.e. tasks at once.
    shuffle_partitions : int, default 4
        ``spark.sql.shuffle.partitions``: small keeps small jobs quick.
    memory : str, default "2g"
        Driver memory (in local mode the driver JVM runs the tasks too); applies only
        when this call starts the JVM.
    app_name : str
        The application's name.
    conf : mapping, optional
        Further settings, applied after :data:`RECOMMENDED_CONF`.

    Returns
    -------
    pyspark.sql.SparkSession

    Examples
    --------
    >>> from arrearsrisk.spark import local_session
    >>> spark = local_session(2)  # doctest: +SKIP
    """
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    with quiet_pyspark():
        from pyspark.sql import SparkSession

        builder: Any = SparkSession.builder.master(f"local[{int(cores)}]").appName(app_name)
        settings = {
            **RECOMMENDED_CONF,
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.memory": memory,
            "spark.sql.shuffle.partitions": str(int(shuffle_partitions)),
            "spark.default.parallelism": str(int(cores)),
            "spark.sql.adaptive.enabled": "true",
            **dict(conf or {}),
        }
        for key, value in settings.items():
            builder = builder.config(key, value)
        session: SparkSession = builder.getOrCreate()
    return session


def active_session() -> SparkSession | None:
    """The active Spark session of this thread, if any (``None`` without pyspark's JVM
    started)."""
    with quiet_pyspark():
        from pyspark.sql import SparkSession

        return SparkSession.getActiveSession()
