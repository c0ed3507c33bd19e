"""The policy table: the shipped file is complete, and every broken entry gets an error
that names the measure and the field."""

from __future__ import annotations

import re

import pytest

import arrearsrisk as ar
from arrearsrisk.errors import PolicyError
from arrearsrisk.i18n import TEXT
from arrearsrisk.plans import (
    CONDITIONS,
    check_condition,
    default_policy_path,
    load_policy,
    parse_policy,
)
from arrearsrisk.vocabulary import LANGS

SHIPPED = default_policy_path().read_text(encoding="utf-8")
HEAD, BODY = SHIPPED[: SHIPPED.index("[policy]")], SHIPPED[SHIPPED.index("[policy]") :]
"""The header comments (which quote conditions as examples) and the entries."""


def edit(old: str, new: str) -> str:
    """The shipped file with the first ``old`` among the entries replaced by ``new``."""
    assert old in BODY, f"stale case: {old!r} is not in the shipped policy"
    return HEAD + BODY.replace(old, new, 1)


REQUIRED_MEASURES = {
    "prepaid_meter",
    "pre_purchase",
    "instalments",
    "guarantee",
    "deposit",
    "owner_payer",
    "consolidated",
    "auto_payment",
    "contact_update",
    "account_manager",
    "disconnection",
    "release_deposit",
}


def test_the_shipped_policy_has_every_measure_the_issue_asks_for():
    policy = load_policy()
    assert set(policy.codes()) >= REQUIRED_MEASURES
    assert policy.measure("disconnection").kind == "disconnection"
    assert set(policy.codes(("release",))) == {"release_deposit", "release_guarantee"}
    assert dict(policy.review_days) == {"I": 14, "II": 30, "III": 90, "warning": 7}


def test_every_shipped_measure_reads_in_both_languages():
    for m in load_policy().measures:
        for lang in LANGS:
            assert m.name(lang).strip(), m.code
            assert "{" not in m.explanation(lang), m.code
            for step in m.steps:
                assert step.name(lang).strip(), (m.code, step.code)
            if m.amount is not None:
                assert m.amount.label(lang).strip(), m.code


def test_the_instalment_threshold_is_a_parameter_of_the_file():
    policy = load_policy()
    assert policy.measure("instalments").when[0].get("exposure_above") == 20000.0
    edited = parse_policy(edit("exposure_above = 20000", "exposure_above = 30000"))
    assert edited.measure("instalments").when[0].get("exposure_above") == 30000.0


def test_the_disconnection_steps_are_dated_from_the_scoring_date():
    days = load_policy().measure("disconnection").step_days()
    assert days == {"approval": 2, "reminder": 3, "notice": 7, "publication": 10, "disconnect": 17}


def test_every_condition_and_text_has_words_in_both_languages():
    for condition in CONDITIONS.values():
        check_condition(condition)  # describes itself in every language of LANGS
    for key, texts in TEXT.items():
        assert set(texts) == set(LANGS), key


def test_the_file_header_lists_every_condition():
    for name in CONDITIONS:
        assert re.search(rf"\b{name}\b", HEAD), f"policy.toml header does not mention {name}"


def test_a_user_file_replaces_the_shipped_one(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        edit('name_en = "Guarantee contract"', 'name_en = "Joint guarantee"'), encoding="utf-8"
    )
    policy = load_policy(path)
    assert policy.measure("guarantee").name("en") == "Joint guarantee"
    assert policy.source == str(path)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="policy file not found"):
        load_policy(tmp_path / "nope.toml")


def test_an_unknown_measure_code_is_a_key_error_listing_the_codes():
    with pytest.raises(KeyError, match=r"no measure 'nope'.*deposit"):
        load_policy().measure("nope")


def test_policy_error_is_an_arrearsrisk_error():
    # through the package: pytest's doctest collection may import errors.py a second time
    assert issubclass(ar.PolicyError, ar.ArrearsRiskError)
    assert issubclass(ar.PolicyError, ValueError)


def test_the_error_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(edit('after = "publication"', 'after = "x"'), encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape(str(path))):
        load_policy(path)


# Each case edits the shipped file in one place and expects one message.  The
# replaced text must occur in the file (checked), so a case cannot go stale silently.
BROKEN: list[tuple[str, str, str, str]] = [
    (
        "not TOML",
        'code = "deposit"',
        'code = "deposit',
        r"policy: not valid TOML",
    ),
    (
        "unknown top-level section",
        "[policy]",
        "[polcy]\nname = 'x'\n[policy]",
        r"policy: unknown section 'polcy'\. Did you mean 'policy'\?",
    ),
    (
        "review days not a whole number",
        "II = 30",
        'II = "a month"',
        r"policy: \[review\]: 'II' must be a whole number of days from 0 to 3660, "
        r"got 'a month'",
    ),
    (
        "review grade missing",
        "III = 90\n",
        "",
        r"policy: \[review\]: 'III' is required",
    ),
    (
        "measure code with capitals",
        'code = "deposit"',
        'code = "Deposit"',
        r"policy: measure #6: field 'code' must be a short key .* got 'Deposit'",
    ),
    (
        "two measures with one code",
        'code = "deposit"',
        'code = "instalments"',
        r"policy: measure 'instalments': code is used by two entries \(#6 repeats it\)",
    ),
    (
        "misspelt field",
        'name_en = "Deposit against the bill"',
        'nmae_en = "Deposit against the bill"',
        r"policy: measure 'deposit': unknown field 'nmae_en'\. Did you mean 'name_en'\?",
    ),
    (
        "missing name",
        'name_zh = "收取电费保证金"\n',
        "",
        r"policy: measure 'deposit': field 'name_zh' must be a non-empty text, got nothing",
    ),
    (
        "empty explanation",
        "explain_en = \"Collect a deposit of {months} months' average bill, less any deposit "
        'already held."',
        'explain_en = "  "',
        r"policy: measure 'deposit': field 'explain_en' must be a non-empty text",
    ),
    (
        "unknown kind",
        'kind = "disconnection"',
        'kind = "cut_off"',
        r"policy: measure 'disconnection': field 'kind' must be one of \['action', "
        r"'disconnection', 'release'\], got 'cut_off'",
    ),
    (
        "a number condition given text",
        "deposit_months_below = 2",
        'deposit_months_below = "abc"',
        r"policy: measure 'deposit': when #1: condition 'deposit_months_below' must be a "
        r"number, got 'abc'",
    ),
    (
        "a number condition given true",
        "exposure_above = 50000",
        "exposure_above = true",
        r"policy: measure 'account_manager': when #1: condition 'exposure_above' must be a "
        r"number, got True",
    ),
    (
        "a flag condition given a number",
        "tenant = true",
        "tenant = 1",
        r"policy: measure 'owner_payer': when #1: condition 'tenant' must be true or false, "
        r"got 1",
    ),
    (
        "an unknown grade",
        'grade = ["I", "II"]\n  tenant = true',
        'grade = ["I", "IV"]\n  tenant = true',
        r"policy: measure 'owner_payer': when #1: condition 'grade' has 'IV', which is not "
        r"one of \['I', 'II', 'III'\]",
    ),
    (
        "grade not a list",
        'grade = ["I", "II"]\n  tenant = true',
        'grade = "I"\n  tenant = true',
        r"policy: measure 'owner_payer': when #1: condition 'grade' must be a list of grades",
    ),
    (
        "an unknown category",
        'category = ["public"]',
        'category = ["government"]',
        r"policy: measure 'consolidated': when #2: condition 'category' has 'government', "
        r"which is not one of \['residential'",
    ),
    (
        "a misspelt condition",
        "contact_ok = false",
        "contact_okay = false",
        r"policy: measure 'contact_update': when #1: unknown condition 'contact_okay'\. "
        r"Did you mean 'contact_ok'\?",
    ),
    (
        "an empty block",
        "  [[measure.when]]\n  contact_ok = false",
        "  [[measure.when]]",
        r"policy: measure 'contact_update': when #1: has no condition",
    ),
    (
        "no block at all",
        '  [[measure.when]]\n  grade = ["I", "II"]\n  prepaid = true\n',
        "",
        r"policy: measure 'balance_warning': needs at least one \[\[measure.when\]\] block",
    ),
    (
        "a window the features do not have",
        "clean_months = 12\n  [measure.params]\n  months = 12\n  [measure.amount]",
        "clean_months = 9\n  [measure.params]\n  months = 12\n  [measure.amount]",
        r"policy: measure 'release_deposit': when #1: condition 'clean_months' must be one of "
        r"\[3, 6, 12, 24\] \(months\), got 9",
    ),
    (
        "reasons_any with an empty word",
        'reasons_any = ["late", "逾期"]',
        'reasons_any = ["late", ""]',
        r"policy: measure 'prepaid_meter': when #2: condition 'reasons_any' must be a list "
        r"of words",
    ),
    (
        "a column flag given text",
        "flags = { capacity_increase = true }",
        'flags = { capacity_increase = "yes" }',
        r"policy: measure 'pre_purchase': when #2: condition 'flags': column "
        r"'capacity_increase' must be true or false, got 'yes'",
    ),
    (
        "an explanation naming a missing parameter",
        "instalments = 3",
        "instalment_count = 3",
        r"policy: measure 'instalments': field 'explain_zh' uses \{instalments\} but "
        r"\[measure.params\] has no 'instalments'",
    ),
    (
        "a parameter that is a table",
        "  months = 2\n",
        "  months = { value = 2 }\n",
        r"policy: measure 'deposit': parameter 'months' must be a finite number, text or "
        r"true/false",
    ),
    (
        "an amount on an unknown base",
        'base = "exposure"\n  times = 2',
        'base = "capacity"\n  times = 2',
        r"policy: measure 'deposit': \[measure.amount\]: 'base' must be one of "
        r"\['exposure', 'arrears', 'deposit'\], got 'capacity'",
    ),
    (
        "an amount divided by zero",
        "divided_by = 3",
        "divided_by = 0",
        r"policy: measure 'instalments': \[measure.amount\]: 'divided_by' must be a finite "
        r"number > 0, got 0",
    ),
    (
        "an amount without its label",
        'label_en = "deposit to collect"\n',
        "",
        r"policy: measure 'deposit': \[measure.amount\]: field 'label_en' must be a "
        r"non-empty text",
    ),
    (
        "a step with negative days",
        "days = 10",
        "days = -1",
        r"policy: measure 'disconnection': step 'publication': 'days' must be a whole number "
        r"of days from 0 to 3660, got -1",
    ),
    (
        "a step after a later step",
        'after = "publication"',
        'after = "disconnect"',
        r"policy: measure 'disconnection': step 'disconnect': 'after' must name an earlier "
        r"step of this measure, got 'disconnect'",
    ),
    (
        "two steps with one code",
        'code = "reminder"',
        'code = "approval"',
        r"policy: measure 'disconnection': step 'approval': code is used by two steps",
    ),
    (
        "a misspelt step field",
        'days = 7\n\n[[measure]]\ncode = "account_manager"',
        'dayz = 7\n\n[[measure]]\ncode = "account_manager"',
        r"policy: measure 'contact_update': step #1: unknown field 'dayz'\. "
        r"Did you mean 'days'\?",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "match"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_a_broken_entry_gets_an_error_naming_it(old, new, match):
    with pytest.raises(PolicyError, match=match) as info:
        parse_policy(edit(old, new), source="case.toml")
    assert str(info.value).endswith("in case.toml")


def test_the_error_carries_the_measure_and_the_key():
    broken = edit("deposit_months_below = 2", 'deposit_months_below = "abc"')
    with pytest.raises(PolicyError, match="deposit_months_below") as info:
        parse_policy(broken)
    assert (info.value.measure, info.value.key) == ("deposit", "deposit_months_below")


def test_a_policy_needs_a_measure():
    with pytest.raises(PolicyError, match=r"no \[\[measure\]\] entries"):
        parse_policy("[review]\nI = 7\nII = 30\nIII = 90\nwarning = 7\n")
