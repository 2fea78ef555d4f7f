"""Rows are keyed by external_id (staff by e-mail): a re-import updates, never duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.engagement.models import Touchpoint
from aftersale.imports.kinds import KINDS
from aftersale.promises.models import Promise, PromiseEvent
from aftersale.service.models import CaseStatus, ServiceCase
from aftersale.staff.models import Role, User
from tests.imports.conftest import DATA, import_sample, run_import

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_writes_nothing_when_the_same_file_comes_again(portfolio, kind):
    with CaptureQueriesContext(connection) as queries:
        result = import_sample(kind)
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == result.rows == portfolio[kind].rows
    written = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert written == []


def sample_with(kind: str, old: str, new: str) -> str:
    text = (DATA / f"{kind}.csv").read_text(encoding="utf-8-sig")
    assert old in text
    return text.replace(old, new)


def test_it_updates_an_edited_row_and_leaves_the_others(portfolio):
    text = sample_with("orders", "ORD-1002,ACC-001,2023-09-02T10:30:00,85000000.50,phone",
                       "ORD-1002,ACC-003,2023-09-02T10:30:00,90000000,rep")
    before = Order.objects.get(external_id="ORD-1001").updated_at
    result = run_import("orders", text)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 4)
    order = Order.objects.get(external_id="ORD-1002")
    assert (order.account.external_id, order.total, order.channel) == ("ACC-003", Decimal("90000000"), "rep")
    assert Order.objects.count() == 5
    assert Order.objects.get(external_id="ORD-1001").updated_at == before


def test_it_adds_new_rows_beside_existing_ones(portfolio):
    text = (DATA / "orders.csv").read_text() + "ORD-2000,ACC-004,2024-08-01,10,edi\n"
    result = run_import("orders", text)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 5)


def test_it_leaves_fields_of_missing_optional_columns_alone(portfolio):
    result = run_import("accounts", "external_id,name,owner_email\nACC-001,Đông Á,binh.tran@vendor.test\n")
    assert (result.updated, result.unchanged) == (1, 0)
    account = Account.objects.get(external_id="ACC-001")
    assert account.name == "Đông Á"
    assert account.tier == "strategic"  # not in the file: kept
    assert account.owner.email == "binh.tran@vendor.test"


def test_it_updates_staff_by_email_whatever_the_case(portfolio):
    result = run_import(
        "staff", "email,name,department,role\nAN.NGUYEN@vendor.test,Nguyễn Văn An,management,admin\n"
    )
    assert (result.created, result.updated) == (0, 1)
    user = User.objects.get(email="an.nguyen@vendor.test")
    assert (user.department, user.role, user.is_superuser) == ("management", Role.ADMIN, True)


def test_it_follows_case_dates_with_the_status(portfolio):
    text = sample_with(
        "cases", "AST-002,2024-02-03T15:00:00+07:00,", "AST-002,2024-02-03T15:00:00+07:00,2024-02-05"
    )
    result = run_import("cases", text)
    assert result.updated == 1
    assert ServiceCase.objects.get(external_id="CASE-002").status == CaseStatus.RESOLVED


def test_it_adds_a_named_participant_to_an_existing_touchpoint(portfolio):
    text = sample_with("touchpoints", "45,training,,", "45,training,dung.pham@vendor.test,")
    result = run_import("touchpoints", text)
    assert (result.updated, result.unchanged) == (1, 3)
    assert list(Touchpoint.objects.get(external_id="TP-004").participants.values_list(
        "user__email", "department")) == [("dung.pham@vendor.test", "production")]
    # And moves a person to the department the file now says.
    text = text.replace("cuong.le@vendor.test,engineering", "cuong.le@vendor.test,production")
    result = run_import("touchpoints", text)
    assert result.updated == 1
    visit = Touchpoint.objects.get(external_id="TP-001")
    assert list(visit.participants.values_list("department", flat=True)) == ["production"]


def test_it_records_an_edited_promise_in_its_history(portfolio):
    text = sample_with("promises", "2024-03-14,binh.tran@vendor.test,service,open,",
                       "2024-06-14,dung.pham@vendor.test,production,open,")
    result = run_import("promises", text)
    assert result.updated == 1
    promise = Promise.objects.get(external_id="PRM-002")
    assert promise.version == 2
    event = PromiseEvent.objects.filter(promise=promise).latest("pk")
    assert event.action == "edited"
    assert event.changes == {
        "due_at": ["2024-03-14", "2024-06-14"],
        "delivery_owner": ["Trần Thị Bình", "Phạm Minh Dũng"],
        "delivery_department": ["service", "production"],
    }
