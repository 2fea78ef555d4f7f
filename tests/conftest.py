"""Named people and accounts shared by every test.

``owner`` owns ``account``; ``colleague`` is staff in production; ``manager``
sees everything; ``other_contact`` is a portal contact of ``other_account`` and
must never see anything of ``account``.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models.signals import post_migrate
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from aftersale.accounts.models import Account, AccountKind, Contact, Industry, Tier
from aftersale.core.enums import Department
from aftersale.staff.models import Role, User

PASSWORD = "correct horse battery staple"

# Property tests check what is computed, not how fast: on a shared two-core
# machine (CI, or four suites at once) Hypothesis's timing checks fail tests
# that are correct. Same number of examples, no deadline, no too_slow check.
hypothesis_settings.register_profile(
    "aftersale", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("aftersale")


def restore_migrated_rows(sender, **kwargs) -> None:
    """A transactional test (``transaction=True``) ends by flushing every table, the rows
    the data migrations wrote included, and the tests that run after it in the same worker
    expect them (the default service targets, the Vietnamese holidays). Django sends
    ``post_migrate`` after that flush: write them again, as the migrations did (both
    skip what is already there)."""
    if sender.label == "service":
        import_module("aftersale.service.migrations.0004_default_service_targets").create_targets(apps, None)
        import_module("aftersale.service.migrations.0005_vietnam_holidays").load(apps, None)


post_migrate.connect(restore_migrated_rows, dispatch_uid="tests.restore_migrated_rows")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL's concurrency; skip them on SQLite."""
    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs it there)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def make_user(email: str, name: str, department: str = "", role: str = "") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, name=name, department=department, role=role
    )


@pytest.fixture
def owner(db) -> User:
    return make_user("owner@vendor.test", "Olivia Owner", Department.SALES, Role.MEMBER)


@pytest.fixture
def colleague(db) -> User:
    return make_user("colleague@vendor.test", "Pham Van Cong", Department.PRODUCTION, Role.MEMBER)


@pytest.fixture
def manager(db) -> User:
    return make_user("manager@vendor.test", "Mai Manager", Department.MANAGEMENT, Role.MANAGER)


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin@vendor.test", "Ada Admin", Department.MANAGEMENT, Role.ADMIN)


@pytest.fixture
def account(owner) -> Account:
    return Account.objects.create(
        external_id="ACC-1", name="Công ty Cơ khí Hà Nội", kind=AccountKind.CUSTOMER,
        industry=Industry.CAPITAL_EQUIPMENT, tier=Tier.KEY, owner=owner,
    )


@pytest.fixture
def other_account(colleague) -> Account:
    return Account.objects.create(
        external_id="ACC-2", name="Other Bank", kind=AccountKind.CUSTOMER,
        industry=Industry.FINANCIAL_SERVICES, tier=Tier.STANDARD, owner=colleague,
    )


def make_portal_contact(account: Account, email: str, name: str) -> Contact:
    user = make_user(email, name)
    return Contact.objects.create(
        account=account, name=name, email=email, user=user, portal_enabled=True
    )


@pytest.fixture
def contact(account) -> Contact:
    """A portal contact of ``account``."""
    return make_portal_contact(account, "buyer@customer.test", "Nguyễn Thị Lan")


@pytest.fixture
def other_contact(other_account) -> Contact:
    """A portal contact of another customer: must see nothing of ``account``."""
    return make_portal_contact(other_account, "snoop@other.test", "Sam Snoop")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in the default language, whatever an earlier test activated
    (translation.activate is per thread and would leak into the next test)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
