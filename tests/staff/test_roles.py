"""What a staff member's role and department decide."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from aftersale.staff.models import Role, User


@pytest.mark.parametrize("role,is_admin", [("admin", True), ("manager", False), ("member", False)])
def test_it_gives_only_admins_the_django_admin(owner, role, is_admin):
    owner.role = role
    owner.save()
    assert owner.is_staff is is_admin
    assert User.objects.get(pk=owner.pk).is_superuser is is_admin


def test_it_refuses_a_staff_member_without_a_department(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=owner.pk).update(department="")
    User.objects.filter(pk=owner.pk).update(role="", department="")  # no role: no department needed
    assert not User.objects.staff().filter(pk=owner.pk).exists()


def test_it_counts_only_active_people_with_a_role_as_vendor_staff(owner, contact):
    assert owner.is_vendor_staff and not contact.user.is_vendor_staff
    owner.is_active = False
    owner.save()
    assert not owner.is_vendor_staff and not owner.is_manager
    owner.is_active = True
    owner.role = Role.MANAGER
    owner.save()
    assert owner.is_manager
