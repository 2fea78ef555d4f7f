"""Step-in alerts from the scan: quiet_customer and silence carry a visit or call, and close
only when a two-way contact is logged after they opened."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aftersale.alerts.models import Alert, AlertKind
from aftersale.alerts.texts import render
from aftersale.engagement.models import InitiatedBy, Topic, Touchpoint, TouchpointKind
from aftersale.health.evaluate import evaluate, make_context
from aftersale.health.quietness.step_in import quiet_customer, silence
from aftersale.health.scan import refresh_account, run_scan
from aftersale.health.signals.registry import SignalValue

from .conftest import NOW, days_ago
from .quiet_fixtures import build_portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(owner, frozen):
    return build_portfolio(owner)


def contact(account, when, kind):
    return Touchpoint.objects.create(account=account, occurred_at=when, kind=kind,
                                     initiated_by=InitiatedBy.VENDOR, minutes=30, topic=Topic.PLANNING)


def open_step_in(account):
    return set(Alert.objects.open().filter(account=account).values_list("kind", flat=True)) & {
        AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER}


def test_it_gives_the_quiet_account_a_quiet_customer_alert_with_a_technical_visit(portfolio):
    run_scan()
    alert = Alert.objects.open().get(account=portfolio.quiet, kind=AlertKind.QUIET_CUSTOMER)
    assert alert.explanation.startswith("Raised 0 requests and complaints in the last 365 days")
    assert alert.action.startswith("Step in: the owner visits with a service engineer, checks the 2 machines")
    assert alert.needs_step_in
    assert not Alert.objects.filter(account__in=[portfolio.normal, portfolio.new, portfolio.idle],
                                    kind=AlertKind.QUIET_CUSTOMER).exists()


def silent(health, p=0.05, status="established"):
    """The contact rhythm as the fitted model would word an account gone silent."""
    health.values["contact_rhythm"] = SignalValue(p, {
        "status": status, "p_return": p, "expected_90": 0.1, "since_days": 300, "gap_days": 60,
        "insufficient_history": False,
    })


def test_it_gives_a_customer_that_stopped_reaching_out_a_silence_alert_with_a_step_in(portfolio):
    ctx = make_context(NOW, fits={})
    results = evaluate(ctx, None)
    peer, new = portfolio.peers[0], portfolio.new
    silent(results[peer.pk])
    silent(results[new.pk], p=0.01, status="new")  # too early to expect contact: never silent
    silent(results[portfolio.normal.pk], p=0.5)  # above SILENCE_P (0.2)
    wanted = silence(ctx, results)
    assert set(wanted) == {(peer.pk, "")}
    condition = wanted[(peer.pk, "")]
    text = render(AlertKind.SILENCE, condition.params)
    assert text.explanation == (
        "We have not heard from the customer for longer than its rhythm allows. The customer usually "
        "reaches out every 60 days; nothing for 300 days; chance it reaches out within the next 60 days: "
        "5%; 0.1 contacts expected in the next 90 days."
    )
    assert text.action.startswith("Step in: the owner visits with a service engineer")


def test_it_gives_suppliers_no_step_in_alert(portfolio):
    from aftersale.accounts.models import Account, AccountKind

    Account.objects.filter(pk=portfolio.quiet.pk).update(kind=AccountKind.SUPPLIER)
    ctx = make_context(NOW, fits={})
    results = evaluate(ctx, None)
    silent(results[portfolio.quiet.pk])
    assert (portfolio.quiet.pk, "") not in silence(ctx, results)
    assert (portfolio.quiet.pk, "") not in quiet_customer(ctx, results)


def test_it_asks_for_a_call_or_visit_by_its_owner_for_an_account_without_equipment(portfolio):
    ctx = make_context(NOW, fits={})
    results = evaluate(ctx, None)
    peer = portfolio.peers[3]  # the peers have machines; take them away for this one
    from aftersale.service.models import Asset

    Asset.objects.filter(account=peer).delete()
    silent(results[peer.pk])
    condition = silence(ctx, results)[(peer.pk, "")]
    assert condition.params["assets"] == 0
    assert render(AlertKind.SILENCE, condition.params).action == (
        "Step in: the owner calls or visits them and asks how things really are; "
        "log the call or visit to close this alert.")


def test_it_stays_open_after_an_email_but_closes_after_a_call_after_it_opened(portfolio, frozen):
    run_scan()
    assert open_step_in(portfolio.quiet) == {AlertKind.QUIET_CUSTOMER}
    frozen.shift(timedelta(days=1))
    contact(portfolio.quiet, days_ago(-0.5), TouchpointKind.EMAIL)
    refresh_account(portfolio.quiet.pk)
    assert open_step_in(portfolio.quiet) == {AlertKind.QUIET_CUSTOMER}
    contact(portfolio.quiet, days_ago(-0.9), TouchpointKind.CALL)
    refresh_account(portfolio.quiet.pk)
    alert = Alert.objects.get(account=portfolio.quiet, kind=AlertKind.QUIET_CUSTOMER)
    assert alert.resolved_at is not None
    # Still as quiet as before, but the owner has just talked with them: not raised again yet.
    frozen.shift(timedelta(days=7))
    run_scan()
    assert open_step_in(portfolio.quiet) == set()


def test_it_stays_open_after_a_contact_before_the_alert_opened(portfolio, frozen):
    contact(portfolio.quiet, days_ago(200), TouchpointKind.VISIT)
    run_scan()
    frozen.shift(timedelta(days=1))
    run_scan()
    assert open_step_in(portfolio.quiet) == {AlertKind.QUIET_CUSTOMER}


def test_it_stays_open_when_the_condition_stops_without_a_contact(portfolio, frozen):
    run_scan()
    frozen.shift(timedelta(days=1))
    # A changed setting (or a new fit) no longer calls the account quiet: nobody has talked
    # with the customer, so the alert stays.
    from django.test import override_settings

    with override_settings(AFTERSALE={"QUIET_FDR": 1e-9}):
        run_scan()
    assert open_step_in(portfolio.quiet) == {AlertKind.QUIET_CUSTOMER}


def test_it_checks_the_conditions_in_one_query_whatever_the_number_of_accounts(
    portfolio, django_assert_max_num_queries
):
    ctx = make_context(NOW, fits={})
    results = evaluate(ctx, None)
    with django_assert_max_num_queries(2):  # the settings are not a query; one for the candidates
        quiet_customer(ctx, results)
        silence(ctx, results)
