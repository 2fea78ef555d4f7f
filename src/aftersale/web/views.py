"""Staff pages that bring several domain apps together."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account, AccountKind, Industry, Tier
from aftersale.staff.access import staff_required
from aftersale.staff.models import User


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("account_list")


@staff_required
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = (
        Account.objects.restrict(request.user)
        .select_related("owner")
        .annotate(n_contacts=Count("contacts", distinct=True))
        .order_by("name")
    )
    filters = {
        "q": request.GET.get("q", "").strip(),
        "kind": request.GET.get("kind", ""),
        "tier": request.GET.get("tier", ""),
        "industry": request.GET.get("industry", ""),
        "owner": request.GET.get("owner", ""),
    }
    if filters["q"]:
        accounts = accounts.filter(
            Q(name__icontains=filters["q"]) | Q(external_id__iexact=filters["q"])
        )
    if filters["kind"] in AccountKind.values:
        accounts = accounts.filter(kind=filters["kind"])
    if filters["tier"] in Tier.values:
        accounts = accounts.filter(tier=filters["tier"])
    if filters["industry"] in Industry.values:
        accounts = accounts.filter(industry=filters["industry"])
    if filters["owner"] == "me":
        accounts = accounts.filter(owner=request.user)
    elif filters["owner"].isdigit():
        accounts = accounts.filter(owner_id=int(filters["owner"]))
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/account_list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": AccountKind.choices,
            "tiers": Tier.choices,
            "industries": Industry.choices,
            "owners": User.objects.staff().filter(owned_accounts__isnull=False).distinct(),
        },
    )


@staff_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    contacts = account.contacts.order_by("name")
    return render(request, "web/account_detail.html", {"account": account, "contacts": contacts})
