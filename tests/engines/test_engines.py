"""Execution engines: the registry, and the contract every engine is checked against."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.engines import LocalEngine, check_engine, engines, get_engine, register_engine
from arrearsrisk.engines.base import _ENGINES

AS_OF = "2025-09-30"


@pytest.fixture(scope="module")
def ledger(sample_ledger) -> ar.Ledger:
    return sample_ledger.subset(sample_ledger.customers["customer_id"][:200])


def test_local_is_registered_and_passes_the_contract(ledger):
    assert "local" in engines()
    check_engine(get_engine("local"), ledger, AS_OF, "models/sample")


class _OffByOne(LocalEngine):
    """An engine whose scores are wrong: the contract must catch it."""

    name = "off_by_one"

    def score(self, ledger: Any, as_of: Any, model: Any, **options: Any) -> pd.DataFrame:
        out = super().score(ledger, as_of, model, **options)
        out.loc[out.index[0], "p_warning"] += 0.01
        return out


def test_the_contract_catches_an_engine_that_scores_differently(ledger):
    with pytest.raises(ar.ArrearsRiskError, match="engine 'off_by_one' score: values differ"):
        check_engine(_OffByOne(), ledger, AS_OF, "models/sample")


def test_engines_register_by_dotted_name_and_load_on_use():
    register_engine("by_name", "arrearsrisk.engines.local:LocalEngine")
    try:
        assert isinstance(get_engine("by_name"), LocalEngine)
    finally:
        del _ENGINES["by_name"]


def test_engine_registry_errors():
    with pytest.raises(ar.ArrearsRiskError, match="unknown engine 'spark_cluster'"):
        get_engine("spark_cluster")
    with pytest.raises(ar.ArrearsRiskError, match="a Python identifier"):
        register_engine("not a name", LocalEngine)
    register_engine("broken", lambda: object())  # type: ignore[arg-type,return-value]
    try:
        with pytest.raises(ar.ArrearsRiskError, match="lacks part of the Engine protocol"):
            get_engine("broken")
    finally:
        del _ENGINES["broken"]
