"""The attention list page's links: where each alert's one-click action leads."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from aftersale.alerts.attention import Group
from aftersale.alerts.models import Alert

# By the prefix of the alert's subject.
SUBJECT_URLS = {"promise": "promise_detail", "case": "case_detail", "plan": "maintenance_plan"}


def subject_url(alert: Alert) -> str | None:
    prefix, _sep, pk = alert.subject.partition(":")
    name = SUBJECT_URLS.get(prefix)
    if not name or not pk.isdigit():
        return None
    try:
        return reverse(name, args=[int(pk)])
    except NoReverseMatch:
        return None


def add_links(groups: list[Group], in_hand: list[Alert]) -> None:
    for alert in [a for g in groups for a in g.alerts] + in_hand:
        alert.url = subject_url(alert)
