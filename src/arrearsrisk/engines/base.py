"""The engine contract, the registry of engines and the contract check."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.timeline import AsOf

__all__ = ["Engine", "check_engine", "engines", "get_engine", "register_engine"]


@runtime_checkable
class Engine(Protocol):
    """What an execution engine provides.  Results may be the engine's own frames (a
    Spark DataFrame, say); :meth:`to_pandas` turns one into pandas with the columns of
    the pandas functions."""

    name: str

    def build_features(self, ledger: Any, as_of: AsOf) -> Any:
        """As :func:`arrearsrisk.build_features` (customer ids as a column)."""
        ...

    def build_labels(self, ledger: Any, as_of: AsOf) -> Any:
        """As :func:`arrearsrisk.build_labels` (customer ids as a column)."""
        ...

    def training_frame(self, ledger: Any, cutoffs: Sequence[AsOf]) -> Any:
        """As :func:`arrearsrisk.training_frame`."""
        ...

    def score(self, ledger: Any, as_of: AsOf, model: Any, **options: Any) -> Any:
        """As :func:`arrearsrisk.score`."""
        ...

    def to_pandas(self, result: Any) -> pd.DataFrame:
        """A result of this engine as a pandas frame."""
        ...


_ENGINES: dict[str, Callable[[], Engine] | str] = {}


def register_engine(name: str, factory: Callable[[], Engine] | str) -> None:
    """Make ``get_engine(name)`` build an engine with ``factory`` (a class or function
    taking no argument, or its dotted name ``"package.module:Class"``)."""
    if not name.isidentifier():
        raise ArrearsRiskError(f"an engine name is a Python identifier; got {name!r}.")
    _ENGINES[name] = factory


def engines() -> list[str]:
    """Names of the registered engines."""
    return list(_ENGINES)


def get_engine(name: str, **options: Any) -> Engine:
    """A new engine of the registered ``name``; ``options`` go to its factory."""
    if name not in _ENGINES:
        raise ArrearsRiskError(f"unknown engine {name!r}; registered: {', '.join(_ENGINES)}.")
    factory = _ENGINES[name]
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
    engine = factory(**options)
    if not isinstance(engine, Engine):
        raise ArrearsRiskError(f"engine {name!r} lacks part of the Engine protocol.")
    return engine


def _same(what: str, got: pd.DataFrame, want: pd.DataFrame, key: list[str]) -> None:
    got = got.sort_values(key).reset_index(drop=True)
    want = want.sort_values(key).reset_index(drop=True)
    if list(got.columns) != list(want.columns):
        raise ArrearsRiskError(
            f"{what}: columns differ from the local engine's: {list(got.columns)[:8]}... "
            f"against {list(want.columns)[:8]}..."
        )
    try:
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)
    except AssertionError as err:
        raise ArrearsRiskError(f"{what}: values differ from the local engine's: {err}") from None


def check_engine(engine: Engine, ledger: Any, as_of: AsOf, model: Any) -> None:
    """The contract of an engine: features, labels and scores of ``ledger`` at
    ``as_of`` equal those of the ``local`` engine (same columns, same values).

    ``ledger`` is what ``engine`` takes; its ``to_local()`` (if it has one, else the
    ledger itself) is what the local engine is given.

    Raises
    ------
    ArrearsRiskError
        Naming the output and what differs.
    """
    local = get_engine("local")
    local_ledger = ledger.to_local() if hasattr(ledger, "to_local") else ledger
    checks: list[tuple[str, Callable[[Engine, Any], Any], list[str]]] = [
        ("build_features", lambda e, led: e.build_features(led, as_of), ["customer_id"]),
        ("build_labels", lambda e, led: e.build_labels(led, as_of), ["customer_id"]),
        ("score", lambda e, led: e.score(led, as_of, model), ["customer_id"]),
    ]
    for what, run, key in checks:
        got = engine.to_pandas(run(engine, ledger))
        want = local.to_pandas(run(local, local_ledger))
        _same(f"engine {engine.name!r} {what}", got, want, key)
