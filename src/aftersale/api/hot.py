"""The two most polled reads, answered in one statement before ninja when nothing is unusual.

Integrations and dashboards poll the account list and an account's health
with the same token over and over. Through ninja each such request spent
more time in routing, authentication, parameter handling and two database
round trips than in its data (bench/api_load.py). ``HotReads``, the last of
the API's middleware (``aftersale.api.middleware``), answers them itself
when the request is the common case:

- the token is one this process has already accepted (``tokens.expected``),
- the query parameters pass ninja's own parameter models of the operation
  (the same pydantic models, so the same values),
- and the answer is a plain one: a page of the list; for health, the answer
  already kept for the latest snapshot (``HealthReport``).

It then reads the token and the data in one statement (on PostgreSQL; on
SQLite, which has no round trips to save, one after the other) with the same
statement and formatting functions the views use (``accounts.list_statement``
and ``list_answer``, ``health.health_statement``), and answers only if the
token is still valid and its holder unchanged. Everything else (no or an
unknown token, a refused token, a changed holder, invalid parameters, a bad
cursor, a missing account, an answer still to be worked out, a never
scanned account) goes on to the ninja view, which answers exactly as before,
errors included: this module never writes an error itself. The OpenAPI
schema is ninja's, as the operations are unchanged.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pydantic
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.operation import Operation

from aftersale.api.auth import _act_as
from aftersale.api.errors import ApiError
from aftersale.api.fast import Rows, fetch, respond_text
from aftersale.api.tokens import (
    USER_FIELDS,
    TokenRefused,
    accept,
    expected,
    lookup,
    same_holder,
    token_from_rows,
    use_to_record,
)

LIST_PATH = "/api/accounts"
# Django's URL pattern for ninja's "{account_id}" matches any segment; ninja validates it.
HEALTH_PATH = re.compile(r"/api/accounts/([^/]+)/health\Z")


class HotReads:
    """Answers ``GET /api/accounts`` and ``GET /api/accounts/{id}/health`` in their common
    case; hands every other request (and every unusual one of these) to the next handler."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            path = request.path_info
            answer = None
            if path == LIST_PATH:
                answer = hot_list(request)
            elif path.endswith("/health") and (found := HEALTH_PATH.match(path)):
                answer = hot_health(request, found.group(1))
            if answer is not None:
                return answer
        return self.get_response(request)


def _secret(request: HttpRequest) -> str | None:
    """The bearer token if the header is well formed and the token already known here."""
    scheme, _sep, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    guess = expected(secret)
    if guess is None:
        return None
    _act_as(request, guess)  # as TokenAuth does: the user, and their language if none was asked for
    return secret


@cache
def _operation(view: str) -> Operation:
    from aftersale.api.routers import accounts, health

    for router in (accounts.router, health.router):
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.view_func.__name__ == view:
                    return operation
    raise LookupError(view)


def _params(view: str, request: HttpRequest, path_params: dict[str, Any]) -> dict[str, Any] | None:
    """The view's arguments as ninja validates them (its own models), or None if invalid."""
    from aftersale.api.main import api

    plain = not path_params and not request.META.get("QUERY_STRING")
    if plain and view in _defaults:
        return _defaults[view]  # only read, never changed
    values: dict[str, Any] = {}
    for model in _operation(view).models:
        try:
            values.update(model.resolve(request, api, path_params))
        except pydantic.ValidationError:
            return None
    if plain:
        _defaults[view] = values
    return values


# Each view's arguments for a request without parameters (the usual poll), once validated.
_defaults: dict[str, dict[str, Any]] = {}


def _account_id(request: HttpRequest, text: str) -> int | None:
    """A plain decimal id as ninja reads it (``Id``: 1 to 2**63 - 1); None for anything
    else, which ninja then judges."""
    if text.isascii() and text.isdigit() and text[0] != "0" and len(text) < 19:
        return int(text)
    values = _params("account_health", request, {"account_id": text})
    return None if values is None else values["account_id"]


@cache
def _combined(token_sql: str, sql: str, width: int, order: tuple[int, ...]) -> str:
    """The token's row and the data's rows (``width`` columns, ordered by the columns at
    the 0-based positions ``order``) in one statement: a first column says which is which
    (0: the token, 1: data), the token's columns follow, then the data's."""
    token_nulls, data_nulls = ", NULL" * TOKEN_WIDTH, ", NULL" * width
    keys = "".join(f", {2 + TOKEN_WIDTH + i}" for i in order)
    return (
        f"SELECT 0, x.*{data_nulls} FROM ({token_sql}) x"  # noqa: S608
        f" UNION ALL SELECT 1{token_nulls}, q.* FROM ({sql}) q ORDER BY 1{keys}"
    )


# The token statement's columns: id, prefix, revoked_at, last_used_at, then the user's fields.
TOKEN_WIDTH = 4 + len(USER_FIELDS)


def _read(request: HttpRequest, secret: str, statement: tuple[str, list[Any]], width: int,
          order: tuple[int, ...]) -> Rows | None:
    """``sql``'s rows if the token is still accepted and its holder the one the request
    started as; None otherwise (the view then answers, refusals included)."""
    token_sql, token_params = lookup(secret)
    sql, params = statement
    if connection.vendor == "postgresql":
        rows = fetch(_combined(token_sql, sql, width, order), [*token_params, *params])
        token_rows = [row[1:TOKEN_WIDTH + 1] for row in rows if row[0] == 0]
        data = [row[TOKEN_WIDTH + 1:] for row in rows if row[0] == 1]
    else:
        token_rows, data = fetch(token_sql, token_params), fetch(sql, params)
    guess = request.auth  # type: ignore[attr-defined]
    if token_rows and tuple(token_rows[0]) == getattr(guess, "row", None) and not use_to_record(
            guess, timezone.now()):
        return data  # read exactly as when it was last accepted: nothing to check or record anew
    try:
        token = accept(token_from_rows(token_rows), secret)
    except TokenRefused:
        return None
    if not same_holder(token, guess):
        return None
    return data


def hot_list(request: HttpRequest) -> HttpResponse | None:
    from aftersale.api.routers.accounts import LIST_ORDER, LIST_WIDTH, list_answer, list_statement

    secret = _secret(request)
    if secret is None:
        return None
    values = _params("list_accounts", request, {})
    if values is None:
        return None
    filters = values["filters"]
    try:
        sql, params = list_statement(request, filters)
    except ApiError:  # a bad cursor: the view says so, once the token is checked
        return None
    rows = _read(request, secret, (sql, params), LIST_WIDTH, LIST_ORDER)
    return None if rows is None else list_answer(rows, filters.limit)


def hot_health(request: HttpRequest, account_id: str) -> HttpResponse | None:
    from aftersale.api.routers.health import HEALTH_WIDTH, health_statement

    secret = _secret(request)
    if secret is None:
        return None
    pk = _account_id(request, account_id)
    if pk is None:
        return None
    rows = _read(request, secret, health_statement(request, pk), HEALTH_WIDTH, ())
    if not rows or rows[0][0] is None:  # not found, or the answer is still to be worked out
        return None
    return respond_text(rows[0][0])
