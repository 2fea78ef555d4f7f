"""``Authorization: Bearer TOKEN`` for every API operation."""

from __future__ import annotations

from contextlib import suppress

from auditlog.context import auditlog_value
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from aftersale.api.errors import NotAuthenticated
from aftersale.api.models import ApiToken
from aftersale.api.tokens import TokenRefused, authenticate_token


class TokenAuth(HttpBearer):
    """Refuses with a reason (missing, malformed, invalid, revoked) rather than a bare 401;
    the token's user becomes ``request.user``, so every scoping rule of the UI applies.
    ninja runs it before it reads the operation's parameters, and so before any data."""

    def __call__(self, request: HttpRequest) -> ApiToken:
        header = request.headers.get("Authorization", "")
        if not header:
            raise NotAuthenticated(
                _("No API token: send 'Authorization: Bearer TOKEN' (create one with "
                  "'aftersale api-token EMAIL')."),
                code="missing_token",
            )
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise NotAuthenticated(
                _("The Authorization header must read 'Bearer TOKEN'."), code="malformed_token"
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        try:
            found = authenticate_token(token)
        except TokenRefused as refused:
            raise NotAuthenticated(str(refused), code=refused.code) from None
        user = found.user
        request.user = user
        # Messages follow the client's Accept-Language, else the token holder's language.
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        # The audit trail's middleware ran before the token was known: changes made
        # through the API are the token holder's, whoever a session cookie names.
        with suppress(LookupError):
            auditlog_value.get()["actor"] = user
        return found
