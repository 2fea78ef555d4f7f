"""Who may use the portal, and the one way every portal page reaches data.

A portal page is decorated with ``portal_required`` and starts with
``contact = access_portal_contact(request)``; every object it shows or changes
is then fetched through an ``access_*`` helper or a ``*_of(contact)`` queryset
below, all filtered by ``contact.account_id``. Another account's object is
therefore a 404, never a 403 (which would confirm that it exists).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersale.accounts.models import Contact
from aftersale.commerce.models import Order
from aftersale.core.enums import Direction
from aftersale.portal.models import PortalVisit
from aftersale.promises.models import Promise
from aftersale.reviews.models import JointPlan, JointPlanItem, Side
from aftersale.service.models import Asset, AssetStatus, CaseAttachment, CaseComment, ServiceCase

View = Callable[..., HttpResponse]

_CONTACT = "_portal_contact"
_VISIT_DAY = "portal_visit_day"


def portal_contact_of(user) -> Contact | None:
    """The contact ``user`` signs in as, if they may use the portal right now.

    Checked on every request, so revoking access (``portal_enabled`` off, the
    contact or the login deactivated) takes effect on the contact's next click.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role:
        return None
    return (
        Contact.objects.select_related("account")
        .filter(user=user, portal_enabled=True, is_active=True)
        .first()
    )


def portal_required(view: View) -> View:
    """Anonymous visitors go to the portal sign-in, staff to the staff side, and a
    contact who lost access is signed out."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if user.is_vendor_staff:
            return redirect("home")
        contact = portal_contact_of(user)
        if contact is None:
            logout(request)
            messages.error(request, _(
                "Your portal access has ended. Ask your account manager if you need it again."
            ))
            return redirect("portal:login")
        setattr(request, _CONTACT, contact)
        _record_visit(request, contact)
        return view(request, *args, **kwargs)

    return wrapper


def access_portal_contact(request: HttpRequest) -> Contact:
    """The signed-in contact (with their account), checked by ``portal_required``."""
    contact = getattr(request, _CONTACT, None)
    if contact is None:
        contact = portal_contact_of(request.user)
        if contact is None:
            raise PermissionDenied
        setattr(request, _CONTACT, contact)
    return contact


def _record_visit(request: HttpRequest, contact: Contact) -> None:
    """One row per contact and day; the session remembers the day, so it costs one query a day."""
    today = timezone.localdate().isoformat()
    if request.session.get(_VISIT_DAY) == today:
        return
    PortalVisit.objects.get_or_create(
        contact=contact, day=today, defaults={"account_id": contact.account_id}
    )
    request.session[_VISIT_DAY] = today


# --- what a contact may see -----------------------------------------------------------------

def assets_of(contact: Contact) -> QuerySet[Asset]:
    return Asset.objects.filter(account_id=contact.account_id).select_related("product")


def equipment_of(contact: Contact) -> QuerySet[Asset]:
    """Equipment in the field (retired equipment is history, not something to service)."""
    return assets_of(contact).exclude(status=AssetStatus.RETIRED)


def cases_of(contact: Contact) -> QuerySet[ServiceCase]:
    return ServiceCase.objects.filter(account_id=contact.account_id)


def orders_of(contact: Contact) -> QuerySet[Order]:
    return Order.objects.filter(account_id=contact.account_id)


def promises_of(contact: Contact) -> QuerySet[Promise]:
    """Our promises to the contact's company (never theirs to us, were they also a supplier)."""
    return Promise.objects.filter(account_id=contact.account_id, direction=Direction.FROM_US)


def plans_of(contact: Contact) -> QuerySet[JointPlan]:
    return JointPlan.objects.filter(account_id=contact.account_id, shared_with_customer=True)


def public_comments(case: ServiceCase) -> QuerySet[CaseComment]:
    """Comments the customer may read: never the internal ones."""
    return case.comments.filter(is_internal=False).select_related("author")


def visible_attachments(contact: Contact) -> QuerySet[CaseAttachment]:
    """Files the account's own people uploaded to its cases.

    Staff attachments carry no "shared with the customer" flag, so they stay on
    the staff side: a technician's photo or report is never exposed by accident.
    """
    return CaseAttachment.objects.filter(
        case__account_id=contact.account_id,
        uploaded_by__contact__account_id=contact.account_id,
    )


def access_asset(contact: Contact, pk: int) -> Asset:
    return get_object_or_404(assets_of(contact), pk=pk)


def access_case(contact: Contact, pk: int) -> ServiceCase:
    return get_object_or_404(
        cases_of(contact).select_related("asset__product", "raised_by"), pk=pk
    )


def access_order(contact: Contact, pk: int) -> Order:
    return get_object_or_404(orders_of(contact).select_related("placed_by"), pk=pk)


def access_attachment(contact: Contact, pk: int) -> CaseAttachment:
    return get_object_or_404(visible_attachments(contact), pk=pk)


def access_own_plan_item(contact: Contact, pk: int) -> JointPlanItem:
    """An item of a shared plan that the customer's side owns: the only items they may change."""
    return get_object_or_404(
        JointPlanItem.objects.filter(
            Q(plan__account_id=contact.account_id, plan__shared_with_customer=True),
            owner_side=Side.CUSTOMER,
        ).select_related("plan"),
        pk=pk,
    )
