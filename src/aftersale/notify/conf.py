"""Notification settings, read when used (never at import time)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

DEFAULTS = {"DIGEST_HOUR": 7, "INTERVAL_MINUTES": 5}


def setting(name: str) -> int:
    return int(settings.AFTERSALE.get("NOTIFY", {}).get(name, DEFAULTS[name]))


def site_url(path: str = "") -> str:
    """An absolute link for e-mails and calendars (``SITE_URL`` + path)."""
    return settings.AFTERSALE.get("SITE_URL", "").rstrip("/") + path


def absolute(url_name: str, *args: object) -> str:
    return site_url(reverse(url_name, args=list(args)))


def mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "aftersale"
