"""score() with the committed sample bundle (models/sample): the contract columns,
probabilities, the warning rule, no leakage, single accounts, bundles, reasons."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.models.risk_model import FeatureSpec, RiskModel

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "models" / "sample"
AS_OF = "2025-09-30"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def ledger(sample_ledger) -> ar.Ledger:
    return sample_ledger  # read once per test process (conftest.py)


@pytest.fixture(scope="module")
def model(sample_model) -> RiskModel:
    return sample_model


@pytest.fixture(scope="module")
def scores(ledger, model) -> pd.DataFrame:
    return ar.score(ledger, AS_OF, model)


def test_columns_and_rows(scores, ledger):
    assert list(scores.columns) == list(ar.SCORE_COLUMNS)
    active = ar.build_features(ledger, AS_OF).index
    assert scores["customer_id"].tolist() == active.tolist()
    assert set(scores["grade"]) == {"I", "II", "III"}
    assert (scores["as_of"] == pd.Timestamp(AS_OF)).all()
    assert (scores["model_version"] == ar.load_model(BUNDLE).version).all()


def test_probabilities_sum_to_one(scores):
    p = scores[["p_I", "p_II", "p_III"]].to_numpy()
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert scores["p_warning"].between(0, 1).all()


def test_a_warned_customer_is_grade_I(scores):
    warned = scores[scores["a_warning"]]
    assert len(warned) > 0 and (warned["grade"] == "I").all()


def test_exposure_and_arrears_come_from_the_features(scores, ledger):
    feats = ar.build_features(ledger, AS_OF)
    np.testing.assert_array_equal(scores["arrears"], feats["arrears_amount"].to_numpy())
    np.testing.assert_array_equal(scores["exposure"], feats["bill_amount_mean_12m"].to_numpy())


def test_reasons_only_where_needed_and_readable(scores, ledger, model):
    risky = (scores["grade"] != "III") | scores["a_warning"]
    assert (scores.loc[risky, "reasons"] != "").all()
    assert (scores.loc[~risky, "reasons"] == "").all()
    zh = scores.loc[risky, "reasons"]
    assert zh.str.contains(CJK).all()
    english = ar.score(ledger, AS_OF, model, lang="en")
    en = english.loc[risky.to_numpy(), "reasons"]
    assert not en.str.contains(CJK).any()
    # Readable text, not column names such as serious_late_bills_count_12m.
    assert not en.str.contains(r"_\d+m\b").any() and not zh.str.contains(r"_\d+m\b").any()
    everyone = ar.score(ledger, AS_OF, model, reasons="all", top=2)
    assert everyone["reasons"].str.len().gt(0).mean() > 0.9
    assert everyone["reasons"].str.count("；").le(1).all()


def test_no_leakage_through_score(ledger, model, scores):
    later = ledger.bills["issue_date"] > pd.Timestamp(AS_OF)
    changed_bills = ledger.bills.copy()
    changed_bills.loc[later, "amount"] = changed_bills.loc[later, "amount"] * 3
    payments = ledger.payments[ledger.payments["paid_date"] <= pd.Timestamp(AS_OF)]
    altered = ar.Ledger(customers=ledger.customers, bills=changed_bills, payments=payments)
    pd.testing.assert_frame_equal(ar.score(altered, AS_OF, model), scores)


def test_single_account_with_portfolio_peers_equals_the_batch(ledger, model, scores):
    peers = ar.peer_context(ledger, AS_OF)
    for cid in scores.loc[scores["grade"] == "I", "customer_id"].head(3):
        one = ar.score(ledger.subset([cid]), AS_OF, model, peers=peers)
        row = scores[scores["customer_id"] == cid].reset_index(drop=True)
        pd.testing.assert_frame_equal(one, row)


def test_scoring_from_several_threads_is_safe(ledger, model):
    part = ledger.subset(ledger.customers["customer_id"].iloc[:300])
    expected = ar.score(part, AS_OF, model)
    results: list[pd.DataFrame] = []
    threads = [
        threading.Thread(target=lambda: results.append(ar.score(part, AS_OF, model)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    for got in results:
        pd.testing.assert_frame_equal(got, expected)


def test_unknown_category_is_scored_as_missing(ledger, model):
    customers = ledger.customers.copy()
    customers.loc[customers.index[0], "industry"] = "Z99"
    changed = ar.Ledger(customers=customers, bills=ledger.bills, payments=ledger.payments)
    out = ar.score(changed.subset([customers["customer_id"].iloc[0]]), AS_OF, model)
    assert len(out) == 1 and out["grade"].iloc[0] in {"I", "II", "III"}


def test_missing_inputs_are_named(ledger, model):
    spec = FeatureSpec((*model.spec.names, "substation"), model.spec.categories)
    needy = RiskModel(model.boosters, spec, model.calibrators, 0.5, 0.5, 0.5)
    with pytest.raises(
        ar.ArrearsRiskError, match=r"missing 1 columns the model needs: \['substation'\]"
    ):
        ar.score(ledger, AS_OF, needy)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lang": "fr"}, r"lang must be one of \['zh', 'en'\], got 'fr'"),
        ({"reasons": "some"}, "reasons must be"),
    ],
)
def test_bad_arguments(ledger, model, kwargs, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        ar.score(ledger, AS_OF, model, **kwargs)


def test_bundle_round_trip(tmp_path, model, ledger):
    part = ledger.subset(ledger.customers["customer_id"].iloc[:200])
    model.save(str(tmp_path / "copy"))
    again = ar.load_model(tmp_path / "copy")
    assert again.version == model.version and again.spec == model.spec
    pd.testing.assert_frame_equal(ar.score(part, AS_OF, again), ar.score(part, AS_OF, model))
    manifest = json.loads((tmp_path / "copy" / "manifest.json").read_text())
    assert {f["name"] for f in manifest["features"]} == set(model.spec.names)
    assert set(manifest["files"]) == {
        "grade_I.txt",
        "grade_I_II.txt",
        "warning.txt",
        "monitoring.json",
    }
    assert not list((tmp_path / "copy").glob("*.pkl"))


@pytest.fixture
def copy(tmp_path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(BUNDLE, target)
    return target


def test_tampered_bundle_is_refused(copy):
    file = copy / "grade_I.txt"
    file.write_text(file.read_text().replace("leaf_value=", "leaf_value=1", 1))
    with pytest.raises(ar.BundleError, match=r"grade_I.txt does not match its sha256"):
        ar.load_model(copy)


def test_truncated_bundle_is_refused(copy):
    file = copy / "warning.txt"
    file.write_bytes(file.read_bytes()[:1000])
    with pytest.raises(ar.BundleError, match=r"warning.txt does not match its sha256"):
        ar.load_model(copy)


def test_missing_file_and_manifest(copy, tmp_path):
    (copy / "grade_I_II.txt").unlink()
    with pytest.raises(ar.BundleError, match=r"grade_I_II.txt is missing"):
        ar.load_model(copy)
    (copy / "manifest.json").unlink()
    with pytest.raises(ar.BundleError, match=r"has no manifest\.json"):
        ar.load_model(copy)
    with pytest.raises(ar.BundleError, match="not a folder"):
        ar.load_model(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m["versions"].update(lightgbm="3.3.5"),
            "made with lightgbm 3.3.5.*incompatible",
        ),
        (lambda m: m.update(format_version=99), "bundle format 99 is newer"),
        (lambda m: m.pop("grade_cutoffs"), "incomplete or malformed"),
    ],
)
def test_incompatible_bundle_is_refused(copy, edit, message):
    path = copy / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))
    with pytest.raises(ar.BundleError, match=message):
        ar.load_model(copy)


def test_damaged_manifest(copy):
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(ar.BundleError, match="not valid JSON"):
        ar.load_model(copy)


def test_scoring_does_not_import_heavy_packages():
    code = (
        "import sys, arrearsrisk as ar\n"
        f"ledger = ar.read_ledger({str(ROOT / 'data' / 'sample')!r})\n"
        f"ar.score(ledger.subset(['C0001']), '2025-09-30', {str(BUNDLE)!r})\n"
        "heavy = ('mlflow', 'matplotlib', 'pyspark', 'openpyxl')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_more_serious_lateness_never_lowers_p_I(ledger, model):
    feats = ar.build_features(ledger, AS_OF).iloc[:500]
    base = model.predict(feats)["p_I"].to_numpy()
    worse = feats.copy()
    worse["serious_late_bills_count_12m"] += 2
    worse["late_bills_count_12m"] += 2
    assert (model.predict(worse)["p_I"].to_numpy() >= base - 1e-12).all()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_feature_reads_as_text_present_or_missing(lang):
    from arrearsrisk.scoring.reasons import describe

    for name in ar.feature_names():
        for value in (np.nan, 0.0, 1.0, 12.5):
            text = describe(name, value, lang)
            assert text and not re.search(r"[a-z]+_[a-z_]+", text), (name, value, text)
            assert bool(CJK.search(text)) == (lang == "zh"), (name, value, text)


def test_precomputed_features_give_the_same_scores(ledger, model, scores):
    feats = ar.build_features(ledger, AS_OF)
    pd.testing.assert_frame_equal(ar.score(ledger, AS_OF, model, features=feats), scores)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_feature_reads_as_its_own_family_declares(lang):
    from arrearsrisk.features import families
    from arrearsrisk.scoring.reasons import describe

    for family in families():
        for name in family.names:
            entry = family.reason(name)
            assert entry is not None, name
            for value in (np.nan, 0.0, 3.0):
                assert describe(name, value, lang) == entry.say(name, value, lang)


def test_an_extra_column_reads_like_a_feature_of_its_stem_or_as_name_and_value():
    from arrearsrisk.scoring.reasons import describe

    assert describe("kwh_mean_6m", 120.0, "en") == "120 kWh a month over the last 6 months"
    assert describe("channel_share_wechat_12m", 0.5) == "近12个月50%的缴费通过wechat"
    assert describe("substation", "S1", "en") == describe("substation", "S1") == "substation: S1"
