"""Staff pages that bring several domain apps together."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.alerts.attention import attention
from aftersale.alerts.models import Alert
from aftersale.alerts.step_in import StepInRequired, do_acknowledge_alert
from aftersale.core.forms import perform
from aftersale.engagement.actions import do_log_touchpoint
from aftersale.engagement.forms import TouchpointForm
from aftersale.staff.access import staff_required
from aftersale.web.attention import add_links
from aftersale.web.filters import AccountFilters
from aftersale.web.pagecache import page_cache

# Alerts shown per reason on the attention list (the oldest first); the heading gives the total.
ATTENTION_LIMIT = 50


@staff_required
@page_cache
def home(request: HttpRequest) -> HttpResponse:
    """The attention list: an owner sees their accounts; a manager anyone's, filtered."""
    manager = request.user.is_manager
    filters = AccountFilters(request.GET, owners=manager)
    accounts = filters.apply(Account.objects.restrict(request.user), request.user)
    if not manager:
        accounts = accounts.filter(owner=request.user)
    alerts = Alert.objects.restrict(request.user).open()
    if accounts.query.has_filters():  # unfiltered, it is every account the user may see
        alerts = alerts.filter(account__in=accounts)
    found = attention(alerts, limit=ATTENTION_LIMIT)
    add_links(found.groups, found.in_hand)
    return render(request, "web/attention.html", {
        "groups": found.groups, "in_hand": found.in_hand, "in_hand_total": found.in_hand_total,
        "limit": ATTENTION_LIMIT, "filters": filters,
    }, status=filters.response_status)


@staff_required
@require_POST
def acknowledge_alert(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert.objects.restrict(request.user).open(), pk=pk)
    try:
        do_acknowledge_alert(alert, request.user)
    except StepInRequired as exc:
        messages.error(request, str(exc))
        return redirect_back(request, "home")
    messages.success(request, _("Acknowledged: %(account)s.") % {"account": alert.account})
    return redirect_back(request, "home")


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(default)


@staff_required
def account_list(request: HttpRequest) -> HttpResponse:
    filters = AccountFilters(request.GET)
    accounts = filters.apply(
        Account.objects.restrict(request.user).select_related("owner")
        .annotate(n_contacts=Count("contacts", distinct=True)).order_by("name"),
        request.user,
    )
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(request, "web/account_list.html", {"page": page, "filters": filters},
                  status=filters.response_status)


@staff_required
def log_touchpoint(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = TouchpointForm(request.POST or None, account=account, user=request.user)
    if request.method == "POST" and form.is_valid() and perform(form, do_log_touchpoint, account=account,
                                                                 by=request.user):
        messages.success(request, _("Touchpoint logged."))
        return redirect(account)
    return render(request, "web/log_touchpoint.html", {"account": account, "form": form})
