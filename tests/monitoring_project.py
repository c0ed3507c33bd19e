"""A small project for the monitoring page, run and command tests: a simulated ledger on
disk (1,200 customers, 2023-01..2025-06) and a model trained on six month ends of 2024,
with its frozen monitoring reference.  Built once per test process (training takes the
time), in a temporary folder removed at exit."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import arrearsrisk as ar
from arrearsrisk.sample import write_sample

MONTHS = ("2024-12", "2025-05")
"""Months monitored in the tests: the last ones have not matured by the ledger's end."""


@dataclass(frozen=True)
class Project:
    data: Path
    bundle: Path
    ledger: ar.Ledger
    frame: pd.DataFrame
    result: Any  # the TrainResult


@functools.cache
def project() -> Project:
    folder = Path(tempfile.mkdtemp(prefix="arrearsrisk-monitoring-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    data = folder / "data"
    write_sample(data, 1200, 30, "2023-01", seed=3)
    ledger = ar.read_ledger(data)
    frame = ar.training_frame(ledger, list(pd.date_range("2024-01-31", "2024-06-30", freq="ME")))
    result = ar.train(
        frame,
        track=False,
        num_boost_round=30,
        test_months=2,
        valid_months=2,
        seed=1,
        save_to=folder / "bundle",
    )
    return Project(data, folder / "bundle", ledger, frame, result)


@functools.cache
def monitored() -> Any:
    """The small project's model monitored over :data:`MONTHS`."""
    from arrearsrisk.monitoring import monitor

    p = project()
    return monitor(p.ledger, ar.load_model(p.bundle), MONTHS)
