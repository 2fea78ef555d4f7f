"""Notification settings (``AFTERSALE["NOTIFY"]``, in ``aftersale.core.conf``'s table) and links."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from aftersale.core import conf
from aftersale.core.conf import site_url


def setting(name: str) -> int:
    return int(conf.get(f"NOTIFY.{name}"))


def absolute(url_name: str, *args: object) -> str:
    return site_url(reverse(url_name, args=list(args)))


def mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "aftersale"
