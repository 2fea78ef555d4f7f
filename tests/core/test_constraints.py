"""The invariants the database itself enforces, whatever code writes the rows."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from aftersale.commerce.models import Order, Product
from aftersale.core.enums import Department
from aftersale.engagement.models import Topic, TopicClass, Touchpoint
from aftersale.promises.models import Promise, Stage
from aftersale.reviews.models import TrustRating
from aftersale.service.models import Asset, MaintenancePlan, ServiceCase, WorkLog

OPENED = datetime(2026, 3, 2, 9, tzinfo=UTC)


def violates(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def promise(account, owner, colleague, **kwargs):
    fields = dict(
        account=account, description="Deliver the press by March", stage=Stage.SALE,
        made_at=date(2026, 1, 10), made_by=owner, made_by_department=Department.SALES,
        due_at=date(2026, 3, 1), delivery_owner=colleague,
        delivery_department=Department.PRODUCTION,
    )
    fields.update(kwargs)
    return Promise.objects.create(**fields)


def test_it_refuses_a_promise_due_before_it_was_made(account, owner, colleague):
    assert violates(lambda: promise(account, owner, colleague, due_at=date(2026, 1, 9)))
    assert not violates(lambda: promise(account, owner, colleague, due_at=date(2026, 1, 10)))


def test_it_refuses_a_promise_closed_before_it_was_made(account, owner, colleague):
    assert violates(lambda: promise(account, owner, colleague, closed_at=date(2025, 12, 1)))


def test_it_refuses_a_case_resolved_before_it_was_opened(account):
    def make(**kwargs):
        return ServiceCase.objects.create(
            account=account, kind="repair", title="Hydraulic leak", opened_at=OPENED, **kwargs
        )

    assert violates(lambda: make(resolved_at=datetime(2026, 3, 1, tzinfo=UTC)))
    assert violates(lambda: make(first_response_at=datetime(2026, 3, 1, tzinfo=UTC)))
    assert not violates(lambda: make(resolved_at=datetime(2026, 3, 3, tzinfo=UTC)))


def test_it_refuses_negative_hours_and_costs(account, colleague):
    def log(**kwargs):
        fields = dict(account=account, user=colleague, department=Department.SERVICE,
                      worked_on=date(2026, 3, 1), hours=Decimal("1"))
        fields.update(kwargs)
        return WorkLog.objects.create(**fields)

    assert violates(lambda: log(hours=Decimal("-1")))
    assert violates(lambda: log(parts_cost=Decimal("-0.01")))
    assert violates(lambda: log(travel_cost=Decimal("-5")))
    assert not violates(lambda: log())


def test_it_refuses_negative_amounts_and_minutes(account):
    assert violates(lambda: Order.objects.create(
        account=account, placed_at=OPENED, total=Decimal("-1")))
    assert violates(lambda: Product.objects.create(
        name="Press", kind="equipment", list_price=Decimal("-10")))
    assert violates(lambda: Touchpoint.objects.create(
        account=account, occurred_at=OPENED, kind="call", initiated_by="vendor", minutes=-5,
        topic=Topic.PRICE))


def test_it_classes_touchpoint_topics(account):
    price = Touchpoint.objects.create(account=account, occurred_at=OPENED, kind="call",
                                      initiated_by="customer", minutes=30, topic=Topic.PRICE)
    training = Touchpoint.objects.create(account=account, occurred_at=OPENED, kind="visit",
                                         initiated_by="vendor", minutes=90, topic=Topic.TRAINING)
    assert price.topic_class == TopicClass.TRANSACTIONAL
    assert training.topic_class == TopicClass.COLLABORATIVE


def test_it_keeps_serials_unique_per_product(account):
    press = Product.objects.create(name="Press P-200", kind="equipment")
    Asset.objects.create(account=account, product=press, serial="SN-1")
    assert violates(lambda: Asset.objects.create(account=account, product=press, serial="SN-1"))


def test_it_needs_a_maintenance_plan_for_an_asset_or_a_product(account):
    press = Product.objects.create(name="Press P-200", kind="equipment")
    asset = Asset.objects.create(account=account, product=press, serial="SN-1")
    assert violates(lambda: MaintenancePlan.objects.create(name="x", interval_days=90))
    assert violates(lambda: MaintenancePlan.objects.create(
        name="x", interval_days=90, asset=asset, product=press))
    assert violates(lambda: MaintenancePlan.objects.create(name="x", interval_days=0, asset=asset))
    assert not violates(lambda: MaintenancePlan.objects.create(
        name="x", interval_days=90, asset=asset))


def test_it_keeps_trust_on_its_scale(account):
    def rate(trust):
        return TrustRating.objects.create(account=account, direction="to_us",
                                          rated_at=date(2026, 1, 1), trust=Decimal(trust))

    assert violates(lambda: rate("0.5"))
    assert violates(lambda: rate("5.5"))
    assert not violates(lambda: rate("4.25"))


def test_it_gives_every_row_an_external_id(account):
    order = Order.objects.create(account=account, placed_at=OPENED, total=Decimal("10"))
    assert order.external_id.startswith("AS-")
    assert violates(lambda: Order.objects.create(
        account=account, placed_at=OPENED, total=Decimal("1"), external_id=order.external_id))
