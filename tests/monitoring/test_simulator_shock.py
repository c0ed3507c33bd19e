"""The simulator's local shock: the default sample is unchanged byte for byte, a shock
changes only its segment from its start, and bad shocks are refused."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest

from arrearsrisk.sample import Shock, simulate_ledger, write_sample

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_sample_is_unchanged_byte_for_byte(tmp_path: Path) -> None:
    # data/sample/README.md: 3,000 customers, 36 months from 2023-01, seed 0, CSV
    written = write_sample(tmp_path, 3000, 36, "2023-01", 0, fmt="csv")
    for name, path in written.items():
        assert filecmp.cmp(path, ROOT / "data" / "sample" / f"{name}.csv", shallow=False), name


def test_a_shock_changes_only_its_segment_and_only_from_its_start() -> None:
    calm = simulate_ledger(1500, 24, "2023-01", seed=3)
    shock = Shock(12, region="Nanhu", strength=1.0)
    hit = simulate_ledger(1500, 24, "2023-01", seed=3, shocks=[shock])
    pd.testing.assert_frame_equal(calm.customers, hit.customers)
    firms = calm.customers.query("region == 'Nanhu' and category != 'residential'")
    inside = set(firms["customer_id"])
    for table in ("bills", "payments"):
        a, b = getattr(calm, table), getattr(hit, table)
        out_a = a[~a["customer_id"].isin(inside)].reset_index(drop=True)
        out_b = b[~b["customer_id"].isin(inside)].reset_index(drop=True)
        pd.testing.assert_frame_equal(out_a, out_b)  # nobody else is touched
    before = calm.bills["period"] < "2024-01"
    pd.testing.assert_frame_equal(
        calm.bills[before].reset_index(drop=True),
        hit.bills[hit.bills["period"] < "2024-01"].reset_index(drop=True),
    )
    # the firms consume less and pay later after the start
    a = calm.bills[calm.bills["customer_id"].isin(inside) & ~before]
    b = hit.bills[hit.bills["customer_id"].isin(inside) & (hit.bills["period"] >= "2024-01")]
    assert b["kwh"].sum() < 0.95 * a["kwh"].sum()
    paid_a = calm.payments[calm.payments["customer_id"].isin(inside)]["amount"].sum()
    paid_b = hit.payments[hit.payments["customer_id"].isin(inside)]["amount"].sum()
    assert paid_b < paid_a


def test_the_downturn_can_be_switched_off() -> None:
    with_ = simulate_ledger(800, 24, seed=2)
    without = simulate_ledger(800, 24, seed=2, downturn=False)
    pd.testing.assert_frame_equal(with_.customers, without.customers)
    assert not with_.bills.equals(without.bills)  # the downturn's customers differ


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": -1}, "start must be a period index"),
        ({"start": 3, "region": "Atlantis"}, "region 'Atlantis' is not one of"),
        ({"start": 3, "industry": "Z99"}, "industry 'Z99' is not a simulated code"),
        ({"start": 3, "category": "farm"}, "category 'farm' is not a usage category"),
        ({"start": 3, "strength": 0.0}, r"strength must be > 0"),
        ({"start": 3, "ramp": 0}, "ramp must be a whole number"),
    ],
)
def test_bad_shocks_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Shock(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shocks must be a sequence"):
        simulate_ledger(10, 3, shocks=["Nanhu"])  # type: ignore[list-item]
