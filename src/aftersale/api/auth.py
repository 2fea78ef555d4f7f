"""``Authorization: Bearer TOKEN`` for every API operation."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from aftersale.api.errors import NotAuthenticated
from aftersale.api.fast import fetch, fetch_together
from aftersale.api.models import ApiToken
from aftersale.api.tokens import (
    TokenRefused,
    accept,
    authenticate_token,
    expected,
    find_token,
    lookup,
    same_holder,
    token_from_rows,
)


class TokenAuth(HttpBearer):
    """Refuses with a reason (missing, malformed, invalid, revoked) rather than a bare 401;
    the token's user becomes ``request.user``, so every scoping rule of the UI applies.

    With ``together=True`` (the hottest reads, which also decorate their view with
    ``checked_together``) a token this process has seen before is checked in the same
    database round trip as the view's first query instead of one round trip earlier:
    the request starts as the holder the token was last found to be, the check's answer
    arrives with the data, and the data is used only if the token is still valid and
    its holder unchanged (otherwise the request is refused, or starts over as the
    holder now is). Revocation still takes effect on the very next request.
    """

    def __init__(self, *, together: bool = False) -> None:
        super().__init__()
        self.together = together

    def __call__(self, request: HttpRequest) -> ApiToken:
        # From META directly: request.headers copies every header first.
        header = request.META.get("HTTP_AUTHORIZATION", "")
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
        guess = expected(token) if self.together else None
        if guess is not None:
            request.api_unchecked = token  # type: ignore[attr-defined]
            return _act_as(request, guess)
        try:
            return _act_as(request, authenticate_token(token))
        except TokenRefused as refused:
            raise NotAuthenticated(str(refused), code=refused.code) from None


def _act_as(request: HttpRequest, token: ApiToken) -> ApiToken:
    request.user = token.user
    request.auth = token  # type: ignore[attr-defined]
    # Messages follow the client's Accept-Language, else the token holder's language.
    if "HTTP_ACCEPT_LANGUAGE" not in request.META and token.user.language:
        translation.activate(token.user.language)
        request.LANGUAGE_CODE = token.user.language
    return token


class _StartOver(Exception):
    """The token's holder changed since this process last saw it: answer again as they are."""


def fetch_checked(request: HttpRequest, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """``fetch(sql, params)`` for a view decorated with ``checked_together``: if the
    request's token is not checked yet, the check goes in the same round trip."""
    secret = getattr(request, "api_unchecked", None)
    if secret is None:
        return fetch(sql, params)
    token_rows, rows = fetch_together([lookup(secret), (sql, params)])
    request.api_unchecked = None  # type: ignore[attr-defined]  (only now: a failed read checks later)
    _settle(request, secret, token_from_rows(token_rows))
    return rows


def _settle(request: HttpRequest, secret: str, found: ApiToken | None) -> None:
    guess = request.auth  # type: ignore[attr-defined]
    try:
        token = accept(found, secret)
    except TokenRefused as refused:
        raise NotAuthenticated(str(refused), code=refused.code) from None
    if not same_holder(token, guess):
        _act_as(request, token)
        raise _StartOver


def checked_together(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views authenticated with ``TokenAuth(together=True)`` that read through
    ``fetch_checked``: whatever the view does, nothing leaves it before the token is
    checked, and if the holder changed the view answers again as the holder now is."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        while True:  # at most twice: the second pass runs with the token checked
            try:
                try:
                    response = view(request, *args, **kwargs)
                except _StartOver:
                    raise
                except Exception:
                    _check_now(request)  # a refused token wins over the view's own error
                    raise
                _check_now(request)
                return response
            except _StartOver:
                continue

    return checked


def _check_now(request: HttpRequest) -> None:
    """The check of a token the view did not check on its way (it failed, or answered
    before its first query)."""
    secret = getattr(request, "api_unchecked", None)
    if secret is not None:
        request.api_unchecked = None  # type: ignore[attr-defined]
        _settle(request, secret, find_token(secret))


def check_before_refusing(request: HttpRequest) -> None:
    """For errors raised before the view runs (ninja's validation of the query): a token
    not checked yet is checked first, so a refused token answers 401, not 422."""
    # On _StartOver the request now acts as the holder is, and the error is worded for them.
    with suppress(_StartOver):
        _check_now(request)
