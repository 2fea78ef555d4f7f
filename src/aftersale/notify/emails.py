"""The two e-mails: an alert sent at once, and the daily digest of the attention list.

Each is written in the recipient's language, carries a one-click unsubscribe
(RFC 8058: ``List-Unsubscribe`` with ``List-Unsubscribe-Post``) for the kinds
it contains, and a Message-ID derived from its content, so that a message
sent twice after a crash shows once in mail clients.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from aftersale.alerts.attention import Group
from aftersale.alerts.models import Alert, AlertKind
from aftersale.notify.conf import absolute, mail_domain
from aftersale.notify.unsubscribe import unsubscribe_url
from aftersale.staff.models import User


def _item(alert: Alert) -> dict[str, object]:
    return {"alert": alert, "url": absolute("account_detail", alert.account_id)}


def _headers(message: EmailMessage, message_id: str, unsubscribe: str) -> EmailMessage:
    message.extra_headers.update({
        "Message-ID": f"<{message_id}@{mail_domain()}>",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    })
    return message


def alerts_message(owner: User, kind: str, alerts: list[Alert]) -> EmailMessage:
    """New alerts of one kind for one owner, sent at once."""
    unsubscribe = unsubscribe_url(owner, [kind])
    with translation.override(owner.language or "en"):
        context = {
            "owner": owner, "kind": AlertKind(kind).label, "count": len(alerts),
            "items": [_item(a) for a in alerts], "first": alerts[0],
            "unsubscribe_url": unsubscribe, "settings_url": absolute("notify_settings"),
            "attention_url": absolute("home"),
        }
        subject = " ".join(render_to_string("notify/email/alerts_subject.txt", context).split())
        body = render_to_string("notify/email/alerts_body.txt", context)
    digest = hashlib.sha256(",".join(str(a.pk) for a in alerts).encode()).hexdigest()[:24]
    message = EmailMessage(subject=subject, body=body, to=[owner.email])
    return _headers(message, f"alerts-{digest}", unsubscribe)


def digest_message(user: User, day: date, groups: list[Group], in_hand: list[Alert],
                   kinds: list[str]) -> EmailMessage:
    """The attention list of ``user`` for ``day``: the groups needing action, then those in hand.

    ``kinds`` are the kinds this person gets in the digest; the header's
    unsubscribe turns all of them off, each group's link only its own.
    """
    unsubscribe = unsubscribe_url(user, kinds)
    with translation.override(user.language or "en"):
        context = {
            "user": user, "day": day, "count": sum(len(g.alerts) for g in groups),
            "groups": [
                {"title": g.reason.title, "items": [_item(a) for a in g.alerts],
                 "unsubscribe_url": unsubscribe_url(user, [k for k in g.reason.kinds if k in kinds])}
                for g in groups
            ],
            "in_hand": [_item(a) for a in in_hand],
            "unsubscribe_url": unsubscribe, "settings_url": absolute("notify_settings"),
            "attention_url": absolute("home"),
        }
        subject = " ".join(render_to_string("notify/email/digest_subject.txt", context).split())
        body = render_to_string("notify/email/digest_body.txt", context)
    message = EmailMessage(subject=subject, body=body, to=[user.email])
    return _headers(message, f"digest-{user.pk}-{day.isoformat()}", unsubscribe)
