"""Staff pages of the service app: board, case, asset, maintenance.

Views parse input and call ``actions``; every object is fetched through an
``access_*`` helper so another account's object is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.accounts.access import access_account
from aftersale.accounts.models import Account
from aftersale.core.forms import apply_errors, perform
from aftersale.service import actions
from aftersale.service.conf import service_setting
from aftersale.service.costs import convert_or_none, cost_to_serve
from aftersale.service.forms import (
    AttachmentForm,
    BoardFilters,
    CommentForm,
    CompleteMaintenanceForm,
    EditCaseForm,
    MaintenanceFilters,
    MomentForm,
    OpenCaseForm,
    StatusForm,
    WorkLogForm,
)
from aftersale.service.maintenance import visits
from aftersale.service.models import (
    CaseAttachment,
    MaintenancePlan,
    ServiceCase,
    TargetState,
)
from aftersale.service.summary import board, case_items
from aftersale.staff.access import staff_required


@staff_required
def service_board(request: HttpRequest) -> HttpResponse:
    cases = actions.cases_for(request.user)
    filters = BoardFilters(request.GET)
    values = filters.values
    if values["mine"] == "assigned":
        cases = cases.filter(assigned_to=request.user)
    elif values["mine"] == "accounts":
        cases = cases.filter(account__owner=request.user)
    for name in ("kind", "severity"):
        if values[name]:
            cases = cases.filter(**{name: values[name]})
    if values["complaints"]:
        cases = cases.filter(is_complaint=True)
    if values["account"]:
        cases = cases.filter(account_id=values["account"])
    columns = board(cases, timezone.now())
    return render(request, "service/board.html", {
        "columns": [(TargetState(state), items) for state, items in columns.items()], "filters": filters,
    }, status=filters.response_status)


@staff_required
def case_new(request: HttpRequest) -> HttpResponse:
    account = None
    if request.GET.get("account", "").isdigit():
        account = access_account(request.user, int(request.GET["account"]))
    form = OpenCaseForm(request.POST or None, user=request.user, account=account,
                        initial={"serial": request.GET.get("serial", "")})
    if request.method == "POST" and form.is_valid() and (
        case := perform(form, actions.do_open_case, by=request.user)
    ):
        messages.success(request, _("Case opened."))
        return redirect(case)
    return render(request, "service/case_form.html", {"form": form, "account": account})


def _case_page(request: HttpRequest, case: ServiceCase, **bound) -> HttpResponse:
    """The case page, with any form that failed shown bound to its input and errors."""
    item = case_items([case], timezone.now())[0]
    costs = cost_to_serve(end=timezone.localdate(), group_by="case", keys=[case.pk]).get(case.pk)
    context = {
        "case": case,
        "item": item,
        "changes": case.status_changes.select_related("by"),
        "comments": case.comments.select_related("author"),
        "attachments": case.attachments.select_related("uploaded_by"),
        "work_logs": case.work_logs.select_related("user").order_by("-worked_on", "-pk"),
        "cost": convert_or_none(costs, case.account.currency, timezone.localdate()),
        "status_form": StatusForm(case=case),
        "response_form": MomentForm(),
        "edit_form": EditCaseForm(initial={
            "title": case.title, "severity": case.severity, "is_complaint": case.is_complaint,
            "assigned_to": case.assigned_to_id, "description": case.description,
        }),
        "comment_form": CommentForm(),
        "work_form": WorkLogForm(user=request.user),
        "attachment_form": AttachmentForm(),
        "max_upload_mb": int(service_setting("ATTACHMENT_MAX_BYTES")) / 1024 / 1024,
        "upload_types": ", ".join(sorted(service_setting("ATTACHMENT_TYPES"))),
    }
    context.update(bound)
    return render(request, "service/case_detail.html", context)


@staff_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, actions.access_case(request.user, pk))


def _case_post(
    request: HttpRequest, pk: int, form: Form, name: str,
    perform: Callable[[ServiceCase, Any], object], success: str,
) -> HttpResponse:
    """Shared POST handling for the case page's forms."""
    case = actions.access_case(request.user, pk)
    if form.is_valid():
        try:
            perform(case, form)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(case)
    return _case_page(request, case, **{name: form})


@staff_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    case = actions.access_case(request.user, pk)
    return _case_post(
        request, pk, StatusForm(request.POST, case=case), "status_form",
        lambda c, f: actions.do_change_status(c, f.cleaned_data["status"], at=f.cleaned_data["at"],
                                              by=request.user),
        _("Status changed."),
    )


@staff_required
@require_POST
def case_response(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request, pk, MomentForm(request.POST), "response_form",
        lambda c, f: actions.do_record_first_response(c, at=f.cleaned_data["at"], by=request.user),
        _("First response recorded."),
    )


@staff_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request, pk, EditCaseForm(request.POST), "edit_form",
        lambda c, f: actions.do_edit_case(c, **f.cleaned_data),
        _("Case updated."),
    )


@staff_required
@require_POST
def case_comment(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request, pk, CommentForm(request.POST), "comment_form",
        lambda c, f: actions.do_add_comment(c, body=f.cleaned_data["body"], by=request.user,
                                            is_internal=f.cleaned_data["is_internal"]),
        _("Comment added."),
    )


@staff_required
@require_POST
def case_work(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: ServiceCase, form: WorkLogForm) -> None:
        data = form.cleaned_data
        actions.do_log_work(
            account=case.account, case=case, user=data["user"], department=data["department"],
            worked_on=data["worked_on"], hours=data["hours"], labour_cost=data["labour_cost"],
            parts_cost=data["parts_cost"], travel_cost=data["travel_cost"], on_site=data["on_site"],
            is_warranty=form.warranty_flag(), note=data["note"],
        )

    return _case_post(request, pk, WorkLogForm(request.POST, user=request.user), "work_form", perform,
                      _("Work logged."))


@staff_required
@require_POST
def case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_post(
        request, pk, AttachmentForm(request.POST, request.FILES), "attachment_form",
        lambda c, f: actions.do_add_attachment(c, upload=f.cleaned_data["file"], by=request.user),
        _("File attached."),
    )


@staff_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Files are never on a public path: this view checks access to the case first."""
    attachment = get_object_or_404(
        CaseAttachment.objects.filter(case__in=actions.cases_for(request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@staff_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = actions.access_asset(request.user, pk)
    today = timezone.localdate()
    cases = asset.cases.select_related("assigned_to").order_by("-opened_at")
    costs = cost_to_serve(end=today, group_by="asset", keys=[asset.pk]).get(asset.pk)
    return render(request, "service/asset_detail.html", {
        "asset": asset,
        "today": today,
        "warranty": asset.warranty_state(today),
        "visits": [v for v in visits(today, [asset.account_id]) if v.asset_id == asset.pk],
        "cases": case_items(cases, timezone.now()),
        "work_logs": asset.work_logs.select_related("user", "case").order_by("-worked_on", "-pk"),
        "cost": convert_or_none(costs, asset.account.currency, today),
    })


@staff_required
def maintenance_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    days = int(service_setting("DUE_SOON_DAYS"))
    filters = MaintenanceFilters(request.GET)
    account_ids = None
    if filters.values["mine"] == "accounts":
        account_ids = list(Account.objects.restrict(request.user).filter(owner=request.user)
                           .values_list("pk", flat=True))
    if filters.values["account"]:
        mine = Account.objects.restrict(request.user)
        if account_ids is not None:
            mine = mine.filter(pk__in=account_ids)
        account_ids = list(mine.filter(pk=filters.values["account"]).values_list("pk", flat=True))
    due = visits(today, account_ids, due_by=today + timedelta(days=days))
    return render(request, "service/maintenance_list.html", {
        "visits": due, "days": days, "filters": filters, "today": today,
        "overdue": sum(v.overdue for v in due),
    }, status=filters.response_status)


@staff_required
def maintenance_complete(request: HttpRequest, plan_pk: int, asset_pk: int) -> HttpResponse:
    asset = actions.access_asset(request.user, asset_pk)
    plan = get_object_or_404(MaintenancePlan, pk=plan_pk)
    if not (plan.asset_id == asset.pk or (plan.asset_id is None and plan.product_id == asset.product_id)):
        raise Http404
    form = CompleteMaintenanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_complete_maintenance(
                plan=plan, asset=asset, done_at=data["done_at"], by=request.user, note=data["note"],
                hours=data["hours"], labour_cost=data["labour_cost"], parts_cost=data["parts_cost"],
                travel_cost=data["travel_cost"], on_site=data["on_site"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Maintenance recorded; the plan has moved on."))
            return redirect(asset)
    today = timezone.localdate()
    visit = next((v for v in visits(today, [asset.account_id])
                  if v.plan_id == plan.pk and v.asset_id == asset.pk), None)
    return render(request, "service/maintenance_complete.html",
                  {"form": form, "plan": plan, "asset": asset, "visit": visit})
