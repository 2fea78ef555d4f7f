"""Giving a contact portal access, and taking it away.

Staff (or ``aftersale portal-invite``) invite a contact: the contact's portal
login is created if needed, with no usable password, and a single-use link
valid for ``INVITATION_DAYS`` is e-mailed in the contact's language. Opening
the link lets them choose a password; the link is then spent. Revoking turns
``Contact.portal_enabled`` off and withdraws unused links.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersale.accounts.models import AccountKind, Contact
from aftersale.core.conf import site_url
from aftersale.portal.conf import portal_setting
from aftersale.portal.models import PortalInvitation, hash_token
from aftersale.staff.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentInvitation:
    invitation: PortalInvitation
    link: str
    language: str


def default_language(contact: Contact) -> str:
    """The contact's saved language; for a first invitation, Vietnamese for a Vietnamese company."""
    if contact.user_id is not None and contact.user.language:
        return contact.user.language
    return "vi" if contact.account.country == "VN" else "en"


def check_invitable(contact: Contact) -> None:
    """A contact can be invited if they have an address that is not someone else's login."""
    if contact.account.kind != AccountKind.CUSTOMER:
        raise ValidationError(_("The portal is for customers; %(account)s is a supplier.")
                              % {"account": contact.account.name})
    if not contact.is_active:
        raise ValidationError(_("%(name)s is no longer an active contact.") % {"name": contact.name})
    if not contact.email:
        raise ValidationError(_("%(name)s has no e-mail address to send the invitation to.")
                              % {"name": contact.name})
    if contact.user_id is not None and contact.user.role:
        raise ValidationError(_("%(name)s is linked to a staff login, which cannot use the portal.")
                              % {"name": contact.name})
    holder = User.objects.filter(email=contact.email.lower()).exclude(pk=contact.user_id).first()
    if holder is not None:
        if holder.role:
            raise ValidationError(_("%(email)s is a staff member's login; staff cannot use the portal.")
                                  % {"email": contact.email})
        other = Contact.objects.filter(user=holder).select_related("account").first()
        if other is not None:
            raise ValidationError(_("%(email)s already signs in to the portal as %(other)s.")
                                  % {"email": contact.email, "other": other})


def _portal_user(contact: Contact, language: str) -> User:
    """The contact's login: theirs if linked, else a new one without a usable password."""
    email = contact.email.lower()
    user = contact.user or User.objects.filter(email=email, role="").first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, name=contact.name, language=language)
    else:
        user.email, user.is_active, user.language = email, True, language
        user.name = user.name or contact.name
        user.save()
    if contact.user_id != user.pk:
        contact.user = user
    return user


@transaction.atomic
def do_invite_contact(
    contact: Contact, *, by: User | None, language: str | None = None, now: datetime | None = None,
) -> SentInvitation:
    """Create the contact's invitation (withdrawing earlier unused ones) and turn portal access on.

    Returns the link; sending it is ``notify_invitation``'s job, after the commit.
    """
    now = now or timezone.now()
    contact = (Contact.objects.select_for_update(of=("self",))
               .select_related("account", "user").get(pk=contact.pk))
    check_invitable(contact)
    language = language or default_language(contact)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language %(code)r.") % {"code": language})
    _portal_user(contact, language)
    contact.portal_enabled = True
    contact.save(update_fields=["user", "portal_enabled", "updated_at"])
    PortalInvitation.objects.filter(contact=contact).usable(now).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = PortalInvitation.objects.create(
        contact=contact, token_hash=hash_token(token), sent_to=contact.email.lower(), created_by=by,
        created_at=now, expires_at=now + timedelta(days=int(portal_setting("INVITATION_DAYS"))),
    )
    link = site_url(reverse("portal:invitation", args=[token]))
    return SentInvitation(invitation=invitation, link=link, language=language)


def notify_invitation(sent: SentInvitation) -> bool:
    """E-mail the link in the contact's language; False (and logged) if the mail could not go."""
    invitation = sent.invitation
    contact = invitation.contact
    context = {
        "contact": contact, "account": contact.account, "link": sent.link,
        "expires_at": invitation.expires_at, "invited_by": invitation.created_by,
        "portal_url": site_url(reverse("portal:home")),
    }
    with translation.override(sent.language):
        subject = render_to_string("portal/email/invitation_subject.txt", context).strip()
        body = render_to_string("portal/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, None, [invitation.sent_to])
    except Exception:  # any backend failure: the invitation stands and can be sent again
        logger.exception("Could not send the portal invitation %s", invitation.pk)
        return False
    return True


def find_invitation(token: str, now: datetime) -> PortalInvitation | None:
    """The invitation behind a link, if it can still be used."""
    invitation = (
        PortalInvitation.objects.select_related("contact__user", "contact__account")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return invitation if invitation is not None and _acceptable(invitation, now) else None


def usable_invitation(pk: int | None, now: datetime) -> PortalInvitation | None:
    if pk is None:
        return None
    invitation = (
        PortalInvitation.objects.select_related("contact__user", "contact__account").filter(pk=pk).first()
    )
    return invitation if invitation is not None and _acceptable(invitation, now) else None


def _acceptable(invitation: PortalInvitation, now: datetime) -> bool:
    contact = invitation.contact
    return (
        invitation.is_usable(now) and contact.portal_enabled and contact.is_active
        and contact.user_id is not None
    )


@transaction.atomic
def do_accept_invitation(invitation: PortalInvitation, *, password: str, now: datetime | None = None) -> User:
    """Spend the invitation and set the contact's password (validate it first: SetPasswordForm).

    The conditional UPDATE is what makes the link single-use, even when it is
    submitted twice at the same moment.
    """
    now = now or timezone.now()
    spent = PortalInvitation.objects.filter(pk=invitation.pk).usable(now).update(used_at=now)
    if spent != 1:
        raise ValidationError(_("This invitation link has already been used or has expired."))
    contact = Contact.objects.select_related("user").get(pk=invitation.contact_id)
    if not (contact.portal_enabled and contact.is_active and contact.user is not None):
        raise ValidationError(_("Portal access for this contact has been withdrawn."))
    user = contact.user
    user.set_password(password)
    user.is_active = True
    user.save()
    PortalInvitation.objects.filter(contact=contact).usable(now).update(revoked_at=now)
    return user


@transaction.atomic
def do_revoke_access(contact: Contact, *, now: datetime | None = None) -> Contact:
    """Turn portal access off: nothing is visible from the contact's next request on."""
    now = now or timezone.now()
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    contact.portal_enabled = False
    contact.save(update_fields=["portal_enabled", "updated_at"])
    PortalInvitation.objects.filter(contact=contact).usable(now).update(revoked_at=now)
    return contact
