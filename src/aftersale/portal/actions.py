"""What a contact does in the portal, each change all-or-nothing and made through the domain apps.

Every ``do_*`` here takes the contact returned by ``access_portal_contact``
and objects fetched through the ``access_*`` helpers, and checks again that
they belong to the contact's account, so no change can reach another account.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersale.accounts.models import Contact
from aftersale.commerce.models import Channel, Order, OrderLine, Product
from aftersale.commerce.money import round_money
from aftersale.core.changes import account_changed
from aftersale.core.enums import Direction
from aftersale.portal.catalogue import Offer, offers
from aftersale.portal.conf import portal_setting
from aftersale.portal.invitations import site_url
from aftersale.portal.models import SurveyRequest, quarter_start
from aftersale.reviews.actions import do_record_expectation, do_record_trust_rating, do_set_item_status
from aftersale.reviews.models import Expectation, ItemStatus, JointPlanItem, Side, TrustRating
from aftersale.service import actions as service
from aftersale.service.models import Asset, CaseChannel, CaseComment, CaseKind, CaseStatus, ServiceCase

logger = logging.getLogger(__name__)

# The most of one product one portal order may carry: a typo guard, not a business rule.
MAX_QUANTITY = Decimal("100000")

# What a customer can ask for. Installation is included: equipment bought and
# awaiting installation is theirs to chase.
PORTAL_CASE_KINDS = (
    CaseKind.REPAIR, CaseKind.APPLICATION_SUPPORT, CaseKind.MAINTENANCE, CaseKind.INSTALLATION,
    CaseKind.OTHER,
)


# --- orders ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PricedLine:
    offer: Offer
    quantity: Decimal

    @property
    def amount(self) -> Decimal:
        return round_money(self.quantity * self.offer.price, self.offer.currency)


def check_order_lines(contact: Contact, quantities: dict[int, Decimal]) -> list[PricedLine]:
    """Price the requested quantities from the account's catalogue of today.

    Errors name the product: unknown or no longer sold, bad quantity.
    """
    wanted = {pk: q for pk, q in quantities.items() if q}
    if not wanted:
        raise ValidationError(_("Choose at least one product and a quantity."))
    products = Product.objects.filter(pk__in=wanted).order_by("kind", "name")
    by_pk = {o.product.pk: o for o in offers(contact.account, timezone.localdate(), products)}
    errors, lines = [], []
    for pk, quantity in wanted.items():
        offer = by_pk.get(pk)
        if offer is None:
            errors.append(_("Product %(pk)s cannot be ordered through the portal.") % {"pk": pk})
        elif quantity < 0 or quantity > MAX_QUANTITY:
            errors.append(_("%(product)s: the quantity must be between 0 and %(max)s.")
                          % {"product": offer.product.name, "max": f"{MAX_QUANTITY:,}"})
        else:
            lines.append(PricedLine(offer=offer, quantity=quantity))
    if errors:
        raise ValidationError(errors)
    return sorted(lines, key=lambda line: (line.offer.product.kind, line.offer.product.name))


def order_total(lines: Sequence[PricedLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0"))


@transaction.atomic
def do_place_order(contact: Contact, quantities: dict[int, Decimal], *, note: str = "",
                   now: datetime | None = None) -> Order:
    """Place an order in the portal channel, placed by the contact, at today's catalogue prices."""
    lines = check_order_lines(contact, quantities)
    account = contact.account
    order = Order.objects.create(
        account=account, placed_at=now or timezone.now(), total=order_total(lines),
        currency=account.currency, channel=Channel.PORTAL, placed_by=contact, note=note.strip(),
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, product=line.offer.product, quantity=line.quantity,
                  unit_price=line.offer.price, unit_cost=line.offer.unit_cost)
        for line in lines
    )
    account_changed(account.pk)
    return order


def reorder_quantities(order: Order) -> tuple[dict[int, Decimal], list[str]]:
    """The quantities of an earlier order, and the names of its products no longer sold."""
    quantities: dict[int, Decimal] = {}
    gone: list[str] = []
    for line in order.lines.select_related("product"):
        if line.product.is_active:
            quantities[line.product_id] = quantities.get(line.product_id, Decimal("0")) + line.quantity
        else:
            gone.append(line.product.name)
    return quantities, gone


# --- service requests -----------------------------------------------------------------------

def check_uploads(uploads: Sequence[UploadedFile]) -> None:
    """Every file within the service app's size and type limits, and not too many at once."""
    most = int(portal_setting("MAX_FILES_PER_UPLOAD"))
    if len(uploads) > most:
        raise ValidationError({"files": _("Attach at most %(n)d files at a time.") % {"n": most}})
    for upload in uploads:
        try:
            service.check_upload(upload)
        except ValidationError as error:
            raise ValidationError({"files": [f"{upload.name}: {m}" for m in error.messages]}) from None


@transaction.atomic
def do_raise_request(
    contact: Contact, *, kind: str, title: str, description: str, severity: str,
    is_complaint: bool, asset: Asset | None, uploads: Sequence[UploadedFile] = (),
) -> ServiceCase:
    """Open a case from the portal: raised by the contact, in the portal channel, with their files."""
    if kind not in PORTAL_CASE_KINDS:
        raise ValidationError({"kind": _("Choose what you need.")})
    if asset is not None and asset.account_id != contact.account_id:
        raise ValidationError({"asset": _("Choose one of your own machines.")})
    check_uploads(uploads)
    case = service.do_open_case(
        account=contact.account, kind=kind, title=title.strip(), by=contact.user,
        severity=severity, channel=CaseChannel.PORTAL, is_complaint=is_complaint,
        description=description.strip(), raised_by=contact, asset=asset,
    )
    for upload in uploads:
        service.do_add_attachment(case, upload=upload, by=contact.user)
    return case


@transaction.atomic
def do_comment(contact: Contact, case: ServiceCase, *, body: str,
               uploads: Sequence[UploadedFile] = ()) -> CaseComment | None:
    """The customer's reply on their case.

    Unlike a staff comment it is never our first response; a case waiting on
    the customer goes back to in progress, so its clock runs again.
    """
    if case.account_id != contact.account_id:
        raise ValidationError(_("That request belongs to another account."))
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"body": _("This request is closed. Raise a new one if you need more help.")})
    body = body.strip()
    if not body and not uploads:
        raise ValidationError({"body": _("Write something or attach a file.")})
    check_uploads(uploads)
    comment = None
    if body:
        comment = CaseComment.objects.create(case=case, author=contact.user, body=body, is_internal=False)
    for upload in uploads:
        service.do_add_attachment(case, upload=upload, by=contact.user)
    if case.status == CaseStatus.WAITING:
        service.do_change_status(case, CaseStatus.IN_PROGRESS, by=contact.user)
    return comment


# --- joint plan -----------------------------------------------------------------------------

def do_update_own_item(contact: Contact, item: JointPlanItem, status: str) -> JointPlanItem:
    """The customer marks one of their own items of a shared plan open, done or dropped."""
    plan = item.plan
    shared = plan.account_id == contact.account_id and plan.shared_with_customer
    if not shared or item.owner_side != Side.CUSTOMER:
        raise ValidationError(_("Only your own items of a shared plan can be changed here."))
    if status not in ItemStatus.values:
        raise ValidationError({"status": _("Unknown status %(status)r.") % {"status": status}})
    return do_set_item_status(item=item, status=status)


def do_add_expectation(contact: Contact, description: str) -> Expectation:
    return do_record_expectation(account=contact.account, held_by=Side.CUSTOMER, description=description)


# --- surveys (P16) --------------------------------------------------------------------------

def survey_offer(contact: Contact, now: datetime | None = None) -> SurveyRequest | None:
    """This quarter's open survey request for the contact, offered now if not offered yet.

    At most one per contact and calendar quarter (a unique constraint); none
    is offered in a quarter in which the contact already gave a rating that
    staff recorded for them.
    """
    now = now or timezone.now()
    quarter = quarter_start(timezone.localdate(now))
    request = SurveyRequest.objects.filter(contact=contact, quarter=quarter).first()
    if request is None:
        rated = TrustRating.objects.filter(
            rated_by_contact=contact, direction=Direction.TO_US, rated_at__gte=quarter
        ).exists()
        if rated:
            return None
        request, _created = SurveyRequest.objects.get_or_create(
            contact=contact, quarter=quarter, defaults={"offered_at": now}
        )
    return request if request.is_open else None


@transaction.atomic
def do_answer_survey(
    contact: Contact, request: SurveyRequest, *, answers: dict[str, int], satisfaction: int,
    comment: str = "", now: datetime | None = None,
) -> TrustRating:
    """Record the contact's rating of us; the quarter's request is then answered (once)."""
    now = now or timezone.now()
    if request.contact_id != contact.pk:
        raise ValidationError(_("That survey was offered to someone else."))
    claimed = SurveyRequest.objects.filter(
        pk=request.pk, answered_at__isnull=True, declined_at__isnull=True
    ).update(answered_at=now)
    if claimed != 1:
        raise ValidationError(_("You have already answered this quarter's survey. Thank you."))
    rating = do_record_trust_rating(
        account=contact.account, by=contact.user, direction=Direction.TO_US,
        rated_at=timezone.localdate(now), answers=answers, satisfaction=satisfaction,
        contact=contact, comment=comment,
    )
    SurveyRequest.objects.filter(pk=request.pk).update(rating=rating)
    return rating


def do_decline_survey(contact: Contact, request: SurveyRequest, now: datetime | None = None) -> None:
    SurveyRequest.objects.filter(
        pk=request.pk, contact=contact, answered_at__isnull=True, declined_at__isnull=True
    ).update(declined_at=now or timezone.now())


# --- telling the account's owner ------------------------------------------------------------

def notify_owner(contact: Contact, template: str, obj: Order | ServiceCase) -> bool:
    """E-mail the account's owner, in their language, that the contact did something in the portal.

    Called after the change is committed; a mail failure is logged and does not
    undo it (the order or request is on the staff pages already).
    """
    owner = contact.account.owner
    if not owner.email or not owner.is_active:
        return False
    context = {
        "contact": contact, "account": contact.account, "object": obj,
        "account_url": site_url(reverse("account_detail", args=[contact.account_id])),
        "case_url": site_url(obj.get_absolute_url()) if isinstance(obj, ServiceCase) else "",
    }
    with translation.override(owner.language or "en"):
        subject = render_to_string(f"portal/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"portal/email/{template}_body.txt", context)
    try:
        send_mail(subject, body, None, [owner.email])
    except Exception:  # the portal change stands; the owner sees it on their pages
        logger.exception("Could not tell %s about a portal %s", owner.email, template)
        return False
    return True
