"""Staff pages of the promise ledger: the owner's list, recording, the promise page, edits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.promises.actions import (
    PromiseConflict,
    access_promise,
    do_change_status,
    do_edit_promise,
    do_record_promise,
)
from aftersale.promises.forms import PromiseEditForm, PromiseForm, StatusForm
from aftersale.promises.ledger import BUCKETS, VIEWS, LedgerFilters, flag
from aftersale.promises.measures import status_as_of
from aftersale.promises.models import Promise, PromiseStatus
from aftersale.staff.access import staff_required

PAGE_SIZE = 50


@staff_required
def promise_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = LedgerFilters.from_query(request.GET, user=request.user, today=today)
    scoped = Promise.objects.restrict(request.user)
    base = filters.base(scoped, request.user)
    counts = filters.view_counts(base)
    promises = filters.apply_view(base).select_related(
        "account", "account__owner", "made_by", "delivery_owner", "contact"
    ).order_by("due_at", "pk")
    page = Paginator(promises, PAGE_SIZE).get_page(request.GET.get("page"))
    for promise in page:
        promise.flags = flag(promise, today)
        promise.status_then = status_as_of(promise, filters.as_of) if filters.as_of else promise.status
        promise.status_then_label = PromiseStatus(promise.status_then).label if promise.status_then else ""
    tabs = [
        (name, label, counts[name], filters.query_string(view=name, outcome=None, page=None))
        for name, label in VIEWS.items()
    ]
    return render(
        request,
        "promises/promise_list.html",
        {
            "page": page, "filters": filters, "tabs": tabs, "buckets": BUCKETS,
        },
        status=filters.form.response_status,
    )


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@staff_required
def promise_create(request: HttpRequest) -> HttpResponse:
    """Record a promise. Without an ``account`` parameter, first pick the account."""
    raw_account = request.POST.get("account") or request.GET.get("account") or ""
    if not raw_account.isdigit():
        return _pick_account(request)
    account = access_account(request.user, int(raw_account))
    form = PromiseForm(request.POST or None, account=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            promise = do_record_promise(account=account, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Promise recorded; %(owner)s has been alerted.") % {
                "owner": account.owner})
            return redirect(_next_url(request, promise.get_absolute_url()))
    return render(
        request, "promises/promise_form.html",
        {"form": form, "account": account, "next": _next_url(request, "")},
        status=400 if form.errors else 200,
    )


def _pick_account(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    accounts = Account.objects.none()
    if q:
        accounts = (
            Account.objects.restrict(request.user)
            .filter(Q(name__icontains=q) | Q(external_id__iexact=q))
            .select_related("owner")
            .order_by("name")[:20]
        )
    return render(request, "promises/pick_account.html", {"q": q, "accounts": accounts})


@staff_required
def promise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    promise = access_promise(request.user, pk)
    return _render_detail(request, promise, StatusForm(promise=promise))


def _render_detail(
    request: HttpRequest, promise: Promise, status_form: StatusForm, status: int = 200
) -> HttpResponse:
    events = promise.events.select_related("by").order_by("-at", "-pk")
    return render(
        request, "promises/promise_detail.html",
        {"promise": promise, "events": events, "status_form": status_form,
         "today": timezone.localdate()},
        status=status,
    )


@staff_required
@require_POST
def promise_status(request: HttpRequest, pk: int) -> HttpResponse:
    promise = access_promise(request.user, pk)
    form = StatusForm(request.POST, promise=promise)
    if not form.is_valid():
        return _render_detail(request, promise, form, status=400)
    try:
        promise = do_change_status(promise, by=request.user, **form.cleaned_data)
    except PromiseConflict as conflict:
        messages.error(request, conflict.message())
        fresh = access_promise(request.user, pk)
        return _render_detail(request, fresh, StatusForm(promise=fresh), status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_detail(request, promise, form, status=400)
    messages.success(request, _("The promise is now %(status)s.") % {
        "status": promise.get_status_display().lower()})
    return redirect(promise)


@staff_required
def promise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    promise = access_promise(request.user, pk)
    form = PromiseEditForm(
        request.POST or None, instance=promise, account=promise.account, user=request.user
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            do_edit_promise(
                promise, by=request.user, expected_version=form.cleaned_data["version"],
                values=form.changed_values(), note=form.cleaned_data["note"],
            )
        except PromiseConflict as conflict:
            messages.error(request, conflict.message())
            # Keep what the user typed, now against the current version: saving
            # again is a deliberate choice made after seeing the other change.
            data: Any = request.POST.copy()
            data["version"] = str(Promise.objects.values_list("version", flat=True).get(pk=pk))
            form = PromiseEditForm(data, instance=promise, account=promise.account, user=request.user)
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _("Changes saved."))
            return redirect(promise)
    elif form.errors:
        status = 400
    return render(request, "promises/promise_edit.html", {"form": form, "promise": promise},
                  status=status)
