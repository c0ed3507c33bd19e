"""Seeded, realistic sample ledgers of a county power-supply company.

:func:`simulate_ledger` returns the three tables of ``docs/contract.md``, section 1
(:class:`SampleTables`); :func:`write_sample` writes them to a folder (CSV or Parquet)
and :func:`count_rows` counts a written file's rows.  The modules, in the order the
simulation uses them:

=========== =====================================================================
module      what it holds
=========== =====================================================================
parameters  the simulated utility: categories, stations, industries, tariffs...
periods     the calendar of the billing periods (day numbers)
customers   customers' attributes, latent traits, groups and life events
simulation  the months: consumption, bills, payments and the payment decisions
frames      the arrays as the customers, bills and payments frames
tables      :func:`simulate_ledger` and the mechanisms it simulates
writing     :func:`write_sample` and :func:`count_rows`
=========== =====================================================================
"""

from arrearsrisk.sample.parameters import (
    CATEGORY_SHARES,
    DOWNTURN_INDUSTRIES,
    HIGH_ENERGY_INDUSTRIES,
    INDUSTRIES,
    REGIONS,
    RESTRICTED_INDUSTRIES,
    Shock,
    downturn_period,
)
from arrearsrisk.sample.tables import SampleTables, simulate_ledger
from arrearsrisk.sample.writing import count_rows, write_sample

__all__ = [
    "CATEGORY_SHARES",
    "DOWNTURN_INDUSTRIES",
    "HIGH_ENERGY_INDUSTRIES",
    "INDUSTRIES",
    "REGIONS",
    "RESTRICTED_INDUSTRIES",
    "SampleTables",
    "Shock",
    "count_rows",
    "downturn_period",
    "simulate_ledger",
    "write_sample",
]
