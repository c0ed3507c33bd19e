"""The ``local`` engine: the pandas functions, in this process, on the whole ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from arrearsrisk.asof.labels import build_labels
from arrearsrisk.features import build_features
from arrearsrisk.features.frames import training_frame
from arrearsrisk.ledger.tables import Ledger
from arrearsrisk.scoring.scores import score
from arrearsrisk.timeline import AsOf

__all__ = ["LocalEngine"]


class LocalEngine:
    """Runs the pandas code in this process (one bucket: the whole ledger).

    Examples
    --------
    >>> import arrearsrisk as ar
    >>> engine = LocalEngine()
    >>> ledger = ar.read_ledger("data/sample").subset(["C0001", "C0002"])
    >>> engine.to_pandas(engine.build_features(ledger, "2025-09-30"))["customer_id"].tolist()
    ['C0001', 'C0002']
    """

    name = "local"

    def build_features(self, ledger: Ledger, as_of: AsOf) -> pd.DataFrame:
        return build_features(ledger, as_of).reset_index()

    def build_labels(self, ledger: Ledger, as_of: AsOf) -> pd.DataFrame:
        return build_labels(ledger, as_of).reset_index()

    def training_frame(self, ledger: Ledger, cutoffs: Sequence[AsOf]) -> pd.DataFrame:
        return training_frame(ledger, cutoffs)

    def score(self, ledger: Ledger, as_of: AsOf, model: Any, **options: Any) -> pd.DataFrame:
        return score(ledger, as_of, model, **options)

    def to_pandas(self, result: pd.DataFrame) -> pd.DataFrame:
        return result
