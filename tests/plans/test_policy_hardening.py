"""A policy file as a manager really saves it (BOM, GBK), and every entry that would make
a measure silently never fire is refused by name: unknown reason words, numbers out of
range, and flags on columns the ledger lacks."""

from __future__ import annotations

import math
import warnings

import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.errors import PolicyError
from arrearsrisk.plans import default_policy_path, load_policy, parse_policy, risk_plans
from arrearsrisk.plans.keywords import matches_reasons

SHIPPED = default_policy_path().read_text(encoding="utf-8")
AS_OF = "2025-09-30"


def one_measure(when: str, *, kind: str = "action", extra: str = "") -> str:
    """A policy of one measure ``m`` with the ``when`` block given."""
    return f"""
[[measure]]
code = "m"
kind = "{kind}"
name_zh = "措施"
name_en = "Measure"
explain_zh = "说明"
explain_en = "Explanation"
{extra}
  [[measure.when]]
  {when}
"""


# -- reading the file -----------------------------------------------------------------


def test_a_utf8_bom_at_the_start_is_dropped(tmp_path):
    file = tmp_path / "policy.toml"
    file.write_bytes(b"\xef\xbb\xbf" + SHIPPED.encode("utf-8"))
    assert load_policy(file).codes() == load_policy().codes()
    assert parse_policy("\ufeff" + SHIPPED).codes() == load_policy().codes()


def test_a_bom_inside_the_text_is_named(tmp_path):
    with pytest.raises(PolicyError, match=r"not valid TOML.*\n  hint: .*byte-order mark \(BOM\)"):
        parse_policy("[policy]\n\ufeffname = 'x'\n")


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "utf-16"])
def test_a_policy_saved_as_gbk_or_utf16_reads_the_same(tmp_path, codec):
    file = tmp_path / "policy.toml"
    file.write_bytes(SHIPPED.encode(codec))  # Python's utf-16 writes a BOM
    got, want = load_policy(file), load_policy()
    assert got.measures == want.measures and got.review_days == want.review_days
    assert got.measure("instalments").name_zh == "分次结算"


def test_an_explicit_encoding_is_used_and_a_wrong_one_named(tmp_path):
    file = tmp_path / "policy.toml"
    file.write_bytes(SHIPPED.encode("gbk"))
    assert load_policy(file, encoding="gb18030").codes() == load_policy().codes()
    # the message is the text decoder's (arrearsrisk.ledger.encoding when present)
    with pytest.raises(
        PolicyError, match=r"(?i)policy: .*policy\.toml: .*utf-8.*\n  hint: .*encoding="
    ):
        load_policy(file, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"unknown encoding 'klingon'"):
        load_policy(file, encoding="klingon")


def test_bytes_no_encoding_decodes_are_refused_naming_the_encodings(tmp_path):
    file = tmp_path / "policy.toml"
    file.write_bytes(b"name = '\xff\xfe\xff'\n")
    with pytest.raises(
        PolicyError, match=r"(?i)policy: .*policy\.toml: .*utf-8.*gb18030.*\n  hint: .*encoding="
    ):
        load_policy(file)


def test_a_folder_or_a_missing_file_is_named(tmp_path):
    with pytest.raises(PolicyError, match=r"is a folder; pass the policy's TOML file"):
        load_policy(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"policy file not found"):
        load_policy(tmp_path / "absent.toml")


# -- reason keywords ------------------------------------------------------------------


def test_the_keywords_of_the_shipped_policy_all_match_a_reason():
    when = load_policy().measure("prepaid_meter").when[1].get("reasons_any")
    assert when == ("late", "逾期")
    assert all(matches_reasons(w) for w in when)


@pytest.mark.parametrize("word", ["破产", "滞纳", "Überfällig", "bank-rupt"])
def test_a_keyword_no_reason_contains_is_refused(word):
    with pytest.raises(
        PolicyError, match=rf"condition 'reasons_any' has '{word}', which no reason"
    ) as err:
        parse_policy(one_measure(f'reasons_any = ["late", "{word}"]'))
    assert (err.value.measure, err.value.key) == ("m", "reasons_any")


@pytest.mark.parametrize("word", ["LATE", "Arrears", "欠费", "逾期", "bank debit", "12"])
def test_keywords_are_matched_case_folded_against_the_reason_texts(word):
    assert parse_policy(one_measure(f'reasons_any = ["{word}"]')).measure("m").when[0].get(
        "reasons_any"
    ) == (word,)


def tiny(**columns: object) -> tuple[pd.DataFrame, ar.Ledger]:
    """One Grade I customer in debt and its ledger (with any extra customer columns)."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C1"],
            "category": ["industrial"],
            "high_hazard": [False],
            "budget_funded": [False],
            **{k: [v] for k, v in columns.items()},
        }
    )
    bills = pd.DataFrame(
        {
            "customer_id": ["C1"],
            "period": ["2025-08"],
            "issue_date": ["2025-09-01"],
            "due_date": ["2025-09-15"],
            "kwh": [100.0],
            "amount": [800.0],
        }
    )
    payments = pd.DataFrame(columns=["customer_id", "paid_date", "amount"])
    scores = pd.DataFrame(
        {
            "customer_id": ["C1"],
            "as_of": AS_OF,
            "grade": ["I"],
            "p_I": [0.8],
            "a_warning": [False],
            "exposure": [800.0],
            "arrears": [800.0],
            "reasons": [["growth_rate: 3"]],
        }
    )
    return scores, ar.Ledger(customers=customers, bills=bills, payments=payments)


def test_an_identifier_keyword_must_name_an_extra_customer_column_of_the_ledger():
    policy = parse_policy(one_measure('reasons_any = ["growth_rate"]'))  # not refused yet
    scores, without = tiny()
    with pytest.raises(
        PolicyError, match=r"measure 'm': when #1: condition 'reasons_any' has 'growth_rate'"
    ) as err:
        risk_plans(scores, without, "en", policy=policy)
    assert (err.value.measure, err.value.key) == ("m", "reasons_any")
    scores, ledger = tiny(growth_rate=3.0)
    plans = risk_plans(scores, ledger, "en", policy=policy)
    assert plans.loc[0, "measure_codes"] == ("m",)
    assert plans.loc[0, "measures"][0].reason == "risk driver: growth_rate: 3"


# -- numbers out of range -------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "match"),
    [
        (
            "p_I_at_least = 1.5",
            r"'p_I_at_least' must be a probability or share between 0 and 1, got 1.5",
        ),
        ("p_I_at_least = -0.1", r"'p_I_at_least' must be a probability or share between 0 and 1"),
        (
            "p_I_at_least = nan",
            r"'p_I_at_least' must be a probability or share between 0 and 1, got nan",
        ),
        (
            "automatic_payment_share_below = 2",
            r"'automatic_payment_share_below' must be a probability",
        ),
        ("exposure_above = nan", r"'exposure_above' must be a finite number >= 0, got nan"),
        ("exposure_above = inf", r"'exposure_above' must be a finite number >= 0, got inf"),
        ("arrears_above = -1", r"'arrears_above' must be a finite number >= 0, got -1"),
        ("tenure_months_at_most = -12", r"'tenure_months_at_most' must be a finite number >= 0"),
        ("deposit_months_below = -inf", r"'deposit_months_below' must be a finite number >= 0"),
        ("voltage_kv_at_least = -10", r"'voltage_kv_at_least' must be a finite number >= 0"),
    ],
)
def test_a_threshold_out_of_range_is_refused_naming_measure_and_key(when, match):
    with pytest.raises(
        PolicyError, match=rf"policy: measure 'm': when #1: condition {match}"
    ) as err:
        parse_policy(one_measure(when))
    assert (err.value.measure, err.value.key) == ("m", when.split(" =")[0])


@pytest.mark.parametrize("when", ["p_I_at_least = 0", "p_I_at_least = 1", "exposure_above = 0"])
def test_the_bounds_themselves_are_allowed(when):
    key, value = when.split(" = ")
    assert parse_policy(one_measure(when)).measure("m").when[0].get(key) == float(value)


@pytest.mark.parametrize(
    ("extra", "match", "key"),
    [
        (
            '[measure.amount]\nbase = "exposure"\ntimes = nan\nlabel_zh = "额"\nlabel_en = "a"',
            r"'times' must be a finite number > 0, got nan",
            "times",
        ),
        (
            '[measure.amount]\nbase = "exposure"\nround_to = inf\nlabel_zh = "额"\nlabel_en = "a"',
            r"'round_to' must be a finite number > 0, got inf",
            "round_to",
        ),
        ("[measure.params]\nmonths = nan", r"parameter 'months' must be a finite number", "months"),
        (
            '[[measure.step]]\ncode = "s"\nname_zh = "步"\nname_en = "s"\ndays = 100000',
            r"'days' must be a whole number of days from 0 to 3660, got 100000",
            "days",
        ),
    ],
)
def test_amounts_params_and_days_out_of_range_are_refused(extra, match, key):
    text = one_measure('grade = ["I"]') + "\n" + extra.replace("\n", "\n  ")
    with pytest.raises(PolicyError, match=rf"policy: measure 'm': .*{match}") as err:
        parse_policy(
            text.replace('  [[measure.when]]\n  grade = ["I"]\n', "")
            + '\n  [[measure.when]]\n  grade = ["I"]\n'
        )
    assert (err.value.measure, err.value.key) == ("m", key)


def test_review_days_out_of_range_are_refused():
    text = SHIPPED.replace("III = 90", "III = 99999")
    with pytest.raises(
        PolicyError, match=r"\[review\]: 'III' must be a whole number of days from 0 to 3660"
    ):
        parse_policy(text)
    assert math.isinf(ar.plans.CONDITIONS["exposure_above"].high)


# -- flags on columns the ledger lacks ------------------------------------------------


def test_a_flag_column_every_block_needs_is_a_policy_error_at_plan_time():
    policy = parse_policy(one_measure("flags = { capacity_increase = true }"))
    scores, ledger = tiny()
    with pytest.raises(
        PolicyError,
        match=r"measure 'm': condition 'flags' tests the customer column 'capacity_increase', "
        r"which the ledger does not have, in every when block",
    ) as err:
        risk_plans(scores, ledger, "en", policy=policy)
    assert (err.value.measure, err.value.key) == ("m", "flags")


def test_a_flag_on_a_column_outside_the_schema_is_checked_too():
    policy = parse_policy(one_measure("high_hazard = true").replace('"high_hazard"', ""))
    scores, ledger = tiny()
    ledger = ar.Ledger(
        ledger.customers.drop(columns=["high_hazard"]), ledger.bills, ledger.payments
    )
    with pytest.raises(
        PolicyError, match=r"condition 'high_hazard' tests the customer column 'high_hazard'"
    ):
        risk_plans(scores, ledger, "en", policy=policy)


def test_a_flag_column_only_some_blocks_need_warns_naming_the_measure():
    text = (
        one_measure("flags = { capacity_increase = true }")
        + '  [[measure.when]]\n  grade = ["I"]\n'
    )
    policy = parse_policy(text)
    scores, ledger = tiny()
    with pytest.warns(
        ar.LedgerWarning,
        match=r"policy: measure 'm': when #1 test\(s\) \['capacity_increase'\], which the ledger "
        r"does not have, so those blocks never apply",
    ):
        plans = risk_plans(scores, ledger, "en", policy=policy)
    assert plans.loc[0, "measure_codes"] == ("m",)  # by the second block
    assert plans.loc[0, "measures"][0].reason == "Risk Grade I"


def test_a_flag_column_the_ledger_has_under_another_case_is_used():
    policy = parse_policy(one_measure("flags = { capacity_increase = true }"))
    scores, ledger = tiny(Capacity_Increase=True)
    plans = risk_plans(scores, ledger, "en", policy=policy)
    assert plans.loc[0, "measure_codes"] == ("m",)


def test_optional_columns_silence_the_warning_and_are_checked():
    extra = 'optional_columns = ["capacity_increase"]'
    text = one_measure("flags = { capacity_increase = true }", extra=extra)
    policy = parse_policy(text + '  [[measure.when]]\n  grade = ["I"]\n')
    assert policy.measure("m").optional_columns == ("capacity_increase",)
    scores, ledger = tiny()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert risk_plans(scores, ledger, "en", policy=policy).loc[0, "measure_codes"] == ("m",)
    assert load_policy().measure("pre_purchase").optional_columns == ("capacity_increase",)
    with pytest.raises(
        PolicyError, match=r"'optional_columns' lists 'tenant_ok', which no condition"
    ) as err:
        parse_policy(one_measure('grade = ["I"]', extra='optional_columns = ["tenant_ok"]'))
    assert (err.value.measure, err.value.key) == ("m", "optional_columns")
    with pytest.raises(
        PolicyError, match=r"'optional_columns' must be a list of customer column names"
    ):
        parse_policy(one_measure('grade = ["I"]', extra='optional_columns = "capacity_increase"'))
