from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aftersale.purchasing.models import IncomingInspection, Purchase, PurchasingEffort


def test_it_refuses_a_customer_as_the_supplier(account):
    inspection = IncomingInspection(account=account, received_on=date(2026, 1, 5), lots_received=3)
    with pytest.raises(ValidationError) as error:
        inspection.full_clean()
    assert "account" in error.value.message_dict


def test_it_refuses_more_lots_inspected_than_received(supplier):
    inspection = IncomingInspection(
        account=supplier, received_on=date(2026, 1, 5), lots_received=3, lots_inspected=4
    )
    with pytest.raises(ValidationError) as error:
        inspection.full_clean()
    assert "lots_inspected" in error.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        inspection.save()


def test_it_refuses_more_lots_rejected_than_inspected(supplier):
    with transaction.atomic(), pytest.raises(IntegrityError):
        IncomingInspection.objects.create(
            account=supplier, received_on=date(2026, 1, 5), lots_received=3, lots_inspected=1,
            lots_rejected=2,
        )


def test_it_refuses_a_period_that_ends_before_it_starts(supplier):
    effort = PurchasingEffort(
        account=supplier, period_start=date(2026, 2, 1), period_end=date(2026, 1, 1),
        staff_hours=Decimal("10"), purchase_value=Decimal("1000"),
    )
    with pytest.raises(ValidationError) as error:
        effort.full_clean()
    assert "period_end" in error.value.message_dict


def test_it_counts_bids_and_requotes_as_pressure(supplier):
    purchase = Purchase(account=supplier, ordered_on=date(2026, 1, 5), value=Decimal("5"),
                        competing_bids=2, requotes=1)
    assert purchase.pressure == 3


def test_it_shows_portal_contacts_no_supplier_rows(supplier, other_contact, owner):
    IncomingInspection.objects.create(account=supplier, received_on=date(2026, 1, 5), lots_received=3)
    assert IncomingInspection.objects.restrict(owner).count() == 1
    assert IncomingInspection.objects.restrict(other_contact.user).count() == 0
