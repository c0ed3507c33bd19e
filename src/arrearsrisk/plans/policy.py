"""The policy table: which measure a risky customer gets, and why ("one customer, one policy").

The table is data, a TOML file a manager can read and edit: the package ships
``policy.toml`` (see :func:`default_policy_path`) and :func:`load_policy` reads it or
a user's own copy, validating every entry with errors that name the measure, the
block and the field.  :mod:`arrearsrisk.plans.risk_plans` evaluates it; this module only reads,
checks and holds it.

A policy holds

* ``[review]``: days to the next review of a plan by grade (and for warned customers),
  optionally sooner for large amounts at risk (``[[review.amount]]``), on the next
  date of a disconnection procedure (``disconnection_calendar``) and by the first
  action's due date (``first_action_due``);
* ``[priority]``: how plans are ranked (:class:`Priority`: the money at risk over the
  horizon, and who jumps the queue);
* ``[[measure]]`` entries, each with a ``code``, Chinese and English name and
  explanation, a ``kind`` (``action``, ``disconnection``, ``release``), one or more
  ``[[measure.when]]`` blocks of conditions (the measure applies when all the
  conditions of any one block hold), optional ``[measure.params]``, an optional
  ``[measure.amount]`` sizing rule, optional dated ``[[measure.step]]`` entries (a step
  may be ``legal = true``: a date fixed by the disconnection procedure's notice
  periods) and ``due_days``, the measure's lead time (see :meth:`Measure.lead_days`).

The conditions a block may use are the registry
:data:`~arrearsrisk.plans.conditions.CONDITIONS` (also importable from here); each
parses its own value, so a ``when`` block is read through it.

Examples
--------
>>> from arrearsrisk.plans.policy import load_policy
>>> policy = load_policy()
>>> policy.measure("instalments").when[0].conditions
(('exposure_above', 20000.0), ('prepaid', False))
>>> [s.code for s in policy.measure("disconnection").steps]
['approval', 'reminder', 'notice', 'publication', 'disconnect']
>>> policy.measure("disconnection").step_days()["disconnect"]
17
>>> policy.measure("contact_update").lead_days(), policy.priority.horizon_months
(7, 3)
"""

from __future__ import annotations

import difflib
import math
import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arrearsrisk.errors import ArrearsRiskError, PolicyError
from arrearsrisk.plans.conditions import CONDITIONS
from arrearsrisk.vocabulary import GRADES

__all__ = [
    "CONDITIONS",
    "KINDS",
    "Amount",
    "Measure",
    "Policy",
    "PolicyError",
    "Priority",
    "Step",
    "When",
    "default_policy_path",
    "load_policy",
    "parse_policy",
]

KINDS: tuple[str, ...] = ("action", "disconnection", "release")
"""Kinds of measure: proposed in risk plans, the disconnection procedure (never for
high-hazard customers), or released for good payers."""

AMOUNT_BASES: tuple[str, ...] = ("exposure", "arrears", "deposit")

MAX_DAYS = 3660
"""The longest review or step delay a policy may give (about ten years), in days."""

DEFAULT_LEAD_DAYS = 30
"""Lead time of a measure without ``due_days`` and without steps (older policy files)."""

JUMPS: tuple[str, ...] = ("deadline", "warning")
"""Who may jump the queue (``[priority] jump``): a plan whose open measure has a legal
date (a ``legal`` step) within ``deadline_days``, and A-level warnings."""

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_MEASURE_FIELDS = (
    "code",
    "kind",
    "name_zh",
    "name_en",
    "explain_zh",
    "explain_en",
    "when",
    "params",
    "amount",
    "step",
    "optional_columns",
    "due_days",
)
_STEP_FIELDS = ("code", "name_zh", "name_en", "days", "after", "legal")
_AMOUNT_FIELDS = ("base", "times", "divided_by", "minus", "round_to", "label_zh", "label_en")
_TOP_FIELDS = ("policy", "review", "priority", "measure")
_REVIEW_FIELDS = (*GRADES, "warning")
_REVIEW_OPTIONAL = (
    "amount",
    "disconnection_calendar",
    "first_action_due",
    "reviews_per_day",
)
_PRIORITY_FIELDS = (
    "horizon_months",
    "warning_multiple",
    "unpaid_share_warning",
    "unpaid_share_grade_I",
    "jump",
    "deadline_days",
)

Value = bool | float | int | str | tuple[str, ...] | tuple[tuple[str, bool], ...]
"""A condition's value as its ``parse`` gives it (the types of the shipped conditions)."""


@dataclass(frozen=True)
class When:
    """One block of conditions; it holds when all its conditions hold.

    ``conditions`` are ``(name, value)`` pairs in file order, each value as its
    condition parsed it: numbers are floats, lists are tuples, and ``flags`` is a tuple
    of ``(column, bool)`` pairs.
    """

    conditions: tuple[tuple[str, Value], ...]

    def get(self, name: str) -> Value | None:
        """The value of condition ``name``, or ``None`` if the block does not use it."""
        for key, value in self.conditions:
            if key == name:
                return value
        return None

    @property
    def needs_features(self) -> bool:
        """Some condition tests the payment history."""
        return any(CONDITIONS[k].needs_features for k, _ in self.conditions)


@dataclass(frozen=True)
class Amount:
    """How a measure is sized from the customer's figures.

    ``amount = ceil((base * times / divided_by - minus) / round_to) * round_to``; no
    amount when it is not positive.
    """

    base: str
    times: float = 1.0
    divided_by: float = 1.0
    minus: str | None = None
    round_to: float = 1.0
    label_zh: str = ""
    label_en: str = ""

    def label(self, lang: str) -> str:
        """What the amount is, in ``lang``."""
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Step:
    """A dated step of a measure: ``days`` after the scoring date or after step ``after``."""

    code: str
    name_zh: str
    name_en: str
    days: int
    after: str | None = None
    legal: bool = False
    """A date the law's notice periods fix (a disconnection step): a plan whose open
    measure reaches it within ``[priority] deadline_days`` jumps the queue."""

    def name(self, lang: str) -> str:
        """The step's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Priority:
    """How plans are ranked (``[priority]``; see ``docs/worklist.md``).

    The money at risk of a customer, in CNY over the horizon (元/``horizon_months``
    个月), is the amount expected still unpaid at the outcome date on the bills due by
    the end of the horizon::

        due      = max(arrears, 0) + horizon_months * exposure
        p_warn   = min(p_warning, p_I)          (0 when unknown)
        cap      = warning_multiple * exposure  (due when the monthly bill is unknown)
        at_risk  = p_warn * unpaid_share_warning * due
                 + (p_I - p_warn) * unpaid_share_grade_I * min(due, cap)

    (an A-level warning is an amount owed of at least ``warning_multiple`` monthly
    bills; a Grade I customer without one owes less than that).  Plans whose reason is
    in ``jump`` come first, in that order, each group by money at risk.
    """

    horizon_months: int = 3
    warning_multiple: float = 2.0
    unpaid_share_warning: float = 0.7
    unpaid_share_grade_I: float = 0.15
    jump: tuple[str, ...] = ("deadline",)
    deadline_days: int = 3

    def unit(self, lang: str) -> str:
        """The unit of the money at risk.

        >>> Priority().unit("zh"), Priority().unit("en")
        ('元/3个月', 'CNY per 3 months')
        """
        if lang == "zh":
            return f"元/{self.horizon_months}个月"
        months = "month" if self.horizon_months == 1 else f"{self.horizon_months} months"
        return f"CNY per {months}"


@dataclass(frozen=True)
class Measure:
    """One entry of the policy table."""

    code: str
    kind: str
    name_zh: str
    name_en: str
    explain_zh: str
    explain_en: str
    when: tuple[When, ...]
    params: Mapping[str, bool | float | int | str] = field(default_factory=dict)
    amount: Amount | None = None
    steps: tuple[Step, ...] = ()
    optional_columns: tuple[str, ...] = ()
    """Customer columns of ``flags`` conditions the ledger may lack: the blocks testing
    them then never apply, without a warning (``optional_columns`` in the file)."""
    due_days: int | None = None
    """The lead time: the measure is due this many days after it was first proposed
    (``due_days`` in the file; see :meth:`lead_days` when absent)."""

    def lead_days(self) -> int:
        """Days from proposing the measure to its due date.

        ``due_days`` when the policy gives it; otherwise the date of the last step, or
        :data:`DEFAULT_LEAD_DAYS` for a measure without steps (older policy files).

        >>> load_policy().measure("disconnection").lead_days()
        17
        """
        if self.due_days is not None:
            return self.due_days
        if self.steps:
            return list(self.step_days().values())[-1]
        return DEFAULT_LEAD_DAYS

    def name(self, lang: str) -> str:
        """The measure's name in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en

    def explanation(self, lang: str) -> str:
        """The explanation in ``lang``, with ``{param}`` fields filled from ``params``."""
        template = self.explain_zh if lang == "zh" else self.explain_en
        return template.format(**dict(self.params))

    def step_days(self) -> dict[str, int]:
        """Days after the scoring date of each step, in step order.

        >>> load_policy().measure("disconnection").step_days()["publication"]
        10
        """
        out: dict[str, int] = {}
        for step in self.steps:
            out[step.code] = step.days + (out[step.after] if step.after else 0)
        return out


@dataclass(frozen=True)
class Policy:
    """A validated policy table (see the module docstring)."""

    measures: tuple[Measure, ...]
    review_days: Mapping[str, int]
    name: str = ""
    version: str = ""
    source: str = ""
    priority: Priority = field(default_factory=Priority)
    review_amount: tuple[tuple[float, int], ...] = ()
    """``(above, days)`` pairs: a plan whose money at risk is above ``above`` CNY is
    reviewed within ``days`` (``[[review.amount]]``)."""
    disconnection_calendar: bool = False
    """Review no later than the next legal date (a ``legal`` step) of an open
    disconnection procedure."""
    first_action_due: bool = False
    """Review no later than the due date of the plan's first action."""
    reviews_per_day: int = 0
    """At most this many reviews a working day in each area: reviews are moved earlier,
    onto the latest working day (Monday to Friday) before their date with room, the
    first plans of the queue first (:func:`~arrearsrisk.plans.priority.spread_reviews`),
    so a station does not review every Grade I customer on one day; 0 keeps the dates."""

    def measure(self, code: str) -> Measure:
        """The measure ``code``.

        >>> load_policy().measure("deposit").name("en")
        'Deposit against the bill'
        """
        for m in self.measures:
            if m.code == code:
                return m
        raise KeyError(f"no measure {code!r} in the policy; it has {self.codes()}")

    def codes(self, kinds: tuple[str, ...] = KINDS) -> list[str]:
        """Codes of the measures of the given kinds, in policy order."""
        return [m.code for m in self.measures if m.kind in kinds]

    def review_after(self, grade: str, warning: bool) -> int:
        """Days from the scoring date to the next review of a plan.

        >>> load_policy().review_after("II", True)
        7
        """
        days = self.review_days[grade]
        return min(days, self.review_days["warning"]) if warning else days


def default_policy_path() -> Path:
    """The policy table shipped with the package (copy it to make your own).

    >>> default_policy_path().name
    'policy.toml'
    """
    return Path(__file__).with_name("policy.toml")


def load_policy(
    path: str | os.PathLike[str] | None = None, *, encoding: str | None = None
) -> Policy:
    """Read and validate a policy table.

    Parameters
    ----------
    path : str or path-like, optional
        A TOML policy file; by default the one shipped with the package
        (:func:`default_policy_path`).  A user's file replaces the shipped one as a
        whole: copy the shipped file and edit it.
    encoding : str, optional
        The file's encoding.  By default it is detected
        (:func:`arrearsrisk.ledger.encoding.read_text`): a byte-order mark, else UTF-8, else
        GB18030 (GBK), so a policy saved by Notepad or WPS on Chinese Windows reads.

    Returns
    -------
    Policy

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    PolicyError
        If the file does not decode (naming the encodings tried), is not valid TOML or
        an entry breaks a rule; the message names the measure, the block and the
        field.

    Examples
    --------
    >>> policy = load_policy()
    >>> policy.codes(("release",))
    ['release_deposit', 'release_guarantee']
    >>> policy.review_days["I"], policy.review_amount
    (14, ((100000.0, 7), (20000.0, 12)))
    """
    from arrearsrisk.ledger.encoding import read_text

    file = default_policy_path() if path is None else Path(path)
    if not file.is_file():
        if file.is_dir():
            raise PolicyError(f"policy: {file} is a folder; pass the policy's TOML file.")
        raise FileNotFoundError(f"policy file not found: {file}")
    try:
        text = read_text(file, encoding=encoding)
    except ArrearsRiskError as err:
        raise PolicyError(f"policy: {err}") from None
    return parse_policy(text, source=str(file))


def parse_policy(text: str, source: str = "<text>") -> Policy:
    """Validate a policy table given as TOML text (see :func:`load_policy`).

    A byte-order mark at the start (``"\\ufeff"``, left by Windows editors) is
    dropped.

    >>> parse_policy(default_policy_path().read_text(encoding="utf-8")).codes()[:3]
    ['follow_up', 'guarantee', 'prepaid_meter']
    >>> parse_policy("\\ufeff" + default_policy_path().read_text(encoding="utf-8")).codes()[0]
    'follow_up'
    """
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        hint = ""
        if "\ufeff" in text:
            hint = "\n  hint: the text holds a byte-order mark (BOM) inside; save it as UTF-8."
        raise PolicyError(f"policy: not valid TOML: {err}.{hint}\n  in {source}") from err
    return _Reader(source).policy(data)


class _Reader:
    """Builds a :class:`Policy` from parsed TOML, raising :class:`PolicyError`."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str, measure: str | None = None, key: str | None = None):
        return PolicyError(
            f"policy: {where}{message}\n  in {self.source}", measure=measure, key=key
        )

    def unknown(self, where: str, got: Mapping[str, Any], allowed: tuple[str, ...], what: str):
        for key in got:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise self.fail(
                    where,
                    f"unknown {what} '{key}'.{hint}\n  allowed: {', '.join(allowed)}",
                    key=key,
                )

    def policy(self, data: dict[str, Any]) -> Policy:
        self.unknown("", data, _TOP_FIELDS, "section")
        meta = data.get("policy", {})
        if not isinstance(meta, dict):
            raise self.fail("", "[policy] must be a table with name and version.")
        raw_review = data.get("review", {"I": 7, "II": 30, "III": 90, "warning": 7})
        review = self.review(raw_review)
        extra = self.review_rules(raw_review)
        priority = self.priority(data.get("priority", {}))
        raw = data.get("measure")
        if not isinstance(raw, list) or not raw:
            raise self.fail("", "no [[measure]] entries; a policy needs at least one measure.")
        measures: list[Measure] = []
        seen: set[str] = set()
        for i, entry in enumerate(raw, start=1):
            m = self.measure(i, entry)
            if m.code in seen:
                raise self.fail(
                    f"measure '{m.code}': ",
                    f"code is used by two entries (#{i} repeats it).",
                    m.code,
                    "code",
                )
            seen.add(m.code)
            measures.append(m)
        return Policy(
            measures=tuple(measures),
            review_days=review,
            name=str(meta.get("name", "")),
            version=str(meta.get("version", "")),
            source=self.source,
            priority=priority,
            **extra,
        )

    def review_rules(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The optional review rules: amount tiers, the disconnection calendar, the due
        date of the first action, the reviews a working day."""
        out: dict[str, Any] = {}
        per_day = raw.get("reviews_per_day", 0)
        if isinstance(per_day, bool) or not isinstance(per_day, int) or not 0 <= per_day <= 10_000:
            raise self.fail(
                "[review]: ",
                f"'reviews_per_day' must be a whole number from 0 to 10000, got {per_day!r}.",
            )
        out["reviews_per_day"] = int(per_day)
        for key in ("disconnection_calendar", "first_action_due"):
            value = raw.get(key, False)
            if not isinstance(value, bool):
                raise self.fail("[review]: ", f"'{key}' must be true or false, got {value!r}.")
            out[key] = value
        tiers = raw.get("amount", [])
        if not isinstance(tiers, list):
            raise self.fail("[review]: ", "[[review.amount]] entries must be tables.")
        pairs: list[tuple[float, int]] = []
        for j, tier in enumerate(tiers, start=1):
            at = f"[[review.amount]] #{j}: "
            if not isinstance(tier, dict):
                raise self.fail(at, "must be a table with 'above' and 'days'.")
            self.unknown(at, tier, ("above", "days"), "field")
            above = tier.get("above")
            if (
                isinstance(above, bool)
                or not isinstance(above, int | float)
                or not (math.isfinite(above) and above >= 0)
            ):
                raise self.fail(at, f"'above' must be an amount in CNY >= 0, got {above!r}.")
            pairs.append((float(above), self.whole(f"{at}'days'", tier.get("days"))))
        out["review_amount"] = tuple(sorted(pairs, reverse=True))
        return out

    def priority(self, raw: Any) -> Priority:
        where = "[priority]: "
        if not isinstance(raw, dict):
            raise self.fail("", "[priority] must be a table.")
        self.unknown(where, raw, _PRIORITY_FIELDS, "field")
        base = Priority()
        horizon = raw.get("horizon_months", base.horizon_months)
        if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 24:
            raise self.fail(
                where, f"'horizon_months' must be a whole number from 1 to 24, got {horizon!r}."
            )
        nums: dict[str, float] = {}
        for key, low, high in (
            ("warning_multiple", 0.0, math.inf),
            ("unpaid_share_warning", 0.0, 1.0),
            ("unpaid_share_grade_I", 0.0, 1.0),
        ):
            value = raw.get(key, getattr(base, key))
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not low <= value <= high
                or (key == "warning_multiple" and value <= 0)
            ):
                bound = "> 0" if key == "warning_multiple" else "from 0 to 1"
                raise self.fail(where, f"'{key}' must be a number {bound}, got {value!r}.")
            nums[key] = float(value)
        jump = raw.get("jump", list(base.jump))
        if (
            not isinstance(jump, list)
            or any(j not in JUMPS for j in jump)
            or len(set(jump)) != len(jump)
        ):
            raise self.fail(
                where, f"'jump' must be a list of distinct values of {list(JUMPS)}, got {jump!r}."
            )
        return Priority(
            horizon_months=horizon,
            jump=tuple(jump),
            deadline_days=self.whole(
                f"{where}'deadline_days'", raw.get("deadline_days", base.deadline_days)
            ),
            **nums,
        )

    def review(self, raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict):
            raise self.fail("", "[review] must be a table of days by grade.")
        self.unknown("[review]: ", raw, (*_REVIEW_FIELDS, *_REVIEW_OPTIONAL), "field")
        out: dict[str, int] = {}
        for key in _REVIEW_FIELDS:
            if key not in raw:
                raise self.fail("[review]: ", f"'{key}' is required (days to next review).")
            out[key] = self.whole(f"[review]: '{key}'", raw[key], key=key)
        return out

    def whole(self, where: str, value: Any, measure: str | None = None, key: str | None = None):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
            raise self.fail(
                f"{where} ",
                f"must be a whole number of days from 0 to {MAX_DAYS}, got {value!r}.",
                measure,
                key,
            )
        return int(value)

    def text(self, where: str, entry: dict[str, Any], key: str, code: str | None) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            got = "nothing" if value is None else repr(value)
            raise self.fail(where, f"field '{key}' must be a non-empty text, got {got}.", code, key)
        return value

    def measure(self, i: int, entry: Any) -> Measure:
        if not isinstance(entry, dict):
            raise self.fail(f"measure #{i}: ", "must be a table ([[measure]]).")
        code = entry.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise self.fail(
                f"measure #{i}: ",
                f"field 'code' must be a short key of lower-case letters, digits and _, "
                f"got {code!r}.",
                None,
                "code",
            )
        where = f"measure '{code}': "
        self.unknown(where, entry, _MEASURE_FIELDS, "field")
        kind = entry.get("kind", "action")
        if kind not in KINDS:
            raise self.fail(where, f"field 'kind' must be one of {list(KINDS)}, got {kind!r}.")
        names = {k: self.text(where, entry, k, code) for k in _MEASURE_FIELDS[2:6]}
        params = self.params(where, entry.get("params", {}), code)
        for key in ("explain_zh", "explain_en"):
            self.placeholders(where, key, names[key], params, code)
        blocks = entry.get("when")
        if not isinstance(blocks, list) or not blocks:
            raise self.fail(
                where,
                "needs at least one [[measure.when]] block of conditions.",
                code,
                "when",
            )
        when = tuple(self.when(f"{where}when #{j}: ", b, code) for j, b in enumerate(blocks, 1))
        amount = None
        if "amount" in entry:
            amount = self.amount(where, entry["amount"], code)
        steps = self.steps(where, entry.get("step", []), code)
        optional = self.optional(where, entry.get("optional_columns", []), when, code)
        due_days = None
        if "due_days" in entry:
            due_days = self.whole(f"{where}'due_days'", entry["due_days"], code, "due_days")
        return Measure(
            code=code,
            kind=kind,
            name_zh=names["name_zh"],
            name_en=names["name_en"],
            explain_zh=names["explain_zh"],
            explain_en=names["explain_en"],
            when=when,
            params=params,
            amount=amount,
            steps=steps,
            optional_columns=optional,
            due_days=due_days,
        )

    def optional(self, where: str, raw: Any, when: tuple[When, ...], code: str) -> tuple[str, ...]:
        key = "optional_columns"
        if not isinstance(raw, list) or not all(isinstance(c, str) and c.strip() for c in raw):
            raise self.fail(
                where, f"'{key}' must be a list of customer column names, got {raw!r}.", code, key
            )
        tested = {
            c for block in when for n, v in block.conditions for c in CONDITIONS[n].columns(v)
        }
        for column in raw:
            if column not in tested:
                raise self.fail(
                    where,
                    f"'{key}' lists '{column}', which no condition of this measure tests; "
                    f"it tests {sorted(tested)}.",
                    code,
                    key,
                )
        return tuple(raw)

    def params(self, where: str, raw: Any, code: str) -> dict[str, bool | float | int | str]:
        if not isinstance(raw, dict):
            raise self.fail(where, "[measure.params] must be a table of name = value.", code)
        for key, value in raw.items():
            if not isinstance(value, bool | int | float | str) or (
                isinstance(value, float) and not math.isfinite(value)
            ):
                raise self.fail(
                    where,
                    f"parameter '{key}' must be a finite number, text or true/false, "
                    f"got {value!r}.",
                    code,
                    key,
                )
        return dict(raw)

    def placeholders(self, where: str, key: str, template: str, params: dict, code: str) -> None:
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as err:
            raise self.fail(where, f"field '{key}' has a stray brace: {err}.", code, key) from err
        for name in names:
            if name not in params:
                raise self.fail(
                    where,
                    f"field '{key}' uses {{{name}}} but [measure.params] has no '{name}'.",
                    code,
                    key,
                )

    def when(self, where: str, raw: Any, code: str) -> When:
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table of conditions.", code)
        if not raw:
            raise self.fail(
                where,
                'has no condition; write e.g. grade = ["I", "II"] to apply it to a grade.',
                code,
            )
        self.unknown(where, raw, tuple(CONDITIONS), "condition")
        return When(tuple((key, self.condition(where, key, v, code)) for key, v in raw.items()))

    def condition(self, where: str, key: str, value: Any, code: str) -> Value:
        try:
            parsed: Value = CONDITIONS[key].parse(value)
        except PolicyError as err:
            raise self.fail(where, str(err), code, key) from None
        return parsed

    def amount(self, where: str, raw: Any, code: str) -> Amount:
        where = f"{where}[measure.amount]: "
        if not isinstance(raw, dict):
            raise self.fail(where, "must be a table.", code, "amount")
        self.unknown(where, raw, _AMOUNT_FIELDS, "field")
        base = raw.get("base")
        if base not in AMOUNT_BASES:
            raise self.fail(
                where, f"'base' must be one of {list(AMOUNT_BASES)}, got {base!r}.", code, "base"
            )
        minus = raw.get("minus")
        if minus is not None and minus not in AMOUNT_BASES:
            raise self.fail(
                where, f"'minus' must be one of {list(AMOUNT_BASES)}, got {minus!r}.", code, "minus"
            )
        nums: dict[str, float] = {}
        for key in ("times", "divided_by", "round_to"):
            value = raw.get(key, 1.0)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise self.fail(
                    where, f"'{key}' must be a finite number > 0, got {value!r}.", code, key
                )
            nums[key] = float(value)
        labels = {}
        for key in ("label_zh", "label_en"):
            labels[key] = self.text(where, raw, key, code)
        return Amount(
            base=base,
            times=nums["times"],
            divided_by=nums["divided_by"],
            minus=minus,
            round_to=nums["round_to"],
            label_zh=labels["label_zh"],
            label_en=labels["label_en"],
        )

    def steps(self, where: str, raw: Any, code: str) -> tuple[Step, ...]:
        if not isinstance(raw, list):
            raise self.fail(where, "[[measure.step]] entries must be tables.", code, "step")
        steps: list[Step] = []
        for j, entry in enumerate(raw, start=1):
            at = f"{where}step #{j}: "
            if not isinstance(entry, dict):
                raise self.fail(at, "must be a table.", code, "step")
            self.unknown(at, entry, _STEP_FIELDS, "field")
            step_code = entry.get("code")
            if not isinstance(step_code, str) or not _CODE.match(step_code):
                raise self.fail(
                    at, f"field 'code' must be a short key, got {step_code!r}.", code, "code"
                )
            at = f"{where}step '{step_code}': "
            if any(s.code == step_code for s in steps):
                raise self.fail(at, "code is used by two steps.", code, "code")
            legal = entry.get("legal", False)
            if not isinstance(legal, bool):
                raise self.fail(at, f"'legal' must be true or false, got {legal!r}.", code, "legal")
            after = entry.get("after")
            if after is not None and not any(s.code == after for s in steps):
                raise self.fail(
                    at,
                    f"'after' must name an earlier step of this measure, got {after!r}.",
                    code,
                    "after",
                )
            steps.append(
                Step(
                    code=step_code,
                    name_zh=self.text(at, entry, "name_zh", code),
                    name_en=self.text(at, entry, "name_en", code),
                    days=self.whole(f"{at}'days'", entry.get("days"), code, "days"),
                    after=after,
                    legal=legal,
                )
            )
        return tuple(steps)
