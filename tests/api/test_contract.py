"""The OpenAPI contract, checked by schemathesis against the running API.

For every operation schemathesis generates valid and invalid requests from the
schema and checks that none gets a server error, that every status code is
documented and that every response body matches its documented schema. The
database is seeded so that reads find rows; ids it makes up mostly get 404s,
which must be documented too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from aftersale.accounts.models import Contact
from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import AlertKind
from aftersale.api.tokens import do_issue_token
from aftersale.commerce.models import Order, OrderLine, Product
from aftersale.engagement.models import Touchpoint
from aftersale.health.scan import refresh_account
from aftersale.promises.models import Promise
from aftersale.reviews.models import CompetitorRating, RelationshipReview
from aftersale.service.models import Asset, ServiceCase
from tests.alerts.examples import silent

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler())

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Calls go straight to the WSGI handler, whose request signals would close the
    connection that holds the test's transaction (Django's test client disconnects them too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(manager, owner, account, other_account, contact) -> str:
    """A small portfolio with one row of everything; returns a manager's token."""
    now = datetime.now(UTC)
    product = Product.objects.create(external_id="P-1", name="Press", kind="equipment")
    order = Order.objects.create(account=account, placed_at=now, total=10, external_id="O-1")
    OrderLine.objects.create(order=order, product=product, quantity=1, unit_price=10)
    Asset.objects.create(account=account, product=product, serial="S-1", external_id="A-1")
    ServiceCase.objects.create(account=account, kind="repair", title="Leak", opened_at=now, external_id="K-1")
    Touchpoint.objects.create(account=account, occurred_at=now, kind="visit", initiated_by="vendor",
                              minutes=30, topic="planning", external_id="T-1")
    Promise.objects.create(account=account, description="Train", stage="sale", made_at=date.today(),
                           made_by=owner, made_by_department="sales", due_at=date.today() + timedelta(days=9),
                           delivery_owner=owner, delivery_department="service", external_id="PR-1")
    review = RelationshipReview.objects.create(account=account, reviewer=owner, held_at=date.today())
    CompetitorRating.objects.create(review=review, attribute="price", score=4)
    raise_alert(kind=AlertKind.SILENCE, account=account, params=silent(), at=now)
    Contact.objects.create(account=other_account, name="Someone", external_id="C-2")
    refresh_account(account.pk)
    return do_issue_token(manager)[1]


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_it_keeps_the_api_contract(case, seeded):
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded}"}, checks=CHECKS)
