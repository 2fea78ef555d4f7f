"""The departments page computes each measure once, in the database; its figures must be
the ones the per-measure computation gave (``reference_rows`` below is that computation,
as the page ran it before), on a varied ledger and at several dates."""

import contextlib
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.core.enums import Department, Direction
from aftersale.engagement.actions import do_log_touchpoint
from aftersale.engagement.models import TouchpointParticipant
from aftersale.promises.actions import do_change_status, do_record_promise
from aftersale.promises.measures import promise_measures
from aftersale.service.measures import onsite_minutes_by_department
from aftersale.service.models import ServiceCase, WorkLog
from aftersale.web.departments import MONTHS, department_rows

pytestmark = pytest.mark.django_db


def reference_rows(as_of, months: int = MONTHS) -> list[dict]:
    since = timezone.localdate(as_of) - timedelta(days=round(months * 30.44))
    made = promise_measures(as_of, group_by="made_by_department", months=months)
    delivered = promise_measures(as_of, group_by="delivery_department", months=months)
    meeting = dict(
        TouchpointParticipant.objects.filter(
            touchpoint__occurred_at__date__gte=since, touchpoint__occurred_at__lte=as_of,
        ).values_list("department").annotate(m=Sum("touchpoint__minutes")).order_by()
    )
    onsite: dict[str, int] = {}
    for per_department in onsite_minutes_by_department(as_of, since=since).values():
        for department, minutes in per_department.items():
            onsite[department] = onsite.get(department, 0) + minutes
    cases = dict(
        WorkLog.objects.filter(case__isnull=False, worked_on__gte=since,
                               worked_on__lte=timezone.localdate(as_of))
        .values_list("department").annotate(n=Count("case", distinct=True)).order_by()
    )
    rows = []
    for code, _label in Department.choices:
        m, d = made.get(code), delivered.get(code)
        face = (meeting.get(code) or 0) + onsite.get(code, 0)
        rows.append({
            "code": code,
            "made": m.made if m else 0, "made_kept": m.kept if m else 0,
            "made_late": m.late if m else 0, "made_broken": m.broken if m else 0,
            "to_deliver": d.due if d else 0, "delivered_kept": d.kept if d else 0,
            "delivered_late": d.late if d else 0, "overdue": d.overdue if d else 0,
            "meeting_hours": (meeting.get(code) or 0) / 60, "onsite_hours": onsite.get(code, 0) / 60,
            "face_hours": face / 60, "cases": cases.get(code, 0),
        })
    return rows


NOW = timezone.now()
# The page's own moment, one 40 days back (events after it must not count), and one late
# in the evening 200 days back (touchpoints either side of the window's first midnight).
AS_OF = [NOW, NOW - timedelta(days=40),
         timezone.make_aware(datetime.combine(timezone.localdate(NOW) - timedelta(days=200), time(23, 30)))]


def midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def ledger(owner, colleague, manager):
    rng = random.Random(7)
    people = [owner, colleague, manager]
    departments = Department.values
    today = timezone.localdate(NOW)
    accounts = [Account.objects.create(name=f"Dept {i}", external_id=f"D-{i}", owner=people[i % 3])
                for i in range(6)]
    for i in range(70):
        made = today - timedelta(days=rng.randint(1, 520))
        due = made + timedelta(days=rng.randint(0, 90))
        promise = do_record_promise(
            account=rng.choice(accounts), by=owner, description=f"P{i}", stage="after_sale",
            made_at=made, made_by=rng.choice(people), made_by_department=rng.choice(departments),
            due_at=due, delivery_owner=rng.choice(people), delivery_department=rng.choice(departments),
            direction=Direction.TO_US if i % 9 == 0 else Direction.FROM_US, at=midnight(made),
        )
        for _step in range(rng.randint(0, 2)):
            if promise.status not in ("open", "renegotiated"):
                break
            moment = made + timedelta(days=rng.randint(0, max(0, (today - made).days)))
            fate = rng.choice(["kept", "late", "broken", "cancelled", "renegotiated"])
            values: dict = {"closed_at": moment}
            if fate in ("kept", "late"):
                values = {"delivered_at": moment, "evidence": "signed"}
            elif fate == "renegotiated":
                values = {"new_due_at": moment + timedelta(days=rng.randint(1, 60))}
            # Kept after the due date or late before it is refused: that fate does not apply.
            with contextlib.suppress(ValidationError):
                promise = do_change_status(promise, by=owner, status=fate, expected_version=promise.version,
                                           at=midnight(moment) + timedelta(hours=9), **values)
    # Touchpoints on both sides of each window's edges, one a day after NOW: logged a day
    # later still, since no touchpoint can be logged before it happened.
    with time_machine.travel(NOW + timedelta(days=2)):
        for as_of in AS_OF:
            since = timezone.localdate(as_of) - timedelta(days=round(MONTHS * 30.44))
            edges = (midnight(since) - timedelta(minutes=1), midnight(since), as_of, as_of + timedelta(1))
            for moment in edges:
                do_log_touchpoint(account=accounts[0], by=owner, occurred_at=moment, kind="visit",
                                  initiated_by="vendor", minutes=rng.randint(5, 240), topic="training",
                                  participants=[colleague, manager],
                                  departments={colleague.pk: "engineering", manager.pk: "sales"})
    for _i in range(60):
        do_log_touchpoint(account=rng.choice(accounts), by=owner, occurred_at=NOW - timedelta(
                          hours=rng.randint(1, 24 * 500)), kind="call", initiated_by="customer",
                          minutes=rng.randint(5, 120), topic="technical_support",
                          participants=rng.sample(people, rng.randint(1, 3)),
                          departments={p.pk: rng.choice(departments) for p in people})
    cases = [ServiceCase.objects.create(account=rng.choice(accounts), kind="repair", title=f"C{i}",
                                        opened_at=NOW - timedelta(days=rng.randint(0, 500)))
             for i in range(15)]
    for _i in range(150):
        case = rng.choice([None, *cases])
        WorkLog.objects.create(
            account=case.account if case else rng.choice(accounts), case=case, user=rng.choice(people),
            department=rng.choice(departments), worked_on=today - timedelta(days=rng.randint(0, 520)),
            hours=Decimal(rng.randint(1, 800)) / 100, on_site=rng.random() < 0.6,
        )


@pytest.mark.slow
def test_it_matches_every_figure_with_the_per_measure_computation(
    owner_client, ledger, django_assert_max_num_queries
):
    # The ledger is varied enough to compare: each figure is non-zero somewhere.
    rows = reference_rows(NOW) + reference_rows(AS_OF[1])
    for figure in ("made", "made_kept", "made_late", "made_broken", "to_deliver", "delivered_kept",
                   "delivered_late", "overdue", "meeting_hours", "onsite_hours", "cases"):
        assert any(row[figure] for row in rows), figure
    for as_of in AS_OF:
        assert department_rows(as_of) == reference_rows(as_of), as_of
    # The day's first view: session and user, the stored figures (none yet), one query
    # each for the promises, the touchpoints, the on-site work and the cases, then the
    # store (update_or_create: a savepoint for the look-up and one for the insert).
    with django_assert_max_num_queries(13):
        response = owner_client.get(reverse("departments"))
    shown = [{k: v for k, v in row.items() if k != "label"} for row in response.context["rows"]]
    assert shown == reference_rows(response.context["as_of"])
    labels = [str(label) for _, label in Department.choices]
    assert [row["label"] for row in response.context["rows"]] == labels
