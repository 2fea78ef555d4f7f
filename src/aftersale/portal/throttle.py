"""Sign-in throttling for the portal: too many failures for one address from one place → wait.

Failures are rows in the database rather than cache entries, so every app
server and worker sees the same count without a shared cache to run (the
embedded default has none). Only the window's rows are kept: each new failure
deletes the expired ones.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.http import HttpRequest

from aftersale.portal.conf import portal_setting
from aftersale.portal.models import LoginFailure


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind a proxy this is the proxy's own address
    unless it rewrites REMOTE_ADDR; the limit then holds per e-mail address (docs/portal.md)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def throttle_key(email: str, ip: str) -> str:
    return hashlib.sha256(f"{email.strip().lower()}|{ip}".encode()).hexdigest()


def window() -> timedelta:
    return timedelta(minutes=int(portal_setting("LOGIN_FAILURE_WINDOW_MINUTES")))


def is_throttled(key: str, now: datetime) -> bool:
    limit = int(portal_setting("LOGIN_FAILURE_LIMIT"))
    return LoginFailure.objects.filter(key=key, at__gt=now - window()).count() >= limit


def record_failure(key: str, now: datetime) -> None:
    LoginFailure.objects.filter(at__lte=now - window()).delete()
    LoginFailure.objects.create(key=key, at=now)


def clear_failures(key: str) -> None:
    LoginFailure.objects.filter(key=key).delete()
