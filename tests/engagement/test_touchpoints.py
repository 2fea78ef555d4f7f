"""One rule set for a touchpoint, whoever logs it: the full page, the account page's quick
dialog, the API and a CSV import all call ``check_touchpoint`` (through the form, the
action or the import's check), so each refuses the same touchpoints with the same words."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aftersale.api.tokens import do_issue_token
from aftersale.engagement.actions import MAX_MINUTES, do_log_touchpoint
from aftersale.engagement.models import Touchpoint
from aftersale.imports.engine import import_file
from tests.api.conftest import ApiClient

NOW = timezone.make_aware(datetime(2026, 6, 15, 10, 0))
FUTURE = "A touchpoint cannot be in the future."
TOO_LONG = "A touchpoint lasts at most a day (1,440 minutes)."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def form_data(when: datetime, minutes: int, **extra) -> dict:
    return {"occurred_at": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"), "kind": "visit",
            "initiated_by": "vendor", "minutes": str(minutes), "topic": "planning", **extra}


def page_errors(client, account, when: datetime, minutes: int) -> dict[str, list[str]]:
    """The full page's and the dialog's errors (the same), or {} when both logged it."""
    found = []
    for name, headers in (("log_touchpoint", {}), ("quick_touchpoint", HTMX)):
        response = client.post(reverse(name, args=[account.pk]), form_data(when, minutes), **headers)
        found.append(dict(response.context["form"].errors) if response.status_code == 200 else {})
    assert found[0] == found[1]
    return found[0]


def api_errors(owner, client, account, when: datetime, minutes: int) -> dict[str, list[str]]:
    api = ApiClient(client, do_issue_token(owner, name="tests")[1])
    response = api.post("/api/touchpoints", {
        "account": account.pk, "occurred_at": when.isoformat(), "kind": "visit",
        "initiated_by": "vendor", "minutes": minutes, "topic": "planning"})
    if response.status_code == 201:
        return {}
    assert response.status_code == 422, response.content
    errors: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        errors.setdefault(error["field"], []).append(error["message"])
    return errors


def import_errors(account, when: datetime, minutes: int) -> dict[str, list[str]]:
    row = (f"TP-{minutes}-{when:%H%M},{account.external_id},{when.isoformat()},visit,vendor,{minutes},"
           "planning,,")
    header = "external_id,account,occurred_at,kind,initiated_by,minutes,topic,staff_email,department\n"
    result = import_file("touchpoints", io.BytesIO((header + row + "\n").encode()))
    errors: dict[str, list[str]] = {}
    for problem in result.problems:
        errors.setdefault(problem.column, []).append(problem.message)
    return errors


@pytest.mark.parametrize(("later", "minutes", "expected"), [
    (timedelta(hours=-1), 60, {}),
    (timedelta(minutes=4), MAX_MINUTES, {}),  # a clock a little ahead of the server's
    (timedelta(hours=-1), MAX_MINUTES + 1, {"minutes": [TOO_LONG]}),
    (timedelta(hours=2), 30, {"occurred_at": [FUTURE]}),
])
def test_it_refuses_the_same_touchpoints_everywhere(owner_client, client, owner, account, later, minutes,
                                                    expected):
    when = NOW + later
    assert page_errors(owner_client, account, when, minutes) == expected
    assert import_errors(account, when, minutes) == expected
    api = api_errors(owner, client, account, when, minutes)
    if "minutes" in expected:
        # The API's schema refuses it before the form (its documented maximum is the same).
        assert list(api) == ["minutes"] and "1440" in api["minutes"][0]
    else:
        assert api == expected
    logged = Touchpoint.objects.filter(account=account, minutes=minutes).count()
    assert logged == (0 if expected else 4)  # page, dialog, import, API


def test_it_records_each_participants_department_and_only_the_accounts_people(
    owner, colleague, manager, account, contact, other_contact
):
    base = {"account": account, "by": owner, "occurred_at": NOW, "kind": "meeting",
            "initiated_by": "customer", "minutes": 45, "topic": "training"}
    touchpoint = do_log_touchpoint(**base, participants=[colleague, manager], contacts=[contact],
                                   department="service", departments={manager.pk: "sales"},
                                   external_id="CAL-1")
    assert touchpoint.external_id == "CAL-1" and list(touchpoint.contacts.all()) == [contact]
    assert dict(touchpoint.participants.values_list("user__email", "department")) == {
        colleague.email: "service", manager.email: "sales"}
    default = do_log_touchpoint(**base, participants=[colleague])
    assert default.participants.get().department == colleague.department
    with pytest.raises(ValidationError) as refused:
        do_log_touchpoint(**{**base, "topic": "gossip"}, contacts=[other_contact], department="nowhere")
    assert set(refused.value.message_dict) == {"contacts", "department", "topic"}
    assert Touchpoint.objects.count() == 2
