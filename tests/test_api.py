"""The public API is pinned: an API change shows up in review."""

from __future__ import annotations

import subprocess
import sys

import pytest

import arrearsrisk as ar

PUBLIC = {
    "SCORE_COLUMNS",
    "ArrearsRiskError",
    "BundleError",
    "PolicyError",
    "RiskModel",
    "TrainResult",
    "load_model",
    "load_policy",
    "monitor",
    "Monitoring",
    "plan_measures",
    "release_candidates",
    "risk_plans",
    "score",
    "score_account",
    "train",
    "write_report",
    "write_workbook",
    "Ledger",
    "LedgerError",
    "LedgerWarning",
    "PeerContext",
    "PeerContextWarning",
    "build_features",
    "build_labels",
    "feature_names",
    "monthly_cutoffs",
    "peer_context",
    "read_ledger",
    "training_frame",
    "translate_reasons",
    "industry_name",
}


def test_exported_names_are_exactly_the_public_api():
    assert set(ar.__all__) == PUBLIC
    for name in PUBLIC:
        assert getattr(ar, name) is not None


def test_no_public_name_resolves_to_a_module_of_that_name():
    # arrearsrisk.features.peer_context and arrearsrisk.plans.risk_plans are modules
    # named as the functions their packages export; once a runner imported the module by
    # its path, the package attribute was the module and ar.peer_context(...) failed with
    # "'module' object is not callable" (the peer_context doctests, run as one file)
    code = (
        "import sys, types, arrearsrisk.features, arrearsrisk.plans\n"
        "for name in ('arrearsrisk.features.peer_context', 'arrearsrisk.plans.risk_plans'):\n"
        "    package, _, attr = name.rpartition('.')\n"
        "    setattr(sys.modules[package], attr, sys.modules[name])\n"
        "import arrearsrisk as ar\n"
        "bad = [n for n in ar.__all__ if isinstance(getattr(ar, n), types.ModuleType)]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert callable(ar.peer_context) and ar.peer_context.__module__ == "arrearsrisk.features.build"


def test_errors_form_one_family():
    assert issubclass(ar.LedgerError, ar.ArrearsRiskError)
    assert issubclass(ar.BundleError, ar.ArrearsRiskError)
    assert issubclass(ar.PolicyError, ar.ArrearsRiskError)
    assert issubclass(ar.ArrearsRiskError, ValueError)
    assert issubclass(ar.LedgerWarning, UserWarning)
    assert issubclass(ar.PeerContextWarning, ar.LedgerWarning)


@pytest.mark.parametrize(
    "modules",
    [
        "arrearsrisk",
        # what a billing system's scoring and a manager's report import
        "arrearsrisk, arrearsrisk.scoring.account, arrearsrisk.models",
        "arrearsrisk.reports, arrearsrisk.plans",
    ],
)
def test_import_stays_light(modules):
    code = (
        f"import sys, {modules}\n"
        "heavy = [m for m in ('mlflow', 'matplotlib', 'pyspark', 'lightgbm', 'sklearn',"
        " 'openpyxl', 'playwright') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
