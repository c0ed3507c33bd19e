"""How many threads training may use, so that it never fights other work for the cores.

LightGBM and the scikit-learn baselines run on thread pools: LightGBM's OpenMP
threads, OpenBLAS (numpy, scipy) under scikit-learn, and scikit-learn's own OpenMP.
Each pool takes every core by default, and their idle threads *spin*: on a machine
whose cores are also busy with something else (another training, the test suite, a
second job), a pool of as many threads as cores makes every step wait for the
thread that was descheduled, and training slows several times (``benchmarks/
bench_train.py``).  This module is the one place that decides the counts:

* :func:`usable_cores`: the cores this process may run on (affinity mask, cgroup CPU
  quota), or an explicit setting (``ARREARSRISK_THREADS``, ``OMP_NUM_THREADS``);
* :func:`training_threads`: the LightGBM ``num_threads`` of training;
* :func:`limited_threads`: a context manager capping the BLAS and OpenMP pools
  (:func:`threadpoolctl.threadpool_limits`) for the scikit-learn parts.

Only the standard library is imported; threadpoolctl (a scikit-learn dependency) when
:func:`limited_threads` is entered.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "THREADS_ENV",
    "limited_threads",
    "training_threads",
    "training_workers",
    "usable_cores",
]

THREADS_ENV = "ARREARSRISK_THREADS"
"""Environment variable fixing the thread count of training (a positive integer)."""

_CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def _env_count(name: str) -> int | None:
    """A positive thread count from the environment variable ``name``, or None if unset.

    ``OMP_NUM_THREADS`` may be a list for nested parallelism (``"4,2"``): its first
    entry counts.  A value that is not a positive integer raises for
    ``ARREARSRISK_THREADS`` (our own setting, a typo should not pass silently) and is
    ignored for ``OMP_NUM_THREADS`` (as OpenMP itself ignores it, with a warning).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        count = int(raw.split(",")[0].strip())
    except ValueError:
        count = 0
    if count >= 1:
        return count
    if name == THREADS_ENV:
        raise ValueError(f"{THREADS_ENV} must be a positive integer (a thread count), got {raw!r}.")
    return None


def _quota_cores(path: Path = _CGROUP_CPU_MAX) -> int | None:
    """Cores of a cgroup v2 CPU quota (``cpu.max`` ``"quota period"``), rounded up."""
    try:
        fields = path.read_text().split()
    except OSError:
        return None
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        quota, period = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return max(1, math.ceil(quota / period)) if quota > 0 and period > 0 else None


def _machine_cores() -> int:
    """Cores of the affinity mask (``os.sched_getaffinity``), else ``os.cpu_count()``,
    capped by a cgroup CPU quota."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # macOS, Windows
        cores = os.cpu_count() or 1
    quota = _quota_cores()
    return max(1, min(cores, quota) if quota is not None else cores)


def usable_cores() -> int:
    """The cores this process may use.

    In order:

    1. ``ARREARSRISK_THREADS``, if set: taken as given (an explicit override; it may
       even exceed the cores, for experiments);
    2. ``OMP_NUM_THREADS``, if set (its first entry): capped at the machine's cores;
    3. the cores of the process's affinity mask (:func:`os.sched_getaffinity`; where
       that does not exist, :func:`os.cpu_count`), capped by a cgroup v2 CPU quota
       (``/sys/fs/cgroup/cpu.max``, rounded up) as containers set it.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    ValueError
        If ``ARREARSRISK_THREADS`` is set but not a positive integer.

    Examples
    --------
    >>> import os
    >>> usable_cores() >= 1
    True
    >>> saved = os.environ.get("ARREARSRISK_THREADS")
    >>> os.environ["ARREARSRISK_THREADS"] = "3"
    >>> usable_cores()
    3
    >>> if saved is None:
    ...     del os.environ["ARREARSRISK_THREADS"]
    ... else:
    ...     os.environ["ARREARSRISK_THREADS"] = saved
    """
    explicit = _env_count(THREADS_ENV)
    if explicit is not None:
        return explicit
    machine = _machine_cores()
    omp = _env_count("OMP_NUM_THREADS")
    return min(omp, machine) if omp is not None else machine


def training_threads() -> int:
    """LightGBM threads for training (``num_threads``) and the cap of the pools under the
    baselines.

    * If ``ARREARSRISK_THREADS`` or ``OMP_NUM_THREADS`` is set, :func:`usable_cores`:
      the operator chose the count (``make test`` sets ``OMP_NUM_THREADS=1`` for its
      two workers);
    * otherwise half the usable cores, at least one: ``max(1, usable_cores() // 2)``,
      which is **one thread on the 2-core reference machine**.

    Why not every core: measured with ``benchmarks/bench_train.py`` on the 2-core
    reference machine (LightGBM 4.7, libgomp), ``ar.train(frame, track=False)`` on the
    sample (56,874 rows, 21 cutoffs: three backtests and the deployed refit), medians
    of 3 runs, wall and CPU seconds.  "Idle" had no load of ours, but another
    session's process used about one core throughout (as on any shared machine);
    "busy" adds one CPU-bound process per core:

    ================================== ============= =============
    LightGBM threads                   idle s (CPU)  busy s (CPU)
    ================================== ============= =============
    OpenMP default (2, every core)     224.9 (183)   577.3 (204)
    ``num_threads=1``                   38.6 (38)    120.9 (41)
    ``OMP_NUM_THREADS=1`` (reference)   36.4 (36)    116.9 (40)
    ================================== ============= =============

    Same trees either way (``deterministic=True``).  With two threads the CPU time
    is five times the work: the trees are shallow (7 leaves) and the frame small, so
    a thread has little to do between two synchronisations, and OpenMP's waiting
    threads spin; as soon as any other process holds a core, the team waits for its
    descheduled member at every barrier.  One thread does the same work idle or busy
    (38 against 41 CPU seconds), its wall time only the scheduler's fair share.  Half
    the cores keeps that margin on larger machines, where a second training, the
    test suite or the scoring batch usually runs beside.

    Returns
    -------
    int
        At least 1.

    Examples
    --------
    >>> 1 <= training_threads() <= usable_cores()
    True
    """
    cores = usable_cores()
    if _env_count(THREADS_ENV) is not None or _env_count("OMP_NUM_THREADS") is not None:
        return cores
    return max(1, cores // 2)


def training_workers(threads: int | None = None) -> int:
    """Independent training tasks to run at once (boosters, the logistic baseline):
    the usable cores divided by the threads each task uses, at least one.

    On the 2-core reference machine with nothing set, :func:`training_threads` is one
    and two tasks run side by side; with ``OMP_NUM_THREADS`` or ``ARREARSRISK_THREADS``
    set, each task takes them all and the tasks run one after the other (``make test``
    sets ``OMP_NUM_THREADS=1`` for each of its two workers).  Single-threaded tasks do
    not wait for one another, so a busy machine only slows each down to its share.

    Parameters
    ----------
    threads : int, optional
        Threads of each task (default :func:`training_threads`).

    Examples
    --------
    >>> 1 <= training_workers() <= usable_cores()
    True
    >>> training_workers(threads=usable_cores())
    1
    """
    per = training_threads() if threads is None else int(threads)
    return max(1, usable_cores() // max(1, per))


@contextlib.contextmanager
def limited_threads(n: int | None = None, user_api: str | None = None) -> Iterator[int]:
    """Cap the BLAS and OpenMP thread pools of the libraries loaded in this process.

    A thin wrapper over :func:`threadpoolctl.threadpool_limits`: OpenBLAS under numpy
    and scipy, scikit-learn's OpenMP and LightGBM's (libgomp) get at most ``n``
    threads inside the block, and their previous limits back after it.  Only
    libraries already loaded are capped: import scikit-learn (and whatever the block
    uses) before entering.

    Parameters
    ----------
    n : int, optional
        Threads per pool (default :func:`training_threads`); at least 1.
    user_api : {"blas", "openmp"}, optional
        Only that kind of pool (default both).

    Yields
    ------
    int
        The cap ``n``.

    Raises
    ------
    ValueError
        If ``n`` is less than 1.

    Examples
    --------
    >>> import numpy as np
    >>> from threadpoolctl import threadpool_info
    >>> with limited_threads(1) as n:
    ...     n, all(pool["num_threads"] == 1 for pool in threadpool_info())
    (1, True)
    """
    count = training_threads() if n is None else int(n)
    if count < 1:
        raise ValueError(f"limited_threads needs at least 1 thread, got {n!r}.")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=count, user_api=user_api):
        yield count
