"""Export then import into an empty database gives back exactly the same data, for every kind."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Order, Product
from aftersale.engagement.models import TopicClass, Touchpoint, TouchpointParticipant
from aftersale.imports.kinds import KINDS
from aftersale.promises.models import Promise, PromiseEvent
from aftersale.service.models import Asset, CaseStatus, ServiceCase
from aftersale.staff.models import Role, User
from tests.imports.conftest import DATA, export_text, run_import

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# Children first, so nothing protected is deleted before what refers to it.
EVERYTHING: tuple[type[Model], ...] = (
    PromiseEvent, Promise, TouchpointParticipant, Touchpoint, ServiceCase, Asset, Order, Contact,
    Account, Product, User,
)


def empty_the_database() -> None:
    for model in EVERYTHING:
        model.objects.all().delete()


def test_it_round_trips_every_kind_through_an_empty_database(portfolio):
    exported = {kind: export_text(kind) for kind in KINDS}
    empty_the_database()
    for kind, text in exported.items():
        result = run_import(kind, text)
        assert result.ok, [str(p) for p in result.problems]
        assert result.created == text.count("\n") - 1
    assert {kind: export_text(kind) for kind in KINDS} == exported


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_exports_the_columns_the_import_reads(portfolio, kind):
    header = export_text(kind).splitlines()[0]
    assert header == ",".join(KINDS[kind].column_names)


def test_it_exports_what_the_sample_files_say(portfolio):
    # Sample orders: date-only and naive values are in our time zone, offsets kept.
    assert export_text("orders").splitlines()[1:] == [
        "ORD-1001,ACC-001,2023-03-14T00:00:00+07:00,2500000000.00,rep",
        "ORD-1002,ACC-001,2023-09-02T10:30:00+07:00,85000000.50,phone",
        "ORD-1003,ACC-002,2024-01-15T08:00:00+07:00,15000000.00,portal",
        "ORD-1004,ACC-001,2024-06-30T09:00:00+07:00,2400000.00,edi",
        "ORD-1005,ACC-003,2024-07-01T00:00:00+07:00,0.00,rep",
    ]


def test_it_keeps_vietnamese_text_intact(portfolio):
    account = Account.objects.get(external_id="ACC-001")
    assert account.name == "Công ty Cổ phần Cơ khí Đông Á"
    assert User.objects.get(email="an.nguyen@vendor.test").name == "Nguyễn Văn An"
    assert "Công ty Cổ phần Cơ khí Đông Á" in export_text("accounts")
    assert 'đào tạo ""tại chỗ""' in export_text("promises")


def test_it_reads_a_file_with_a_byte_order_mark(portfolio):
    assert (DATA / "accounts.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert Account.objects.count() == 4
    assert Account.objects.get(external_id="ACC-001").tier == "strategic"


def test_it_stores_each_kind_as_the_model_expects(portfolio):
    staff = User.objects.get(email="cuong.le@vendor.test")
    assert staff.role == Role.MEMBER  # an empty role means member
    assert not staff.has_usable_password()
    manager = User.objects.get(email="an.nguyen@vendor.test")
    assert manager.role == Role.MANAGER and not manager.is_superuser
    # Owner e-mails match case-insensitively.
    assert Account.objects.get(external_id="ACC-002").owner == manager
    assert Contact.objects.get(external_id="CON-002").email == ""
    assert Product.objects.get(external_id="PRD-SPINDLE").list_price == Decimal("85000000.50")
    assert Product.objects.get(external_id="PRD-TRAIN").life_years is None
    order = Order.objects.get(external_id="ORD-1004")
    assert order.placed_at == datetime(2024, 6, 30, 9, 0, tzinfo=HCM)
    assert order.currency == order.account.currency
    assert Asset.objects.get(external_id="AST-003").installed_at is None
    case = ServiceCase.objects.get(external_id="CASE-001")
    assert case.status == CaseStatus.RESOLVED and case.title
    assert ServiceCase.objects.get(external_id="CASE-002").status == CaseStatus.IN_PROGRESS
    assert ServiceCase.objects.get(external_id="CASE-003").status == CaseStatus.NEW
    assert ServiceCase.objects.get(external_id="CASE-003").is_complaint is False


def test_it_adds_the_touchpoint_participant_the_row_names(portfolio):
    visit = Touchpoint.objects.get(external_id="TP-001")
    assert visit.topic_class == TopicClass.COLLABORATIVE
    assert list(visit.participants.values_list("user__email", "department")) == [
        ("cuong.le@vendor.test", "engineering")
    ]
    # Without a department, the person's own.
    call = Touchpoint.objects.get(external_id="TP-002")
    assert call.topic_class == TopicClass.TRANSACTIONAL
    assert list(call.participants.values_list("user__email", "department")) == [
        ("binh.tran@vendor.test", "service")
    ]
    # A department without a person, and neither.
    assert list(Touchpoint.objects.get(external_id="TP-003").participants.values_list(
        "user", "department")) == [(None, "sales")]
    assert not Touchpoint.objects.get(external_id="TP-004").participants.exists()


def test_it_records_promises_with_their_history(portfolio):
    kept = Promise.objects.get(external_id="PRM-001")
    assert kept.status == "kept"
    assert kept.delivered_at == kept.closed_at
    event = PromiseEvent.objects.get(promise=kept)
    assert event.action == "recorded"
    assert event.changes["made_by"] == [None, "Nguyễn Văn An"]
    assert event.changes["due_at"] == [None, "2023-05-01"]
    assert Promise.objects.get(external_id="PRM-003").delivered_at is None
