"""A hostile suite of damaged bundles: each is refused by ``load_model`` with a
``BundleError`` that says what is wrong, and no other exception escapes.

Every bundle is generated here from a fresh save of the sample model (no committed
blobs).  ``resealed`` damage also rewrites the hashes (file sha256, manifest sha256 and,
where said, the model version) as a careful editor would, so the checks behind the
hashes are tested too.  Edits that make LightGBM 4 abort, crash or hang the process are
loaded in a child process, so a regression fails the test instead of killing pytest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import arrearsrisk as ar
from arrearsrisk.models import (
    TARGETS,
    Calibrator,
    FeatureSpec,
    RiskModel,
    read_bundle,
    write_bundle,
)
from arrearsrisk.models.bundle import MAX_FILE_BYTES, MAX_FILES, manifest_digest
from arrearsrisk.models.loading import upgrade_bundle

ROOT = Path(__file__).resolve().parents[2]
Damage = Callable[[Path], None]


FROZEN = Path(__file__).parent / "hostile_bundle"  # the edits below name its text


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A copy of a frozen bundle (the sample's of 2026-11-22, format 2): the edits name
    its trees and numbers, so retraining the committed sample leaves them meaningful."""
    return Path(shutil.copytree(FROZEN, tmp_path / "bundle"))


@pytest.fixture(scope="module")
def frozen_model() -> RiskModel:
    return ar.load_model(FROZEN)


def test_the_frozen_bundle_is_the_one_the_edits_were_written_for(frozen_model):
    assert len(frozen_model.spec.names) == 83 and frozen_model.version == "20261122-f5a622cb"


def _manifest(folder: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return manifest


def _write_manifest(folder: Path, manifest: dict[str, Any], *, reseal: bool = True) -> None:
    if reseal:
        manifest["manifest_sha256"] = manifest_digest(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))


def edit(change: Callable[[dict[str, Any]], Any], *, reseal: bool = True) -> Damage:
    """Change the manifest; with ``reseal``, write a matching manifest_sha256."""

    def damage(folder: Path) -> None:
        manifest = _manifest(folder)
        change(manifest)
        _write_manifest(folder, manifest, reseal=reseal)

    return damage


def model_text(
    change: Callable[[str], str], name: str = "warning.txt", *, version: bool = True
) -> Damage:
    """Change a model file and reseal its sha256, the manifest's and (``version``) the
    model version, so only the check of the text itself stands in the way."""

    def damage(folder: Path) -> None:
        text = change((folder / name).read_text())
        (folder / name).write_bytes(text.encode("utf-8", "surrogateescape"))
        manifest = _manifest(folder)
        manifest["files"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        if version:
            manifest["model_version"] = _content_version(folder, manifest)
        _write_manifest(folder, manifest)

    return damage


def _content_version(folder: Path, manifest: dict[str, Any]) -> str:
    """The version fitting would give these files and thresholds."""
    texts = {f"{t}.txt": (folder / f"{t}.txt").read_text() for t in TARGETS}
    cal = manifest["calibration"]
    cuts = manifest["grade_cutoffs"]
    model = RiskModel(
        {},
        FeatureSpec(()),
        {t: Calibrator(cal[t]["a"], cal[t]["b"]) for t in TARGETS},
        cuts["I"],
        cuts["I_II"],
        manifest["warning_threshold"],
    )
    return f"{manifest['model_version'].split('-')[0]}-{model.content_hash(texts)}"


def _categorical(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """``change`` applied to the first categorical feature's entry."""

    def apply(manifest: dict[str, Any]) -> None:
        change(next(f for f in manifest["features"] if f["kind"] == "categorical"))

    return apply


def _files(change: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], None]:
    return lambda manifest: change(manifest["files"]) and None


def _tree_sizes(text: str) -> str:
    """``text`` with tree_sizes recomputed, as an editor who knows the format would."""
    starts = [m.start() for m in re.finditer(r"^Tree=\d+\n", text, re.M)]
    end = text.find("end of trees")
    if not starts or end < 0:
        return text
    sizes = [len(text[a:b].encode()) for a, b in zip(starts, [*starts[1:], end], strict=True)]
    line = "tree_sizes=" + " ".join(map(str, sizes))
    return re.sub(r"^tree_sizes=.*$", line, text, count=1, flags=re.M)


def first_tree(change: Callable[[str], str]) -> Callable[[str], str]:
    def apply(text: str) -> str:
        start, end = text.index("Tree=0\n"), text.index("\n\n\nTree=1\n")
        return _tree_sizes(text[:start] + change(text[start:end]) + text[end:])

    return apply


def header(pattern: str, replacement: str) -> Callable[[str], str]:
    return lambda text: _tree_sizes(re.sub(pattern, replacement, text, count=1, flags=re.M))


def _line(name: str, value: str) -> Callable[[str], str]:
    return lambda block: re.sub(rf"^{name}=.*$", f"{name}={value}", block, count=1, flags=re.M)


def _drop(name: str) -> Callable[[str], str]:
    return lambda block: re.sub(rf"^{name}=.*\n", "", block, count=1, flags=re.M)


def replace_file(name: str, data: bytes) -> Damage:
    return lambda folder: (folder / name).write_bytes(data)


def unlink(name: str) -> Damage:
    return lambda folder: (folder / name).unlink()


def link_outside(name: str) -> Damage:
    def damage(folder: Path) -> None:
        outside = folder.parent / f"outside-{name}"
        outside.write_bytes((folder / name).read_bytes())  # same bytes, same sha256
        (folder / name).unlink()
        (folder / name).symlink_to(outside)

    return damage


def link_to(name: str, target: str) -> Damage:
    def damage(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).symlink_to(target)

    return damage


def fifo(name: str) -> Damage:
    def damage(folder: Path) -> None:
        (folder / name).unlink()
        os.mkfifo(folder / name)

    return damage


def folder_instead(name: str) -> Damage:
    def damage(folder: Path) -> None:
        (folder / name).unlink()
        (folder / name).mkdir()

    return damage


def huge(name: str, size: int) -> Damage:
    def damage(folder: Path) -> None:
        with (folder / name).open("r+b") as fh:  # sparse: no disk used
            fh.truncate(size)

    return damage


def list_file(name: str) -> Damage:
    def change(manifest: dict[str, Any]) -> None:
        manifest["files"][name] = "0" * 64

    return edit(change)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a dotted path (``features.0.name``) of the manifest to ``value``."""

    def change(manifest: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = manifest
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return change


def _pop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(manifest: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = manifest
        for key in parents:
            node = node[key]
        del node[last]

    return change


CHANGED = r"manifest\.json was changed after saving"
MALFORMED = r"manifest\.json is incomplete or malformed: "
NOT_LGB = r"warning\.txt is not a LightGBM model this arrearsrisk reads: "

# (id, damage, message): every damaged bundle the suite builds.
CASES: list[tuple[str, Damage, str]] = [
    # the manifest changed after saving
    ("cutoff I 0.26 -> 0.99", edit(_set("grade_cutoffs.I", 0.99), reseal=False), CHANGED),
    ("threshold edited", edit(_set("warning_threshold", 0.9), reseal=False), CHANGED),
    (
        "category renamed",
        edit(_categorical(lambda f: f["categories"].__setitem__(0, "X")), reseal=False),
        CHANGED,
    ),
    ("info edited", edit(_set("info.seed", 7), reseal=False), CHANGED),
    ("hash removed", edit(_pop("manifest_sha256"), reseal=False), "has no valid manifest_sha256"),
    ("hash not hex", edit(_set("manifest_sha256", "z" * 64), reseal=False), "no valid manifest"),
    # resealed manifest, but the model version no longer matches
    ("cutoff resealed", edit(_set("grade_cutoffs.I", 0.99)), "does not match the model files"),
    ("calibration resealed", edit(_set("calibration.warning.b", 3.0)), "does not match the model"),
    ("version hash edited", edit(_set("model_version", "20261122-00000000")), "does not match"),
    ("feature renamed", edit(_set("features.0.name", "other")), "are not the manifest's"),
    # wrong types or ranges, field by field (resealed, so only the type check stands)
    ("format not ours", edit(_set("format", "x")), "not an arrearsrisk bundle manifest"),
    ("format_version text", edit(_set("format_version", "2")), "format_version must be an int"),
    ("format_version bool", edit(_set("format_version", True)), "format_version must be an int"),
    ("format_version 3", edit(_set("format_version", 3)), "bundle format 3 is newer"),
    ("format_version 1", edit(_set("format_version", 1)), "bundle format 1 is older"),
    ("versions a list", edit(_set("versions", [])), "made with lightgbm \\?"),
    ("lightgbm 3", edit(_set("versions.lightgbm", "3.3.5")), "lightgbm 3.3.5.*incompatible"),
    ("lightgbm a number", edit(_set("versions.lightgbm", 4)), "made with lightgbm 4, "),
    ("model_version int", edit(_set("model_version", 5)), MALFORMED + "model_version must be"),
    ("model_version formula", edit(_set("model_version", "=cmd()")), MALFORMED + "model_vers"),
    ("features missing", edit(_pop("features")), MALFORMED + "features is missing"),
    ("features text", edit(_set("features", "x")), MALFORMED + "features must be a list"),
    ("features empty", edit(_set("features", [])), MALFORMED + "features must list 1 to"),
    ("feature an int", edit(_set("features.0", 3)), MALFORMED + "features must be a list of obj"),
    ("feature name int", edit(_set("features.0.name", 5)), MALFORMED + r"features\[0\]\.name"),
    ("feature name space", edit(_set("features.0.name", "a b")), MALFORMED + r"features\[0\]"),
    (
        "feature twice",
        edit(_set("features.1.name", "bills_due_count_3m")),
        MALFORMED + r"features\[1\]\.name .bills_due_count_3m. appears twice",
    ),
    ("feature kind", edit(_set("features.0.kind", "text")), MALFORMED + r"features\[0\]\.kind"),
    (
        "categories text",
        edit(_categorical(lambda f: f.update(categories="ab"))),
        r"categories \(category\) must be a list of texts",
    ),
    (
        "categories ints",
        edit(_categorical(lambda f: f.update(categories=[1, 2]))),
        "must be a list of texts",
    ),
    (
        "categories twice",
        edit(_categorical(lambda f: f.update(categories=["a", "a"]))),
        "distinct texts",
    ),
    ("numeric categories", edit(_set("features.0.categories", ["a"])), "numeric but lists"),
    ("calibration list", edit(_set("calibration", [])), MALFORMED + "calibration must be"),
    ("calibration lacks", edit(_pop("calibration.warning")), MALFORMED + "calibration must be"),
    ("calibration method", edit(_set("calibration.warning.method", "iso")), "calibration.warn"),
    ("calibration a text", edit(_set("calibration.grade_I.a", "1")), r"grade_I\.a must be a fin"),
    ("calibration a bool", edit(_set("calibration.grade_I.a", True)), r"grade_I\.a must be a fi"),
    ("calibration a < 0", edit(_set("calibration.grade_I.a", -1.0)), r"a must be positive"),
    ("calibration b null", edit(_set("calibration.grade_I.b", None)), r"grade_I\.b must be a fin"),
    ("cutoffs list", edit(_set("grade_cutoffs", [0.2, 0.3])), MALFORMED + "grade_cutoffs must"),
    ("cutoff missing", edit(_pop("grade_cutoffs.I")), MALFORMED + "grade_cutoffs must be"),
    ("cutoff 1.5", edit(_set("grade_cutoffs.I", 1.5)), r"grade_cutoffs\.I must be a probab"),
    ("cutoff text", edit(_set("grade_cutoffs.I_II", "0.3")), r"grade_cutoffs\.I_II must be a f"),
    ("cutoff null", edit(_set("grade_cutoffs.I", None)), r"grade_cutoffs\.I must be a finite"),
    ("cutoff huge", edit(_set("grade_cutoffs.I", 1e308)), r"grade_cutoffs\.I must be a proba"),
    ("threshold negative", edit(_set("warning_threshold", -0.1)), "warning_threshold must be"),
    ("threshold missing", edit(_pop("warning_threshold")), "warning_threshold is missing"),
    ("info a list", edit(_set("info", [])), MALFORMED + "info must be an object"),
    ("files a list", edit(_set("files", [])), "files must be an object"),
    (
        "file sha int",
        edit(_files(lambda f: f.update({"warning.txt": 5}))),
        r"sha256 of warning\.txt is not 64 hex",
    ),
    # listed files outside the folder, or not files
    ("file ../", list_file("../outside.txt"), "'../outside.txt' is not a plain file name"),
    ("file absolute", list_file("/etc/passwd"), "'/etc/passwd' is not a plain file name"),
    ("file in a subfolder", list_file("sub/x.txt"), "'sub/x.txt' is not a plain file name"),
    ("file /dev/zero", list_file("/dev/zero"), "'/dev/zero' is not a plain file name"),
    ("file is manifest", list_file("manifest.json"), "'manifest.json' is not a plain file"),
    ("link outside", link_outside("grade_I.txt"), "is a link to .*outside the bundle folder"),
    ("link to /dev/zero", link_to("grade_I.txt", "/dev/zero"), "outside the bundle folder"),
    ("dangling link", link_to("grade_I.txt", "nowhere.txt"), r"grade_I\.txt is missing"),
    ("pipe", fifo("grade_I.txt"), "is not a regular file"),
    ("folder as file", folder_instead("grade_I.txt"), "is not a regular file"),
    ("manifest a folder", folder_instead("manifest.json"), "is not a regular file"),
    ("manifest /dev/zero", link_to("manifest.json", "/dev/zero"), "outside the bundle folder"),
    ("huge model file", huge("grade_I.txt", MAX_FILE_BYTES + 1), "more than the 536,870,912"),
    ("huge manifest", huge("manifest.json", 64 * 2**20 + 1), "more than the 67,108,864"),
    (
        "too many files",
        edit(lambda m: m["files"].update({f"f{i}.txt": "0" * 64 for i in range(MAX_FILES)})),
        "a bundle holds at most 16",
    ),
    # missing and truncated files
    ("model file missing", unlink("grade_I_II.txt"), r"grade_I_II\.txt is missing"),
    ("not listed", edit(_files(lambda f: f.pop("warning.txt"))), r"lists no warning\.txt"),
    ("manifest missing", unlink("manifest.json"), r"has no manifest\.json"),
    ("manifest truncated", lambda f: huge("manifest.json", 500)(f), "is not valid JSON"),
    ("manifest empty", replace_file("manifest.json", b""), "is not valid JSON"),
    ("model truncated", lambda f: huge("warning.txt", 1000)(f), "does not match its sha256"),
    ("model edited", lambda f: huge("warning.txt", 10**6)(f), "does not match its sha256"),
    # JSON that is not a manifest
    ("manifest GBK", replace_file("manifest.json", '{"模型": 1}'.encode("gbk")), "not UTF-8 text"),
    ("manifest BOM", replace_file("manifest.json", b'\xef\xbb\xbf{"a": 1}'), "not valid JSON"),
    ("manifest a list", replace_file("manifest.json", b"[1, 2]"), "not an arrearsrisk bundle"),
    ("manifest a string", replace_file("manifest.json", b'"x"'), "not an arrearsrisk bundle"),
    ("manifest NaN", replace_file("manifest.json", b'{"a": NaN}'), "NaN is not a JSON number"),
    ("manifest key twice", replace_file("manifest.json", b'{"a": 1, "a": 2}'), "'a' appears tw"),
    ("manifest deep", replace_file("manifest.json", b"[" * 100_000), "is not valid JSON"),
    ("manifest long int", replace_file("manifest.json", b"1" * 5000), "is not valid JSON"),
    # model files edited with every hash resealed: the text check stands alone
    ("model not UTF-8", model_text(lambda t: t + "\udcff", version=False), "is not UTF-8 text"),
    (
        "model edited, hashes resealed",
        model_text(
            lambda t: t.replace("=-4.2446340185639331", "=-4.2446340185639332", 1), version=False
        ),
        "model_version .* does not match the model files",
    ),
]

# edits that make LightGBM 4.x abort ("terminate called without an active exception"),
# segfault, divide by zero or loop forever when it parses or predicts (found by trying
# each in a child process), each resealed with a matching model version
LIGHTGBM_KILLERS: list[tuple[str, Callable[[str], str], str]] = [
    ("categorical on numeric", first_tree(_line("decision_type", "9 10 8 8 9 8")), "numeric feat"),
    ("decision type 255", first_tree(_line("decision_type", "255 10 8 8 9 8")), "decision_type"),
    ("num_leaves 9", first_tree(_line("num_leaves", "9")), "split_feature has 6 values"),
    ("num_leaves 0", first_tree(_line("num_leaves", "0")), "num_leaves=0, num_cat=1"),
    ("num_leaves huge", first_tree(_line("num_leaves", "2000000000")), "out of range"),
    ("leaf value text", first_tree(_line("leaf_value", "abc")), "leaf_value is not a list of"),
    ("threshold short", first_tree(_line("threshold", "1 2")), "threshold has 2 values"),
    ("shrinkage text", first_tree(_line("shrinkage", "x")), "shrinkage is not a list"),
    ("child out of range", first_tree(_line("left_child", "100 4 3 -3 5 -1")), "child node 100"),
    ("child loop", first_tree(_line("left_child", "0 4 3 -3 5 -1")), "child node 0"),
    ("num_cat 0", first_tree(_line("num_cat", "0")), "missing or unexpected for num_cat=0"),
    ("num_cat 5", first_tree(_line("num_cat", "5")), "num_cat=5 but 1 nodes"),
    ("no cat_boundaries", first_tree(_drop("cat_boundaries")), "cat_boundaries missing"),
    ("no left_child", first_tree(_drop("left_child")), "fields left_child missing"),
    ("no num_cat", first_tree(_drop("num_cat")), "num_cat is missing"),
    ("trees per iteration 0", header("^num_tree_per_iteration=1", "num_tree_per_iteration=0"), ""),
    ("multiclass objective", header("^objective=.*$", "objective=multiclass num_class:3"), ""),
    ("tree_sizes wrong", lambda t: re.sub("^tree_sizes=896", "tree_sizes=10", t, flags=re.M), ""),
    (
        "tree_sizes huge",
        lambda t: re.sub("^tree_sizes=896", "tree_sizes=" + "9" * 8, t, flags=re.M),
        "",
    ),
    ("NUL byte", lambda t: t.replace("leaf_value=", "leaf_value=\0", 1), "control character"),
    ("end of parameters lost", lambda t: t.replace("end of parameters", "end"), "parameters has"),
    (
        "parameter garbage",
        lambda t: t.replace("[boosting: gbdt]", "[boosting: gbdt]\n[[[[[:"),
        "parameters has a bad",
    ),
    ("truncated in a tree", lambda t: t[: len(t) // 2], "no 'Tree=' blocks followed by"),
]
# and edits LightGBM reads without a word (or refuses with its own error) but that make
# it read or predict wrongly
LIGHTGBM_QUIET: list[tuple[str, Callable[[str], str], str]] = [
    ("second end of trees", lambda t: t.replace("end of trees", "end of trees\nTree=95"), ""),
    ("leaf value nan", first_tree(_line("leaf_value", "nan " * 6 + "nan")), "leaf_value is not"),
    ("split feature 500", first_tree(_line("split_feature", "500 24 71 30 62 28")), "feature 500"),
    ("leaf twice", first_tree(_line("left_child", "1 4 3 -3 5 -2")), "child leaf 1"),
    ("split feature 83", first_tree(_line("split_feature", "83 24 71 30 62 28")), "feature 83"),
    ("split feature -5", first_tree(_line("split_feature", "-5 24 71 30 62 28")), "outside"),
    ("cat_boundaries 0 50", first_tree(_line("cat_boundaries", "0 50")), "cat_boundaries must"),
    ("linear tree", first_tree(_line("is_linear", "1")), "is a linear tree"),
    ("num_class 3", header("^num_class=1", "num_class=3"), "expected num_class=1"),
    ("version v9", header("^version=v4", "version=v9"), "expected version=v4"),
    ("not a tree header", header("^tree$", "forest"), "not 'tree'"),
    ("no tree_sizes", header(r"^tree_sizes=.*\n", ""), "lacks tree_sizes"),
    ("feature names short", header("^feature_names=[^ ]+ ", "feature_names="), "feature_names"),
    ("max_feature_idx 90", header("^max_feature_idx=82", "max_feature_idx=90"), "max_feature_i"),
    ("no end of trees", lambda t: t.replace("end of trees", "end"), "no 'Tree=' blocks followed"),
    ("pandas_categorical", lambda t: t.replace(":null", ":[[1]]"), "'pandas_categorical:null'"),
    ("importance text", lambda t: t.replace("tenant=40", "tenant=x"), "feature_importances has"),
]


@pytest.mark.parametrize(("damage", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_damaged_bundle_is_a_bundle_error(bundle, damage, message):
    damage(bundle)
    with pytest.raises(ar.BundleError, match=message):
        ar.load_model(bundle)


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in LIGHTGBM_QUIET], ids=[c[0] for c in LIGHTGBM_QUIET]
)
def test_a_model_text_lightgbm_would_misread_is_refused(bundle, change, message):
    model_text(change)(bundle)
    with pytest.raises(ar.BundleError, match=NOT_LGB + ".*" + message):
        ar.load_model(bundle)


def test_model_texts_that_abort_lightgbm_are_refused_in_a_child_process(bundle, tmp_path):
    folders = []
    for i, (_, change, _) in enumerate(LIGHTGBM_KILLERS):
        folder = tmp_path / f"killer{i}"
        folder.mkdir()
        for file in bundle.iterdir():
            (folder / file.name).write_bytes(file.read_bytes())
        model_text(change)(folder)
        folders.append(str(folder))
    code = (
        "import sys, arrearsrisk as ar\n"
        "for folder in sys.argv[1:]:\n"
        "    try:\n"
        "        ar.load_model(folder)\n"
        "        print('LOADED')\n"
        "    except ar.BundleError as err:\n"
        "        print('BundleError', str(err).splitlines()[0])\n"
        "    except BaseException as err:\n"
        "        print('FOREIGN', type(err).__name__, err)\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code, *folders],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    assert len(lines) == len(LIGHTGBM_KILLERS)
    for (name, _, message), line in zip(LIGHTGBM_KILLERS, lines, strict=True):
        assert re.fullmatch(f"BundleError .*{NOT_LGB}.*{message}.*", line), (name, line)


def test_no_foreign_exception_escapes_load_model(bundle, tmp_path):
    """Every case of the suite, counted: each ends in a BundleError."""
    outcomes: dict[str, str] = {}
    for i, (name, damage, _) in enumerate(CASES):
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        for file in bundle.iterdir():
            (folder / file.name).write_bytes(file.read_bytes())
        damage(folder)
        try:
            ar.load_model(folder)
            outcomes[name] = "loaded"
        except ar.BundleError:
            outcomes[name] = "BundleError"
        except Exception as err:  # counting what escapes is the point
            outcomes[name] = type(err).__name__
    assert len(outcomes) == len(CASES) >= 80
    assert {n: o for n, o in outcomes.items() if o != "BundleError"} == {}


def test_an_intact_bundle_loads_and_its_version_is_its_content(bundle, frozen_model):
    loaded = ar.load_model(bundle)
    assert loaded.version == frozen_model.version
    assert loaded.version.endswith(loaded.content_hash())
    assert loaded.content_hash() == loaded.content_hash(loaded.booster_texts())


def test_a_link_inside_the_bundle_is_followed(bundle):
    (bundle / "kept.txt").write_bytes((bundle / "warning.txt").read_bytes())
    (bundle / "warning.txt").unlink()
    (bundle / "warning.txt").symlink_to("kept.txt")
    assert ar.load_model(bundle).spec.names[0] == "bills_due_count_3m"


def test_a_hand_given_version_is_kept_but_still_hashed(sample_model, tmp_path):
    model = RiskModel(
        sample_model.boosters,
        sample_model.spec,
        sample_model.calibrators,
        0.5,
        0.6,
        0.2,
        version="my-model.1",
    )
    folder = Path(model.save(tmp_path / "m"))
    assert ar.load_model(folder).version == "my-model.1"
    edit(_set("grade_cutoffs.I", 0.9), reseal=False)(folder)
    with pytest.raises(ar.BundleError, match=CHANGED):
        ar.load_model(folder)


def test_write_bundle_writes_null_for_nan_and_refuses_a_path_as_a_name(tmp_path):
    folder = write_bundle(tmp_path / "b", {"a.txt": "x"}, {"info": {"auc": float("nan")}})
    _, manifest = read_bundle(folder)
    assert manifest["info"] == {"auc": None}
    assert manifest["manifest_sha256"] == manifest_digest(manifest)
    with pytest.raises(ar.BundleError, match=r"'\.\./a\.txt' is not a plain file name"):
        write_bundle(tmp_path / "c", {"../a.txt": "x"}, {})


def _format_1(folder: Path) -> None:
    manifest = _manifest(folder)
    manifest["format_version"] = 1
    del manifest["manifest_sha256"]
    _write_manifest(folder, manifest, reseal=False)


def test_a_format_1_bundle_is_refused_and_can_be_upgraded(bundle, frozen_model):
    _format_1(bundle)
    with pytest.raises(ar.BundleError, match=r"bundle format 1 is older.*\n.*upgrade_bundle"):
        ar.load_model(bundle)
    assert upgrade_bundle(bundle) == str(bundle)
    assert _manifest(bundle)["format_version"] == 2
    assert ar.load_model(bundle).version == frozen_model.version
    assert upgrade_bundle(bundle) == str(bundle)  # already current: left as it is


def test_upgrade_refuses_a_format_1_bundle_whose_cutoff_was_edited(bundle):
    _format_1(bundle)
    manifest = _manifest(bundle)
    manifest["grade_cutoffs"]["I"] = 0.99
    _write_manifest(bundle, manifest, reseal=False)
    with pytest.raises(ar.BundleError, match="does not match the model files"):
        upgrade_bundle(bundle)
    assert _manifest(bundle)["format_version"] == 1


def test_upgrade_refuses_a_format_1_bundle_without_a_content_version(bundle):
    _format_1(bundle)
    manifest = _manifest(bundle)
    manifest["model_version"] = "unsaved"
    _write_manifest(bundle, manifest, reseal=False)
    with pytest.raises(ar.BundleError, match="'unsaved' is not a trained model's content"):
        upgrade_bundle(bundle)


def test_a_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ar.BundleError, match="is not a folder"):
        ar.load_model(tmp_path / "f")
