"""The main job, end to end: ledger -> training frame -> train (tracked) -> bundle ->
promotion on evidence -> score the latest month with the champion (and save the month's
peer context for on-demand scoring) -> plans -> reports (the company's, and one per
supply station).
``arrearsrisk run`` and ``make run`` call :func:`run_job`; each step is also a function of
the public API.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.features import build_features, peer_context
from arrearsrisk.features.frames import monthly_cutoffs, training_frame
from arrearsrisk.ledger import Ledger, read_ledger
from arrearsrisk.pipeline.training import train
from arrearsrisk.plans import plan_measures, release_candidates, risk_plans
from arrearsrisk.plans.people import check_staff, read_staff, staff_loads
from arrearsrisk.plans.people import strict_staff as staff_gaps_refused
from arrearsrisk.reports import write_report, write_workbook
from arrearsrisk.reports.stations import INDEX_FILE, write_station_reports
from arrearsrisk.scoring.scores import score
from arrearsrisk.timeline import AsOf, parse_as_of
from arrearsrisk.vocabulary import GRADES
from arrearsrisk.writers import write_measures, write_table

__all__ = ["JobResult", "latest_month_end", "run_job"]


def latest_month_end(ledger: Ledger) -> pd.Timestamp:
    """The last month end on or before the ledger's last bill or payment date.

    >>> import arrearsrisk as ar
    >>> latest_month_end(read_ledger("data/sample")).date()
    datetime.date(2026, 1, 31)
    """
    last = max(ledger.bills["issue_date"].max(), ledger.payments["paid_date"].max())
    end = pd.Timestamp(last) + pd.offsets.MonthEnd(0)
    return end if end == pd.Timestamp(last) else end - pd.offsets.MonthEnd(1)


@dataclass
class JobResult:
    """What :func:`run_job` produced and where."""

    as_of: pd.Timestamp
    metrics: pd.DataFrame
    run_id: str | None
    bundle: Path
    files: dict[str, Path] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    promotion: str = ""
    """What the promotion decided, and why (empty when nothing was registered)."""
    scored_with: str = ""
    """The version of the model that scored (the new one, or the champion kept)."""


def run_job(
    data: str | os.PathLike[str],
    out: str | os.PathLike[str] = "out",
    *,
    as_of: AsOf | None = None,
    lang: str = "zh",
    model_dir: str | os.PathLike[str] = "models/latest",
    experiment: str = "arrearsrisk",
    register_as: str | None = "arrearsrisk",
    track: bool = True,
    validation: str = "auto",
    progress: bool = True,
    say: Callable[[str], None] = print,
    staff: str | os.PathLike[str] | pd.DataFrame | None = None,
    strict_staff: bool = False,
) -> JobResult:
    """Run the whole job on a ledger folder.

    Besides scores, plans, the report and the workbook, it writes into ``out``:
    ``stations/`` (one report per supply station and their ``index.html``,
    :func:`~arrearsrisk.reports.stations.write_station_reports`) and
    ``peers-<as_of>.json``, the portfolio's peer context
    (:meth:`~arrearsrisk.features.peer_context.PeerContext.save`) that on-demand
    scoring reads (``ARREARSRISK_PEERS``, see ``docs/serving.md``).

    Parameters
    ----------
    data : path
        Ledger folder (customers, bills, payments).
    out : path
        Folder for scores, plans and reports.
    as_of : date, optional
        Scoring date (default: :func:`latest_month_end` of the ledger).
    lang : {"zh", "en"}
        Language of reasons, plans and reports.
    model_dir : path
        Where the model bundle is saved.
    experiment, register_as : str
        MLflow experiment, and the registered model name (``None``: do not register).
        The new model is registered with the alias ``challenger`` and becomes
        ``champion`` only by :func:`arrearsrisk.tracking.promote`: when there is no
        champion yet, when it is the champion already (same data, same model), or when
        it beats the champion on months out of time for both.  When the champion is
        kept, the champion scores.
    track : bool
        Log the training run to MLflow.
    validation : {"auto", "time", "customers"}
        How the models are measured (:func:`arrearsrisk.train`).
    progress : bool
        Progress bars on the long steps.
    say : callable
        Where the step-by-step messages go.
    staff : path or pandas.DataFrame, optional
        The staff table (:func:`arrearsrisk.plans.people.read_staff`), read and checked
        before anything else: each plan names the head, the managing person and the
        officer of its area, officers balanced within their caps.  Without it plans
        name nobody (the job says so).  ``make run`` passes ``data/sample/staff.csv``.
    strict_staff : bool
        Refuse (a :class:`~arrearsrisk.errors.StaffWarning` raised) a staff table that
        leaves an area uncovered or plans beyond the officers' caps, instead of warning.
    """
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = now - clock
        clock = now

    out_dir = Path(out)
    team = (
        None
        if staff is None
        else check_staff(staff)
        if isinstance(staff, pd.DataFrame)
        else read_staff(staff)
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger = read_ledger(data)
    say(f"[1/6] ledger: {ledger}")
    lap("read")
    cutoffs = monthly_cutoffs(ledger)
    if len(cutoffs) < 2:
        raise ArrearsRiskError(
            f"{data}: the ledger is too short to train on: it needs 12 months of bills before "
            "a cutoff and the outcome window (3 months + 30 days) after it, over several months."
        )
    frame = training_frame(ledger, cutoffs, progress=progress)
    say(
        f"[2/6] training frame: {len(frame):,} rows, {len(cutoffs)} cutoffs "
        f"{cutoffs[0].date()}..{cutoffs[-1].date()}"
    )
    lap("training frame")
    result = train(
        frame,
        validation=validation,
        track=track,
        experiment=experiment,
        register_as=register_as,
        alias="challenger",
        save_to=Path(model_dir),
        progress=progress,
    )
    assert result.bundle is not None
    say(
        f"[3/6] model {result.model.version} saved to {result.bundle}"
        + (f"; MLflow run {result.run_id}" if result.run_id else "")
    )
    model, promotion = result.model, ""
    if result.run_id is not None and register_as is not None:
        model, promotion = _champion(result.run_id, register_as, frame, result.model)
        say(f"      {promotion}")
    lap("train")
    t = parse_as_of(as_of) if as_of is not None else latest_month_end(ledger)
    previous_t = t - pd.offsets.MonthEnd(1)
    feats = build_features(ledger, t)  # built once: for the scores and for the plans
    scores = score(ledger, t, model, lang=lang, features=feats)
    previous = score(ledger, previous_t, model, lang=lang, reasons="none")
    files = {
        "scores_csv": write_table(scores, out_dir / "scores.csv"),
        "scores_parquet": write_table(scores, out_dir / "scores.parquet"),
        # what the billing system's on-demand scoring needs of the whole portfolio
        "peers": peer_context(ledger, t).save(out_dir / f"peers-{t.date()}.json"),
    }
    say(
        f"[4/6] scored {len(scores):,} customers as of {t.date()}: "
        + ", ".join(f"Grade {g} {int((scores['grade'] == g).sum()):,}" for g in GRADES)
        + f", A-level warnings {int(scores['a_warning'].sum()):,}"
    )
    say(f"      peer context for on-demand scoring (ARREARSRISK_PEERS): {files['peers']}")
    lap("score")
    with staff_gaps_refused(strict_staff):
        plans = risk_plans(scores, ledger, lang=lang, staff=team, previous=previous, features=feats)
        release = release_candidates(scores, ledger, lang=lang, staff=team, features=feats)
    measures = plan_measures(plans)
    files["measures_csv"] = write_measures(measures, out_dir / "plan_measures.csv")
    say(
        f"[5/6] {len(plans):,} risk plans ({len(measures):,} measures), "
        f"{len(release):,} customers whose measures can be released"
    )
    say(f"      {_staff_line(plans, team)}")
    lap("plans")
    files["report"] = write_report(
        plans,
        scores,
        out_dir / "report.html",
        lang=lang,
        previous=previous,
        ledger=ledger,
        release=release,
    )
    files["workbook"] = write_workbook(plans, out_dir / "plans.xlsx", lang=lang, release=release)
    stations = write_station_reports(
        plans,
        scores,
        out_dir / "stations",
        lang,
        ledger=ledger,
        previous=previous,
        staff=team,
        release=release,
        company_report=files["report"],
        progress=progress,
    )
    files["stations"] = out_dir / "stations" / INDEX_FILE
    metrics_file = write_table(
        result.metrics.rename_axis("model").reset_index(), out_dir / "metrics.csv"
    )
    files["metrics"] = metrics_file
    say(
        f"[6/6] report {files['report']}, workbook {files['workbook']} and "
        f"{len(stations)} station reports listed in {files['stations']}"
    )
    lap("reports")
    counts = {
        "customers": len(scores),
        "grade_I": int((scores["grade"] == "I").sum()),
        "warnings": int(scores["a_warning"].sum()),
        "plans": len(plans),
        "plans_with_officer": int(plans["officer"].notna().sum()),
        "stations": len(stations),
        "measures": measures["code"].value_counts().to_dict() if len(measures) else {},
    }
    return JobResult(
        t,
        result.metrics,
        result.run_id,
        result.bundle,
        files,
        counts,
        seconds,
        promotion,
        model.version,
    )


def _staff_line(plans: pd.DataFrame, team: pd.DataFrame | None) -> str:
    """What the staff table did: officers, their loads against their caps, and gaps."""
    if team is None:
        return "no staff table (--staff): the plans name no responsible person"
    loads = staff_loads(plans, team)
    named = int(plans["officer"].notna().sum())
    caps = loads["cap"].dropna()
    cap = f", caps {int(caps.min())}..{int(caps.max())}" if len(caps) else ""
    spread = f"{int(loads['load'].min())}..{int(loads['load'].max())}" if len(loads) else "-"
    return (
        f"staff: {loads['staff_id'].nunique()} officers in {loads['region'].nunique()} areas, "
        f"{named:,} of {len(plans):,} plans with an officer; loads {spread}{cap}"
    )


def _champion(run_id: str, name: str, frame: pd.DataFrame, new: Any) -> tuple[Any, str]:
    """Promote the run's model on evidence; the model that scores and what was decided."""
    from arrearsrisk.models.loading import load_model
    from arrearsrisk.tracking import promote

    try:
        decision = promote(run_id, name, "champion", frame=frame)
    except ArrearsRiskError as err:
        reason = str(err).splitlines()[0]
        decision = None
    if decision is not None and decision.promoted:
        return new, f"{name}@champion: {decision.reason}"
    if decision is not None:
        reason = decision.reason
    kept = load_model(f"models:/{name}@champion")
    return kept, (
        f"{name}@champion kept ({kept.version}), which scores; the new model is "
        f"{name}@challenger: {reason}"
    )
