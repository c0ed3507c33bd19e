"""Who works each plan: the staff table (one row per person, codes as text), customers
handed to officers by area and capacity, and every gap said by name, never dropped."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.errors import ArrearsRiskError, StaffWarning
from arrearsrisk.plans import risk_plans
from arrearsrisk.plans.people import (
    ANY_REGION,
    assign_people,
    check_staff,
    people,
    read_staff,
    staff_loads,
)
from arrearsrisk.sample.staff import sample_staff, write_sample_staff

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def staff_rows(*rows: tuple[str, str, str, str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "role", "staff_id", "name", "cap"]).astype(
        {"cap": "Int64"}
    )


EAST = staff_rows(
    ("East", "head", "001", "Li", None),
    ("East", "manager", "002", "Zhao", None),
    ("East", "officer", "007", "Sun", 3),
    ("East", "officer", "008", "Zhou", 3),
    ("East", "officer", "009", "Wu", 1),
)


# -- exact values on tiny tables ------------------------------------------------------


def test_customers_go_to_the_least_loaded_officer_in_priority_order():
    done = assign_people(pd.Series(["East"] * 6), EAST)
    assert done.officer_id.tolist() == ["007", "008", "009", "007", "008", "007"]
    assert done.head.tolist() == ["Li"] * 6 and done.manager.tolist() == ["Zhao"] * 6
    assert done.loads[["staff_id", "cap", "load"]].values.tolist() == [
        ["007", 3, 3],
        ["008", 3, 2],
        ["009", 1, 1],
    ]
    assert done.uncovered == {} and done.over_cap == {}


def test_the_order_decides_who_is_served_first_when_the_caps_run_out():
    regions = pd.Series(["East"] * 9)
    with pytest.warns(StaffWarning, match=r"caps in area\(s\) East \(2\): 2 plan\(s\), the last"):
        done = assign_people(regions, EAST, order=[8, 7, 6, 5, 4, 3, 2, 1, 0])
    # positions 8..2 are served (7 = 3 + 3 + 1 places), 1 and 0 are left without officer
    assert done.officer_id.tolist() == [None, None, "008", "007", "008", "007", "009", "008", "007"]
    assert done.head.tolist() == ["Li"] * 9  # head and manager are named all the same
    assert done.over_cap == {"East": 2}
    assert done.loads["load"].tolist() == [3, 3, 1]


def test_uncovered_areas_and_areas_without_officers_are_named_with_their_counts():
    staff = staff_rows(
        ("East", "head", "001", "Li", None),
        ("East", "officer", "007", "Sun", None),
        ("West", "head", "101", "Qian", None),
        ("West", "manager", "102", "Feng", None),
    )
    regions = pd.Series(["East", "North", "West", "North", None, "West", "South"])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        done = assign_people(regions, staff)
    messages = [str(w.message) for w in seen if issubclass(w.category, StaffWarning)]
    assert messages == [
        "staff: nobody in the staff table covers area(s) (no area) (1), North (2), South (1): "
        "4 plan(s) name no responsible person. Add the area's people, or a row with region "
        "'*' for any other area.",
        "staff: area(s) West (2) have no officer in the staff table: 2 plan(s) have no officer.",
    ]
    assert done.officer.tolist() == ["Sun", None, None, None, None, None, None]
    assert done.head.tolist() == ["Li", None, "Qian", None, None, "Qian", None]
    assert done.manager.tolist() == [None, None, "Feng", None, None, "Feng", None]
    assert done.uncovered == {"(no area)": 1, "North": 2, "South": 1}
    assert done.over_cap == {"West": 2}


def test_a_star_row_covers_every_other_area_and_customers_without_one():
    staff = pd.concat(
        [EAST, staff_rows(("*", "head", "900", "Wang", None), ("*", "officer", "901", "Ma", 2))]
    )
    done = assign_people(pd.Series(["North", None, "East", "South"]), staff, warn=False)
    assert done.officer.tolist() == ["Ma", "Ma", "Sun", None]
    assert done.head.tolist() == ["Wang", "Wang", "Li", "Wang"]
    assert done.over_cap == {ANY_REGION: 1} and done.uncovered == {}


def test_an_officer_of_two_areas_has_one_cap_for_both():
    staff = staff_rows(
        ("East", "officer", "007", "Sun", 2),
        ("West", "officer", "007", "Sun", 2),
        ("West", "officer", "008", "Zhou", 5),
    )
    done = assign_people(pd.Series(["East", "West", "West", "East", "West"]), staff, warn=False)
    # Sun's two places go to the first East and the second West customer: none is left
    # for the second East customer, whose area has no other officer
    assert done.officer_id.tolist() == ["007", "008", "007", None, "008"]
    assert done.over_cap == {"East": 1}
    loads = done.loads.set_index(["region", "staff_id"])["load"].to_dict()
    assert loads == {("East", "007"): 1, ("West", "007"): 1, ("West", "008"): 2}


def test_the_older_one_row_per_area_table_still_names_the_three_people():
    wide = pd.DataFrame(
        {
            "region": ["East", "*"],
            "head": ["Li", "Wang"],
            "manager": ["Zhao", "Qian"],
            "officer": ["Sun", "Zhou"],
        }
    )
    named = people(pd.Series(["East", "West", "East"]), wide)
    assert named == {
        "head": pytest.approx(np.array(["Li", "Wang", "Li"], dtype=object)),
        "manager": pytest.approx(np.array(["Zhao", "Qian", "Zhao"], dtype=object)),
        "officer": pytest.approx(np.array(["Sun", "Zhou", "Sun"], dtype=object)),
    }
    assert people(pd.Series(["East"]), None)["officer"].tolist() == [None]


def test_codes_are_read_as_text_and_chinese_headers_and_roles_are_understood(tmp_path):
    file = tmp_path / "staff.csv"
    file.write_text(
        "供电所,角色,工号,姓名,联系电话,上限\n"
        "0001,第一责任人,001,李明,,\n"
        "0001,管理责任人,002,赵敏,0531-1234,\n"
        "0001,具体责任人,007,孙丽,,30\n"
        "0002,负责人,010,王伟,,\n"
        "0002,责任人,0070,周敏,,\n",
        encoding="gbk",
    )
    staff = read_staff(file)
    assert staff.to_dict("list") == {
        "region": ["0001", "0001", "0001", "0002", "0002"],
        "role": ["head", "manager", "officer", "head", "officer"],
        "staff_id": ["001", "002", "007", "010", "0070"],
        "name": ["李明", "赵敏", "孙丽", "王伟", "周敏"],
        "phone": [None, "0531-1234", None, None, None],
        "cap": [None, None, 30, None, None],
    }
    done = assign_people(pd.Series(["0001", "0002", "1"]), staff, warn=False)
    assert done.officer_id.tolist() == ["007", "0070", None]
    assert done.uncovered == {"1": 1}  # "1" is not "0001"


@pytest.mark.parametrize(
    ("table", "match"),
    [
        (staff_rows(), r"staff: the staff table is empty: no plan could name anyone"),
        (pd.DataFrame({"region": ["E"], "name": ["Li"]}), r"column\(s\) \['role', 'staff_id'\]"),
        (
            staff_rows(("E", "boss", "1", "Li", None), ("E", "chief", "2", "Wu", None)),
            r"unknown role\(s\) \['boss', 'chief'\] in row\(s\) 1, 2",
        ),
        (
            staff_rows(("E", "head", "1", "Li", None), ("E", "head", "2", "Wu", None)),
            r"area E has 2 heads \(Li, Wu\); an area has one head",
        ),
        (
            staff_rows(("E", "officer", "1", "Li", None), ("E", "officer", "1", "Li", None)),
            r"row\(s\) 1, 2 list the same person twice",
        ),
        (
            staff_rows(("E", "officer", "1", "Li", None), ("W", "officer", "1", "Wu", None)),
            r"staff_id 1 has several names \(Li, Wu\)",
        ),
        (
            staff_rows(("E", "officer", "1", "Li", 3), ("W", "officer", "1", "Li", 4)),
            r"officer 1 has different caps",
        ),
        (staff_rows(("E", "head", "1", "Li", 5)), r"cap is an officer's workload; row\(s\) 1"),
        (
            pd.DataFrame(
                {
                    "region": ["E"],
                    "role": ["officer"],
                    "staff_id": ["1"],
                    "name": ["Li"],
                    "cap": ["-2"],
                }
            ),
            r"cap must be a whole number >= 0 \(or empty: no cap\); row\(s\) 1 hold \['-2'\]",
        ),
        (
            pd.DataFrame({"region": ["E"], "role": ["officer"], "staff_id": [7], "name": ["Li"]}),
            r"staff_id holds numbers \(7\.\.\.\): codes must be text",
        ),
        (
            pd.DataFrame(
                {
                    "region": ["E", None],
                    "role": "officer",
                    "staff_id": ["1", "2"],
                    "name": ["Li", "Wu"],
                }
            ),
            r"region is empty in row\(s\) 2",
        ),
        (
            pd.DataFrame(
                {"region": ["E"], "区域": ["E"], "role": "head", "staff_id": "1", "name": "Li"}
            ),
            r"columns 'region' and '区域' both mean region",
        ),
    ],
)
def test_a_bad_staff_table_is_refused_by_name(table, match):
    with pytest.raises(ArrearsRiskError, match=match):
        check_staff(table)


def test_an_empty_staff_file_is_refused(tmp_path):
    file = tmp_path / "staff.csv"
    file.write_text("region,role,staff_id,name,cap\n", encoding="utf-8")
    with pytest.raises(ArrearsRiskError, match=r"staff\.csv: the staff table is empty"):
        read_staff(file)
    with pytest.raises(FileNotFoundError, match=r"file not found: .*nothing\.csv"):
        read_staff(tmp_path / "nothing.csv")


def test_staff_loads_counts_each_officers_plans():
    plans = pd.DataFrame(
        {"region": ["East", "East", "North", "East"], "officer": ["Sun", "Zhou", None, "Sun"]}
    )
    loads = staff_loads(plans, EAST)
    assert loads[["staff_id", "load"]].values.tolist() == [["007", 2], ["008", 1], ["009", 0]]


# -- the plans: highest priority first ------------------------------------------------


def test_risk_plans_hand_the_highest_priority_customers_to_the_officers_first(sample_ledger):
    ledger = ar.Ledger(
        sample_ledger.customers.assign(high_hazard=False),
        sample_ledger.bills,
        sample_ledger.payments,
    )
    ids = ["C0013", "C0003", "C0005"]
    scores = pd.DataFrame(
        {
            "customer_id": ids,
            "as_of": "2025-09-30",
            "grade": ["II", "I", "II"],
            "p_I": [0.1, 0.9, 0.3],
            "a_warning": False,
            "exposure": [1000.0, 1000.0, 1000.0],
            "arrears": 0.0,
        }
    )
    staff = staff_rows(("*", "head", "900", "Wang", None), ("*", "officer", "901", "Zhao", 2))
    with pytest.warns(StaffWarning, match=r"caps in area\(s\) \* \(1\): 1 plan\(s\)"):
        plans = risk_plans(scores, ledger, "en", staff=staff)
    assert plans["customer_id"].tolist() == ["C0003", "C0005", "C0013"]  # by expected loss
    assert plans["officer"].tolist() == ["Zhao", "Zhao", None]  # the last one waits
    assert len(plans) == 3  # never dropped


def test_every_plan_of_the_sample_names_three_people_within_the_caps(sample_ledger, sample_model):
    staff = read_staff(SAMPLE / "staff.csv")
    scores = ar.score(sample_ledger, "2026-01-31", sample_model, lang="zh")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*high_hazard", category=ar.LedgerWarning)
        warnings.simplefilter("error", StaffWarning)  # no area uncovered, no plan beyond caps
        plans = risk_plans(scores, sample_ledger, "zh", staff=staff)
    assert len(plans) > 20
    assert plans[["head", "manager", "officer"]].notna().all().all()
    loads = staff_loads(plans, staff)
    assert int(loads["load"].sum()) == len(plans)
    assert (loads["load"] <= loads["cap"]).all()
    per_area = loads.groupby("region")["load"].agg(lambda x: int(x.max() - x.min()))
    assert per_area.max() <= 1  # no cap binds on the sample: balanced to one


# -- the sample's staff table ---------------------------------------------------------


def test_the_sample_staff_table_is_reproduced_byte_for_byte(tmp_path):
    customers = pd.read_csv(SAMPLE / "customers.csv", dtype=str)
    written = write_sample_staff(tmp_path, customers)
    assert written.read_bytes() == (SAMPLE / "staff.csv").read_bytes()
    staff = read_staff(written)
    assert set(staff["region"]) == set(customers["region"].dropna())
    assert staff["staff_id"].str.fullmatch(r"\d{4}").all() and staff["staff_id"].iloc[0] == "0101"
    assert (staff.groupby("region")["role"].agg(lambda r: (r == "officer").sum()) >= 2).all()


def test_sample_staff_scales_officers_with_customers():
    customers = pd.DataFrame({"region": ["A"] * 1000 + ["B"] * 10 + [None] * 5})
    staff = sample_staff(customers)
    officers = staff[staff["role"] == "officer"].groupby("region").size().to_dict()
    assert officers == {"A": 9, "B": 2}
    assert staff["name"].is_unique


# -- properties on generated tables ---------------------------------------------------


def reference_assignment(
    keys: list[str | None], table: pd.DataFrame, order: list[int]
) -> list[str | None]:
    """The slow twin: for each customer, scan its area's officers for the least loaded
    one below their cap (first listed wins a tie)."""
    listed = set(table["region"])
    officers = table[table["role"] == "officer"]
    caps = dict(zip(officers["staff_id"], officers["cap"], strict=True))
    rank = {s: i for i, s in enumerate(dict.fromkeys(officers["staff_id"]))}
    load = dict.fromkeys(rank, 0)
    out: list[str | None] = [None] * len(keys)
    for i in order:
        key = keys[i]
        area = key if key in listed else ("*" if "*" in listed else None)
        best = None
        for sid in officers.loc[officers["region"] == area, "staff_id"]:
            cap = caps[sid]
            if not pd.isna(cap) and load[sid] >= cap:
                continue
            if best is None or (load[sid], rank[sid]) < (load[best], rank[best]):
                best = sid
        if best is not None:
            load[best] += 1
            out[i] = best
    return out


@st.composite
def staffed(draw: st.DrawFn, shared: bool) -> tuple[pd.DataFrame, list[str | None], list[int]]:
    areas = draw(
        st.lists(
            st.sampled_from(["0001", "0002", "0003", "*"]), min_size=1, max_size=4, unique=True
        )
    )
    rows = []
    pool = [f"{k:03d}" for k in range(8)]
    for a in areas:
        ids = draw(st.lists(st.sampled_from(pool), min_size=0, max_size=4, unique=True))
        for sid in ids:
            rows.append((a, "officer", sid if shared else f"{a}-{sid}", f"n{sid}"))
    if not rows:
        rows.append((areas[0], "head", "h", "Head"))
    table = pd.DataFrame(rows, columns=["region", "role", "staff_id", "name"])
    caps = {sid: draw(st.one_of(st.none(), st.integers(0, 6))) for sid in table["staff_id"]}
    table["cap"] = pd.array(
        [
            caps[s] if r == "officer" else None
            for s, r in zip(table["staff_id"], table["role"], strict=True)
        ],
        dtype="Int64",
    )
    if not shared:
        table["name"] = table["staff_id"]
    keys = draw(st.lists(st.sampled_from(["0001", "0002", "0003", "0004", None]), max_size=60))
    order = draw(st.permutations(list(range(len(keys)))))
    return table, keys, list(order)


@settings(max_examples=150, deadline=None)
@given(staffed(shared=False))
def test_assignment_properties_on_generated_tables(case):
    table, keys, order = case
    done = assign_people(pd.Series(keys, dtype=object), table, order, warn=False)
    assert done.officer_id.tolist() == reference_assignment(keys, table, order)
    assert len(done.officer) == len(keys)  # every plan kept
    loads = done.loads
    capped = loads["cap"].notna()
    assert (loads.loc[capped, "load"] <= loads.loc[capped, "cap"]).all()
    covered = sum(done.over_cap.values()) + sum(done.uncovered.values())
    assert covered == sum(s is None for s in done.officer_id)  # each gap counted once
    for area, group in loads.groupby("region"):
        room = group["cap"].isna() | (group["load"] < group["cap"])
        # balanced: an officer with room is within one of everybody
        if room.any():
            assert group["load"].max() <= group.loc[room, "load"].min() + 1
        wanted = sum(
            1 for k in keys if (k if k in set(table["region"]) else "*") == area
        )  # customers of the area
        assert int(group["load"].sum()) + done.over_cap.get(area, 0) == wanted
        total = group["cap"].sum() if not group["cap"].isna().any() else None
        expected_left = max(0, wanted - int(total)) if total is not None else 0
        assert done.over_cap.get(area, 0) == expected_left


@settings(max_examples=100, deadline=None)
@given(staffed(shared=True))
def test_assignment_with_officers_shared_by_areas_equals_the_slow_twin(case):
    table, keys, order = case
    try:
        check_staff(table)
    except ArrearsRiskError:
        return  # the same id drawn with two caps: refused, as tested above
    done = assign_people(pd.Series(keys, dtype=object), table, order, warn=False)
    assert done.officer_id.tolist() == reference_assignment(keys, table, order)
    per_person = done.loads.groupby("staff_id").agg(load=("load", "sum"), cap=("cap", "first"))
    capped = per_person["cap"].notna()
    assert (per_person.loc[capped, "load"] <= per_person.loc[capped, "cap"]).all()


def test_the_card_names_the_three_people_or_says_who_is_missing(sample_ledger):
    from arrearsrisk.reports.cards import card
    from arrearsrisk.reports.formatting import rows

    ledger = ar.Ledger(
        sample_ledger.customers.assign(high_hazard=False),
        sample_ledger.bills,
        sample_ledger.payments,
    )
    scores = pd.DataFrame(
        {
            "customer_id": ["C0013", "C0003"],  # Hexi, Dongcheng
            "as_of": "2025-09-30",
            "grade": ["I", "II"],
            "p_I": [0.7, 0.2],
            "a_warning": False,
            "exposure": [600.0, 100.0],
            "arrears": 0.0,
        }
    )
    staff = staff_rows(
        ("Hexi", "head", "0301", "罗军", None),
        ("Hexi", "manager", "0302", "徐宁", None),
        ("Hexi", "officer", "0303", "何健", 40),
        ("Dongcheng", "officer", "0203", "程敏", 40),
    )
    plans = risk_plans(scores, ledger, "zh", staff=staff)
    hexi, dongcheng = (card(r, "zh") for r in rows(plans))
    assert (
        "<dt>第一责任人</dt><dd>罗军</dd><dt>管理责任人</dt><dd>徐宁</dd>"
        "<dt>具体责任人</dt><dd>何健</dd>" in hexi
    )
    assert (
        "<dt>第一责任人</dt><dd>未指定</dd><dt>管理责任人</dt><dd>未指定</dd>"
        "<dt>具体责任人</dt><dd>程敏</dd>" in dongcheng
    )
    english = card(next(iter(rows(risk_plans(scores, ledger, "en")))), "en")
    assert "<dt>Officer</dt><dd>not assigned</dd>" in english
