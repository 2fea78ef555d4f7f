"""The attention list page's links: where each alert's one-click action leads."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

from aftersale.alerts.attention import Group
from aftersale.alerts.models import Alert

# By the prefix of the alert's subject: "promise:<id>", "case:<id>",
# "plan:<id>" (an asset's own plan) or "plan:<id>:asset:<id>" (a product-wide plan).
SUBJECT_URLS = {"promise": "promise_detail", "case": "service:case_detail", "asset": "service:asset_detail"}

_SENTINEL = "987654321"


def url_maker(name: str) -> Callable[[int | str], str]:
    """``reverse(name, args=[pk])`` for many ids: resolved once with a stand-in id, then
    filled in (a manager's list needs several hundred links; reverse() took a fair part)."""
    head, tail = reverse(name, args=[int(_SENTINEL)]).split(_SENTINEL)
    return lambda pk: f"{head}{pk}{tail}"


def subject_url(alert: Alert, makers: dict[str, Callable[[int | str], str]] | None = None) -> str | None:
    parts = alert.subject.split(":")
    if parts[0] == "plan":
        if len(parts) == 4 and parts[2] == "asset" and parts[3].isdigit():
            parts = parts[2:]
        else:
            return reverse("service:maintenance")
    if len(parts) != 2 or parts[0] not in SUBJECT_URLS or not parts[1].isdigit():
        return None
    name = SUBJECT_URLS[parts[0]]
    try:
        if makers is not None:
            if name not in makers:
                makers[name] = url_maker(name)
            return makers[name](int(parts[1]))
        return reverse(name, args=[int(parts[1])])
    except NoReverseMatch:
        return None


def add_links(groups: list[Group], in_hand: list[Alert]) -> None:
    """Each alert's links (and whether it needs a visit), worked out in Python rather than
    by template tags on every row."""
    makers: dict[str, Callable[[int | str], str]] = {}
    account_url, log_url = url_maker("account_detail"), url_maker("log_touchpoint")
    acknowledge_url = url_maker("alert_acknowledge")
    for alert in [a for g in groups for a in g.alerts] + in_hand:
        alert.url = subject_url(alert, makers)
        alert.step_in = alert.needs_step_in
        alert.account_url = account_url(alert.account_id)
        alert.log_url = log_url(alert.account_id) if alert.url is None else ""
        alert.acknowledge_url = "" if alert.step_in else acknowledge_url(alert.pk)
