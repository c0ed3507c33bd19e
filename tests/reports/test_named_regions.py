"""A staff table that names its stations (region_name) makes plans carry the names and
the report show them (东城供电所) instead of the codes (Dongcheng)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.plans import risk_plans
from arrearsrisk.plans.people import read_staff, station_names
from arrearsrisk.reports.formatting import named_regions
from arrearsrisk.reports.html import render_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def named(sample_ledger, sample_model):
    staff = read_staff(ROOT / "data" / "sample" / "staff.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        scores = ar.score(sample_ledger, "2025-12-31", sample_model)
        plans = risk_plans(scores, sample_ledger, staff=staff)
    return staff, scores, plans


def test_plans_carry_the_station_names_of_the_staff_table(named):
    staff, _, plans = named
    names = station_names(staff)
    assert names["Dongcheng"] == "东城供电所" and len(names) == 8
    assert plans["region_name"].tolist() == [names[r] for r in plans["region"]]
    assert list(plans.columns[: len(ar.plans.PLAN_COLUMNS)]) == list(ar.plans.PLAN_COLUMNS)


def test_the_report_shows_names_not_codes(named, sample_ledger):
    _, scores, plans = named
    page = render_report(plans.head(30), scores, "zh", ledger=sample_ledger, max_cards=30)
    text = re.sub(r"<[^>]+>", " ", page)
    assert "东城供电所" in text and "西关供电所" in text
    codes = r"\b(Dongcheng|Xiguan|Nanhu|Beishan|Hexi|Qiaotou|Shilipu|Longquan)\b"
    assert not re.search(codes, text)


def test_named_regions_leaves_unnamed_areas_and_frames_without_regions():
    plans = pd.DataFrame({"region": ["A", "B", None], "region_name": ["甲供电所", None, None]})
    other = pd.DataFrame({"x": [1]})
    shown, same = named_regions(plans, other)
    assert shown["region"].tolist()[:2] == ["甲供电所", "B"] and shown["region"].isna().iat[2]
    assert same is other
    assert named_regions(pd.DataFrame({"region": ["A"]}))[0]["region"].tolist() == ["A"]
