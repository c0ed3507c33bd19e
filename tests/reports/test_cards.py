"""Customer contact details from the ledger to the plans, the cards and the workbook:
shown when the ledger holds them (as text, escaped, leading zeros kept), nothing shown
(no "nan", no empty label) when it does not; and the industry's GB/T 4754 name."""

from __future__ import annotations

import re
import warnings

import openpyxl
import pandas as pd
import pytest

import arrearsrisk as ar
from arrearsrisk.ledger.schema import CONTACT_COLUMNS
from arrearsrisk.plans import PLAN_COLUMNS, risk_plans
from arrearsrisk.reports import write_workbook
from arrearsrisk.reports.cards import card, cards_section
from arrearsrisk.reports.formatting import rows

AS_OF = pd.Timestamp("2025-08-31")


def ledger(**contacts: list[object]) -> ar.Ledger:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "category": ["industrial", "residential"],
            "industry": ["C26", None],
            "region": ["East", "East"],
            "opened": pd.Timestamp("2010-01-01"),
            "prepaid": False,
            "contact_ok": [True, False],
            "deposit": 0.0,
            "high_hazard": False,
            **contacts,
        }
    )
    bills = pd.DataFrame(
        columns=["customer_id", "period", "issue_date", "due_date", "kwh", "amount"]
    )
    payments = pd.DataFrame(columns=["customer_id", "paid_date", "amount"])
    return ar.Ledger(customers=customers, bills=bills, payments=payments)


def plans(lang: str = "zh", **contacts: list[object]) -> pd.DataFrame:
    scores = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "as_of": AS_OF,
            "grade": ["I", "II"],
            "p_I": [0.6, 0.3],
            "a_warning": [True, False],
            "p_warning": [0.5, 0.0],
            "exposure": [30000.0, 200.0],
            "arrears": [60000.0, 0.0],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ar.LedgerWarning)
        return risk_plans(scores, ledger(**contacts), lang).set_index("customer_id", drop=False)


CONTACTS = {
    "account_name": ["恒泰化工<有限>公司", "王建国"],
    "supply_address": ["东城工业园区建设路12号", None],
    "phone_number": ["0530-00123456", "  "],
}


def card_of(frame: pd.DataFrame, customer: str, lang: str = "zh") -> str:
    row = next(r for r in rows(frame) if r.customer_id == customer)
    return card(row, lang)


def test_plans_carry_the_contacts_the_ledger_holds_after_the_plan_columns():
    p = plans(**CONTACTS)
    assert list(p.columns) == [*PLAN_COLUMNS, *CONTACT_COLUMNS]
    assert p.loc["C1", "phone_number"] == "0530-00123456"
    assert p.loc["C2", "account_name"] == "王建国"
    assert pd.isna(p.loc["C2", "supply_address"]) and pd.isna(p.loc["C2", "phone_number"])
    only_phone = plans(phone_number=["0530-00123456", None])
    assert list(only_phone.columns) == [*PLAN_COLUMNS, "phone_number"]
    assert list(plans().columns) == list(PLAN_COLUMNS)  # none held: none added
    assert list(plans(account_name=[None, " "]).columns) == list(PLAN_COLUMNS)


def test_release_candidates_carry_the_contacts_as_the_plans_do(sample_ledger, sample_model):
    scores = ar.score(sample_ledger, "2025-09-30", sample_model, reasons="none")
    out = ar.release_candidates(scores, sample_ledger, "en")
    assert len(out) > 0 and list(out.columns) == [*PLAN_COLUMNS, *CONTACT_COLUMNS]
    held = sample_ledger.customers.set_index("customer_id")
    for row in out.head(20).itertuples():
        assert row.account_name == held.loc[row.customer_id, "account_name"]
        phone = held.loc[row.customer_id, "phone_number"]
        assert row.phone_number == phone or (pd.isna(row.phone_number) and pd.isna(phone))


def test_the_card_shows_name_address_and_phone():
    html = card_of(plans(**CONTACTS), "C1")
    header = html[: html.index("</header>")]
    assert '<h3>C1 <span class="cname">恒泰化工&lt;有限&gt;公司</span></h3>' in header
    assert "<dt>用电地址</dt><dd>东城工业园区建设路12号</dd>" in html
    assert "<dt>联系电话</dt><dd>0530-00123456</dd>" in html
    en = card_of(plans("en", **CONTACTS), "C1", "en")
    assert "<dt>Supply address</dt><dd>东城工业园区建设路12号</dd>" in en
    assert "<dt>Phone</dt><dd>0530-00123456</dd>" in en


def test_a_card_shows_only_the_details_the_customer_has():
    html = card_of(plans(**CONTACTS), "C2")
    assert '<span class="cname">王建国</span>' in html
    assert "用电地址" not in html and "联系电话" not in html
    assert not re.search(r"\bnan\b|\bNone\b", html, re.IGNORECASE)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_contact_columns_the_card_shows_nothing_of_them(lang):
    html = cards_section(plans(lang), lang, 10)
    assert 'class="cname"' not in html
    for label in ("用电地址", "联系电话", "Supply address", "Phone"):
        assert f"<dt>{label}</dt>" not in html
    assert "<dd></dd>" not in html
    assert not re.search(r"\bnan\b", html, re.IGNORECASE)
    assert "<h3>C1</h3>" in html


def test_the_card_names_the_industry_by_the_standard():
    html = card_of(plans(), "C1")
    assert "C26 化学原料和化学制品制造业" in html
    assert "chemical materials and products" in card_of(plans("en"), "C1", "en")


def test_the_workbook_puts_the_contacts_after_the_customer_as_text(tmp_path):
    path = write_workbook(plans(**CONTACTS), tmp_path / "plans.xlsx", "zh")
    ws = openpyxl.load_workbook(path)["工作清单"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["优先级", "户号", "户名", "用电地址", "联系电话"]
    by_id = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert by_id["C1"][2:5] == ("恒泰化工<有限>公司", "东城工业园区建设路12号", "0530-00123456")
    assert by_id["C2"][2:5] == ("王建国", None, None)
    phone = next(r[4] for r in ws.iter_rows(min_row=2) if r[1].value == "C1")
    assert phone.data_type == "s"  # a text cell: Excel keeps the leading zero
    bare = write_workbook(plans(), tmp_path / "bare.xlsx", "zh")
    header = [c.value for c in openpyxl.load_workbook(bare)["工作清单"][1]]
    assert "户名" not in header and "联系电话" not in header and header[2] != "户名"
