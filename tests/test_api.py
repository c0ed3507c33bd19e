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
