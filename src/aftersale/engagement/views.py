"""The idea exchange and information-sharing logs (P19), both directions: each account's
log with its form, and the portfolio-wide lists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.core.forms import apply_errors
from aftersale.engagement.actions import do_decide_idea, do_log_idea, do_log_info_share
from aftersale.engagement.forms import DirectionFilters, IdeaFilters, IdeaForm, InfoFilters, InfoShareForm
from aftersale.engagement.models import Idea, IdeaStatus
from aftersale.engagement.queries import ideas_for, info_shares_for
from aftersale.staff.access import staff_required


@staff_required
def idea_list(request: HttpRequest) -> HttpResponse:
    """Ideas across the portfolio in scope; ``?account=`` goes to that account's log."""
    filters = IdeaFilters(request.GET)
    if filters.values["account"]:
        return redirect("account_ideas", access_account(request.user, filters.values["account"]).pk)
    ideas = ideas_for(Account.objects.restrict(request.user), direction=filters.values["direction"])
    if filters.values["status"]:
        ideas = ideas.filter(status=filters.values["status"])
    page = Paginator(ideas, 50).get_page(request.GET.get("page"))
    return render(request, "engagement/idea_list.html", {
        "page": page, "filters": filters, "portfolio": True,
    }, status=filters.response_status)


@staff_required
def account_ideas(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = IdeaForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if fields["status"] != IdeaStatus.PROPOSED:
            fields["decided_at"] = fields["proposed_at"]
        try:
            do_log_idea(account=account, by=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Idea logged."))
            return redirect("account_ideas", account.pk)
    filters = DirectionFilters(request.GET)
    ideas = ideas_for(Account.objects.filter(pk=account.pk), direction=filters.values["direction"])
    page = Paginator(ideas, 50).get_page(request.GET.get("page"))
    return render(request, "engagement/account_ideas.html", {
        "account": account, "form": form, "page": page, "filters": filters, "statuses": IdeaStatus.choices,
    }, status=400 if form.errors else filters.response_status)


@staff_required
@require_POST
def idea_decide(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_object_or_404(Idea.objects.filter(account__in=Account.objects.restrict(request.user)), pk=pk)
    try:
        do_decide_idea(idea=idea, status=request.POST.get("status", ""), on=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(idea)s” is now %(status)s.") % {
            "idea": idea.title, "status": idea.get_status_display()})
    return redirect("account_ideas", idea.account_id)


@staff_required
def info_list(request: HttpRequest) -> HttpResponse:
    """Information shared across the portfolio in scope; ``?account=`` goes to that account's log."""
    filters = InfoFilters(request.GET)
    values = filters.values
    if values["account"]:
        return redirect("account_info", access_account(request.user, values["account"]).pk)
    shares = info_shares_for(Account.objects.restrict(request.user), direction=values["direction"])
    if values["kind"]:
        shares = shares.filter(kind=values["kind"])
    if values["confidential"]:
        shares = shares.filter(is_confidential=True)
    page = Paginator(shares, 50).get_page(request.GET.get("page"))
    return render(request, "engagement/info_list.html", {"page": page, "filters": filters},
                  status=filters.response_status)


@staff_required
def account_info(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = InfoShareForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["shared_at"] > timezone.localdate():
            form.add_error("shared_at", _("Information cannot be shared in the future."))
        else:
            do_log_info_share(account=account, by=request.user, **form.cleaned_data)
            messages.success(request, _("Information sharing logged."))
            return redirect("account_info", account.pk)
    filters = DirectionFilters(request.GET)
    shares = info_shares_for(Account.objects.filter(pk=account.pk), direction=filters.values["direction"])
    page = Paginator(shares, 50).get_page(request.GET.get("page"))
    return render(request, "engagement/account_info.html", {
        "account": account, "form": form, "page": page, "filters": filters,
    }, status=400 if form.errors else filters.response_status)
