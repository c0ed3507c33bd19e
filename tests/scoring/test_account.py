"""One account scored from plain Python rows: the batch's row exactly, the ledger's
errors word for word, and no LightGBM import."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import arrearsrisk as ar
import arrearsrisk.ledger.schema
from arrearsrisk.features import feature_columns
from arrearsrisk.ledger.rows import _fast, _Unsure, account_ledger

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2025-09-30"
FLOATS = ("p_I", "p_II", "p_III", "p_warning")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as a billing system holds them: dates as ``datetime.date``, None if empty."""
    out = frame.to_dict("records")
    for row in out:
        for key, value in row.items():
            if isinstance(value, pd.Timestamp):
                row[key] = value.date()
            elif value is pd.NA or (isinstance(value, float) and value != value):
                row[key] = None
    return out


def _rows(ledger: ar.Ledger, cid: str) -> tuple[dict[str, Any], list[dict], list[dict]]:
    one = ledger.subset([cid])
    return _records(one.customers)[0], _records(one.bills), _records(one.payments)


@pytest.fixture(scope="module")
def context(sample_ledger) -> ar.PeerContext:
    return ar.peer_context(sample_ledger, AS_OF)


@pytest.fixture(scope="module")
def batch(sample_ledger, sample_model, context) -> dict[str, pd.DataFrame]:
    return {
        lang: ar.score(sample_ledger, AS_OF, sample_model, lang=lang, peers=context).set_index(
            "customer_id"
        )
        for lang in ("zh", "en")
    }


def _equal(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Two score rows alike (NaN equal to NaN)."""
    if a is None or b is None:
        return a is b
    return list(a) == list(b) and all(
        a[k] == b[k] or (isinstance(a[k], float) and a[k] != a[k] and b[k] != b[k]) for k in a
    )


def _same_as_batch(row: dict[str, Any], ref: pd.Series) -> None:
    assert list(row) == list(ar.SCORE_COLUMNS)
    for key in FLOATS:
        assert abs(row[key] - ref[key]) <= 1e-12, key
    assert row["grade"] == ref["grade"]
    assert row["a_warning"] == bool(ref["a_warning"])
    assert row["reasons"] == ref["reasons"]
    assert row["as_of"] == ref["as_of"]
    assert row["model_version"] == ref["model_version"]
    for key in ("exposure", "arrears"):
        assert row[key] == ref[key] or (np.isnan(row[key]) and np.isnan(ref[key])), key
    assert type(row["p_I"]) is float and type(row["a_warning"]) is bool


def test_every_tenth_account_scores_as_in_the_batch(sample_ledger, sample_model, context, batch):
    ids = sample_ledger.customers["customer_id"].tolist()[::10]
    scored = 0
    for i, cid in enumerate(ids):
        lang = "en" if i % 3 == 0 else "zh"
        customer, bills, payments = _rows(sample_ledger, cid)
        if cid not in batch[lang].index:  # not active at AS_OF: the batch has no row
            with pytest.raises(ar.ArrearsRiskError, match="not active"):
                ar.score_account(sample_model, AS_OF, customer, bills, payments, peers=context)
            continue
        row = ar.score_account(
            sample_model, AS_OF, customer, bills, payments, peers=context, lang=lang
        )
        _same_as_batch(row, batch[lang].loc[cid])
        scored += 1
    assert scored > 250
    risky = batch["zh"].loc[[c for c in ids if c in batch["zh"].index]]
    assert (risky["reasons"] != "").sum() > 20  # the reasons were compared, not just blanks


def test_probabilities_are_the_batch_s_to_the_last_bit(sample_ledger, sample_model, context, batch):
    for cid in sample_ledger.customers["customer_id"].tolist()[3:600:37]:
        if cid not in batch["zh"].index:
            continue
        row = ar.score_account(sample_model, AS_OF, *_rows(sample_ledger, cid), peers=context)
        assert [row[k] for k in FLOATS] == batch["zh"].loc[cid, list(FLOATS)].tolist()


def test_reasons_all_and_none(sample_ledger, sample_model, context):
    cid = "C0017"
    rows = _rows(sample_ledger, cid)
    for reasons in ("all", "none"):
        ref = ar.score(
            sample_ledger.subset([cid]),
            AS_OF,
            sample_model,
            peers=context,
            reasons=reasons,
            top=2,
        ).iloc[0]
        row = ar.score_account(sample_model, AS_OF, *rows, peers=context, reasons=reasons, top=2)
        assert row["reasons"] == ref["reasons"]
    with pytest.raises(ar.ArrearsRiskError, match="reasons must be"):
        ar.score_account(sample_model, AS_OF, *rows, reasons="some")  # type: ignore[arg-type]


def test_peers_from_a_saved_file_and_dataframe_rows(
    sample_ledger, sample_model, context, batch, tmp_path
):
    path = context.save(tmp_path / "peers.json")
    one = sample_ledger.subset(["C0021"])
    customer, bills, payments = _rows(sample_ledger, "C0021")
    from_file = ar.score_account(sample_model, AS_OF, customer, bills, payments, peers=path)
    frames = ar.score_account(
        sample_model, AS_OF, one.customers, one.bills, one.payments, peers=str(path)
    )
    assert _equal(from_file, frames)
    _same_as_batch(from_file, batch["zh"].loc["C0021"])
    with pytest.raises(ar.ArrearsRiskError, match="peers must be a PeerContext"):
        ar.score_account(sample_model, AS_OF, customer, bills, payments, peers=3)  # type: ignore[arg-type]


def test_a_bundle_path_works_too(sample_ledger, sample_model, context):
    rows = _rows(sample_ledger, "C0005")
    by_path = ar.score_account(ROOT / "models" / "sample", AS_OF, *rows, peers=context)
    assert _equal(by_path, ar.score_account(sample_model, AS_OF, *rows, peers=context))


def test_without_peers_the_account_is_its_own_peer_group(sample_ledger, sample_model):
    cid = "C0017"
    rows = _rows(sample_ledger, cid)
    alone = ar.score(sample_ledger.subset([cid]), AS_OF, sample_model).iloc[0]
    _same_as_batch(ar.score_account(sample_model, AS_OF, *rows), alone)


def test_the_fast_reader_makes_the_ledger_the_validator_makes(sample_ledger):
    for cid in sample_ledger.customers["customer_id"].tolist()[::60]:
        customer, bills, payments = _rows(sample_ledger, cid)
        fast = _fast(customer, bills, payments)  # plainly valid: read without the validator
        slow = ar.Ledger(
            customers=pd.DataFrame([customer]),
            bills=pd.DataFrame(bills),
            payments=pd.DataFrame(payments)
            if payments
            else pd.DataFrame({c: [] for c in ("customer_id", "paid_date", "amount")}),
        )
        _same_ledger(fast, slow)


def _same_ledger(fast: ar.Ledger, slow: ar.Ledger) -> None:
    for table in ("customers", "bills", "payments"):
        pd.testing.assert_frame_equal(getattr(fast, table), getattr(slow, table))
    for name in fast.arrays.__dataclass_fields__:
        a, b = getattr(fast.arrays, name), getattr(slow.arrays, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert fast.data_span == slow.data_span
    assert fast.attribute_columns == slow.attribute_columns
    assert fast.identifier_columns == slow.identifier_columns
    assert repr(fast) == repr(slow)


CUSTOMER = {"customer_id": "C1", "category": "commercial", "industry": "F51", "region": "R01"}
BILL = {
    "customer_id": "C1",
    "period": "2025-08",
    "issue_date": "2025-09-01",
    "due_date": "2025-09-15",
    "kwh": 5200.0,
    "amount": 4420.0,
}
PAYMENT = {"customer_id": "C1", "paid_date": "2025-09-10", "amount": 4420.0, "channel": "online"}


def _bad(table: str, change: dict[str, Any]) -> tuple[dict, list[dict], list[dict]]:
    customer, bill, payment = dict(CUSTOMER), dict(BILL), dict(PAYMENT)
    {"customers": customer, "bills": bill, "payments": payment}[table].update(change)
    return customer, [bill], [payment]


BAD_ROWS = [
    ("customers", {"category": "shop"}),
    ("customers", {"category": None}),
    ("customers", {"customer_id": ""}),
    ("customers", {"opened": "2024-02-30"}),
    ("customers", {"opened": "2024-06"}),
    ("customers", {"deposit": -5.0}),
    ("customers", {"tenant": "perhaps"}),
    ("customers", {"voltage_kv": "10,5"}),
    ("customers", {"voltage_kv": float("inf")}),
    ("customers", {"Categroy": "x"}),
    ("bills", {"kwh": -1.0}),
    ("bills", {"kwh": None}),
    ("bills", {"period": "2025-13"}),
    ("bills", {"due_date": "2025-08-01"}),
    ("bills", {"customer_id": "C2"}),
    ("bills", {"amount": 1e11}),
    ("bills", {"estimated": 2}),
    ("payments", {"amount": 0.0}),
    ("payments", {"channel": "cash"}),
    ("payments", {"paid_date": "10/09/2025"}),
    ("payments", {"customer_id": "C9"}),
]


@pytest.mark.parametrize(("table", "change"), BAD_ROWS)
def test_bad_rows_get_the_ledger_s_error_word_for_word(sample_model, table, change):
    customer, bills, payments = _bad(table, change)
    with pytest.raises(ar.LedgerError) as expected:
        ar.Ledger(
            customers=pd.DataFrame([customer]),
            bills=pd.DataFrame(bills),
            payments=pd.DataFrame(payments),
        )
    with pytest.raises(ar.LedgerError) as got:
        ar.score_account(sample_model, AS_OF, customer, bills, payments)
    assert str(got.value) == str(expected.value)
    assert (got.value.table, got.value.column, got.value.rule) == (
        expected.value.table,
        expected.value.column,
        expected.value.rule,
    )


def test_a_missing_required_column_and_a_duplicate_period(sample_model):
    bills = [dict(BILL), dict(BILL, kwh=10.0)]
    with pytest.raises(ar.LedgerError, match="unique_key"):
        ar.score_account(sample_model, AS_OF, CUSTOMER, bills, [])
    no_kwh = [{k: v for k, v in BILL.items() if k != "kwh"}]
    with pytest.raises(ar.LedgerError, match="kwh") as err:
        ar.score_account(sample_model, AS_OF, CUSTOMER, no_kwh, [])
    assert err.value.rule == "required_column"
    with pytest.raises(ar.LedgerError) as err:
        ar.score_account(sample_model, AS_OF, CUSTOMER, [BILL], None)  # type: ignore[arg-type]
    assert err.value.rule == "missing_table"


def test_rows_of_other_forms_are_read_by_the_validator(sample_model):
    plain = ar.score_account(sample_model, AS_OF, CUSTOMER, [BILL], [PAYMENT])
    as_text = dict(BILL, kwh="5200", amount=" 4420.00 ", issue_date=" 2025-09-01")
    yes_no = dict(CUSTOMER, tenant="否", prepaid=0)
    stamped = dict(PAYMENT, paid_date=pd.Timestamp("2025-09-10"))
    assert _equal(ar.score_account(sample_model, AS_OF, CUSTOMER, [as_text], [PAYMENT]), plain)
    assert _equal(ar.score_account(sample_model, AS_OF, CUSTOMER, [BILL], [stamped]), plain)
    row = ar.score_account(sample_model, AS_OF, yes_no, [BILL], [PAYMENT])
    reference = ar.score(
        ar.Ledger(
            customers=pd.DataFrame([yes_no]),
            bills=pd.DataFrame([BILL]),
            payments=pd.DataFrame([PAYMENT]),
        ),
        AS_OF,
        sample_model,
    ).iloc[0]
    _same_as_batch(row, reference)


def test_what_the_ledger_warns_about_is_warned_about(sample_model):
    with pytest.warns(ar.LedgerWarning, match="no bill at all"):
        ar.score_account(sample_model, AS_OF, dict(CUSTOMER, opened="2025-01-01"), [], [PAYMENT])
    with pytest.warns(ar.LedgerWarning, match="identifier"):
        ar.score_account(sample_model, AS_OF, dict(CUSTOMER, mobile="13800000000"), [BILL], [])
    with pytest.warns(ar.LedgerWarning, match="dates before 1990"):
        ar.score_account(
            sample_model, AS_OF, CUSTOMER, [BILL], [dict(PAYMENT, paid_date="1900-01-01")]
        )


def test_a_dormant_or_new_account_is_scored_without_a_warning(sample_model):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        old = ar.score_account(
            sample_model,
            AS_OF,
            CUSTOMER,
            [dict(BILL, period="2023-01", issue_date="2023-02-01", due_date="2023-02-15")],
            [],
        )
        new = ar.score_account(sample_model, AS_OF, dict(CUSTOMER, opened="2025-09-01"), [], [])
    assert old["exposure"] != old["exposure"] and new["arrears"] == 0.0


def test_an_account_opened_after_as_of_has_no_score(sample_model):
    with pytest.raises(ar.ArrearsRiskError, match="C1 is not active at 2025-09-30"):
        ar.score_account(sample_model, AS_OF, dict(CUSTOMER, opened="2025-10-05"), [BILL], [])


def test_a_bad_date_or_language(sample_model):
    with pytest.raises(ar.ArrearsRiskError, match="not a date"):
        ar.score_account(sample_model, "June", CUSTOMER, [BILL], [])
    with pytest.raises(ar.ArrearsRiskError, match=r"lang must be one of \['zh', 'en'\], got 'fr'"):
        ar.score_account(sample_model, AS_OF, CUSTOMER, [BILL], [], lang="fr")


def test_an_attribute_the_model_needs_must_be_given(sample_model):
    spec = ar.models.FeatureSpec(
        (*sample_model.spec.names, "substation"), sample_model.spec.categories
    )
    needy = ar.RiskModel({}, spec, sample_model.calibrators, 0.5, 0.5, 0.5)
    with pytest.raises(ar.ArrearsRiskError, match=r"missing 1 columns.*substation"):
        ar.score_account(needy, AS_OF, CUSTOMER, [BILL], [])


def test_threads_share_one_model(sample_ledger, context):
    model = ar.load_model(ROOT / "models" / "sample")  # fresh: tables built on first use
    ids = sample_ledger.customers["customer_id"].tolist()[:40]
    rows = {c: _rows(sample_ledger, c) for c in ids}
    other = ar.load_model(ROOT / "models" / "sample")
    expected = {}
    for c, r in rows.items():
        with contextlib.suppress(ar.ArrearsRiskError):  # not active: no score
            expected[c] = ar.score_account(other, AS_OF, *r, peers=context)
    got: dict[str, dict[str, Any]] = {}

    def work(part: list[str]) -> None:
        for c in part:
            if c in expected:
                got[c] = ar.score_account(model, AS_OF, *rows[c], peers=context)

    threads = [threading.Thread(target=work, args=(ids[k::4],)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got.keys() == expected.keys()
    assert all(_equal(got[c], expected[c]) for c in got)


def test_loading_a_bundle_and_scoring_an_account_never_imports_lightgbm(tmp_path):
    rows = {"customer": CUSTOMER, "bills": [BILL], "payments": [PAYMENT]}
    (tmp_path / "rows.json").write_text(json.dumps(rows))
    code = (
        "import json, sys\n"
        "import arrearsrisk as ar\n"
        f"rows = json.load(open({str(tmp_path / 'rows.json')!r}))\n"
        f"model = ar.load_model({str(ROOT / 'models' / 'sample')!r})\n"
        f"row = ar.score_account(model, {AS_OF!r}, rows['customer'], rows['bills'], "
        "rows['payments'])\n"
        "heavy = [m for m in ('lightgbm', 'sklearn', 'scipy', 'mlflow', 'matplotlib')"
        " if m in sys.modules]\n"
        "print(row['grade'], ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    grade, _, heavy = out.stdout.strip().partition(" ")
    assert grade in ("I", "II", "III") and heavy == ""


def test_a_batch_after_a_light_load_is_the_lightgbm_batch(sample_ledger, sample_model):
    light = ar.load_model(ROOT / "models" / "sample")
    assert light._boosters is None  # not parsed by LightGBM yet
    part = sample_ledger.subset(sample_ledger.customers["customer_id"].tolist()[:300])
    pd.testing.assert_frame_equal(ar.score(part, AS_OF, light), ar.score(part, AS_OF, sample_model))
    assert light._boosters is not None  # the batch parsed them, once


# -- the fast reader against the validator, on drawn rows ----------------------------

_ODD = st.sampled_from(
    [
        None,
        "",
        "  ",
        float("nan"),
        3,
        True,
        "x",
        "2025-9-01",
        "20250901",
        " 2025-09-01",
        "3.5",
        float("inf"),
        1e10,
        -1.0,
        2,
        "yes",
        np.float32(1.5),
        pd.Timestamp("2025-09-01 10:00"),
    ]
)
_DAY = st.dates(dt.date(2023, 1, 1), dt.date(2025, 9, 30))
_FORMS: list[Any] = [lambda d: d, dt.date.isoformat, pd.Timestamp]


def _date(draw: Any) -> Any:
    day = draw(_DAY)
    return draw(st.sampled_from(_FORMS))(day)


def _plain(draw: Any, table: str, column: str, kind: str, row: dict[str, Any]) -> Any:
    """A plain value of the column's kind (the fast reader's own ground)."""
    if column == "customer_id":
        return draw(st.sampled_from(["C1", "C1", "C1", "C2"]))
    if column == "category":
        return draw(st.sampled_from(ar.ledger.schema.CATEGORIES))
    if column == "channel":
        return draw(st.sampled_from([*ar.ledger.schema.CHANNELS, None, ""]))
    if column == "period":
        return draw(st.sampled_from(["2024-06", "2025-07", "2025-08", "1999-01"]))
    if column == "due_date":
        issue = row.get("issue_date")
        if not isinstance(issue, dt.date):  # also a Timestamp (a datetime)
            return _date(draw)
        day = pd.Timestamp(issue).date() + dt.timedelta(days=draw(st.sampled_from([-1, 0, 14])))
        return draw(st.sampled_from(_FORMS))(day)
    if kind == "date":
        return (
            _date(draw)
            if draw(st.integers(0, 9))
            else draw(st.sampled_from([None, "1985-01-01", "2031-01-01"]))
        )
    if kind == "float":
        return draw(st.one_of(st.floats(0, 1e5), st.integers(0, 10**6), st.just(np.float64(2.5))))
    if kind == "bool":
        return draw(st.sampled_from([True, False, None, np.bool_(True)]))
    return draw(st.sampled_from(["F51", "R01", "", "  ", None, "G1"]))


@st.composite
def _account_rows(draw: Any) -> tuple[dict, list[dict], list[dict]]:
    odd_rate = draw(st.sampled_from([0, 0, 40, 8]))  # one cell in this many is odd
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, count in (
        ("customers", 1),
        ("bills", draw(st.integers(0, 3))),
        ("payments", draw(st.integers(0, 3))),
    ):
        columns = [
            c
            for c in ar.ledger.schema.SCHEMA[table].columns
            if c.required or draw(st.integers(0, 3))
        ]
        extra = ["substation"] if table == "customers" and draw(st.booleans()) else []
        rows = []
        for _ in range(count):
            row: dict[str, Any] = {}
            for c in columns:
                odd = odd_rate and draw(st.integers(0, odd_rate - 1)) == 0
                row[c.name] = draw(_ODD) if odd else _plain(draw, table, c.name, c.kind, row)
            row.update({e: draw(st.sampled_from(["S1", 2.5, None])) for e in extra})
            rows.append(row)
        tables[table] = rows
    return tables["customers"][0], tables["bills"], tables["payments"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_account_rows())
def test_whatever_the_fast_reader_accepts_the_validator_accepts_alike(rows):
    customer, bills, payments = rows
    try:
        fast = _fast(customer, bills, payments)
    except _Unsure:
        fast = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            slow = ar.Ledger(
                customers=pd.DataFrame([customer]),
                bills=pd.DataFrame(bills) if bills else _empty("bills"),
                payments=pd.DataFrame(payments) if payments else _empty("payments"),
            )
        except ar.LedgerError:
            slow = None
    if fast is not None:  # never looser than the validator, nor different
        assert slow is not None and not caught
        _same_ledger(fast, slow)
        _same_features(fast, slow)
    if slow is not None and not caught:  # and the public reader gives the same ledger
        _same_ledger(account_ledger(customer, bills, payments), slow)


def _empty(table: str) -> pd.DataFrame:
    spec = ar.ledger.schema.SCHEMA[table]
    return pd.DataFrame({c.name: pd.Series([], dtype=object) for c in spec.columns if c.required})


def _same_features(fast: ar.Ledger, slow: ar.Ledger) -> None:
    """The fast ledger's Python cells (``schema_values``) give the features the
    validator's tables give, with and without a portfolio's peer context."""
    as_of = pd.Timestamp("2025-09-30")
    assert fast.schema_values("customers", "region") is not None
    assert slow.schema_values("customers", "region") is None
    counts = pd.DataFrame({"customers": [5, 3], "in_arrears": [1, 2]}, index=["F51", "R01"])
    portfolio = ar.PeerContext(as_of, counts, counts, pd.Series({"G1": 4}), 8, 3)
    for peers in (None, portfolio):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ar.PeerContextWarning)
            ids_fast, feats_fast = feature_columns(fast, as_of, peers=peers)
            ids_slow, feats_slow = feature_columns(slow, as_of, peers=peers)
        assert list(ids_fast) == list(ids_slow)
        assert list(feats_fast) == list(feats_slow)
        for name in feats_fast:
            a, b = feats_fast[name], feats_slow[name]
            if isinstance(a, pd.Categorical):
                assert isinstance(b, pd.Categorical) and a.dtype == b.dtype, name
                assert np.array_equal(a.codes, b.codes), name
            else:
                assert np.array_equal(a, b, equal_nan=True), name
