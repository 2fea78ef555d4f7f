"""The attention list page's links: where each alert's one-click action leads."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from aftersale.alerts.attention import Group
from aftersale.alerts.models import Alert

# By the prefix of the alert's subject: "promise:<id>", "case:<id>",
# "plan:<id>" (an asset's own plan) or "plan:<id>:asset:<id>" (a product-wide plan).
SUBJECT_URLS = {"promise": "promise_detail", "case": "service:case_detail", "asset": "service:asset_detail"}


def subject_url(alert: Alert) -> str | None:
    parts = alert.subject.split(":")
    if parts[0] == "plan":
        if len(parts) == 4 and parts[2] == "asset" and parts[3].isdigit():
            parts = parts[2:]
        else:
            return reverse("service:maintenance")
    if len(parts) != 2 or parts[0] not in SUBJECT_URLS or not parts[1].isdigit():
        return None
    try:
        return reverse(SUBJECT_URLS[parts[0]], args=[int(parts[1])])
    except NoReverseMatch:
        return None


def add_links(groups: list[Group], in_hand: list[Alert]) -> None:
    """Each alert's links (and whether it needs a visit), worked out once per account and
    page rather than by template tags on every row."""
    account_urls: dict[int, str] = {}
    for alert in [a for g in groups for a in g.alerts] + in_hand:
        alert.url = subject_url(alert)
        alert.step_in = alert.needs_step_in
        if alert.account_id not in account_urls:
            account_urls[alert.account_id] = alert.account.get_absolute_url()
        alert.account_url = account_urls[alert.account_id]
        alert.log_url = reverse("log_touchpoint", args=[alert.account_id]) if alert.url is None else ""
        alert.acknowledge_url = "" if alert.step_in else reverse("alert_acknowledge", args=[alert.pk])
