"""The default demo portfolio: valid rows, every kind of record, every department."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count

from aftersale.accounts.models import Account, Contact
from aftersale.commerce.models import Order, OrderLine, Product
from aftersale.core.enums import Department
from aftersale.demo.builder import MODEL_ORDER
from aftersale.demo.catalogue import DEMO_PASSWORD, STAFF
from aftersale.demo.clock import VIETNAM
from aftersale.engagement.models import Idea, InfoShare, Touchpoint, TouchpointParticipant
from aftersale.promises.models import Promise, PromiseEvent, PromiseStatus
from aftersale.reviews.models import (
    CompetitorRating,
    Expectation,
    JointPlanItem,
    RelationshipReview,
    TrustRating,
)
from aftersale.service.models import Asset, MaintenancePlan, ServiceCase, WorkLog
from aftersale.staff.models import Role, User
from tests.demo.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_it_loads_forty_customers_and_a_few_suppliers(demo):
    demo_accounts = Account.objects.filter(external_id__startswith="DEMO-")
    assert demo_accounts.customers().count() == 40
    assert demo_accounts.suppliers().count() == 4
    industries = set(demo_accounts.customers().values_list("industry", flat=True))
    assert industries == {"capital_equipment", "financial_services", "consulting"}
    assert demo.dataset.accounts == 40
    assert demo.dataset.events == sum(
        m.objects.count() for m in (Order, Touchpoint, ServiceCase, WorkLog, Promise)
    )


def test_it_satisfies_every_database_constraint(demo):
    # Foreign keys are deferred on SQLite; check them now rather than at a commit.
    connection.check_constraints()


def test_it_makes_every_row_pass_model_validation(demo):
    """Choices, lengths and required fields: what SQLite does not enforce but PostgreSQL may."""
    for model in MODEL_ORDER:
        if model._meta.auto_created:
            continue
        # Foreign keys are checked above, in one go; here they would cost a query each.
        relations = [f.name for f in model._meta.fields if f.is_relation]
        rows = list(model.objects.order_by("pk"))
        for obj in rows[:: max(1, len(rows) // 60)]:
            obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def test_it_creates_logins_for_every_department_and_role(demo):
    staff = User.objects.filter(email__endswith="@demo.aftersale")
    assert set(staff.values_list("department", flat=True)) >= {
        d for d in Department.values if d != Department.PURCHASING
    }
    assert set(staff.values_list("role", flat=True)) == set(Role.values)
    admin = User.objects.get(email="admin@demo.aftersale")
    assert admin.check_password(DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff
    assert staff.count() == len(STAFF)


def test_it_gives_some_contacts_a_portal_login(demo):
    portal = Contact.objects.filter(portal_enabled=True, user__isnull=False)
    assert portal.count() >= 3
    for contact in portal:
        assert contact.user.check_password(DEMO_PASSWORD)
        assert not contact.user.role
        assert list(Account.objects.restrict(contact.user)) == [contact.account]


def test_it_covers_every_kind_of_record(demo):
    assert Order.objects.filter(lines__isnull=False).distinct().count() >= 20
    assert Product.objects.filter(
        kind="equipment", life_years__isnull=False, service_cost_per_year__gt=0
    ).exists()
    assert Product.objects.filter(kind="part", fits__kind="equipment").exists()
    kinds = set(Product.objects.values_list("kind", flat=True))
    assert kinds == {"equipment", "part", "consumable", "service"}
    assert MaintenancePlan.objects.filter(next_due_at__lt=AS_OF).exists()
    assert MaintenancePlan.objects.filter(next_due_at__gte=AS_OF).exists()
    assert Asset.objects.filter(warranty_until__isnull=False).exists()
    cases = ServiceCase.objects.all()
    assert cases.filter(is_complaint=True).exists()
    assert cases.filter(first_response_at__isnull=False, resolved_at__isnull=False).exists()
    assert cases.filter(resolution_breached=True).exists()
    assert cases.filter(resolved_at__isnull=True).exists()
    logs = WorkLog.objects.all()
    assert logs.filter(on_site=True, travel_cost__gt=0).exists()
    assert logs.filter(parts_cost__gt=0).exists()
    assert set(Promise.objects.values_list("status", flat=True)) >= {
        PromiseStatus.KEPT, PromiseStatus.LATE, PromiseStatus.BROKEN, PromiseStatus.OPEN,
    }
    # Renegotiated, then (in a world this small, usually) delivered or broken since.
    assert Promise.objects.filter(renegotiations__gt=0).exists()
    assert set(Idea.objects.values_list("direction", flat=True)) == {"from_us", "to_us"}
    assert set(TrustRating.objects.values_list("direction", flat=True)) == {"from_us", "to_us"}
    assert set(InfoShare.objects.values_list("direction", flat=True)) == {"from_us", "to_us"}
    assert CompetitorRating.objects.filter(competitor__isnull=False).exists()
    assert CompetitorRating.objects.filter(competitor__isnull=True).exists()
    assert RelationshipReview.objects.filter(outcome="deteriorating").exists()
    assert set(JointPlanItem.objects.values_list("owner_side", flat=True)) == {"us", "customer"}
    assert Expectation.objects.filter(met=False).exists()
    assert Account.objects.filter(competitors__isnull=False).exists()


def test_it_gives_every_promise_its_history(demo):
    without_history = Promise.objects.annotate(n=Count("events")).filter(n=0)
    assert not without_history.exists()
    renegotiated = Promise.objects.filter(renegotiations__gt=0).first()
    assert renegotiated.events.filter(action="renegotiated").exists()
    assert renegotiated.original_due_at is not None
    closed = Promise.objects.filter(status__in=PromiseStatus.delivered()).first()
    assert closed.events.filter(action=closed.status).exists()
    assert PromiseEvent.objects.filter(action="recorded").count() == Promise.objects.count()


def test_it_makes_touchpoints_come_from_every_department(demo):
    departments = set(TouchpointParticipant.objects.values_list("department", flat=True))
    assert departments >= {d for d in Department.values if d != Department.PURCHASING}
    assert Touchpoint.objects.filter(initiated_by="customer").exists()
    assert set(Touchpoint.objects.values_list("topic_class", flat=True)) == {
        "transactional", "collaborative", "other"
    }
    assert not Touchpoint.objects.filter(participants__isnull=True).exists()


def test_it_uses_vietnamese_and_english_names(demo):
    names = list(Account.objects.values_list("name", flat=True))
    assert "Công ty TNHH Cơ khí Đông Á" in names
    assert any(name.startswith("Công ty") for name in names if "DEMO" not in name)
    assert any(name.endswith(("Co., Ltd.", "JSC", "Corporation")) for name in names)
    assert Contact.objects.filter(name="Nguyễn Thị Lan").exists()


def test_it_makes_nothing_happen_on_or_after_the_as_of_date(demo):
    cutoff = VIETNAM.moment(AS_OF, 0)
    assert not Order.objects.filter(placed_at__gte=cutoff).exists()
    assert not Touchpoint.objects.filter(occurred_at__gte=cutoff).exists()
    assert not ServiceCase.objects.filter(opened_at__gte=cutoff).exists()
    assert not ServiceCase.objects.filter(resolved_at__gte=cutoff).exists()
    assert not WorkLog.objects.filter(worked_on__gte=AS_OF).exists()
    assert not Promise.objects.filter(made_at__gte=AS_OF).exists()
    assert not Promise.objects.filter(closed_at__gte=AS_OF).exists()
    assert not TrustRating.objects.filter(rated_at__gte=AS_OF).exists()
    assert not OrderLine.objects.filter(order__placed_at__gte=cutoff).exists()
