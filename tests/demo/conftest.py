"""A demo portfolio loaded once per module, for tests that only read it.

Loading commits to the test database (it is removed again afterwards), so
the read-only tests of a module share one load instead of paying for it each.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from aftersale.demo.load import load_demo
from aftersale.demo.purge import delete_demo
from aftersale.service.models import ServiceTarget

AS_OF = date(2026, 6, 15)
SEED = 7


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The default demo (40 accounts) as of AS_OF; yields the load result."""
    with django_db_blocker.unblock():
        targets_before = set(ServiceTarget.objects.values_list("pk", flat=True))
        result = load_demo(accounts=40, seed=SEED, as_of=AS_OF)
        try:
            yield result
        finally:
            with transaction.atomic():
                delete_demo()
                ServiceTarget.objects.exclude(pk__in=targets_before).delete()
