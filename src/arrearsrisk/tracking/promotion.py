"""Promotion on evidence: :func:`promote` moves the champion alias only when the
challenger beats it on the same rows, and :func:`rollback` moves it back.

:func:`promote` re-scores the champion and the challenger on the same rows of a frame
(the months whose outcomes neither has learned from) and compares them with a paired
bootstrap over customers (:func:`arrearsrisk.evaluation.compare_models`): it moves the
alias only if the primary metric's interval lies above zero and no guard metric is worse
beyond its tolerance.  The decision, its reason and the compared figures are recorded on
the challenger's version (tags ``promotion_*`` and its description); the version replaced
keeps the alias ``previous``, so :func:`rollback` is one call.

Examples
--------
Train a challenger on the earlier months, then promote it only if it beats the champion
on the months neither has learned from:

>>> result = ar.train(frame[frame["as_of"] <= "2025-03-31"])  # doctest: +SKIP
>>> decision = promote(result.run_id, frame=frame)  # doctest: +SKIP
>>> decision.promoted, decision.reason  # doctest: +SKIP
(False, 'refused: grade_I_auc: the challenger 0.9537 against the champion 0.9538, ...')
>>> decision.comparison  # doctest: +SKIP
>>> rollback()  # champion back to the version it replaced  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from arrearsrisk.errors import ArrearsRiskError, TrackingError
from arrearsrisk.tracking.pyfunc import MODEL_NAME
from arrearsrisk.tracking.registry import (
    _aliases,
    _check_names,
    _now,
    _register,
    _registered,
    _set_alias,
    _shown,
    download_bundle,
    previous_alias,
)
from arrearsrisk.tracking.store import (
    TRACKING_URI_ENV,
    MlflowClient,
    MlflowException,
    _redacted,
    _using,
    tracking_uri,
)

__all__ = ["DEFAULT_GUARDS", "Promotion", "promote", "rollback"]

DEFAULT_GUARDS: Mapping[str, float] = {"warning_pr_auc": 0.01, "brier": 0.005}
"""Guard metrics of :func:`promote` and how much worse (absolute) each may get: the
warning's PR-AUC by 0.01, the Brier score (calibration; higher is worse) by 0.005."""


@dataclass(frozen=True)
class Promotion:
    """What :func:`promote` decided.

    Attributes
    ----------
    promoted : bool
        Whether ``name@alias`` names the run's version after the call.
    reason : str
        Why, with the figures compared.
    name, alias : str
        The registered model and the alias.
    version : int
        The run's registered version (registered, or reused, even when refused).
    previous : int or None
        The version the alias named before, when it moved (now alias ``previous``).
    comparison : pandas.DataFrame
        The table of :func:`arrearsrisk.evaluation.compare_models` (A the champion, B
        the challenger) over the primary and guard metrics; empty when nothing was
        compared (no champion yet, or the run is the champion).
    """

    promoted: bool
    reason: str
    name: str
    alias: str
    version: int
    previous: int | None = None
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def _run(client: MlflowClient, run_id: str, uri: str) -> Any:
    try:
        run = client.get_run(run_id)
    except MlflowException as err:
        if err.error_code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
            raise
        raise TrackingError(
            f"no MLflow run {run_id!r} in the store at {_redacted(uri)}.\n"
            f"  hint: check {TRACKING_URI_ENV}; the run id is TrainResult.run_id."
        ) from None
    if run.info.lifecycle_stage != "active":
        raise TrackingError(
            f"MLflow run {run_id} is deleted; restore it with "
            f"MlflowClient().restore_run({run_id!r}) before promoting it."
        )
    return run


def _logged_model_uri(client: MlflowClient, run: Any) -> str:
    run_id = run.info.run_id
    logged = client.search_logged_models(
        experiment_ids=[run.info.experiment_id],
        filter_string=f"source_run_id = '{run_id}'",
    )
    chosen = [m for m in logged if m.name == MODEL_NAME]
    if not chosen:
        raise TrackingError(
            f"run {run_id} logged no model named {MODEL_NAME!r} (its models: "
            f"{_shown(sorted(m.name for m in logged))}); nothing to promote.\n"
            "  hint: promote a run of arrearsrisk.train(..., track=True)."
        )
    return str(chosen[-1].model_uri)


def _check_rules(primary: Any, guards: Any, n_boot: Any, seed: Any) -> dict[str, float]:
    from arrearsrisk.evaluation.checks import whole

    if not isinstance(primary, str) or not primary.strip():
        raise ArrearsRiskError(f"primary must be a metric name; got {primary!r}.")
    if not isinstance(guards, Mapping):
        raise ArrearsRiskError(
            f"guards must map metric names to tolerances, e.g. {dict(DEFAULT_GUARDS)}; "
            f"got {guards!r}."
        )
    checked = {}
    for metric, tolerance in guards.items():
        bad = isinstance(tolerance, bool) or not isinstance(tolerance, int | float)
        if not isinstance(metric, str) or bad or not tolerance >= 0:
            raise ArrearsRiskError(
                f"guards must map metric names to tolerances >= 0; got {metric!r}: {tolerance!r}."
            )
        checked[metric] = float(tolerance)
    whole(n_boot, "n_boot")
    whole(seed, "seed", minimum=0)
    return checked


def _labelled_until(model: Any) -> pd.Timestamp | None:
    """The last cutoff whose outcome ``model`` learned from (fitting, early stopping,
    calibration or cut-offs), from its bundle's record; None if it has none."""
    info = model.info
    trained = info.get("trained_on")
    if trained:  # fitted on these cutoffs (a model deployed on every labelled cutoff)
        return max(pd.Timestamp(t) for t in trained)
    window = info.get("window")
    if isinstance(window, Mapping):
        for part in ("valid", "train"):  # one time split: tuned on valid, after train
            if window.get(part):
                return pd.Timestamp(window[part][-1])
    return None


def _out_of_time(frame: pd.DataFrame, models: list[Any]) -> tuple[pd.DataFrame, str]:
    """The rows of ``frame`` out of time for every model: cutoffs on or after the end of
    the outcome window of the last cutoff each learned from (the same embargo as the
    time split's), so neither model has seen any outcome of the rows it is judged on."""
    from arrearsrisk.asof import label_end

    missing = [c for c in ("as_of", "grade", "a_warning") if c not in frame.columns]
    names = {n for m in models for n in m.spec.names}
    missing += sorted(names - set(frame.columns))
    if missing:
        raise ArrearsRiskError(
            f"frame must be a training frame holding both models' features and the "
            f"outcomes; missing columns {missing[:10]}.\n"
            "  hint: pass a frame from ar.training_frame."
        )
    as_of = pd.to_datetime(frame["as_of"])
    starts = []
    for model in models:
        until = _labelled_until(model)
        if until is not None:
            labels = model.info.get("labels", {})
            starts.append(
                label_end(until, labels.get("horizon_months", 3), labels.get("grace_days", 30))
            )
    start = max(starts) if starts else as_of.min()
    rows = frame[as_of >= start]
    if rows.empty:
        raise ArrearsRiskError(
            f"frame has no cutoff on or after {start.date()}, where both models' training "
            f"outcomes end (frame: {as_of.min().date()} to {as_of.max().date()}): a model "
            "judged on months whose outcomes it learned from looks better than it is.\n"
            "  hint: train the challenger on the earlier months, e.g. "
            "ar.train(frame[frame.as_of <= cut]), and promote it with the whole frame; or "
            "promote once newer months are labelled."
        )
    months = pd.to_datetime(rows["as_of"])
    return rows, f"{months.min().date()}..{months.max().date()}"


def _compare(
    champion_uri: str,
    challenger_uri: str,
    frame: pd.DataFrame,
    metrics: list[str],
    n_boot: int,
    seed: int,
    level: float,
) -> tuple[pd.DataFrame, str]:
    """Re-score both models on the same rows of ``frame``; the comparison table and
    which rows."""
    from arrearsrisk.evaluation.compare import compare_models
    from arrearsrisk.models import load_model

    old = load_model(download_bundle(champion_uri))
    new = load_model(download_bundle(challenger_uri))
    rows, months = _out_of_time(frame, [old, new])
    truth = rows[["grade", "a_warning", "as_of"]].copy()
    cluster = None
    if "customer_id" in rows.columns:
        truth["customer_id"] = rows["customer_id"]
        cluster = "customer_id"
    table = compare_models(
        truth,
        old.predict(rows),
        new.predict(rows),
        metrics=metrics,
        n_boot=n_boot,
        seed=seed,
        cluster=cluster,
        level=level,
    )
    return table, f"{len(rows):,} rows, months {months}"


def _figures(table: pd.DataFrame, metric: str) -> str:
    row = table.loc[metric]
    level = table.attrs.get("level", 0.95)
    return (
        f"the challenger {row['b']:.4f} against the champion {row['a']:.4f}, difference "
        f"{row['difference']:+.4f} ({level:.0%} interval {row['low']:+.4f} to {row['high']:+.4f})"
    )


def _decide(table: pd.DataFrame, primary: str, guards: Mapping[str, float]) -> tuple[bool, str]:
    """Promote when the primary metric's interval lies wholly on the better side of 0 and
    no guard is worse than its tolerance (by the point difference)."""
    failures, passes = [], []

    def value(metric: str, column: str) -> float:
        return float(table[column].astype(float)[metric])

    higher = table["higher_is_better"].astype(bool)
    better = value(primary, "low") if higher[primary] else -value(primary, "high")
    if not math.isfinite(better):
        failures.append(f"{primary} is undefined on these rows")
    elif better <= 0:
        failures.append(
            f"{primary}: {_figures(table, primary)}; no evidence of a gain (the interval reaches 0)"
        )
    else:
        passes.append(f"{primary}: {_figures(table, primary)}")
    for metric, tolerance in guards.items():
        worse = value(metric, "difference") * (-1 if higher[metric] else 1)
        if not math.isfinite(worse):
            failures.append(f"guard {metric} is undefined on these rows")
        elif worse > tolerance:
            failures.append(
                f"guard {metric} worse by {worse:.4f} (tolerance {tolerance:g}): "
                f"{_figures(table, metric)}"
            )
        else:
            passes.append(
                f"guard {metric} within its tolerance {tolerance:g}: {_figures(table, metric)}"
            )
    if failures:
        passed = f"; passed: {'; '.join(passes)}" if passes else ""
        return False, f"refused: {'; '.join(failures)}{passed}"
    return True, "promoted: " + "; ".join(passes)


def _markdown(table: pd.DataFrame) -> str:
    level = table.attrs.get("level", 0.95)
    lines = [
        f"| metric | champion | challenger | difference | {level:.0%} interval |",
        "|---|---|---|---|---|",
    ]
    for metric, row in table.iterrows():
        lines.append(
            f"| {metric} | {row['a']:.4f} | {row['b']:.4f} | {row['difference']:+.4f} | "
            f"{row['low']:+.4f} to {row['high']:+.4f} |"
        )
    return "\n".join(lines)


def _record(
    client: MlflowClient,
    name: str,
    version: int,
    *,
    promoted: bool,
    reason: str,
    against: int | None,
    rows: str | None = None,
    table: pd.DataFrame | None = None,
) -> None:
    """Tag the challenger's version with the decision and append it to its description."""
    key = str(version)
    tags = {
        "promotion_decision": "promoted" if promoted else "refused",
        "promotion_reason": reason[:4900],
        "promotion_at": _now(),
    }
    if against is not None:
        tags["promotion_against_version"] = str(against)
    if rows is not None:
        tags["promotion_rows"] = rows
    for metric, row in (table if table is not None else pd.DataFrame()).iterrows():
        tags[f"promotion_{metric}"] = (
            f"champion {row['a']:.6f}, challenger {row['b']:.6f}, difference "
            f"{row['difference']:+.6f}, interval {row['low']:+.6f} to {row['high']:+.6f}"
        )
    for tag, value in tags.items():
        client.set_model_version_tag(name, key, tag, value)
    current = client.get_model_version(name, key).description or ""
    against_text = "" if against is None else f" against version {against}"
    section = f"**Promotion, {tags['promotion_at']}**{against_text}: {reason}"
    if rows is not None:
        section += f"\n\nCompared on {rows} (paired bootstrap).\n\n"
    if table is not None and not table.empty:
        section += _markdown(table)
    text = f"{current}\n\n{section}" if current else section
    client.update_model_version(name, key, description=text)


def promote(
    run_id: str,
    name: str = "arrearsrisk",
    alias: str = "champion",
    *,
    frame: pd.DataFrame | None = None,
    primary: str = "grade_I_auc",
    guards: Mapping[str, float] = DEFAULT_GUARDS,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Promotion:
    """Point ``name@alias`` at the model of run ``run_id`` if the evidence says it is
    better than the version there now.

    The run's model (``runs:/<run_id>/model``, logged by :func:`arrearsrisk.train`) is
    registered under ``name`` unless a version from that run, or of an identical model
    (same ``model_version``), exists already.  Then:

    * no version holds ``alias`` yet: the alias moves to the run's version;
    * the run's version (or an identical model) holds it: nothing changes;
    * another version holds it (the champion): both are loaded from the registry and
      re-scored on the rows of ``frame`` out of time for both (cutoffs on or after the
      end of the outcome window of the last cutoff either learned from, as recorded in
      its bundle), and compared with a paired bootstrap over customers
      (:func:`arrearsrisk.evaluation.compare_models`, ``cluster="customer_id"``).
      The alias moves only if the ``primary`` metric's interval of the difference
      challenger − champion lies above zero (below, for a lower-is-better metric) and
      no ``guards`` metric is worse by more than its tolerance (point difference); the
      champion then keeps the alias :func:`previous_alias` (``previous``), and
      :func:`rollback` moves it back.  Without ``frame`` this raises: logged metrics of
      two runs, measured on different months, are no evidence.

    The decision, its reason and the compared figures are recorded on the run's version
    (tags ``promotion_decision``, ``promotion_reason``, ``promotion_<metric>``, ...,
    appended to its description), whether promoted or refused.

    Parameters
    ----------
    run_id : str
        The MLflow run of a tracked training (``TrainResult.run_id``).
    name : str, default "arrearsrisk"
        The registered model, created if missing.
    alias : str, default "champion"
        The alias to move.
    frame : pandas.DataFrame, optional
        A training frame (``ar.training_frame``) reaching months out of time for both
        models (only those rows are compared; a model fitted on every labelled cutoff of
        its frame has none there: train it on the earlier months, or wait for newer
        labels).  Needed when another version holds ``alias``.
    primary : str, default "grade_I_auc"
        The metric that must improve (a metric name of :func:`~arrearsrisk.evaluate`).
    guards : mapping of str to float, default :data:`DEFAULT_GUARDS`
        Metrics that must not get worse by more than the tolerance (absolute):
        ``{"warning_pr_auc": 0.01, "brier": 0.005}``.
    n_boot, seed, level :
        The bootstrap's resamples, seed and interval coverage.

    Returns
    -------
    Promotion
        ``promoted``, ``reason``, ``version`` (the run's), ``previous`` and
        ``comparison`` (the table, A the champion and B the challenger).

    Raises
    ------
    ArrearsRiskError
        If ``run_id``, a name or a rule is malformed, another version holds ``alias``
        and no ``frame`` is given, or ``frame`` lacks columns or months out of time.
    TrackingError
        If ``run_id`` is not a run of the store (or is deleted), the run logged no model,
        or the store refuses the registration.

    Examples
    --------
    The models learn from the cutoffs up to 2025-03-31, whose outcomes end 2025-07-30;
    the frame's months from 2025-07-31 judge them:

    >>> early = frame[frame["as_of"] <= "2025-03-31"]  # doctest: +SKIP
    >>> first = ar.train(early, register_as=None)  # doctest: +SKIP
    >>> promote(first.run_id).promoted  # the first: no champion to beat  # doctest: +SKIP
    True
    >>> other = ar.train(early, seed=1)  # doctest: +SKIP
    >>> decision = promote(other.run_id, frame=frame)  # doctest: +SKIP
    >>> decision.promoted  # a seed-only change is no evidence  # doctest: +SKIP
    False
    """
    if not isinstance(run_id, str) or not run_id.strip():
        raise ArrearsRiskError(
            f"run_id must be the id of an MLflow run (TrainResult.run_id); got {run_id!r}.\n"
            "  hint: train with track=True to log a run."
        )
    _check_names(name=name, alias=alias)
    rules = _check_rules(primary, guards, n_boot, seed)
    if frame is not None and not isinstance(frame, pd.DataFrame):
        raise ArrearsRiskError(f"frame must be a training frame; got {type(frame).__name__}.")
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            run = _run(client, run_id, uri)
            model_uri = _logged_model_uri(client, run)
            model_version = run.data.tags.get("model_version")
            holder = _aliases(client, name).get(alias)
            if holder is not None:
                held = client.get_model_version(name, str(holder))
                same_model = (
                    bool(model_version) and (held.tags or {}).get("model_version") == model_version
                )
                if held.run_id == run_id or same_model:
                    return Promotion(
                        True,
                        f"run {run_id}'s model is already {name}@{alias} (version {holder}).",
                        name,
                        alias,
                        holder,
                    )
                if frame is None:
                    raise ArrearsRiskError(
                        f"{name}@{alias} is version {holder} (run {held.run_id}): promote "
                        "compares the two models on the same months, and needs them.\n"
                        f"  hint: promote({run_id!r}, {name!r}, frame=frame) with a training "
                        "frame reaching months neither model learned from."
                    )
            note = run.data.tags.get("mlflow.note.content")  # the run's headline
            description = (
                note or f"arrearsrisk model {model_version}."
            ) + f"\n\nLogged by run `{run_id}`."
            if holder is None:
                version = _register(client, name, model_uri, run_id, model_version, description)
                reason = f"promoted: no {name}@{alias} before; version {version} is the first."
                _record(client, name, version, promoted=True, reason=reason, against=None)
                _set_alias(client, name, alias, version, reason)
                return Promotion(True, reason, name, alias, version)
        except MlflowException as err:
            raise TrackingError(
                f"MLflow store at {_redacted(uri)} failed to promote run {run_id} to "
                f"{name}@{alias}: {err.message}"
            ) from err
        # compare before registering: a frame or metric that cannot be compared leaves
        # the registry as it was
        assert frame is not None  # checked with the champion above
        metrics = list(dict.fromkeys([primary, *rules]))
        table, rows = _compare(
            f"models:/{name}/{holder}",
            f"runs:/{run_id}/{MODEL_NAME}",
            frame,
            metrics,
            n_boot,
            seed,
            level,
        )
        promoted, reason = _decide(table, primary, rules)
        try:
            version = _register(client, name, model_uri, run_id, model_version, description)
            _record(
                client,
                name,
                version,
                promoted=promoted,
                reason=reason,
                against=holder,
                rows=rows,
                table=table,
            )
            previous = _set_alias(client, name, alias, version, reason) if promoted else None
        except MlflowException as err:
            raise TrackingError(
                f"MLflow store at {_redacted(uri)} failed to record the promotion of run "
                f"{run_id} to {name}@{alias}: {err.message}"
            ) from err
    return Promotion(promoted, reason, name, alias, version, previous, table)


def rollback(name: str = "arrearsrisk", alias: str = "champion", *, reason: str = "") -> int:
    """Point ``name@alias`` back at the version it named before (alias ``previous``).

    The version rolled back from is tagged ``<alias>_rolled_back`` and the restored one
    ``<alias>_restored`` (when, from which version, and ``reason``); ``previous`` then
    moves to the version the restored one had replaced, if any, else it is removed, so
    rolling back again goes one step further back or says there is nothing left.

    Parameters
    ----------
    name : str, default "arrearsrisk"
        The registered model.
    alias : str, default "champion"
        The alias to move back.
    reason : str, optional
        Why, recorded with the rollback.

    Returns
    -------
    int
        The version ``name@alias`` now names.

    Raises
    ------
    ArrearsRiskError
        If a name is empty.
    TrackingError
        If there is no registered model ``name``, or no version to roll back to.

    Examples
    --------
    >>> rollback("arrearsrisk", reason="Grade I rate doubled in the first batch")  # doctest: +SKIP
    1
    """
    _check_names(name=name, alias=alias)
    back_alias = previous_alias(alias)
    uri = tracking_uri()
    with _using(uri):
        client = MlflowClient()
        try:
            _registered(client, name, uri)
            aliases = _aliases(client, name)
            if back_alias not in aliases:
                shown = ", ".join(f"{a} -> version {v}" for a, v in sorted(aliases.items()))
                raise TrackingError(
                    f"registered model {name!r} has no alias {back_alias!r}: no version to "
                    f"roll {alias!r} back to (its aliases: {shown or 'none'})."
                )
            back, current = aliases[back_alias], aliases.get(alias)
            note = f"{_now()}: {name}@{alias} from version {current} back to version {back}"
            note += f" ({reason})" if reason else ""
            client.set_registered_model_alias(name, alias, str(back))
            if current is not None:
                client.set_model_version_tag(name, str(current), f"{alias}_rolled_back", note)
            client.set_model_version_tag(name, str(back), f"{alias}_restored", note)
            restored = client.get_model_version(name, str(back))
            before = (restored.tags or {}).get(f"{alias}_previous")
            versions = {int(v.version) for v in client.search_model_versions(f"name = '{name}'")}
            if before is not None and before.isdigit() and int(before) in versions - {back}:
                client.set_registered_model_alias(name, back_alias, before)
            else:
                client.delete_registered_model_alias(name, back_alias)
        except MlflowException as err:
            raise TrackingError(
                f"MLflow store at {_redacted(uri)} failed to roll {name}@{alias} back: "
                f"{err.message}"
            ) from err
    return back
