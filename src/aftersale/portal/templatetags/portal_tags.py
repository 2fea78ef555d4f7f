"""The staff account page's portal column: each contact's access and the invite/revoke buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersale.accounts.models import Contact
from aftersale.portal.models import PortalInvitation

register = template.Library()


@dataclass(frozen=True)
class Access:
    state: str  # none | revoked | invited | expired | active
    label: str
    invitation: PortalInvitation | None

    @property
    def can_invite(self) -> bool:
        return self.state != "active"

    @property
    def can_revoke(self) -> bool:
        return self.state in ("invited", "expired", "active")


def access_state(contact: Contact, latest: PortalInvitation | None, now: datetime) -> Access:
    """Where a contact stands, from ``portal_enabled`` and their latest invitation (pure)."""
    if not contact.portal_enabled:
        if contact.user_id is not None or latest is not None:
            return Access("revoked", str(_("Access revoked")), latest)
        return Access("none", str(_("No access")), latest)
    if latest is not None and latest.used_at is None:
        if latest.is_usable(now):
            return Access("invited", str(_("Invited")), latest)
        return Access("expired", str(_("Invitation expired")), latest)
    return Access("active", str(_("Active")), latest)


def _latest_invitations(context: template.Context, account_id: int) -> dict[int, PortalInvitation]:
    """All the account's latest invitations in one query, shared by every row of the table."""
    cache = context.render_context.setdefault("portal_invitations", {})
    if account_id not in cache:
        latest: dict[int, PortalInvitation] = {}
        for invitation in PortalInvitation.objects.filter(contact__account_id=account_id).order_by(
            "contact_id", "-created_at", "-pk"
        ):
            latest.setdefault(invitation.contact_id, invitation)
        cache[account_id] = latest
    return cache[account_id]


@register.inclusion_tag("portal/_contact_access.html", takes_context=True)
def portal_access(context: template.Context, contact: Contact) -> dict:
    latest = _latest_invitations(context, contact.account_id).get(contact.pk)
    return {
        "contact": contact,
        "access": access_state(contact, latest, timezone.now()),
        "csrf_token": context.get("csrf_token"),
        "next": context["request"].get_full_path() + "#contacts" if "request" in context else "",
    }
