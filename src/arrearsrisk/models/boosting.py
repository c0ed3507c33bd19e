"""LightGBM boosters fitted side by side: binned data shared by the targets of a slice,
independent boosters run as tasks on the cores the process may use.

A backtest fits three boosters (Grade I, Grade I+II, warning) on the same rows, and
the deployed model three more on every row.  Binning the features is the costly part of
a ``lightgbm.Dataset``; it is done once per slice (:class:`Slice`), and each booster
trains on a subset of all rows carrying its own label, which gives the same trees as a
dataset of its own.

The boosters are independent, so :class:`Boosting` runs them, and any other task (the
logistic baseline), on a pool of :func:`~arrearsrisk.models.threads.training_workers`
threads, each booster with ``num_threads`` LightGBM threads.  LightGBM and the BLAS
under scikit-learn release the GIL while they compute; single-threaded tasks never wait
for one another at an OpenMP barrier, so on a busy machine each only gets a smaller
share of the cores, unlike one OpenMP team of several threads (see
:func:`~arrearsrisk.models.threads.training_threads`).  Results do not depend on the
number of workers: each booster is deterministic and the results are collected in a
fixed order.

Examples
--------
>>> import numpy as np
>>> from arrearsrisk.models.boosting import Boosting, Slice
>>> rng = np.random.default_rng(0)
>>> x = rng.normal(size=(400, 3))
>>> y = (x[:, 0] + rng.normal(size=400) > 0).astype(float)
>>> params = {"objective": "binary", "num_leaves": 3, "verbose": -1, "num_threads": 1}
>>> with Boosting(workers=2) as pool:
...     data = Slice(x, None, ["a", "b", "c"], [], params)
...     one = pool.submit(data.fit, y, None, 10, 0)
...     two = pool.submit(data.fit, 1.0 - y, None, 10, 0)
...     one.result().num_trees(), two.result().num_trees()
(10, 10)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np

__all__ = ["Boosting", "Slice"]


class Slice:
    """The rows of one slice (training rows, and validation rows if any), binned once
    for all the boosters fitted on them.

    Parameters
    ----------
    x : numpy.ndarray
        Training matrix (rows by features, in spec order).
    xv : numpy.ndarray or None
        Validation matrix, for early stopping.
    names : list of str
        Feature names.
    categorical : list of int
        Indices of the categorical features.
    params : dict
        The LightGBM parameters every booster of the slice uses (binning depends on
        them).
    """

    def __init__(
        self,
        x: np.ndarray,
        xv: np.ndarray | None,
        names: list[str],
        categorical: list[int],
        params: dict[str, Any],
    ) -> None:
        self._x, self._xv = x, xv
        self._names, self._categorical = names, categorical
        self._params = dict(params)
        self._lock = threading.Lock()
        self._base: Any = None

    def _binned(self) -> Any:
        """The binned training rows, built by the first booster that needs them."""
        import lightgbm as lgb

        with self._lock:
            if self._base is None:
                base = lgb.Dataset(
                    self._x,
                    np.zeros(len(self._x)),
                    feature_name=self._names,
                    categorical_feature=self._categorical,
                    free_raw_data=False,
                    params=self._params,
                )
                self._base = base.construct()
            return self._base

    def fit(self, y: np.ndarray, yv: np.ndarray | None, rounds: int, patience: int) -> Any:
        """One booster on label ``y``: ``rounds`` rounds, or stopped early after
        ``patience`` rounds without a better validation log loss on ``yv``."""
        import lightgbm as lgb

        base = self._binned()
        train = base.subset(np.arange(len(self._x))).construct()  # shares the bins
        train.set_label(y.astype(np.float64))
        if self._xv is None or yv is None:
            return lgb.train(self._params, train, num_boost_round=rounds)
        valid = lgb.Dataset(self._xv, yv.astype(np.float64), reference=base)
        return lgb.train(
            self._params,
            train,
            num_boost_round=rounds,
            valid_sets=[valid],
            valid_names=["valid"],
            callbacks=[lgb.early_stopping(patience, verbose=False), lgb.log_evaluation(0)],
        )


class Boosting:
    """A pool of ``workers`` threads for boosters and other training tasks.

    Use it as a context manager: leaving the block waits for every task.  With one
    worker the tasks run one after the other, in the order submitted.

    Parameters
    ----------
    workers : int
        Tasks run at once (at least 1).
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"Boosting needs at least 1 worker, got {workers!r}.")
        self.workers = int(workers)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="boost")

    def submit(self, task: Callable[..., Any], *args: Any) -> Future[Any]:
        """Run ``task(*args)`` on the pool; its :class:`~concurrent.futures.Future`."""
        return self._pool.submit(task, *args)

    def __enter__(self) -> Boosting:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)
