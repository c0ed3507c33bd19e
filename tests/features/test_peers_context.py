"""The peer context: counts only, mergeable across partitions, saved as JSON, and
usable for a while after its date (issue 11)."""

from __future__ import annotations

import json
import pickle
import re
import warnings
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
from arrearsrisk.asof.snapshot import take_snapshot
from arrearsrisk.errors import PeerContextWarning
from arrearsrisk.features import peers
from arrearsrisk.features.peers import (
    NAMES,
    PEER_CONTEXT_TOLERANCE_DAYS,
    PeerContext,
    check_peer_date,
)
from arrearsrisk.sample import simulate_ledger
from tests.strategies import ledgers_with_as_of

AS_OF = "2024-04-30"


def counts(rows: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """A table of counts from ``{key: (customers, in_arrears)}``."""
    return pd.DataFrame(
        [list(v) for v in rows.values()],
        index=pd.Index(list(rows), dtype="str"),
        columns=["customers", "in_arrears"],
        dtype="int64",
    )


def context(
    as_of: str = "2025-09-30",
    industry: dict[str, tuple[int, int]] | None = None,
    region: dict[str, tuple[int, int]] | None = None,
    group: dict[str, int] | None = None,
    total: tuple[int, int] = (3, 1),
) -> PeerContext:
    """A literal context: by default 3 customers, 1 in arrears."""
    return PeerContext(
        as_of=pd.Timestamp(as_of),
        industry=counts(industry if industry is not None else {"(none)": (2, 1), "C31": (1, 0)}),
        region=counts(region if region is not None else {"城东": (3, 1)}),
        group=pd.Series(group if group is not None else {"G1": 2}, dtype="int64"),
        total_customers=total[0],
        total_in_arrears=total[1],
    )


def empty_context(as_of: str) -> PeerContext:
    return context(as_of, industry={}, region={}, group={}, total=(0, 0))


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain objects: a partition's categories are its own."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


# --- counts of a tiny ledger ------------------------------------------------------------


def test_counts_of_the_tiny_ledger(tables):
    # At 2024-04-30 C1 (F51, East) paid its February bill 36 days late and C2 (no
    # industry, West) has not paid its February bill, due 46 days ago: both in arrears.
    ctx = ar.peer_context(ar.Ledger(**tables), AS_OF)
    assert ctx == context(
        AS_OF,
        industry={"(none)": (1, 1), "F51": (1, 1)},
        region={"East": (1, 1), "West": (1, 1)},
        group={},
        total=(2, 2),
    )
    assert ctx.overall_rate == 1.0
    assert ctx.industry["customers"].dtype == np.int64
    assert repr(ctx) == (
        "PeerContext(as_of=2024-04-30, customers=2, in_arrears=2, industries=2, regions=2, "
        "groups=0)"
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # 5 days after the February bills were due: nobody seriously late yet.
        ("2024-03-20", context("2024-03-20", {"(none)": (1, 0), "F51": (1, 0)},
                               {"East": (1, 0), "West": (1, 0)}, {}, (2, 0))),
        # C2 opened on 2023-06-01: only C1 is counted before.
        ("2023-03-15", context("2023-03-15", {"F51": (1, 0)}, {"East": (1, 0)}, {}, (1, 0))),
    ],
)  # fmt: skip
def test_peer_context_takes_any_day(tables, day, expected):
    ledger = ar.Ledger(**tables)
    assert ar.peer_context(ledger, day) == expected
    pd.testing.assert_frame_equal(
        ar.build_features(ledger, day, peers=expected), ar.build_features(ledger, day)
    )


def test_overall_rate_is_a_property_of_the_counts():
    assert context().overall_rate == 1 / 3
    assert empty_context("2025-09-30").overall_rate == 0.0


# --- construction: canonical counts, clear errors ---------------------------------------


def test_construction_makes_counts_canonical():
    # Whole floats become int64, keys are sorted, a row of no customer is left out.
    floats = pd.DataFrame(
        {"customers": [1.0, 2.0, 0.0], "in_arrears": [0.0, 1.0, 0.0]}, index=["C31", "(none)", "X"]
    )
    ctx = PeerContext("2025-09-30", floats, counts({"城东": (3, 1)}), pd.Series({"G1": 2.0}), 3, 1)
    assert ctx == context()
    assert ctx.industry.index.tolist() == ["(none)", "C31"]
    assert ctx.industry.dtypes.tolist() == [np.int64, np.int64]
    assert ctx.group.dtype == np.int64
    assert ctx.as_of == pd.Timestamp("2025-09-30")
    assert ctx != context(total=(3, 1), group={"G1": 1})
    assert ctx != context(as_of="2025-10-31")
    assert ctx != "a context"
    assert pickle.loads(pickle.dumps(ctx)) == ctx  # shipped to workers


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"industry": counts({"(none)": (2, 1), "C31": (-1, 0)})},
         r"industry 'C31': customers must be a whole number >= 0, got -1"),
        ({"industry": pd.DataFrame({"customers": [2, 1.5], "in_arrears": [1, 0]},
                                   index=["(none)", "C31"])},
         r"industry 'C31': customers must be a whole number >= 0, got 1.5"),
        ({"region": pd.DataFrame({"customers": [3], "in_arrears": [np.nan]}, index=["城东"])},
         r"region '城东': in_arrears must be a whole number >= 0, got nan"),
        ({"region": pd.DataFrame({"customers": [True], "in_arrears": [0]}, index=["城东"])},
         r"region '城东': customers must be a whole number >= 0, got True"),
        ({"region": counts({"城东": (3, 4)})},
         r"region '城东': in_arrears 4 is more than its customers 3"),
        ({"region": counts({" ": (3, 1)})}, r"region key ' ' is blank"),
        ({"region": pd.DataFrame({"customers": [1, 2], "in_arrears": [0, 1]}, index=["A", "A"])},
         r"region key 'A' appears more than once"),
        ({"region": pd.DataFrame({"customers": [3], "in_arrears": [1]}, index=[7])},
         r"region keys must be texts, got 7"),
        ({"region": pd.DataFrame({"customers": [3]}, index=["城东"])},
         r"region must have the columns customers and in_arrears, got \['customers'\]"),
        ({"region": {"城东": (3, 1)}}, r"region must be a DataFrame .* got dict"),
        ({"group": pd.Series({"(none)": 2})}, r"group '\(none\)' is not a group"),
        ({"group": {"G1": 2}}, r"group must be a Series of accounts per group_id, got dict"),
        ({"group": pd.Series({"G1": 4})}, r"group sizes add up to 4 accounts, more than 3"),
        ({"total_customers": 4},
         r"industry counts add up to 3 customers and 1 in arrears, the overall counts are 4 "
         r"and 1"),
        ({"total_customers": True}, r"total_customers must be a whole number >= 0, got True"),
        ({"total_in_arrears": np.int64(-1)},
         r"total_in_arrears must be a whole number >= 0, got -1"),
        ({"total_in_arrears": 4}, r"overall: in_arrears 4 is more than its customers 3"),
    ],
)  # fmt: skip
def test_construction_refuses_bad_counts(change, message):
    good = context()
    fields: dict[str, Any] = {
        name: getattr(good, name)
        for name in ("as_of", "industry", "region", "group", "total_customers", "total_in_arrears")
    }
    with pytest.raises(ar.ArrearsRiskError, match=r"^PeerContext: " + message):
        PeerContext(**{**fields, **change})


def test_construction_refuses_a_bad_date():
    good = context()
    with pytest.raises(ar.ArrearsRiskError, match="as_of 'June' is not a date"):
        PeerContext("June", good.industry, good.region, good.group, 3, 1)  # type: ignore[arg-type]


# --- merging ----------------------------------------------------------------------------


def test_merge_adds_counts():
    a = context(industry={"(none)": (2, 1)}, region={"城东": (2, 1)}, group={"G1": 1},
                total=(2, 1))  # fmt: skip
    b = context(industry={"C31": (1, 0)}, region={"城东": (1, 0)}, group={"G1": 1}, total=(1, 0))
    assert PeerContext.merge([a, b]) == context()
    assert a + b == context() == b + a
    assert sum([a, b]) == context()
    assert PeerContext.merge(iter([a])) is a
    assert PeerContext.merge([a, empty_context("2025-09-30")]) == a


def test_merge_refuses_other_dates_and_things():
    a, later = context(), context(as_of="2025-10-31")
    with pytest.raises(
        ar.ArrearsRiskError,
        match=r"peer contexts of different dates cannot be merged: 2025-09-30, 2025-10-31",
    ):
        PeerContext.merge([a, later, a])
    with pytest.raises(ar.ArrearsRiskError, match="different dates"):
        _ = a + later
    with pytest.raises(ar.ArrearsRiskError, match="needs at least one context, got none"):
        PeerContext.merge([])
    with pytest.raises(ar.ArrearsRiskError, match="adds up PeerContext objects, got dict"):
        PeerContext.merge([a, {"industry": {}}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="unsupported operand"):
        _ = a + 1  # type: ignore[operator]


_SIMULATED = simulate_ledger(300, 18, "2023-01", seed=7)
SIMULATED = ar.Ledger(
    customers=_SIMULATED.customers, bills=_SIMULATED.bills, payments=_SIMULATED.payments
)
"""300 simulated customers over 2023-01..2024-06: industries, regions and groups."""


def assert_partitions_add_up(ledger: ar.Ledger, as_of: Any, part_of: np.ndarray) -> None:
    """The contexts of the partitions ``part_of`` (one number per customer row) merge to
    the whole ledger's, and the partitions' features with it are the whole's."""
    ids = ledger.customers["customer_id"].to_numpy()
    parts = [ledger.subset(ids[part_of == k]) for k in np.unique(part_of)]
    whole_ctx = ar.peer_context(ledger, as_of)
    merged = PeerContext.merge(ar.peer_context(part, as_of) for part in parts)
    assert merged == whole_ctx
    whole = ar.build_features(ledger, as_of)
    pieces = pd.concat([as_text(ar.build_features(p, as_of, peers=merged)) for p in parts])
    assert sorted(pieces.index) == sorted(whole.index)
    pd.testing.assert_frame_equal(pieces.reindex(whole.index), as_text(whole), check_exact=True)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_parts=st.integers(1, 7),
    day=st.dates(pd.Timestamp("2023-02-01").date(), pd.Timestamp("2024-07-31").date()),
)
def test_partitions_of_a_simulated_ledger_add_up_exactly(seed, n_parts, day):
    part_of = np.random.default_rng(seed).integers(0, n_parts, len(SIMULATED.customers))
    assert_partitions_add_up(SIMULATED, day, part_of)


@settings(max_examples=60, deadline=None)
@given(ledgers_with_as_of(), st.data())
def test_partitions_of_generated_ledgers_add_up_exactly(case, data):
    # Awkward ledgers: no peer columns, unknown opening dates, customers not yet active.
    ledger, as_of = case
    n = len(ledger.customers)
    part_of = np.array(data.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    assert_partitions_add_up(ledger, as_of, part_of)


def test_the_sample_in_four_partitions_adds_up(sample_ledger):
    part_of = np.arange(len(sample_ledger.customers)) % 4
    assert_partitions_add_up(sample_ledger, "2025-09-30", part_of)


# --- saving -----------------------------------------------------------------------------

SAVED = """{
 "as_of": "2025-09-30",
 "format": "arrearsrisk-peer-context",
 "format_version": 1,
 "group": {
  "G1": 2
 },
 "industry": {
  "(none)": {
   "customers": 2,
   "in_arrears": 1
  },
  "C31": {
   "customers": 1,
   "in_arrears": 0
  }
 },
 "overall": {
  "customers": 3,
  "in_arrears": 1
 },
 "region": {
  "城东": {
   "customers": 3,
   "in_arrears": 1
  }
 }
}
"""


def test_save_writes_sorted_utf8_json(tmp_path):
    path = context().save(tmp_path / "peers.json")
    assert path == tmp_path / "peers.json"
    assert path.read_bytes() == SAVED.encode("utf-8")  # 城东 as written, not \\u escapes
    assert PeerContext.load(path) == context()
    assert context().save(tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_save_and_load_round_trip(tmp_path, sample_ledger):
    literal = context(
        industry={"(none)": (5, 2), "C31": (1, 1)},
        region={"城东": (4, 2), "(none)": (2, 1)},
        group={"集团甲": 3, "G1": 1},
        total=(6, 3),
    )
    assert PeerContext.load(literal.save(tmp_path / "literal.json")) == literal
    assert PeerContext.load(empty_context("2024-02-29").save(tmp_path / "e.json")) == (
        empty_context("2024-02-29")
    )
    ctx = ar.peer_context(sample_ledger, "2025-09-15")
    loaded = PeerContext.load(str(ctx.save(tmp_path / "sample.json")))
    assert loaded == ctx
    part = sample_ledger.subset(["C0001", "C0002", "C0003"])
    pd.testing.assert_frame_equal(
        ar.build_features(part, "2025-09-15", peers=loaded),
        ar.build_features(sample_ledger, "2025-09-15").loc[["C0001", "C0002", "C0003"]],
        check_categorical=False,
    )


def test_load_accepts_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + SAVED.encode("utf-8"))
    assert PeerContext.load(path) == context()


def _data() -> dict[str, Any]:
    return json.loads(SAVED)


def _set(path: str, value: Any) -> Any:
    """A change of the saved data: ``value`` at ``path`` (keys joined by ``/``; ``...``
    deletes)."""

    def change(data: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split("/")
        target = data
        for key in parents:
            target = target[key]
        if value is ...:
            del target[last]
        else:
            target[last] = value
        return data

    return change


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"as_of": ', r"not valid JSON: Expecting value \(line 1, column 11\)"),
        ('{"region": "城东"}'.encode("gbk"), r"not UTF-8 text \(byte 12: invalid"),
        (b'{"a": NaN}', r"NaN is not a count \(JSON has no NaN\)"),
        (b'{"as_of": "2025-09-30", "as_of": "2025-09-30"}', r"key 'as_of' appears twice"),
        (b"[1, 2]", r"the file must be a JSON object, got list"),
        (b"{}", r"not a peer context \(no format; expected 'arrearsrisk-peer-context'\)"),
        (_set("format", "arrearsrisk-model"), r"not a peer context \(format 'arrearsrisk-model'"),
        (_set("format_version", 2),
         r"format_version 2 is newer than the one this arrearsrisk reads \(1\); upgrade"),
        (_set("format_version", "1"), r'format_version must be an integer, got "1"'),
        (_set("group", ...), r"missing key 'group'"),
        (_set("regions", {}), r"unknown key 'regions'"),
        (_set("as_of", "2025-9-30"), r'as_of must be an ISO date \(YYYY-MM-DD\), got "2025-9-30"'),
        (_set("as_of", "2025-02-30"), r'as_of must be an ISO date .*, got "2025-02-30"'),
        (_set("as_of", 20250930), r"as_of must be an ISO date .*, got 20250930"),
        (_set("industry/C31/customers", -1),
         r"industry 'C31': customers must be a whole number >= 0, got -1"),
        (_set("industry/C31/customers", 1.5), r"industry 'C31': customers .* got 1.5"),
        (_set("industry/C31/customers", 1.0), r"industry 'C31': customers .* got 1.0"),
        (_set("industry/C31/in_arrears", True), r"industry 'C31': in_arrears .* got true"),
        (_set("industry/C31/in_arrears", "0"), r"industry 'C31': in_arrears .* got \"0\""),
        (_set("region/城东/in_arrears", 4),
         r"region '城东': in_arrears 4 is more than its customers 3"),
        (_set("overall/in_arrears", 5), r"overall: in_arrears 5 is more than its customers 3"),
        (_set("industry/C31/in_arrears", ...), r"industry 'C31' misses \['in_arrears'\]"),
        (_set("industry/C31/share", 0.5), r"industry 'C31' has unknown keys \['share'\]"),
        (_set("industry/C31/customers", 2),
         r"industry counts add up to 4 customers and 1 in arrears, the overall counts are 3"),
        (_set("region/ ", {"customers": 0, "in_arrears": 0}), r"region key ' ' is blank"),
        (_set("group/(none)", 1), r"group '\(none\)' is not a group"),
        (_set("group/G1", -2), r"group 'G1' must be a whole number >= 0, got -2"),
        (_set("group/G1", 5), r"group sizes add up to 5 accounts, more than 3"),
        (_set("industry", []), r"industry must be a JSON object, got list"),
        (_set("overall", 3), r"overall must be a JSON object, got int"),
    ],
)  # fmt: skip
def test_load_refuses_a_bad_file_naming_it(tmp_path, content, message):
    path = tmp_path / "peers.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(json.dumps(content(_data()), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(
        ar.ArrearsRiskError, match=re.escape(f"peer context file {path}: ") + message
    ):
        PeerContext.load(path)


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing\.json"):
        PeerContext.load(tmp_path / "nothing.json")


def test_from_dict_names_its_source():
    assert PeerContext.from_dict(context().to_dict()) == context()
    with pytest.raises(ar.ArrearsRiskError, match=r"^request body: missing key 'group'"):
        PeerContext.from_dict(_set("group", ...)(_data()), source="request body")


# --- a context at a nearby date ----------------------------------------------------------


def test_a_context_serves_features_until_31_days_later(tables):
    # At 2024-03-31 nobody is seriously late (the February bills are 16 days overdue);
    # at 2024-04-30 both customers are.  The context of 2024-03-31 serves 2024-04-30
    # with its old counts: C1's industry rate is its peers' then (none, overall 0).
    ledger = ar.Ledger(**tables)
    old = ar.peer_context(ledger, "2024-03-31")
    with pytest.warns(PeerContextWarning) as seen:
        stale = ar.build_features(ledger, AS_OF, peers=old)
    assert len(seen) == 1
    assert str(seen[0].message).splitlines()[0] == (
        "peers were computed as of 2024-03-31 and serve features as of 2024-04-30 (30 days later)."
    )
    assert seen[0].filename == __file__  # points at the caller's line
    own = ar.build_features(ledger, AS_OF)
    assert stale["industry_arrears_rate_6m"].tolist() == [0.0, 0.0]
    assert own["industry_arrears_rate_6m"].tolist() == [1.0, 1.0]
    others = [c for c in own.columns if c not in NAMES]
    pd.testing.assert_frame_equal(stale[others], own[others])


def test_a_context_is_refused_before_its_date_and_after_the_tolerance(tables):
    ledger = ar.Ledger(**tables)
    with pytest.raises(
        ar.ArrearsRiskError,
        match=r"peers were computed as of 2024-05-01, after the features' as_of 2024-04-30: "
        r"their counts would see data from the future",
    ):
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, "2024-05-01"))
    with pytest.raises(
        ar.ArrearsRiskError,
        match=r"peers were computed as of 2024-03-29, features asked as of 2024-04-30: "
        r"32 days later, more than the 31 days a peer context serves",
    ):
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, "2024-03-29"))
    with pytest.warns(PeerContextWarning, match=r"\(31 days later\)"):
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, "2024-03-30"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # its own date: no warning
        ar.build_features(ledger, AS_OF, peers=ar.peer_context(ledger, AS_OF))
    with pytest.raises(ar.ArrearsRiskError, match=r"peers must be a PeerContext .* got dict"):
        ar.build_features(ledger, AS_OF, peers={"industry": {}})  # type: ignore[arg-type]


@pytest.mark.parametrize("month_end", pd.date_range("2023-12-31", "2025-11-30", freq="ME"))
def test_a_month_end_context_serves_until_the_next_month_end(month_end):
    assert PEER_CONTEXT_TOLERANCE_DAYS == 31
    ctx = empty_context(str(month_end.date()))
    next_end = month_end + pd.offsets.MonthEnd(1)
    with pytest.warns(PeerContextWarning, match=f"as of {next_end.date()}"):
        check_peer_date(ctx, next_end)
    with pytest.raises(ar.ArrearsRiskError, match="32 days later, more than the 31 days"):
        check_peer_date(ctx, month_end + pd.Timedelta(days=32))


def test_score_mid_month_with_last_month_ends_context(sample_ledger, sample_model):
    # An on-demand score on 2025-10-15 with the monthly job's context of 2025-09-30.
    ctx = ar.peer_context(sample_ledger, "2025-09-30")
    part = sample_ledger.subset(["C0001", "C0002"])
    with pytest.warns(PeerContextWarning) as seen:
        scores = ar.score(part, "2025-10-15", sample_model, peers=ctx)
    assert [type(w.message) for w in seen] == [PeerContextWarning]  # once per call
    assert "2025-09-30" in str(seen[0].message) and "2025-10-15" in str(seen[0].message)
    assert seen[0].filename == __file__
    assert scores["customer_id"].tolist() == ["C0001", "C0002"]
    assert (scores["as_of"] == pd.Timestamp("2025-10-15")).all()


def test_the_cost_stated_for_the_tolerance(sample_ledger):
    # The largest mid-month difference of the documented table: the industry rate on
    # 2024-11-15 with the context of 2024-10-31 (see PEER_CONTEXT_TOLERANCE_DAYS).
    names = list(NAMES)
    ctx = ar.peer_context(sample_ledger, "2024-10-31")
    with pytest.warns(PeerContextWarning):
        stale = ar.build_features(sample_ledger, "2024-11-15", peers=ctx)[names]
    own = ar.build_features(sample_ledger, "2024-11-15")[names]
    diff = (stale - own).abs().max()
    assert round(diff["industry_arrears_rate_6m"], 3) == 0.099
    assert diff["region_arrears_rate_6m"] <= 0.019
    assert diff["group_size"] <= 1


def test_peer_context_warning_is_a_ledger_warning():
    # So `python -W error` (the CLI's exit 2) and LedgerWarning filters treat it alike.
    assert issubclass(PeerContextWarning, ar.LedgerWarning)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers_with_as_of(), st.booleans())
def test_a_few_customers_looked_up_in_python_as_the_vectorised_path_does(drawn, portfolio):
    """The plain-Python path of a few customers (``peers._FEW``) is the vectorised one's
    twin: same keys (missing, empty and blank texts as ``"(none)"``), same rates."""
    ledger, as_of = drawn
    snap = take_snapshot(ledger, pd.Timestamp(as_of))
    ctx = None
    if portfolio:  # a context holding keys the ledger has and keys it has not
        counts = pd.DataFrame(
            {"customers": [9, 4, 2], "in_arrears": [3, 1, 0]}, index=["C31", "East", "(none)"]
        )
        ctx = ar.PeerContext(as_of, counts, counts, pd.Series({"G1": 3, "G9": 2}), 15, 4)
    assert len(snap.c_row) <= peers._FEW
    few = peers.build(snap, ctx)
    with mock.patch.object(peers, "_FEW", -1):
        vectorised = peers.build(snap, ctx)
    assert few.keys() == vectorised.keys()
    for name, values in few.items():
        np.testing.assert_array_equal(values, vectorised[name], err_msg=name)


@given(st.lists(st.sampled_from(["C31", "", "  ", " C3 ", "电力", None]), max_size=8))
def test_key_list_reads_texts_as_keys_does(cells):
    series = pd.Series(cells, dtype="str")
    rows = np.arange(len(cells))[::-1]
    expected = peers._keys(series).iloc[rows].tolist()
    assert peers._key_list(series, rows) == expected
    assert peers._key_list(cells, rows) == expected
