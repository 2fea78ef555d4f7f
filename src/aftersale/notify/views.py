"""A person's notification settings, the one-click unsubscribe page, and the calendar feed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from aftersale.alerts.models import AlertKind
from aftersale.notify.calendar import events_for
from aftersale.notify.calendar import render as render_ics
from aftersale.notify.conf import absolute
from aftersale.notify.forms import PreferencesForm
from aftersale.notify.models import CalendarFeed, Delivery, new_feed_key
from aftersale.notify.preferences import DEFAULTS, deliveries, set_deliveries
from aftersale.notify.unsubscribe import read_token
from aftersale.staff.access import staff_required

# last_fetched_at is shown on the settings page; calendar apps poll often, so it is
# written at most this often.
FETCH_PRECISION = timedelta(hours=1)


def feed_url(feed: CalendarFeed) -> str:
    return absolute("notify_calendar", feed.key)


@staff_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, current=deliveries(user.pk))
    if request.method == "POST" and form.is_valid():
        set_deliveries(user.pk, form.cleaned_data)
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("notify_settings")
    feed = CalendarFeed.objects.filter(user=user).first()
    return render(request, "notify/settings.html", {
        "form": form, "feed": feed, "choices": Delivery.choices, "feed_url": feed_url(feed) if feed else "",
        "defaults": [(AlertKind(k).label, Delivery(v).label) for k, v in DEFAULTS.items()],
    }, status=400 if form.errors else 200)


@staff_required
@require_POST
def calendar_link(request: HttpRequest) -> HttpResponse:
    """Create the calendar link, replace it with a new one, or turn it off."""
    action = request.POST.get("action")
    if action == "off":
        CalendarFeed.objects.filter(user=request.user).delete()
        messages.success(request, _("Your calendar link is turned off; calendars using it get nothing more."))
    elif action in ("create", "renew"):
        with transaction.atomic():
            CalendarFeed.objects.update_or_create(
                user=request.user, defaults={"key": new_feed_key(), "last_fetched_at": None}
            )
        messages.success(request, _("Your new calendar link is ready; any old link stopped working."))
    return redirect("notify_settings")


def calendar_feed(request: HttpRequest, key: str) -> HttpResponse:
    """The secret feed: no login (calendar apps cannot log in), the key is the credential."""
    feed = CalendarFeed.objects.select_related("user").filter(key=key).first()
    if feed is None or not feed.user.is_vendor_staff:
        raise Http404
    now = timezone.now()
    if feed.last_fetched_at is None or feed.last_fetched_at < now - FETCH_PRECISION:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    user = feed.user
    body = render_ics(events_for(user, timezone.localdate(now)), name=f"Aftersale – {user}", now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="aftersale.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt  # the signed token is the credential; mail providers POST without a CSRF token (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off and a button; POST (the button, or a mail
    client's one-click ``List-Unsubscribe=One-Click``) turns it off."""
    found = read_token(token)
    if found is None:
        return render(request, "notify/unsubscribe.html", {"invalid": True}, status=404)
    labels = [AlertKind(k).label for k in found.kinds]
    if request.method == "POST":
        set_deliveries(found.user.pk, {kind: Delivery.OFF for kind in found.kinds})
        return render(request, "notify/unsubscribe.html", {"done": True, "labels": labels, "who": found.user})
    return render(request, "notify/unsubscribe.html", {"labels": labels, "who": found.user})
