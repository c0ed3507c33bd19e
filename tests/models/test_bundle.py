"""Bundle files, the model's manifest round trip, and loading by folder or URI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import arrearsrisk as ar
from arrearsrisk.models import (
    RiskModel,
    model_sources,
    read_bundle,
    register_model_source,
    write_bundle,
)
from arrearsrisk.models.loading import _SOURCES

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "models" / "sample"


@pytest.fixture
def model(sample_model) -> RiskModel:
    return sample_model


def test_write_then_read_gives_the_texts_and_the_manifest(tmp_path):
    folder = write_bundle(tmp_path / "b", {"a.txt": "one\n", "b.txt": "二\n"}, {"k": [1, 2]})
    texts, manifest = read_bundle(folder, required=["a.txt"])
    assert texts == {"a.txt": "one\n", "b.txt": "二\n"}
    assert manifest["format_version"] == 2
    assert manifest["k"] == [1, 2]
    assert manifest["format"] == "arrearsrisk-bundle"
    assert set(manifest["files"]) == {"a.txt", "b.txt"}
    assert manifest["versions"]["arrearsrisk"] == ar.__version__


def test_read_refuses_a_changed_file_and_a_missing_required_one(tmp_path):
    folder = write_bundle(tmp_path / "b", {"a.txt": "one\n"}, {})
    with pytest.raises(ar.BundleError, match=r"lists no b\.txt"):
        read_bundle(folder, required=["b.txt"])
    (folder / "a.txt").write_text("two\n")
    with pytest.raises(ar.BundleError, match="does not match its sha256"):
        read_bundle(folder)


def test_the_manifest_round_trip_rebuilds_the_same_model(model):
    again = RiskModel.from_manifest(model.to_manifest(), model.booster_texts())
    assert again.version == model.version
    assert again.spec == model.spec
    assert again.calibrators == model.calibrators
    assert (again.cutoff_I, again.cutoff_I_II, again.warning_threshold) == (
        model.cutoff_I,
        model.cutoff_I_II,
        model.warning_threshold,
    )
    x = np.random.default_rng(0).normal(size=(50, len(model.spec.names)))
    assert again.predict_matrix(x).equals(model.predict_matrix(x))


def test_save_writes_the_files_the_committed_bundle_has(model, tmp_path):
    folder = Path(model.save(tmp_path / "again"))
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in BUNDLE.iterdir())
    for name in ("grade_I.txt", "grade_I_II.txt", "warning.txt"):
        assert (folder / name).read_text() == (BUNDLE / name).read_text()
    saved = json.loads((folder / "manifest.json").read_text())
    committed = json.loads((BUNDLE / "manifest.json").read_text())
    assert saved["files"] == committed["files"]
    assert {k: v for k, v in saved.items() if k != "versions"} == {
        k: v for k, v in committed.items() if k != "versions"
    }


def test_a_malformed_manifest_is_a_bundle_error(model):
    manifest = model.to_manifest()
    del manifest["grade_cutoffs"]
    with pytest.raises(ar.BundleError, match="incomplete or malformed: grade_cutoffs is missing"):
        RiskModel.from_manifest(manifest, model.booster_texts(), source="test")


def test_a_registered_scheme_loads_through_its_source(tmp_path):
    copy = tmp_path / "fetched"
    shutil.copytree(BUNDLE, copy)
    asked: list[str] = []

    def fetch(uri: str) -> Path:
        asked.append(uri)
        return copy

    register_model_source("testshelf", fetch)
    try:
        loaded = ar.load_model("testshelf:/anything@v1")
    finally:
        del _SOURCES["testshelf"]
    assert asked == ["testshelf:/anything@v1"]
    assert loaded.version == ar.load_model(BUNDLE).version


def test_mlflow_schemes_are_registered_by_name_so_mlflow_is_not_imported():
    assert model_sources()["models"] == "arrearsrisk.tracking:download_bundle"
    assert model_sources()["runs"] == "arrearsrisk.tracking:download_bundle"


@pytest.mark.parametrize(
    ("scheme", "source", "message"),
    [
        ("Bad Scheme", str, "lower-case letters"),
        ("shelf", "no_colon", "'module:function'"),
        ("shelf", 42, "callable"),
    ],
)
def test_register_model_source_errors(scheme, source, message):
    with pytest.raises(ar.ArrearsRiskError, match=message):
        register_model_source(scheme, source)


def test_an_unregistered_scheme_is_read_as_a_folder():
    with pytest.raises(ar.BundleError, match="not a folder"):
        ar.load_model("nowhere:/x")


def test_the_monitoring_reference_is_parsed_on_first_use_only():
    import pickle

    from arrearsrisk.errors import BundleError

    model = ar.load_model(BUNDLE)
    assert model._reference is None and model._reference_text is not None  # not parsed yet
    expected = json.loads((BUNDLE / "monitoring.json").read_text(encoding="utf-8"))
    assert model.reference == expected and model._reference_text is None
    copy = pickle.loads(pickle.dumps(ar.load_model(BUNDLE)))  # a Spark broadcast's copy
    assert copy.reference == expected
    model.reference = None
    assert model.reference is None
    model._reference_text = ("[1, 2]", BUNDLE / "monitoring.json")
    with pytest.raises(BundleError, match=r"monitoring\.json must hold a JSON object"):
        _ = model.reference
