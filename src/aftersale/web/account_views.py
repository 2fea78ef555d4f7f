"""The account 360 page, its in-place panels, and the quick-logging dialogs.

The dialogs use the same forms and actions as the full pages (no second copy
of validation). Without JavaScript their links lead to those full pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.core.forms import apply_errors, perform
from aftersale.engagement.actions import do_log_touchpoint
from aftersale.engagement.forms import TouchpointForm
from aftersale.health.panel import panel_context
from aftersale.promises.actions import (
    PromiseConflict,
    access_promise,
    do_change_status,
    do_record_promise,
)
from aftersale.promises.forms import PromiseForm
from aftersale.promises.forms import StatusForm as PromiseStatusForm
from aftersale.promises.models import PromiseStatus
from aftersale.service.actions import do_open_case
from aftersale.service.forms import OpenCaseForm
from aftersale.staff.access import staff_required
from aftersale.web.filters import TimelineFilters
from aftersale.web.pagecache import page_cache
from aftersale.web.timeline import KINDS, timeline

CHANGED = "accountChanged"  # the htmx event the score panel and timeline listen to


def timeline_context(request: HttpRequest, account: Account) -> dict[str, Any]:
    filters = TimelineFilters(request.GET)
    kinds, page = filters.values["kind"], filters.values["page"] or 1
    entries, more = timeline(account, kinds=kinds, page=page)
    return {"entries": entries, "more": more, "page": page, "kinds": KINDS, "chosen": kinds,
            "timeline_filters": filters}


@staff_required
@page_cache
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    contacts = account.contacts.order_by("name")
    timeline = timeline_context(request, account)
    return render(request, "web/account_detail.html", {
        "account": account, "contacts": contacts, **panel_context(account), **timeline,
    }, status=timeline["timeline_filters"].response_status)


@staff_required
@require_GET
def account_score(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    return render(request, "health/_panel.html", {"account": account, **panel_context(account)})


@staff_required
@require_GET
def account_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    context = {"account": account, **timeline_context(request, account)}
    if not request.htmx:
        return redirect(reverse("account_detail", args=[pk]) + "?" + request.GET.urlencode() + "#timeline")
    return render(request, "web/_timeline.html", context, status=context["timeline_filters"].response_status)


@staff_required
@require_GET
def account_promise_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The promises section's "record a promise" form, fetched when the section's
    disclosure is opened (its staff lists are long); it posts to the full page's view."""
    account = access_account(request.user, pk)
    if not request.htmx:
        return redirect(reverse("promise_create") + f"?account={pk}")
    form = PromiseForm(account=account, user=request.user)
    return render(request, "promises/_record_form.html", {"account": account, "form": form})


def _done(request: HttpRequest, account: Account) -> HttpResponse:
    """After a recorded event: tell the page to refresh. The action's commit has already
    rescored the account (``core.changes``), so the panel shows the new score."""
    response = HttpResponse(status=204)
    response["HX-Trigger"] = CHANGED
    return response


def _dialog(request: HttpRequest, account: Account, form: Any, *, title: str, full_url: str) -> HttpResponse:
    """The dialog's form (it posts back to the address it came from); without htmx, the full page."""
    if not request.htmx:
        return redirect(full_url)
    return render(request, "web/_dialog_form.html", {
        "account": account, "form": form, "title": title, "action": request.path, "full_url": full_url,
    })


def _quick(request: HttpRequest, account: Account, form: Any, action: Callable[..., Any], /, *,
           title: str, full_url: str, **arguments: Any) -> HttpResponse:
    """A quick dialog: the full page's form and ``do_*`` action (which rescores the account)."""
    if request.method == "POST" and form.is_valid() and perform(form, action, by=request.user, **arguments):
        return _done(request, account)
    return _dialog(request, account, form, title=title, full_url=full_url)


@staff_required
def quick_touchpoint(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = TouchpointForm(request.POST or None, account=account, user=request.user)
    return _quick(request, account, form, do_log_touchpoint, account=account, title=_("Log a touchpoint"),
                  full_url=reverse("log_touchpoint", args=[pk]))


@staff_required
def quick_promise(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = PromiseForm(request.POST or None, account=account, user=request.user)
    return _quick(request, account, form, do_record_promise, account=account, title=_("Record a promise"),
                  full_url=reverse("promise_create") + f"?account={pk}")


@staff_required
def quick_case(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = OpenCaseForm(request.POST or None, user=request.user, account=account)
    return _quick(request, account, form, do_open_case, title=_("Open a case"),
                  full_url=reverse("service:case_new") + f"?account={pk}")


@staff_required
def quick_keep(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a promise kept (or kept late): delivery date and evidence, as on its own page."""
    promise = access_promise(request.user, pk)
    account = promise.account
    today = timezone.localdate()
    initial = {"status": PromiseStatus.KEPT if today <= promise.due_at else PromiseStatus.LATE,
               "delivered_at": today, "version": promise.version}
    form = PromiseStatusForm(request.POST or None, promise=promise, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_status(promise, by=request.user, **form.cleaned_data)
        except PromiseConflict as conflict:
            form.add_error(None, conflict.message())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _done(request, account)
    return _dialog(request, account, form, title=_("Mark the promise kept"),
                   full_url=promise.get_absolute_url())
