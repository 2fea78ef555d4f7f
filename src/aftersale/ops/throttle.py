"""Login throttling: after too many failed sign-ins for one e-mail from one address,
further attempts are refused for a while (docs/operations.md).

Counted in Django's cache, per e-mail and client address, so one attacker cannot lock
a person out from everywhere, and a password-guessing run stops after a few tries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

LIMIT = getattr(settings, "LOGIN_FAILURE_LIMIT", 5)
WINDOW = getattr(settings, "LOGIN_FAILURE_WINDOW", 15 * 60)


def _key(email: str, address: str) -> str:
    digest = hashlib.sha256(f"{email.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def _address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the proxy's behind nginx; the proxy passes the client's address.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def is_blocked(request: HttpRequest, email: str) -> bool:
    return cache.get(_key(email, _address(request)), 0) >= LIMIT


@receiver(user_login_failed)
def count_failure(sender, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    if request is None:
        return
    key = _key(credentials.get("username") or credentials.get("email") or "", _address(request))
    cache.add(key, 0, WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)


@receiver(user_logged_in)
def forget_failures(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None:
        cache.delete(_key(user.get_username(), _address(request)))


class LoginThrottleMiddleware:
    """Refuses a sign-in POST for an e-mail that failed too often from this address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == reverse("login"):
            email = request.POST.get("username", "")
            if email and is_blocked(request, email):
                return render(request, "ops/login_blocked.html",
                              {"minutes": WINDOW // 60}, status=429)
        return self.get_response(request)
