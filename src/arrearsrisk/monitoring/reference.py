"""The frozen reference: bins and counts of the training months, saved in the bundle.

Every monitored month is compared with the same reference, not with the month before.
:func:`reference_from_scored` builds it from scored rows (features, ``p_I``, grade and
warning by customer and month); :mod:`~arrearsrisk.monitoring.sampling` picks and scores
those rows: :func:`arrearsrisk.train` scores its training frame with the deployed model
and saves the reference in the bundle (``monitoring.json``);
:func:`~arrearsrisk.monitoring.sampling.build_reference` does the same from a ledger and
months for a bundle trained before references existed.

What it holds (plain JSON, see :meth:`MonitoringReference.to_dict`):

* one :class:`Binning` per variable: ``p_I`` (deciles), the grade mix (I / II / III /
  warned), each model feature.  A numeric feature with at most :data:`MAX_VALUE_BINS`
  distinct whole-number values is binned by value (counts, flags); any other by its
  deciles, each cut moved to the midpoint between the two distinct values around it, so
  no cut sits on a value many customers share (peer rates, whose few values would
  otherwise jump across a cut all at once); a categorical feature by its levels.  Every
  binning has a last bin for missing values, and value and level binnings one for
  values unseen in training;
* the counts per bin, per segment (:mod:`~arrearsrisk.monitoring.segments`) and per
  calendar month of the training months (features for the portfolio and the first-level
  segments; ``p_I`` and the grade mix for every segment, region x category too): a
  month is compared with the same calendar month of the reference;
* moments (count, sum, sum of squares) per segment and calendar month of ``p_I``, of
  being Grade I, of being in arrears (``arrears_amount > 0``), of the arrears amount and
  of the share of missing features: the means the shift tests compare.

Segments held by fewer than :data:`MIN_SEGMENT_ROWS` rows are left out (no figure of a
handful of customers reaches the bundle).

Examples
--------
>>> b = Binning.fit("late_bills_count_3m", np.array([0.0, 0, 1, 2, 2, 3]))
>>> b.kind, b.cuts, b.codes(np.array([0.0, 3, 7, np.nan])).tolist()
('values', (0.0, 1.0, 2.0, 3.0), [0, 3, 4, 5])
>>> q = Binning.fit("rate", np.repeat([0.1, 0.2, 0.3], 50), bins=10)
>>> q.kind, [round(c, 3) for c in q.cuts]
('quantile', [0.15, 0.25])
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from arrearsrisk.errors import ArrearsRiskError
from arrearsrisk.monitoring.segments import ALL, KINDS, segment_labels

__all__ = [
    "FORMAT",
    "GRADE_MIX",
    "MAX_VALUE_BINS",
    "MIN_SEGMENT_ROWS",
    "MOMENTS",
    "REFERENCE_FILE",
    "Binning",
    "MonitoringError",
    "MonitoringReference",
    "group_column",
    "reference_from_scored",
    "scored_columns",
]

REFERENCE_FILE = "monitoring.json"
"""The reference's file name in a model bundle."""

FORMAT = "arrearsrisk-monitoring-reference"
_VERSION = 1

MAX_VALUE_BINS = 20
"""Most distinct whole-number values of a numeric feature binned by value."""

MIN_SEGMENT_ROWS = 5
"""Fewest reference rows a segment needs to be kept in the reference."""

GRADE_MIX = "grade"
"""The variable of the grade mix: bins I, II, III (not warned) and warned."""

MOMENTS: tuple[str, ...] = ("p_I", "grade_I", "in_arrears", "arrears_amount", "missing")
"""The per-customer quantities whose means the shift tests compare."""

_LEVEL_SEGMENTS = (ALL, *KINDS)


class MonitoringError(ArrearsRiskError):
    """A reference or monitoring input is missing or malformed."""


@dataclass(frozen=True)
class Binning:
    """How one variable is cut into bins.

    ``kind`` is ``"quantile"`` (``cuts`` are inner edges; bin ``i`` holds values in
    ``(cuts[i-1], cuts[i]]``), ``"values"`` (``cuts`` are the values, one bin each, then a
    bin for any other value) or ``"levels"`` (``levels`` are texts, then a bin for any
    other).  The last bin always holds missing values.  ``by`` names the segment column
    a quantile-binned feature is constant within (a peer-group rate: one value per
    region or industry), found by :func:`group_column`; such a feature is reported, not
    judged by PSI (its few values move all at once every month).
    """

    name: str
    kind: str
    cuts: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()
    by: str = ""

    @property
    def n_bins(self) -> int:
        """Number of bins, the missing (and unseen) ones included."""
        if self.kind == "quantile":
            return len(self.cuts) + 2
        if self.kind == "values":
            return len(self.cuts) + 2
        return len(self.levels) + 2

    def labels(self) -> list[str]:
        """A short label per bin (for reports)."""
        if self.kind == "quantile":
            edges = ["-inf", *(f"{c:.4g}" for c in self.cuts), "inf"]
            return [f"({a}, {b}]" for a, b in itertools.pairwise(edges)] + ["missing"]
        names = [f"{c:g}" for c in self.cuts] if self.kind == "values" else list(self.levels)
        return [*names, "other", "missing"]

    @classmethod
    def fit(cls, name: str, values: Any, bins: int = 10) -> Binning:
        """The binning of ``values`` (numeric array or categorical/text)."""
        if isinstance(values, pd.Categorical) or (
            isinstance(values, pd.Series)
            and not pd.api.types.is_numeric_dtype(values.dtype)
            and not pd.api.types.is_bool_dtype(values.dtype)
        ):
            series = pd.Series(values)
            held = series.dropna().astype("str").value_counts()
            levels = tuple(sorted(str(v) for v in held.index[held >= MIN_SEGMENT_ROWS]))
            return cls(name, "levels", levels=levels)
        x = _floats(values)
        x = x[np.isfinite(x)]
        distinct = np.unique(x)
        if len(distinct) <= MAX_VALUE_BINS and np.all(distinct == np.round(distinct)):
            return cls(name, "values", cuts=tuple(float(v) for v in distinct))
        if len(distinct) < 2:
            return cls(name, "quantile", cuts=())
        qs = np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1])
        # each cut to the midpoint between the distinct values around it
        pos = np.clip(np.searchsorted(distinct, qs, side="right"), 1, len(distinct) - 1)
        mids = (distinct[pos - 1] + distinct[pos]) / 2.0
        return cls(name, "quantile", cuts=tuple(float(c) for c in np.unique(mids)))

    def codes(self, values: Any) -> np.ndarray:
        """Each value's bin (int64), vectorised."""
        missing_bin = self.n_bins - 1
        if self.kind == "levels":
            known = pd.Index(self.levels)
            if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
                values = values.array
            if isinstance(values, pd.Categorical):  # map the few categories, then the codes
                at = known.get_indexer(pd.Index([str(c) for c in values.categories]))
                at = np.where(at < 0, len(self.levels), at)
                cat_codes = np.asarray(values.codes, dtype=np.int64)
                return np.where(cat_codes < 0, missing_bin, np.append(at, 0)[cat_codes])
            series = pd.Series(values)
            text = series.astype("str")
            codes = known.get_indexer(pd.Index(text.to_numpy(dtype=object)))
            codes = np.where(codes < 0, len(self.levels), codes)
            return np.where(series.isna().to_numpy(), missing_bin, codes).astype(np.int64)
        x = _floats(values)
        nan = ~np.isfinite(x)
        if self.kind == "quantile":
            codes = np.searchsorted(np.asarray(self.cuts), x, side="left")
        else:
            cuts = np.asarray(self.cuts)
            pos = np.clip(np.searchsorted(cuts, x, side="left"), 0, max(len(cuts) - 1, 0))
            hit = cuts[pos] == x if len(cuts) else np.zeros(len(x), dtype=bool)
            codes = np.where(hit, pos, len(cuts))
        return np.where(nan, missing_bin, codes).astype(np.int64)

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON data."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.by:
            out["by"] = self.by
        if self.kind == "levels":
            out["levels"] = list(self.levels)
        else:
            out["cuts"] = list(self.cuts)
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> Binning:
        """From :meth:`to_dict` output, checked."""
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            raise MonitoringError(f"{where}: a binning must be an object with a name.")
        kind = data.get("kind")
        if kind == "levels":
            levels = data.get("levels")
            if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
                raise MonitoringError(f"{where}: levels of {data['name']} must be texts.")
            return cls(data["name"], "levels", levels=tuple(levels))
        if kind in ("quantile", "values"):
            cuts = data.get("cuts")
            if not isinstance(cuts, list) or not all(
                type(c) in (int, float) and math.isfinite(c) for c in cuts
            ):
                raise MonitoringError(f"{where}: cuts of {data['name']} must be finite numbers.")
            if any(b <= a for a, b in itertools.pairwise(cuts)):
                raise MonitoringError(f"{where}: cuts of {data['name']} must increase.")
            by = data.get("by", "")
            if not isinstance(by, str):
                raise MonitoringError(f"{where}: by of {data['name']} must be a text.")
            return cls(data["name"], kind, cuts=tuple(float(c) for c in cuts), by=by)
        raise MonitoringError(f"{where}: binning kind of {data.get('name')} is {kind!r}.")


def _floats(values: Any) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    if isinstance(values, pd.Categorical):
        raise MonitoringError("a categorical column cannot be binned as numbers.")
    arr = np.asarray(values)
    if arr.dtype == object:
        return pd.Series(arr).astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    return arr.astype(np.float64)


@dataclass
class MonitoringReference:
    """The frozen reference of a model (see the module's docstring).

    Attributes
    ----------
    months : list of str
        The reference months (as-of dates, ``YYYY-MM-DD``).
    segments : list of str
        Segment keys; the first ``n_level`` (the portfolio, regions, categories,
        industry sections) have feature counts.
    n_level : int
        How many of ``segments`` have feature counts.
    binnings : dict of str to Binning
        By variable: ``p_I``, ``grade`` and each feature.
    counts : dict of str to numpy.ndarray
        By variable, int64 of shape ``(segments, 12, bins)`` (``p_I`` and ``grade``) or
        ``(n_level, 12, bins)`` (features): rows per bin and calendar month (0 = January).
    moments : dict of str to numpy.ndarray
        By :data:`MOMENTS` name, float64 of shape ``(segments, 12, 3)``: count, sum, sum
        of squares per calendar month.
    rows : int
        The rows (customer months) the reference was built from (default: the
        portfolio's count in ``moments``).
    source_rows : int
        The rows of the frame they were drawn from (default ``rows``); fewer ``rows``
        than ``source_rows``: :attr:`sampled`.
    """

    months: list[str]
    segments: list[str]
    n_level: int
    binnings: dict[str, Binning]
    counts: dict[str, np.ndarray]
    moments: dict[str, np.ndarray]
    rows: int = 0
    source_rows: int = 0
    _index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {key: i for i, key in enumerate(self.segments)}
        if self.rows <= 0 and "p_I" in self.moments:  # the portfolio's rows
            self.rows = round(float(self.moments["p_I"][0, :, 0].sum()))
        if self.source_rows <= 0:
            self.source_rows = self.rows

    @property
    def sampled(self) -> bool:
        """Whether the reference was built from a sample of its rows
        (:func:`~arrearsrisk.monitoring.sampling.reference_rows`)."""
        return self.rows < self.source_rows

    @property
    def features(self) -> list[str]:
        """The features with binnings (model features)."""
        return [n for n in self.binnings if n not in ("p_I", GRADE_MIX)]

    @property
    def calendar_months(self) -> list[int]:
        """Calendar months (1-12) the reference covers."""
        return sorted({pd.Timestamp(m).month for m in self.months})

    def index(self, key: str) -> int:
        """Position of a segment key (-1 if not in the reference)."""
        return self._index.get(key, -1)

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON data (counts as nested lists of whole numbers)."""
        return {
            "format": FORMAT,
            "version": _VERSION,
            "months": list(self.months),
            "segments": list(self.segments),
            "n_level": self.n_level,
            "binnings": [b.to_dict() for b in self.binnings.values()],
            "counts": {k: v.tolist() for k, v in self.counts.items()},
            "moments": {k: np.round(v, 10).tolist() for k, v in self.moments.items()},
            "rows": int(self.rows),
            "source_rows": int(self.source_rows),
            "sampled": self.sampled,
        }

    def to_json(self) -> str:
        """Compact JSON text (what the bundle's ``monitoring.json`` holds)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_dict(cls, data: Any, where: str = "monitoring reference") -> MonitoringReference:
        """From :meth:`to_dict` output, every field checked.

        Raises
        ------
        MonitoringError
            Naming the first wrong field.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise MonitoringError(f"{where} is not a monitoring reference ({FORMAT}).")
        if data.get("version") != _VERSION:
            raise MonitoringError(
                f"{where}: reference version {data.get('version')!r} is not {_VERSION}; "
                "retrain, or upgrade arrearsrisk."
            )
        months, segments, n_level = data.get("months"), data.get("segments"), data.get("n_level")
        if not isinstance(months, list) or not all(isinstance(m, str) for m in months):
            raise MonitoringError(f"{where}: months must be a list of dates.")
        if not isinstance(segments, list) or not all(isinstance(s, str) for s in segments):
            raise MonitoringError(f"{where}: segments must be a list of texts.")
        if not segments or segments[0] != ALL:
            raise MonitoringError(f"{where}: the first segment must be {ALL!r}.")
        if type(n_level) is not int or not 1 <= n_level <= len(segments):
            raise MonitoringError(f"{where}: n_level must be 1 to {len(segments)}.")
        raw_bins = data.get("binnings")
        if not isinstance(raw_bins, list):
            raise MonitoringError(f"{where}: binnings must be a list.")
        binnings = {}
        for b in raw_bins:
            binning = Binning.from_dict(b, where)
            binnings[binning.name] = binning
        counts = {}
        raw_counts = data.get("counts")
        if not isinstance(raw_counts, dict) or set(raw_counts) != set(binnings):
            raise MonitoringError(f"{where}: counts must be given for every binning.")
        for name, value in raw_counts.items():
            rows = len(segments) if name in ("p_I", GRADE_MIX) else n_level
            counts[name] = _array(value, (rows, 12, binnings[name].n_bins), f"{where}: {name}")
        raw_moments = data.get("moments")
        if not isinstance(raw_moments, dict) or set(raw_moments) != set(MOMENTS):
            raise MonitoringError(f"{where}: moments must hold {', '.join(MOMENTS)}.")
        moments = {
            name: _array(raw_moments[name], (len(segments), 12, 3), f"{where}: {name}")
            for name in MOMENTS
        }
        for name in ("p_I", GRADE_MIX):
            if name not in binnings:
                raise MonitoringError(f"{where}: no binning of {name}.")
        sizes = _sizes(data, where)  # absent in references saved before sampling
        return cls(months, segments, n_level, binnings, counts, moments, *sizes)

    @classmethod
    def from_json(cls, text: str, where: str = "monitoring reference") -> MonitoringReference:
        """From :meth:`to_json` text."""
        try:
            data = json.loads(text)
        except ValueError as err:
            raise MonitoringError(f"{where} is not JSON: {err}.") from None
        return cls.from_dict(data, where)


def _sizes(data: dict[str, Any], where: str) -> tuple[int, int]:
    """``rows`` and ``source_rows`` of a reference's data, checked (0, 0 when absent:
    a reference saved before they were recorded, built from every row)."""
    if not any(k in data for k in ("rows", "source_rows", "sampled")):
        return 0, 0
    rows, source, sampled = data.get("rows"), data.get("source_rows"), data.get("sampled")
    if type(rows) is not int or type(source) is not int or not 0 < rows <= source:
        raise MonitoringError(
            f"{where}: rows and source_rows must be whole numbers, 0 < rows <= source_rows."
        )
    if sampled is not (rows < source):
        raise MonitoringError(
            f"{where}: sampled is {sampled!r} but {rows} of {source} rows were used."
        )
    return rows, source


def _array(value: Any, shape: tuple[int, ...], where: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise MonitoringError(f"{where} must be nested lists of numbers.") from None
    if arr.shape != shape:
        raise MonitoringError(f"{where} has shape {arr.shape}, expected {shape}.")
    if not np.all(np.isfinite(arr)) or np.any(arr[..., 0] < 0):
        raise MonitoringError(f"{where} must hold finite numbers, counts >= 0.")
    return arr


def scored_columns(
    features: Mapping[str, Any] | pd.DataFrame,
    names: Sequence[str],
    p_I: np.ndarray,
    codes: np.ndarray,
    warned: np.ndarray,
) -> dict[str, Any]:
    """The per-customer quantities a reference and a month share: the variables binned
    (``p_I``, ``grade`` as 0-3 = I, II, III, warned, each of ``names``) and the
    :data:`MOMENTS`."""
    n = len(p_I)
    numeric = [
        name
        for name in names
        if not isinstance(features[name], pd.Categorical)
        and not isinstance(getattr(features[name], "dtype", None), pd.CategoricalDtype)
    ]
    missing = np.zeros(n)
    for name in numeric:  # one column at a time: no copy of the whole matrix
        missing += np.isnan(_floats(features[name]))
    if numeric:
        missing /= len(numeric)
    arrears = (
        _floats(features["arrears_amount"]) if "arrears_amount" in features else np.full(n, np.nan)
    )
    arrears = np.nan_to_num(arrears, nan=0.0)
    grade = np.where(np.asarray(warned, dtype=bool), 3, np.asarray(codes, dtype=np.int64))
    return {
        "p_I": np.asarray(p_I, dtype=np.float64),
        GRADE_MIX: grade,
        "grade_I": (grade == 0) | (grade == 3),
        "in_arrears": arrears > 0,
        "arrears_amount": arrears,
        "missing": missing,
    }


GROUP_COLUMNS: tuple[str, ...] = ("region", "industry", "category", "industry_section")
"""Columns a peer-group rate may be constant within (see :func:`group_column`)."""


GROUP_SAMPLE = 20_000
"""Most rows of one month :func:`group_column` looks at (evenly spaced)."""


def group_column(features: Mapping[str, Any] | pd.DataFrame, name: str, rows: np.ndarray) -> str:
    """The first of :data:`GROUP_COLUMNS` (or ``"region & category"``) within whose groups
    feature ``name`` takes at most two values on ``rows`` (one month: the group's rate,
    and the rate without the customer's own arrears, as the peer features leave the
    customer out), with fewer distinct values than a tenth of the rows: a peer-group
    rate.  ``""`` when there is none.  At most :data:`GROUP_SAMPLE` rows are looked at.

    >>> f = pd.DataFrame({"rate": [0.1, 0.1, 0.3] * 20, "region": ["N", "N", "S"] * 20})
    >>> group_column(f, "rate", np.arange(60)), group_column(f, "region", np.arange(60))
    ('region', '')
    """
    if len(rows) > GROUP_SAMPLE:
        rows = rows[:: -(-len(rows) // GROUP_SAMPLE)]
    try:
        x = _floats(_take(features[name], rows))
    except (MonitoringError, TypeError, ValueError):
        return ""
    known = np.isfinite(x)
    distinct = len(np.unique(x[known]))
    if distinct < 2 or distinct * 10 > len(rows):
        return ""
    present = [c for c in GROUP_COLUMNS if c in features]
    codes = {c: _group_codes(_take(features[c], rows)) for c in present}
    candidates: list[tuple[str, np.ndarray]] = [(c, codes[c]) for c in present]
    if "region" in codes and "category" in codes:
        candidates.append(
            (
                "region & category",
                codes["region"] * (codes["category"].max() + 2) + codes["category"],
            )
        )
    value = np.unique(x[known], return_inverse=True)[1]
    for label, group in candidates:
        g = group[known]
        pairs = np.unique(g * (value.max() + 1) + value)  # distinct (group, value) pairs
        per_group = np.bincount(pairs // (value.max() + 1))
        if len(per_group) and int(per_group.max()) <= 2:
            return label
    return ""


def _take(values: Any, rows: np.ndarray) -> Any:
    if isinstance(values, pd.Series):
        return values.iloc[rows]
    if isinstance(values, pd.Categorical):
        return values[rows]
    return np.asarray(values)[rows]


def _group_codes(values: Any) -> np.ndarray:
    """Group codes from 0 (missing values: a group of their own)."""
    codes = np.asarray(pd.Categorical(values).codes, dtype=np.int64)
    return codes + 1


def _bin_counts(
    codes: np.ndarray, group: np.ndarray, n_groups: int, n_bins: int, month: np.ndarray
) -> np.ndarray:
    """Counts of (group, calendar month, bin); rows with group < 0 left out."""
    keep = group >= 0
    flat = (group[keep] * 12 + month[keep]) * n_bins + codes[keep]
    return np.bincount(flat, minlength=n_groups * 12 * n_bins).reshape(n_groups, 12, n_bins)


def _moment_sums(
    values: np.ndarray, group: np.ndarray, n_groups: int, month: np.ndarray
) -> np.ndarray:
    keep = group >= 0
    flat = group[keep] * 12 + month[keep]
    v = values[keep].astype(np.float64)
    size = n_groups * 12
    return np.stack(
        [
            np.bincount(flat, minlength=size),
            np.bincount(flat, weights=v, minlength=size),
            np.bincount(flat, weights=v * v, minlength=size),
        ],
        axis=-1,
    ).reshape(n_groups, 12, 3)


def reference_from_scored(
    features: Mapping[str, Any] | pd.DataFrame,
    as_of: Any,
    p_I: np.ndarray,
    codes: np.ndarray,
    warned: np.ndarray,
    names: Sequence[str],
    *,
    bins: int = 10,
    source_rows: int | None = None,
) -> MonitoringReference:
    """The reference of scored rows: ``features`` (one row per customer and month, with
    the segment columns region, category, industry_section when present), their
    ``as_of`` dates, the model's ``p_I``, grade codes (0 = I, 1 = II, 2 = III) and
    warnings, and the model's feature ``names``.  ``source_rows``: the rows of the frame
    these were sampled from (:func:`~arrearsrisk.monitoring.sampling.reference_rows`;
    default: not sampled).

    Examples
    --------
    >>> feats = pd.DataFrame({"x": [0.0, 1, 2, 3] * 5,
    ...                       "region": pd.Categorical(["N", "S"] * 10)})
    >>> ref = reference_from_scored(feats, ["2024-01-31"] * 20, np.linspace(0, 1, 20),
    ...                             np.zeros(20, dtype=int), np.zeros(20, dtype=bool), ["x"])
    >>> ref.segments, ref.counts["x"][0, 0].tolist()
    (['all', 'region=N', 'region=S'], [5.0, 5.0, 5.0, 5.0, 0.0, 0.0])
    """
    dates = pd.to_datetime(pd.Series(np.asarray(as_of)))
    if len(dates) != len(p_I):
        raise MonitoringError(f"as_of has {len(dates)} dates for {len(p_I)} scored rows.")
    if len(dates) == 0:
        raise MonitoringError("cannot build a monitoring reference from no rows.")
    if source_rows is not None and source_rows < len(dates):
        raise MonitoringError(f"source_rows is {source_rows}, fewer than the {len(dates)} rows.")
    month = (dates.dt.month.to_numpy() - 1).astype(np.int64)
    cols = scored_columns(features, names, p_I, codes, warned)
    labelled = segment_labels({k: features[k] for k in KINDS if k in features})
    segments: list[str] = []
    groups: list[tuple[bool, np.ndarray]] = []  # (level segment?, index per row)
    for kind, keys, seg_codes in labelled:
        held = np.bincount(seg_codes[seg_codes >= 0], minlength=len(keys))
        kept = [i for i in range(len(keys)) if held[i] >= MIN_SEGMENT_ROWS]
        position = np.full(len(keys) + 1, -1, dtype=np.int64)
        position[kept] = np.arange(len(segments), len(segments) + len(kept))
        segments += [keys[i] for i in kept]
        groups.append((kind in _LEVEL_SEGMENTS, position[seg_codes]))  # -1 -> last: -1
    n_level = sum(
        1 for key in segments if key == ALL or (" & " not in key and key.split("=")[0] in KINDS)
    )
    binnings = {
        "p_I": Binning.fit("p_I", cols["p_I"], bins),
        GRADE_MIX: Binning(GRADE_MIX, "values", cuts=(0.0, 1.0, 2.0, 3.0)),
    }
    last = np.flatnonzero((dates == dates.max()).to_numpy())
    for name in names:
        binning = Binning.fit(name, features[name], bins)
        if binning.kind == "quantile":
            by = group_column(features, name, last)
            if by:
                binning = Binning(name, "quantile", cuts=binning.cuts, by=by)
        binnings[name] = binning
    counts: dict[str, np.ndarray] = {}
    for name, binning in binnings.items():
        codes_ = binning.codes(cols[name] if name in cols else features[name])
        level_only = name not in ("p_I", GRADE_MIX)
        total = np.zeros((len(segments), 12, binning.n_bins))
        for is_level, index in groups:
            if level_only and not is_level:
                continue
            total += _bin_counts(codes_, index, len(segments), binning.n_bins, month)
        counts[name] = total[:n_level] if level_only else total
    moments = {}
    for name in MOMENTS:
        total = np.zeros((len(segments), 12, 3))
        for _, index in groups:
            total += _moment_sums(np.asarray(cols[name]), index, len(segments), month)
        moments[name] = total
    months = sorted({str(d.date()) for d in dates})
    rows = len(dates)
    return MonitoringReference(
        months, segments, n_level, binnings, counts, moments, rows, source_rows or rows
    )
