"""The contact's pages: their equipment, ordering, requests, our promises, the joint plan, the survey.

Each view is ``@portal_required``, starts from ``access_portal_contact`` and
reaches data only through ``portal.access``; views parse input and call
``portal.actions``.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersale.commerce.models import ProductKind
from aftersale.core.forms import apply_errors
from aftersale.portal import access, actions
from aftersale.portal.access import access_portal_contact, portal_required
from aftersale.portal.catalogue import offers
from aftersale.portal.forms import (
    CatalogueFilters,
    CommentForm,
    ExpectationForm,
    ItemStatusForm,
    OrderForm,
    RequestForm,
    SurveyForm,
)
from aftersale.promises.models import PromiseStatus
from aftersale.reviews.queries import expectations_for_account
from aftersale.service.conf import service_setting
from aftersale.service.maintenance import visits
from aftersale.service.models import CaseStatus
from aftersale.service.summary import case_items


def _upload_limits() -> dict:
    return {
        "max_upload_mb": int(service_setting("ATTACHMENT_MAX_BYTES")) / 1024 / 1024,
        "upload_types": ", ".join(sorted(service_setting("ATTACHMENT_TYPES"))),
    }


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    today = timezone.localdate()
    open_cases = access.cases_of(contact).filter(status__in=CaseStatus.open())
    return render(request, "portal/home.html", {
        "contact": contact,
        "account": contact.account,
        "equipment_count": access.equipment_of(contact).count(),
        "next_visits": visits(today, [contact.account_id])[:3],
        "open_cases": open_cases.select_related("asset__product")[:5],
        "open_case_count": open_cases.count(),
        "orders": access.orders_of(contact).select_related("placed_by")[:3],
        "open_promises": access.promises_of(contact).pending().count(),
        "survey": actions.survey_offer(contact),
        "today": today,
    })


# --- equipment ------------------------------------------------------------------------------

@portal_required
def equipment_list(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    today = timezone.localdate()
    return render(request, "portal/equipment_list.html", {
        "assets": access.assets_of(contact).order_by("status", "product__name", "serial"),
        "visits": visits(today, [contact.account_id]),
        "today": today,
    })


@portal_required
def equipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_portal_contact(request)
    asset = access.access_asset(contact, pk)
    today = timezone.localdate()
    parts = offers(contact.account, today, asset.product.parts.order_by("kind", "name"))
    return render(request, "portal/equipment_detail.html", {
        "asset": asset,
        "today": today,
        "warranty": asset.warranty_state(today),
        "visits": [v for v in visits(today, [contact.account_id]) if v.asset_id == asset.pk],
        "cases": access.cases_of(contact).filter(asset=asset).order_by("-opened_at")[:20],
        "parts": parts,
    })


# --- ordering -------------------------------------------------------------------------------

KIND_ORDER = {kind: i for i, kind in enumerate(ProductKind.values)}


@portal_required
def catalogue(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    filters = CatalogueFilters(request.GET)
    values = filters.values
    shown = offers(contact.account, timezone.localdate())
    if values["q"]:
        shown = [o for o in shown if values["q"].casefold() in o.product.name.casefold()]
    if values["kind"]:
        shown = [o for o in shown if o.product.kind == values["kind"]]
    if values["fits"]:
        shown = [o for o in shown if o.fits_mine]
    # Parts for their own equipment first: what they most likely came for.
    shown.sort(key=lambda o: (not o.fits_mine, KIND_ORDER.get(o.product.kind, 9), o.product.name))
    return render(request, "portal/catalogue.html", {
        "form": OrderForm(offers=shown), "filters": filters, "currency": contact.account.currency,
    }, status=filters.response_status)


def _review(request: HttpRequest, contact, form: OrderForm, quantities: dict[int, Decimal],
            notes: list[str] | None = None) -> HttpResponse:
    try:
        lines = actions.check_order_lines(contact, quantities)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("portal:catalogue")
    return render(request, "portal/order_review.html", {
        "form": form, "lines": lines, "total": actions.order_total(lines),
        "currency": contact.account.currency, "notes": notes or [],
    })


@portal_required
@require_POST
def order_new(request: HttpRequest) -> HttpResponse:
    """Review the quantities chosen; with ``confirm``, place the order."""
    contact = access_portal_contact(request)
    form = OrderForm(request.POST, offers=offers(contact.account, timezone.localdate()))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}: {message}" if label else message)
        return redirect("portal:catalogue")
    quantities = form.quantities()
    if "confirm" not in request.POST:
        return _review(request, contact, form, quantities)
    try:
        order = actions.do_place_order(contact, quantities, note=form.cleaned_data["note"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("portal:catalogue")
    actions.notify_owner(contact, "new_order", order)
    messages.success(request, _("Thank you: order %(number)s is placed.") % {"number": order.external_id})
    return redirect("portal:order_detail", pk=order.pk)


@portal_required
def order_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The review page filled with an earlier order's lines, at today's prices."""
    contact = access_portal_contact(request)
    order = access.access_order(contact, pk)
    quantities, gone = actions.reorder_quantities(order)
    form = OrderForm(
        initial={OrderForm.key(k): v.normalize() for k, v in quantities.items()},
        offers=offers(contact.account, timezone.localdate()),
    )
    notes = [_("%(product)s is no longer sold and was left out.") % {"product": name} for name in gone]
    return _review(request, contact, form, quantities, notes)


@portal_required
def order_list(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    orders = (
        access.orders_of(contact).select_related("placed_by").annotate(n_lines=Count("lines"))
        .order_by("-placed_at", "-pk")
    )
    return render(request, "portal/order_list.html",
                  {"page": Paginator(orders, 25).get_page(request.GET.get("page"))})


@portal_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_portal_contact(request)
    order = access.access_order(contact, pk)
    return render(request, "portal/order_detail.html", {
        "order": order, "lines": order.lines.select_related("product").order_by("product__name"),
    })


# --- service requests -----------------------------------------------------------------------

@portal_required
def request_list(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    cases = access.cases_of(contact).select_related("asset__product", "raised_by").annotate(
        is_done=Case(When(status__in=CaseStatus.open(), then=Value(0)), default=Value(1),
                     output_field=IntegerField())
    ).order_by("is_done", "-opened_at")
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(request, "portal/request_list.html",
                  {"page": page, "items": case_items(page.object_list, timezone.now())})


@portal_required
def request_new(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    initial = {}
    if request.GET.get("asset", "").isdigit():
        initial["asset"] = access.access_asset(contact, int(request.GET["asset"]))
    if request.GET.get("complaint"):
        initial["is_complaint"] = True
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial,
                       equipment=access.equipment_of(contact))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = actions.do_raise_request(
                contact, kind=data["kind"], title=data["title"], description=data["description"],
                severity=data["severity"], is_complaint=data["is_complaint"], asset=data["asset"],
                uploads=data["files"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            actions.notify_owner(contact, "new_request", case)
            messages.success(request, _(
                "Request %(number)s is raised; we will answer within the target shown."
            ) % {"number": case.external_id})
            return redirect("portal:request_detail", pk=case.pk)
    return render(request, "portal/request_form.html", {"form": form, **_upload_limits()})


def _request_page(request: HttpRequest, contact, case,
                  comment_form: CommentForm | None = None) -> HttpResponse:
    item = case_items([case], timezone.now())[0]
    return render(request, "portal/request_detail.html", {
        "case": case,
        "item": item,
        "changes": case.status_changes.order_by("at", "pk"),
        "comments": access.public_comments(case),
        "attachments": access.visible_attachments(contact).filter(case=case).order_by("uploaded_at"),
        "comment_form": comment_form or CommentForm(),
        **_upload_limits(),
    })


@portal_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_portal_contact(request)
    return _request_page(request, contact, access.access_case(contact, pk))


@portal_required
@require_POST
def request_comment(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_portal_contact(request)
    case = access.access_case(contact, pk)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_comment(
                contact, case, body=form.cleaned_data["body"], uploads=form.cleaned_data["files"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you, your reply is added."))
            return redirect("portal:request_detail", pk=case.pk)
    return _request_page(request, contact, case, form)


@portal_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Files are never on a public path: served here after checking the case is the contact's."""
    contact = access_portal_contact(request)
    found = access.access_attachment(contact, pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=found.original_name,
                            content_type=found.content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- promises and the joint plan ------------------------------------------------------------

@portal_required
def promise_list(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    promises = access.promises_of(contact).select_related("contact").annotate(
        is_done=Case(When(status__in=PromiseStatus.pending(), then=Value(0)), default=Value(1),
                     output_field=IntegerField())
    ).order_by("is_done", "due_at", "pk")
    return render(request, "portal/promises.html", {
        "promises": promises, "today": timezone.localdate(),
        "kept": promises.filter(status__in=PromiseStatus.delivered()).count(),
        "closed": promises.filter(~Q(status__in=PromiseStatus.pending())).exclude(
            status=PromiseStatus.CANCELLED).count(),
    })


def _plan_page(request: HttpRequest, contact,
               expectation_form: ExpectationForm | None = None) -> HttpResponse:
    plans = access.plans_of(contact).prefetch_related("items__owner_contact", "items__owner_user").order_by(
        "-period_start", "-pk"
    )
    return render(request, "portal/plan.html", {
        "plans": plans,
        "expectations": expectations_for_account(contact.account),
        "status_choices": ItemStatusForm().fields["status"].choices,
        "expectation_form": expectation_form or ExpectationForm(),
    })


@portal_required
def plan(request: HttpRequest) -> HttpResponse:
    return _plan_page(request, access_portal_contact(request))


@portal_required
@require_POST
def plan_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_portal_contact(request)
    item = access.access_own_plan_item(contact, pk)
    form = ItemStatusForm(request.POST)
    if form.is_valid():
        actions.do_update_own_item(contact, item, form.cleaned_data["status"])
        messages.success(request, _("“%(item)s” is now %(status)s.") % {
            "item": item.title, "status": item.get_status_display().lower()})
    else:
        messages.error(request, _("Choose a status."))
    return redirect(reverse("portal:plan") + f"#item-{item.pk}")


@portal_required
@require_POST
def expectation_add(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    form = ExpectationForm(request.POST)
    if form.is_valid():
        try:
            actions.do_add_expectation(contact, form.cleaned_data["description"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you: your account manager sees your expectation now."))
            return redirect(reverse("portal:plan") + "#expectations")
    return _plan_page(request, contact, form)


# --- the survey -----------------------------------------------------------------------------

@portal_required
def survey(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    offered = actions.survey_offer(contact)
    if offered is None:
        return render(request, "portal/survey_done.html")
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_answer_survey(
                contact, offered, answers=form.answers(), satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your answers. We read every one."))
            return redirect("portal:home")
    return render(request, "portal/survey.html", {"form": form})


@portal_required
@require_POST
def survey_decline(request: HttpRequest) -> HttpResponse:
    contact = access_portal_contact(request)
    offered = actions.survey_offer(contact)
    if offered is not None:
        actions.do_decline_survey(contact, offered)
    messages.success(request, _("No problem: we will not ask again this quarter."))
    return redirect("portal:home")
