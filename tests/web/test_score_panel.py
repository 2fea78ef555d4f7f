"""One score panel: the account page, its in-place refresh and the health page show the
same panel, built by one function from the scan's own evaluation."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from aftersale.health.models import HealthSnapshot
from aftersale.health.signals import registry
from aftersale.promises.actions import do_record_promise

HTMX = {"HTTP_HX_REQUEST": "true"}
NOW = timezone.make_aware(timezone.datetime(2026, 6, 15, 10, 0))


def overdue_promise(account, owner) -> None:
    today = timezone.localdate()
    do_record_promise(account=account, by=owner, description="Send the spare drive", stage="after_sale",
                      made_at=today - timedelta(days=40), made_by=owner, made_by_department="sales",
                      due_at=today - timedelta(days=10), delivery_owner=owner, delivery_department="sales")


def scans(account, *scores: float) -> None:
    today = timezone.localdate()
    for days, score in zip(range(30 * (len(scores) - 1), -1, -30), scores, strict=True):
        HealthSnapshot.objects.create(account=account, as_of=today - timedelta(days=days),
                                      computed_at=timezone.now(), score=score, band="watch", coverage=1)


def panel(html: str) -> str:
    start = html.index('<section class="card" id="health"')
    return html[start:html.index("</section>", start)]


@time_machine.travel(NOW, tick=False)
def test_it_shows_the_same_panel_on_the_account_page_its_refresh_and_the_health_page(
    owner_client, account, owner
):
    overdue_promise(account, owner)
    scans(account, 40.0, 55.0, 60.0)
    on_account = owner_client.get(reverse("account_detail", args=[account.pk]))
    refreshed = owner_client.get(reverse("account_score", args=[account.pk]), **HTMX)
    on_health = owner_client.get(reverse("account_health", args=[account.pk]))
    for response in (on_account, refreshed, on_health):
        assert response.status_code == 200
        html = panel(response.content.decode())
        health = response.context["health"]
        assert f'<span id="score-value">{health.rounded_score}</span>' in html
        assert health.band_label in html and "Coverage" in html and "Trend" in html
        # The reasons link to the records behind them.
        for name in health.reasons:
            definition = registry.get(name)
            assert f'<a href="{escape(definition.events_url(account.pk))}">{definition.label}</a>' in html
        # The score history, drawn from the three stored scans.
        assert len(response.context["spark"].lines[0].points) == 3 and "3 scans" in html
        assert "Every signal" in html
    assert panel(on_account.content.decode()) == panel(refreshed.content.decode())
    # The health page also lists the alert conditions that hold, and opens the signals.
    health_page = panel(on_health.content.decode())
    assert "<h3>Alerts</h3>" in health_page and "<details open>" in health_page
    assert "<h3>Alerts</h3>" not in panel(on_account.content.decode())


@time_machine.travel(NOW, tick=False)
def test_it_draws_the_history_only_up_to_the_date_asked_for(owner_client, account):
    scans(account, 40.0, 55.0, 60.0)
    as_of = (timezone.localdate() - timedelta(days=30)).isoformat()
    response = owner_client.get(reverse("account_health", args=[account.pk]), {"as_of": as_of})
    assert len(response.context["spark"].lines[0].points) == 2


@time_machine.travel(NOW, tick=False)
def test_it_says_when_there_is_no_history_yet(owner_client, account):
    response = owner_client.get(reverse("account_detail", args=[account.pk]))
    assert "the sparkline appears after two scans" in panel(response.content.decode())


@time_machine.travel(NOW, tick=False)
def test_it_is_in_vietnamese_with_dates_and_numbers_to_match(owner_client, account):
    scans(account, 40.0, 55.0)
    owner_client.cookies["django_language"] = "vi"
    html = panel(owner_client.get(reverse("account_detail", args=[account.pk]),
                                  HTTP_ACCEPT_LANGUAGE="vi").content.decode())
    assert "Sức khỏe" in html or "Sức khoẻ" in html
    with translation.override("vi"):
        as_of = date_format(timezone.localtime(NOW), "SHORT_DATETIME_FORMAT")
        first = date_format(NOW.date() - timedelta(days=30), "SHORT_DATE_FORMAT")
    assert as_of in html and first in html
    assert "Healthy from" not in html and "scans" not in html
