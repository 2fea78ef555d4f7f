"""The one sign-in throttle, on every door (docs/operations.md, "Sign-in throttling").

django-axes does the counting: each failed password check is a row in the
database (``axes.AccessAttempt``), so every process and server shares one count,
and its authentication backend refuses a locked-out login on every door that
checks a password (the staff sign-in, the admin's, the portal's). A password-reset
request checks no password; ``allow_reset_request`` counts it on the same rows.

The count is kept per login tried *and* client address, so a guessing run stops
after a few tries without anyone elsewhere being locked out of their own login.
The functions below are what ``settings.AXES_*`` name: they read the limit and
the lockout from ``aftersale.core.conf`` when used, and find the real client
address behind the proxies listed in ``TRUSTED_PROXIES``.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from aftersale.core import conf

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Longest login kept in a failure row (its column's size).
LOGIN_LENGTH = 255


def failure_limit(request: HttpRequest | None, credentials: dict[str, Any] | None) -> int:
    return int(conf.get("LOGIN_FAILURE_LIMIT"))


def lockout_minutes() -> int:
    return int(conf.get("LOGIN_LOCKOUT_MINUTES"))


def lockout_time(request: HttpRequest | None) -> timedelta:
    return timedelta(minutes=lockout_minutes())


def attempted_login(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The login tried, as the count keys it: e-mail addresses log in whatever their case."""
    source: Any = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username") or source.get("email") or ""
    login = str(value).strip().lower()[:LOGIN_LENGTH]
    return login or None


def _address(text: str) -> Address | None:
    try:
        # Without a zone (``%eth0``): the same client whatever interface, and the column takes none.
        address = ipaddress.ip_address(text.strip().strip("[]").partition("%")[0])
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: tuple[Any, ...]) -> bool:
    return any(address in network for network in proxies if network.version == address.version)


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent the request.

    The peer (``REMOTE_ADDR``) unless it is a trusted proxy; then ``X-Forwarded-For``
    is read from its right end (each proxy appends the address it was reached from),
    skipping further trusted proxies: the first address that is not one is the
    client. Anything left of it was written by the client and could be forged.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies = conf.get("TRUSTED_PROXIES")
    client = peer
    if _trusted(peer, proxies):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            if not hop.strip():
                continue
            address = _address(hop)
            if address is None:
                break  # a malformed entry: keep the last address a trusted proxy vouched for
            client = address
            if not _trusted(address, proxies):
                break
    return str(client)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The page a locked-out login gets, on the portal's or the staff side's look."""
    match = getattr(request, "resolver_match", None)
    portal = match is not None and match.namespace == "portal"
    minutes = lockout_minutes()
    response = render(
        request, "portal/login_blocked.html" if portal else "ops/login_blocked.html",
        {"minutes": minutes}, status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def allow_reset_request(request: HttpRequest, email: str) -> bool:
    """Count a password-reset request as an attempt at ``email`` from this client, unless the
    login is locked out from here (False: send nothing)."""
    credentials = {"username": email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return False
    AxesProxyHandler.user_login_failed(sender=allow_reset_request, credentials=credentials,
                                       request=request)
    # The request that reaches the limit is still answered (its e-mail goes out): the
    # next one, on any door, is refused.
    request.axes_locked_out = False  # type: ignore[attr-defined]
    return True


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, counted by the sign-in throttle, its link made from ``SITE_URL``
    (never from the request's Host header, which the client chooses)."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if not allow_reset_request(self.request, form.cleaned_data["email"]):
            return lockout_response(self.request)
        site = urlparse(conf.get("SITE_URL"))
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context={**(self.extra_email_context or {}), "site_url": conf.site_url()},
        )
        return HttpResponseRedirect(self.get_success_url())
