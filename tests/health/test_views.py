"""The staff pages: how the score works, and one account's health; who may see them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftersale.health.models import HealthSettings, SignalWeight

from .conftest import day, promise

pytestmark = pytest.mark.django_db


def test_it_shows_every_signal_with_its_current_weight_on_the_model_page(owner_client):
    SignalWeight.objects.filter(signal="trust").update(weight=30)
    HealthSettings.objects.filter(pk=1).update(healthy_min=75)
    page = owner_client.get(reverse("health_model")).content.decode()
    assert "Trust ratings" in page and "Transactional face time" in page
    assert '<td class="num">30</td>' in page
    assert "score 75 or more" in page


def test_it_explains_the_score_on_the_account_health_page(owner_client, account, owner, frozen):
    promise(account, owner, due=day(10))
    response = owner_client.get(reverse("account_health", args=[account.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "0 of 1 promise due in the last 24 months kept on time; 1 overdue (due 2026-06-05)." in page
    assert "No earlier scan to compare with yet." in page
    assert "<html" in page


def test_it_gives_htmx_only_the_panel(owner_client, account, frozen):
    response = owner_client.get(reverse("account_health", args=[account.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'id="health"' in response.content.decode()


def test_it_reports_a_bad_as_of_rather_than_crashing(owner_client, account, frozen):
    response = owner_client.get(reverse("account_health", args=[account.pk]), {"as_of": "yesterday"})
    assert "&#x27;yesterday&#x27; is not a date" in response.content.decode()


def test_it_shows_portal_contacts_and_strangers_nothing(client, account, other_contact):
    assert client.get(reverse("health_model")).status_code == 302
    client.force_login(other_contact.user)
    assert client.get(reverse("health_model")).status_code == 403
    assert client.get(reverse("account_health", args=[account.pk])).status_code == 403


def test_it_answers_an_unknown_account_with_a_404(owner_client):
    assert owner_client.get(reverse("account_health", args=[999999])).status_code == 404


def test_it_refuses_settings_with_bands_in_the_wrong_order():
    row = HealthSettings.load()
    row.watch_min = 75
    with pytest.raises(ValidationError, match="The watch limit must be below the healthy limit."):
        row.full_clean()
    row.watch_min, row.transactional_trusted_share = 40, 0.6
    with pytest.raises(ValidationError, match="least trusted partners' share"):
        row.full_clean()


def test_it_requires_a_weight_to_name_a_registered_signal():
    with pytest.raises(ValidationError, match="There is no signal called silence_typo."):
        SignalWeight(signal="silence_typo", weight=5).full_clean()


def test_it_offers_settings_and_weights_in_the_admin_and_only_shows_engine_records():
    from django.contrib import admin

    from aftersale.health.models import HealthSnapshot

    registered = admin.site._registry
    assert {HealthSettings, SignalWeight, HealthSnapshot} <= set(registered)
    assert registered[SignalWeight].list_editable == ["weight"]
    assert registered[HealthSnapshot].has_change_permission(None) is False


def test_it_gives_weights_and_settings_their_documented_defaults():
    from aftersale.health.signals import registry

    weights = dict(SignalWeight.objects.values_list("signal", "weight"))
    assert weights == {d.name: d.default_weight for d in registry.all()}
    # The customer signals' weights add up to 100 (suppliers are scored by their own set).
    assert sum(w for name, w in weights.items() if registry.get(name).applies_to("customer")) == 100
    row = HealthSettings.load()
    assert (row.half_life_days, row.healthy_min, row.watch_min) == (180, 70, 50)
