"""The conditions of a policy's ``[[measure.when]]`` blocks, one object per kind.

Each condition knows its key in the policy file (``name``), how to **parse** its
value from the TOML (raising :class:`~arrearsrisk.errors.PolicyError` with the
message a manager reads), how to **evaluate** it on the facts of the customers
(:mod:`arrearsrisk.plans.facts`: one bool per customer) and how to **describe** it in
every language of :data:`~arrearsrisk.vocabulary.LANGS` (the reason written in a plan).
The conditions live in one registry, :data:`CONDITIONS`, filled by
:func:`register_condition`; :mod:`arrearsrisk.plans.policy` parses ``when`` blocks
through it and :mod:`arrearsrisk.plans.risk_plans` evaluates and describes them
through it.  :func:`check_condition` is the contract every condition must meet.

Adding a condition is one object and its registration (and a line in the header of
``policy.toml``, which lists the conditions for the people who edit it):

>>> from arrearsrisk.plans.policy import parse_policy
>>> deposit_above = register_condition(NumberCondition(
...     "deposit_above", fact="deposit", op=">", digits=0,
...     words={"zh": "保证金{value}元，高于{limit}元", "en": "deposit CNY {value} > {limit}"}))
>>> check_condition(deposit_above)
>>> policy = parse_policy('''
... [[measure]]
... code = "refund"
... name_zh = "退还"
... name_en = "Refund"
... explain_zh = "退还"
... explain_en = "Refund"
...   [[measure.when]]
...   deposit_above = 1000
... ''')
>>> policy.measure("refund").when[0].conditions
(('deposit_above', 1000.0),)
>>> facts = example_facts()
>>> block_holds(policy.measure("refund").when[0].conditions, facts).tolist()
[False, True, False]
>>> deposit_above.describe(1000.0, facts, np.array([1]), "en")
['deposit CNY 1,200 > 1,000']
>>> del CONDITIONS["deposit_above"]
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from arrearsrisk.errors import ArrearsRiskError, PolicyError
from arrearsrisk.i18n import money, text
from arrearsrisk.ledger.schema import CATEGORIES
from arrearsrisk.plans.facts import FLAG_COLUMNS, Facts, as_flag, example_facts, find_column
from arrearsrisk.plans.keywords import matches_reasons
from arrearsrisk.scoring.reasons import translate_reasons
from arrearsrisk.vocabulary import GRADES, LANGS, WINDOWS, join_items

__all__ = [
    "CLEAN_WINDOWS",
    "CONDITIONS",
    "ChoiceCondition",
    "ColumnsCondition",
    "Condition",
    "FlagCondition",
    "KeywordsCondition",
    "NumberCondition",
    "WindowCondition",
    "Words",
    "block_holds",
    "block_reasons",
    "check_condition",
    "register_condition",
]

Words = Mapping[str, str]
"""A text by language (``{"zh": ..., "en": ...}``); ``{value}``, ``{limit}`` or
``{column}`` fields are filled in when a condition is described."""

CLEAN_WINDOWS: tuple[int, ...] = WINDOWS
"""Windows (months) a ``clean_months`` condition may use: those of the features."""

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""A keyword that may name an extra customer column (checked against the ledger)."""


class Condition(ABC):
    """One kind of condition a ``[[measure.when]]`` block may use.

    Attributes
    ----------
    name : str
        The key in the policy file.
    kind : str
        What value it takes (``"number"``, ``"flag"``, ``"grades"``, ...), in words.
    needs_features : bool
        The figure comes from the payment history (``build_features``), not from the
        scores or the customer table; such conditions are evaluated last, for the
        customers the other conditions of the block leave in question.
    """

    name: str
    kind: str
    needs_features: bool = False

    @property
    @abstractmethod
    def example(self) -> Any:
        """A valid value as the TOML file gives it (for :func:`check_condition`)."""

    @abstractmethod
    def parse(self, value: Any) -> Any:
        """The value as held in a policy (hashable), or a :class:`PolicyError`."""

    @abstractmethod
    def holds(self, value: Any, facts: Facts) -> np.ndarray:
        """Whether the condition ``value`` holds, one bool per row of ``facts.frame``."""

    @abstractmethod
    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        """The condition in words in ``lang``, for each of ``rows`` (positions in
        ``facts.frame``), as written in the reason of a measure."""

    def refuse(self, expected: str, value: Any) -> PolicyError:
        """The error for a value that is not ``expected``."""
        return PolicyError(
            f"condition '{self.name}' must be {expected}, got {value!r}.", key=self.name
        )

    def columns(self, value: Any) -> tuple[str, ...]:
        """Yes/no columns of the customer table the condition reads (none by default):
        the ledger must have them, and the disconnection procedure is held for a
        customer whose value is unknown (:mod:`arrearsrisk.plans.safety`)."""
        return ()


def _verbatim(value: str, lang: str) -> str:
    return value


def _category(value: str, lang: str) -> str:
    return text(f"cat_{value}", lang)


def _texts(cond: Condition, value: Any, what: str) -> tuple[str, ...]:
    """A non-empty list of non-empty texts, as a tuple."""
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise cond.refuse(what, value)
    return tuple(value)


@dataclass(frozen=True)
class ChoiceCondition(Condition):
    """The customer's ``fact`` is one of a list (``grade = ["I", "II"]``).

    ``words`` has a ``{value}`` field: the customer's own value, through ``label``.
    """

    name: str
    fact: str
    kind: str
    choices: tuple[str, ...]
    words: Words
    label: Callable[[str, str], str] = _verbatim
    op: str = "in"

    @property
    def example(self) -> Any:
        return list(self.choices[:1])

    def parse(self, value: Any) -> tuple[str, ...]:
        out = _texts(self, value, f"a list of {self.kind} from {list(self.choices)}")
        for v in out:
            if v not in self.choices:
                raise PolicyError(
                    f"condition '{self.name}' has {v!r}, which is not one of {list(self.choices)}.",
                    key=self.name,
                )
        return out

    def holds(self, value: tuple[str, ...], facts: Facts) -> np.ndarray:
        return facts.frame[self.fact].isin(list(value)).to_numpy()

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        values = facts.frame[self.fact].to_numpy()[rows]
        return [self.words[lang].format(value=self.label(v, lang)) for v in values]


@dataclass(frozen=True)
class FlagCondition(Condition):
    """A yes/no fact of the customer is ``true`` / ``false`` (unknown counts as no)."""

    name: str
    fact: str
    yes: Words
    no: Words
    kind: str = "flag"
    op: str = "=="

    @property
    def example(self) -> Any:
        return True

    def parse(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.refuse("true or false", value)
        return value

    def holds(self, value: bool, facts: Facts) -> np.ndarray:
        return facts.frame[self.fact].to_numpy(dtype=bool) == value

    def columns(self, value: Any) -> tuple[str, ...]:
        return (self.fact,) if self.fact in FLAG_COLUMNS else ()

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        return [(self.yes if value else self.no)[lang]] * len(rows)


_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


@dataclass(frozen=True)
class NumberCondition(Condition):
    """A figure of the customer compared with a number of the policy; a missing figure
    never meets it.

    ``words`` has ``{value}`` (the customer's figure) and ``{limit}`` (the policy's
    number) fields, shown with ``digits`` decimals and thousands separators (a whole
    limit without decimals); ``digits=None`` shows numbers as they are (``10``,
    ``0.4``).  The policy's number must be finite and within ``[low, high]`` (by
    default at least 0: amounts, months, days and kV are never negative; a
    probability or a share has ``high=1``).
    """

    name: str
    fact: str
    op: str
    words: Words
    digits: int | None = 2
    needs_features: bool = False
    kind: str = "number"
    low: float = 0.0
    high: float = math.inf

    @property
    def example(self) -> Any:
        return 1

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ArrearsRiskError(
                f"condition '{self.name}': op must be one of {list(_OPS)}, got {self.op!r}."
            )

    def parse(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.refuse("a number", value)
        number = float(value)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            if (self.low, self.high) == (0.0, 1.0):
                expected = "a probability or share between 0 and 1"
            elif math.isinf(self.high):
                expected = f"a finite number >= {self.low:g}"
            else:
                expected = f"a number between {self.low:g} and {self.high:g}"
            raise self.refuse(expected, value)
        return number

    def holds(self, value: float, facts: Facts) -> np.ndarray:
        x = facts.frame[self.fact].to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            return _OPS[self.op](x, value)

    def figure(self, value: float, limit: bool = False) -> str:
        """A customer figure (or, with ``limit``, a policy number) for a reason text.

        >>> CONDITIONS["exposure_above"].figure(20000.0, limit=True)
        '20,000'
        >>> CONDITIONS["p_I_at_least"].figure(0.456), CONDITIONS["voltage_kv_at_least"].figure(0.4)
        ('0.46', '0.4')
        """
        if self.digits is None:
            return f"{value:,g}"
        if limit and float(value).is_integer():
            return money(value, 0)
        return money(value, self.digits)

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        limit = self.figure(value, limit=True)
        values = facts.frame[self.fact].to_numpy(dtype=np.float64)[rows]
        return [self.words[lang].format(value=self.figure(v), limit=limit) for v in values]


@dataclass(frozen=True)
class WindowCondition(Condition):
    """No late bill, no arrears and billed for at least N months (``clean_N``)."""

    name: str
    words: Words
    windows: tuple[int, ...] = CLEAN_WINDOWS
    needs_features: bool = True
    kind: str = "window"
    op: str = ">="

    @property
    def example(self) -> Any:
        return self.windows[0]

    def parse(self, value: Any) -> int:
        if isinstance(value, bool) or value not in self.windows:
            raise self.refuse(f"one of {list(self.windows)} (months)", value)
        return int(value)

    def holds(self, value: int, facts: Facts) -> np.ndarray:
        return facts.frame[f"clean_{value}"].to_numpy(dtype=bool)

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        return [self.words[lang].format(limit=value)] * len(rows)


@dataclass(frozen=True)
class KeywordsCondition(Condition):
    """One of the customer's reasons contains one of the words (case ignored).

    ``words`` has a ``{value}`` field: the first reason that matches.
    """

    name: str
    words: Words
    kind: str = "keywords"
    op: str = "in"

    @property
    def example(self) -> Any:
        return ["late"]

    def parse(self, value: Any) -> tuple[str, ...]:
        words = _texts(self, value, "a list of words")
        for word in words:
            if not matches_reasons(word) and not _IDENTIFIER.match(word):
                raise PolicyError(
                    f"condition '{self.name}' has {word!r}, which no reason text of the "
                    "feature families contains, so it would never match."
                    "\n  hint: use a word of the reasons (e.g. 'late', '逾期', 'arrears', "
                    "'欠费'), a feature name or the name of an extra customer column.",
                    key=self.name,
                )
        return words

    def unmatched(self, value: tuple[str, ...]) -> list[str]:
        """The words that match no reason text of the library: they must name an extra
        customer column of the ledger (checked when planning)."""
        return [w for w in value if not matches_reasons(w)]

    def holds(self, value: tuple[str, ...], facts: Facts) -> np.ndarray:
        # a reason matches in either language, so a policy's words ('late', '逾期') pick
        # the same customers whatever the language of the scores
        lowered = [w.lower() for w in value]
        return np.array(
            [_hit(reasons, lowered) is not None for reasons in facts.frame["reasons"]],
            dtype=bool,
        )

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        lowered = [w.lower() for w in value]
        out = []
        for reasons in facts.frame["reasons"].to_numpy()[rows]:
            hit = _hit(reasons, lowered)
            shown = translate_reasons([hit], lang)[0] if hit is not None else ""
            out.append(self.words[lang].format(value=shown))
        return out


def _hit(reasons: Iterable[str], words: list[str]) -> str | None:
    """The first of ``reasons`` containing one of ``words`` (lower case) in Chinese or
    in English (:func:`~arrearsrisk.scoring.reasons.translate_reasons`), else None."""
    for reason in reasons:
        forms = [reason, *(translate_reasons([reason], lang)[0] for lang in LANGS)]
        if any(w in form.lower() for form in forms for w in words):
            return reason
    return None


@dataclass(frozen=True)
class ColumnsCondition(Condition):
    """Yes/no columns of the customer table have the given values
    (``flags = { capacity_increase = true }``); a missing column counts as no."""

    name: str
    yes: Words
    no: Words
    kind: str = "columns"
    op: str = "=="

    @property
    def example(self) -> Any:
        return {"capacity_increase": True}

    def parse(self, value: Any) -> tuple[tuple[str, bool], ...]:
        if not isinstance(value, dict) or not value:
            raise self.refuse(
                "a table of customer columns, e.g. { capacity_increase = true }", value
            )
        for col, flag in value.items():
            if not isinstance(flag, bool):
                raise PolicyError(
                    f"condition '{self.name}': column '{col}' must be true or false, got {flag!r}.",
                    key=self.name,
                )
        return tuple((str(c), bool(f)) for c, f in value.items())

    def holds(self, value: tuple[tuple[str, bool], ...], facts: Facts) -> np.ndarray:
        cust = facts.customers
        mask = np.ones(len(facts.frame), dtype=bool)
        for column, flag in value:
            found = find_column(cust, column)
            known = (
                as_flag(cust[found], "customers", column)
                if found is not None
                else np.zeros(len(facts.frame), dtype=bool)
            )
            mask &= known == flag
        return mask

    def columns(self, value: Any) -> tuple[str, ...]:
        return tuple(c for c, _ in value)

    def describe(self, value: Any, facts: Facts, rows: np.ndarray, lang: str) -> list[str]:
        words = [(self.yes if f else self.no)[lang].format(column=c) for c, f in value]
        return [join_items(words, lang)] * len(rows)


# -- the registry ---------------------------------------------------------------------

CONDITIONS: dict[str, Condition] = {}
"""Every condition a ``[[measure.when]]`` block may use, by its key in the file, in the
order the policy's error messages list them."""


def register_condition(condition: Condition) -> Condition:
    """Add ``condition`` to :data:`CONDITIONS` under its name, and return it.

    Run :func:`check_condition` on it in a test.  To take a condition out again,
    ``del CONDITIONS[name]``.

    Raises
    ------
    ArrearsRiskError
        If it is not a :class:`Condition`, its name is not a key, or a condition of
        that name is already registered.
    """
    _check_name(condition)
    if condition.name in CONDITIONS:
        raise ArrearsRiskError(
            f"condition '{condition.name}' is already registered; "
            f"del CONDITIONS['{condition.name}'] first to replace it."
        )
    CONDITIONS[condition.name] = condition
    return condition


def _check_name(condition: Any) -> None:
    if not isinstance(condition, Condition):
        raise ArrearsRiskError(
            f"a condition must be a Condition object, got {type(condition).__name__}."
        )
    name = getattr(condition, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ArrearsRiskError(
            f"a condition needs a name of letters, digits and _ (its key in the policy "
            f"file), got {name!r}."
        )


def check_condition(condition: Condition, facts: Facts | None = None) -> None:
    """Check that ``condition`` keeps the contract of a condition.

    It has a name; it parses its ``example`` value; on a small facts table
    (``facts``, by default :func:`~arrearsrisk.plans.facts.example_facts`) it evaluates
    to one bool per customer and describes every customer with a non-empty text in
    every language of :data:`~arrearsrisk.vocabulary.LANGS`.

    Raises
    ------
    ArrearsRiskError
        Naming the condition and the part of the contract it breaks.

    Examples
    --------
    >>> for condition in CONDITIONS.values():
    ...     check_condition(condition)
    >>> try:
    ...     check_condition(NumberCondition("fuel_above", fact="fuel", op=">", words={}))
    ... except ArrearsRiskError as err:
    ...     print(err)
    condition 'fuel_above': evaluating 1.0 raised KeyError: 'fuel'
    """
    _check_name(condition)
    name = condition.name

    def broken(rule: str) -> ArrearsRiskError:
        return ArrearsRiskError(f"condition '{name}': {rule}")

    facts = example_facts() if facts is None else facts
    n = len(facts.frame)
    if not isinstance(condition.needs_features, bool):
        raise broken(f"needs_features must be true or false, got {condition.needs_features!r}.")
    example = condition.example
    try:
        value = condition.parse(example)
    except PolicyError as err:
        raise broken(f"its example {example!r} does not parse: {err}") from err
    try:
        mask = condition.holds(value, facts)
    except Exception as err:
        raise broken(f"evaluating {value!r} raised {type(err).__name__}: {err}") from err
    if not isinstance(mask, np.ndarray) or mask.dtype != bool or mask.shape != (n,):
        got = getattr(mask, "dtype", type(mask).__name__), getattr(mask, "shape", None)
        raise broken(f"must evaluate to {n} bools (one per customer), got {got}.")
    rows = np.arange(n)
    for lang in LANGS:
        try:
            words = condition.describe(value, facts, rows, lang)
        except Exception as err:
            raise broken(
                f"describing {value!r} in {lang!r} raised {type(err).__name__}: {err}"
            ) from err
        if (
            not isinstance(words, list)
            or len(words) != n
            or not all(isinstance(w, str) and w.strip() for w in words)
        ):
            raise broken(f"must describe each of {n} customers in {lang!r}, got {words!r}.")


def block_holds(conditions: Iterable[tuple[str, Any]], facts: Facts) -> np.ndarray:
    """Customers for whom all ``(name, value)`` conditions hold (all, if none)."""
    mask = np.ones(len(facts.frame), dtype=bool)
    for name, value in conditions:
        mask &= CONDITIONS[name].holds(value, facts)
    return mask


def block_reasons(
    conditions: Iterable[tuple[str, Any]], facts: Facts, rows: np.ndarray, lang: str
) -> list[str]:
    """The reason a block holds for each of ``rows``: its conditions, in words."""
    parts = [CONDITIONS[name].describe(value, facts, rows, lang) for name, value in conditions]
    if not parts:
        return [""] * len(rows)
    return [join_items(p, lang) for p in zip(*parts, strict=True)]


# -- the conditions -------------------------------------------------------------------

register_condition(
    ChoiceCondition(
        "grade",
        fact="grade",
        kind="grades",
        choices=GRADES,
        words={"zh": "风险{value}级", "en": "Risk Grade {value}"},
    )
)
register_condition(
    ChoiceCondition(
        "category",
        fact="category",
        kind="categories",
        choices=CATEGORIES,
        words={"zh": "用电类别：{value}", "en": "category {value}"},
        label=_category,
    )
)

_FLAGS: tuple[tuple[str, str, Words, Words], ...] = (
    (
        "warning",
        "a_warning",
        {"zh": "A级预警", "en": "A-level warning"},
        {"zh": "无A级预警", "en": "no A-level warning"},
    ),
    (
        "prepaid",
        "prepaid",
        {"zh": "已装预付费表", "en": "has a prepaid meter"},
        {"zh": "未装预付费表", "en": "no prepaid meter"},
    ),
    (
        "tenant",
        "tenant",
        {"zh": "租户缴费", "en": "the payer is a tenant"},
        {"zh": "产权人缴费", "en": "the payer owns the property"},
    ),
    (
        "budget_funded",
        "budget_funded",
        {"zh": "财政拨款", "en": "budget-funded"},
        {"zh": "非财政拨款", "en": "not budget-funded"},
    ),
    (
        "in_group",
        "in_group",
        {"zh": "集团客户", "en": "group customer"},
        {"zh": "非集团客户", "en": "not a group customer"},
    ),
    (
        "high_energy",
        "high_energy",
        {"zh": "高耗能行业", "en": "high-energy industry"},
        {"zh": "非高耗能行业", "en": "not a high-energy industry"},
    ),
    (
        "restricted",
        "restricted",
        {"zh": "国家限制类行业", "en": "industry under restriction"},
        {"zh": "非限制类行业", "en": "industry not restricted"},
    ),
    (
        "guarantee",
        "guarantee",
        {"zh": "已签担保合同", "en": "guarantee contract in place"},
        {"zh": "无担保合同", "en": "no guarantee contract"},
    ),
    (
        "contact_ok",
        "contact_ok",
        {"zh": "联系方式有效", "en": "valid contact details"},
        {"zh": "联系方式缺失或无效", "en": "contact details missing or invalid"},
    ),
    (
        "high_hazard",
        "high_hazard",
        {"zh": "高危客户", "en": "high-hazard customer"},
        {"zh": "非高危客户", "en": "not high-hazard"},
    ),
    (
        "has_deposit",
        "has_deposit",
        {"zh": "已交保证金", "en": "deposit held"},
        {"zh": "未交保证金", "en": "no deposit held"},
    ),
)
for _name, _fact, _yes, _no in _FLAGS:
    register_condition(FlagCondition(_name, fact=_fact, yes=_yes, no=_no))

_NUMBERS: tuple[tuple[str, str, str, int | None, Words], ...] = (
    (
        "exposure_above",
        "exposure",
        ">",
        0,
        {
            "zh": "月均电费{value}元，高于{limit}元",
            "en": "average monthly bill CNY {value} > {limit}",
        },
    ),
    (
        "exposure_at_most",
        "exposure",
        "<=",
        0,
        {
            "zh": "月均电费{value}元，不高于{limit}元",
            "en": "average monthly bill CNY {value} ≤ {limit}",
        },
    ),
    (
        "arrears_above",
        "arrears",
        ">",
        0,
        {"zh": "欠费{value}元，高于{limit}元", "en": "arrears CNY {value} > {limit}"},
    ),
    (
        "arrears_months_at_least",
        "arrears_months",
        ">=",
        1,
        {
            "zh": "欠费相当于{value}个月电费（≥{limit}）",
            "en": "arrears of {value} months' bills (≥ {limit})",
        },
    ),
    (
        "expected_loss_above",
        "expected_loss",
        ">",
        0,
        {"zh": "预期损失{value}元，高于{limit}元", "en": "expected loss CNY {value} > {limit}"},
    ),
    (
        "p_I_at_least",
        "p_I",
        ">=",
        2,
        {"zh": "I级概率{value}（≥{limit}）", "en": "probability of Grade I {value} (≥ {limit})"},
    ),
    (
        "voltage_kv_at_least",
        "voltage_kv",
        ">=",
        None,
        {"zh": "供电电压{value}千伏（≥{limit}）", "en": "supply voltage {value} kV (≥ {limit})"},
    ),
    (
        "tenure_months_at_most",
        "tenure_months",
        "<=",
        0,
        {
            "zh": "新装用户，开户{value}个月（≤{limit}）",
            "en": "new connection, account {value} months old (≤ {limit})",
        },
    ),
    (
        "tenure_months_at_least",
        "tenure_months",
        ">=",
        0,
        {"zh": "开户{value}个月（≥{limit}）", "en": "account {value} months old (≥ {limit})"},
    ),
    (
        "deposit_months_below",
        "deposit_months",
        "<",
        1,
        {
            "zh": "保证金仅覆盖{value}个月电费（<{limit}）",
            "en": "deposit covers {value} months' bills (< {limit})",
        },
    ),
)
_PROBABILITIES = ("p_I_at_least",)
for _name, _fact, _op, _digits, _words in _NUMBERS:
    _high = 1.0 if _name in _PROBABILITIES else math.inf
    register_condition(
        NumberCondition(_name, fact=_fact, op=_op, digits=_digits, words=_words, high=_high)
    )
register_condition(
    NumberCondition(
        "automatic_payment_share_below",
        fact="automatic_payment_share",
        op="<",
        digits=2,
        needs_features=True,
        high=1.0,
        words={
            "zh": "近12个月代扣/线上缴费占比{value}（<{limit}）",
            "en": "share of bank-debit/online payments in 12 months {value} (< {limit})",
        },
    )
)
register_condition(
    WindowCondition(
        "clean_months",
        words={
            "zh": "近{limit}个月按时缴清、无欠费",
            "en": "paid on time with no arrears for {limit} months",
        },
    )
)
register_condition(
    KeywordsCondition(
        "reasons_any", words={"zh": "风险原因：{value}", "en": "risk driver: {value}"}
    )
)
register_condition(
    ColumnsCondition(
        "flags",
        yes={"zh": "{column}：是", "en": "{column}: yes"},
        no={"zh": "{column}：否", "en": "{column}: no"},
    )
)
del _name, _fact, _yes, _no, _op, _digits, _words, _high
