"""Portal fixtures: a small world for ``account`` (whose contact signs in) and the same for
``other_account`` (whose ``other_contact`` must reach none of it).

Each world has a press with a part and a consumable that fit it, an order,
an open case with a public and an internal comment and files from both
sides, our promises (and one made to us), a shared plan with an item on each
side, an unshared plan and an expectation. Strings marked SECRET must never
appear in any portal page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Channel, Order, OrderLine, Product, ProductKind
from aftersale.core.enums import Department, Direction
from aftersale.promises.models import Promise, Stage
from aftersale.reviews.models import Expectation, JointPlan, JointPlanItem, Side
from aftersale.service import actions as service
from aftersale.service.models import Asset, CaseAttachment, CaseComment, MaintenancePlan, ServiceCase
from aftersale.staff.models import User

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n% a test file\n"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=HCM)


NOW = at(2026, 5, 12)  # a Tuesday, inside working hours


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def catalogue(db) -> dict[str, Product]:
    return make_catalogue()


def make_catalogue() -> dict[str, Product]:
    """A press and a lathe, parts and a consumable that fit them, a service, a retired part."""
    press = Product.objects.create(external_id="P-PRESS", name="Hydraulic press HP-200",
                                   kind=ProductKind.EQUIPMENT, list_price=Decimal("850000000"),
                                   unit_cost=Decimal("600000000"))
    lathe = Product.objects.create(external_id="P-LATHE", name="CNC lathe L-5",
                                   kind=ProductKind.EQUIPMENT, list_price=Decimal("990000000"))
    seal = Product.objects.create(external_id="P-SEAL", name="Press seal kit", kind=ProductKind.PART,
                                  list_price=Decimal("1250000"), unit_cost=Decimal("400000"))
    oil = Product.objects.create(external_id="P-OIL", name="Hydraulic oil 20 l",
                                 kind=ProductKind.CONSUMABLE, list_price=Decimal("2100000"),
                                 unit_cost=Decimal("1500000"))
    chuck = Product.objects.create(external_id="P-CHUCK", name="Lathe chuck", kind=ProductKind.PART,
                                   list_price=Decimal("7000000"))
    training = Product.objects.create(external_id="P-TRAIN", name="Operator training day",
                                      kind=ProductKind.SERVICE, list_price=Decimal("9000000"))
    retired = Product.objects.create(external_id="P-OLD", name="Old gasket", kind=ProductKind.PART,
                                     list_price=Decimal("100000"), is_active=False)
    seal.fits.add(press)
    oil.fits.add(press)
    chuck.fits.add(lathe)
    retired.fits.add(press)
    return {"press": press, "lathe": lathe, "seal": seal, "oil": oil, "chuck": chuck,
            "training": training, "retired": retired}


@dataclass
class World:
    account: Account
    contact: Contact
    asset: Asset
    plan: MaintenancePlan
    order: Order
    case: ServiceCase
    contact_file: CaseAttachment
    staff_file: CaseAttachment
    promise: Promise
    promise_to_us: Promise
    shared_plan: JointPlan
    their_item: JointPlanItem
    our_item: JointPlanItem
    hidden_plan: JointPlan
    expectation: Expectation


def build_world(account: Account, contact: Contact, staff: User, catalogue: dict[str, Product],
                tag: str, today: date | None = None) -> World:
    """Everything of one account, with ``tag`` in its visible texts, dated around ``today``
    (the tests' frozen day unless given)."""
    today = today or NOW.date()

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    def moment(offset: int) -> datetime:
        return datetime.combine(day(offset), time(10), tzinfo=HCM)

    press = catalogue["press"]
    asset = Asset.objects.create(
        external_id=f"A-{tag}", account=account, product=press, serial=f"SN-{tag}",
        location="Hall 1", installed_at=day(-437), warranty_until=day(293),
    )
    plan = MaintenancePlan.objects.create(asset=asset, name=f"Half-yearly check {tag}", interval_days=182,
                                          last_done_at=day(-192), next_due_at=day(-10))
    order = Order.objects.create(
        external_id=f"O-{tag}", account=account, placed_at=moment(-98), total=Decimal("4600000"),
        currency=account.currency, channel=Channel.REP, taken_by=staff,
    )
    for product, quantity in (("seal", 2), ("oil", 1)):
        OrderLine.objects.create(order=order, product=catalogue[product], quantity=quantity,
                                 unit_price=catalogue[product].list_price)
    case = service.do_open_case(
        account=account, kind="repair", title=f"Press leaks oil {tag}", by=staff, opened_at=moment(-8),
        severity="high", raised_by=contact, asset=asset, description=f"Leak under the cylinder {tag}",
    )
    case.internal_notes = f"SECRET internal note {tag}"
    case.save(update_fields=["internal_notes"])
    CaseComment.objects.create(case=case, author=staff, body=f"We will send a technician {tag}")
    CaseComment.objects.create(case=case, author=staff, body=f"SECRET internal comment {tag}",
                               is_internal=True)
    contact_file = service.do_add_attachment(
        case, upload=SimpleUploadedFile(f"photo-{tag}.pdf", PDF), by=contact.user
    )
    staff_file = service.do_add_attachment(
        case, upload=SimpleUploadedFile(f"SECRET-staff-{tag}.pdf", PDF), by=staff
    )
    common = {"account": account, "stage": Stage.SALE, "made_at": day(-122), "made_by": staff,
              "made_by_department": Department.SALES, "delivery_owner": staff,
              "delivery_department": Department.SERVICE}
    promise = Promise.objects.create(
        external_id=f"PR-{tag}", description=f"Train two operators {tag}", due_at=day(49),
        evidence=f"SECRET evidence {tag}", **common,
    )
    promise_to_us = Promise.objects.create(
        external_id=f"PR2-{tag}", description=f"SECRET their promise to us {tag}", due_at=day(49),
        direction=Direction.TO_US, **common,
    )
    shared_plan = JointPlan.objects.create(account=account, title=f"Uptime plan {tag}",
                                           period_start=day(-131), period_end=day(233))
    their_item = JointPlanItem.objects.create(plan=shared_plan, title=f"Name a shift lead {tag}",
                                              owner_side=Side.CUSTOMER, owner_contact=contact,
                                              due_at=day(20))
    our_item = JointPlanItem.objects.create(plan=shared_plan, title=f"Stock seal kits {tag}",
                                            owner_side=Side.US, owner_user=staff, due_at=day(20))
    hidden_plan = JointPlan.objects.create(account=account, title=f"SECRET account strategy {tag}",
                                           period_start=day(-131), period_end=day(233),
                                           shared_with_customer=False)
    JointPlanItem.objects.create(plan=hidden_plan, title=f"SECRET item {tag}", owner_side=Side.CUSTOMER)
    expectation = Expectation.objects.create(account=account, description=f"Answer within a day {tag}")
    return World(account, contact, asset, plan, order, case, contact_file, staff_file, promise,
                 promise_to_us, shared_plan, their_item, our_item, hidden_plan, expectation)


@pytest.fixture
def world(frozen, account, contact, owner, catalogue) -> World:
    return build_world(account, contact, owner, catalogue, "MINE")


@pytest.fixture
def other_world(frozen, other_account, other_contact, colleague, catalogue) -> World:
    return build_world(other_account, other_contact, colleague, catalogue, "THEIRS")


@pytest.fixture
def portal_client(client, contact):
    client.force_login(contact.user)
    return client
