"""Joint plans and expectations (P12): the portfolio list and each account's page with its forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.core.forms import apply_errors
from aftersale.reviews.actions import (
    access_expectation,
    access_plan,
    access_plan_item,
    do_add_plan_item,
    do_assess_expectation,
    do_create_plan,
    do_record_expectation,
    do_set_item_status,
)
from aftersale.reviews.forms import (
    AssessForm,
    ExpectationForm,
    ItemStatusForm,
    PlanFilters,
    PlanForm,
    PlanItemForm,
)
from aftersale.reviews.models import ItemStatus, JointPlan
from aftersale.reviews.queries import expectations_for_account, plans_for_account
from aftersale.staff.access import staff_required


@staff_required
def joint_plan_list(request: HttpRequest) -> HttpResponse:
    """Every joint plan in scope with its open and overdue items; ``?account=`` goes to the account's."""
    filters = PlanFilters(request.GET)
    if filters.values["account"]:
        return redirect("account_plans", access_account(request.user, filters.values["account"]).pk)
    today = timezone.localdate()
    plans = (
        JointPlan.objects.filter(account__in=Account.objects.restrict(request.user))
        .select_related("account")
        .annotate(
            open_items=Count("items", filter=Q(items__status=ItemStatus.OPEN)),
            overdue_items=Count("items", filter=Q(items__status=ItemStatus.OPEN, items__due_at__lt=today)),
            done_items=Count("items", filter=Q(items__status=ItemStatus.DONE)),
        )
        .order_by("-period_end", "account__name")
    )
    if filters.values["current"]:
        plans = plans.filter(period_start__lte=today, period_end__gte=today)
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    return render(request, "reviews/plan_list.html", {"page": page, "filters": filters},
                  status=filters.response_status)


def _plans_page(request: HttpRequest, account: Account, **forms) -> HttpResponse:
    plans = list(plans_for_account(account))
    failed = forms.get("item_plan")
    for plan in plans:
        # One form per plan, with its own ids; the one that failed keeps its input and errors.
        if failed is not None and plan.pk == failed.pk:
            plan.item_form = forms["item_form"]
        else:
            plan.item_form = PlanItemForm(account=account, auto_id=f"plan{plan.pk}_%s")
    context = {
        "account": account, "plans": plans, "expectations": list(expectations_for_account(account)),
        "plan_form": forms.get("plan_form") or PlanForm(initial={
            "period_start": timezone.localdate(),
            "period_end": timezone.localdate().replace(month=12, day=31),
        }),
        "item_plan": failed,
        "expectation_form": forms.get("expectation_form") or ExpectationForm(),
        "statuses": ItemStatus.choices, "assess_form": AssessForm(), "today": timezone.localdate(),
    }
    return render(request, "reviews/account_plans.html", context, status=400 if forms else 200)


@staff_required
def account_plans(request: HttpRequest, pk: int) -> HttpResponse:
    return _plans_page(request, access_account(request.user, pk))


@staff_required
@require_POST
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = do_create_plan(account=account, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Joint plan created."))
            return redirect(plan)
    return _plans_page(request, account, plan_form=form)


@staff_required
@require_POST
def plan_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    form = PlanItemForm(request.POST, account=plan.account, auto_id=f"plan{plan.pk}_%s")
    if form.is_valid():
        try:
            do_add_plan_item(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Plan item added."))
            return redirect(plan)
    return _plans_page(request, plan.account, item_form=form, item_plan=plan)


@staff_required
@require_POST
def plan_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_plan_item(request.user, pk)
    form = ItemStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
    else:
        do_set_item_status(item=item, status=form.cleaned_data["status"])
        messages.success(request, _("“%(item)s” is now %(status)s.") % {
            "item": item.title, "status": item.get_status_display()})
    return redirect(item.plan)


@staff_required
@require_POST
def expectation_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = access_account(request.user, pk)
    form = ExpectationForm(request.POST)
    if form.is_valid():
        try:
            do_record_expectation(account=account, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Expectation recorded."))
            return redirect("account_plans", account.pk)
    return _plans_page(request, account, expectation_form=form)


@staff_required
@require_POST
def expectation_assess(request: HttpRequest, pk: int) -> HttpResponse:
    expectation = access_expectation(request.user, pk)
    form = AssessForm(request.POST)
    if form.is_valid():
        do_assess_expectation(expectation=expectation, met=form.cleaned_data["met"])
        messages.success(request, _("Assessment saved."))
    else:
        messages.error(request, _("Choose met, not met or not assessed."))
    return redirect("account_plans", expectation.account_id)
