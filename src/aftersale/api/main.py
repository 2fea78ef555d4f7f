"""The REST API: one NinjaAPI mounted at /api/, OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.parser import Parser

from aftersale.api.auth import TokenAuth
from aftersale.api.errors import ApiError, NotFound, invalid_from_django, invalid_from_pydantic
from aftersale.api.renderers import OrjsonRenderer

DESCRIPTION = """\
Aftersale's REST API for integrations (ERP, CRM, support desk).

Authenticate with `Authorization: Bearer TOKEN` (a staff member's token from
`aftersale api-token EMAIL`); the token acts as that person, with the same
visibility and validation as the web pages. Lists are paginated by cursor
(`limit`, `cursor`, `next_cursor`) and filter with `updated_since` for
incremental sync and `external_id` for lookups. The account list and an
account's health carry an `ETag`: send it back as `If-None-Match` and an
unchanged answer is `304 Not Modified`, without a body. Errors have one shape:
`detail`, `code`, and for invalid input `errors` naming each field.
See docs/api.md.
"""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


class JsonParser(Parser):
    """JSON bodies only; what was wrong with a bad body is kept for the 400 message."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            return json.loads(request.body, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            request.api_body_error = str(exc)  # type: ignore[attr-defined]
            raise


class AftersaleApi(NinjaAPI):
    def get_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = AftersaleApi(
    title="Aftersale API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    parser=JsonParser(),
    renderer=OrjsonRenderer(),
)


def _respond(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(request, error.body(), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="aftersale"'
    return response


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _respond(request, exc)


@api.exception_handler(NinjaValidationError)
def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return _respond(request, invalid_from_pydantic(exc.errors, body_params=("payload",)))


@api.exception_handler(DjangoValidationError)
def on_invalid_values(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return _respond(request, invalid_from_django(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, NotFound(_("Not found (or not visible to you).")))


@api.exception_handler(AuthenticationError)
def on_not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    error = ApiError(_("Authentication failed."), code="not_authenticated")
    return _respond(request, error.with_status(401))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    problem = getattr(request, "api_body_error", None)
    if exc.status_code == 400 and problem is not None:
        error = ApiError(_("The request body is not valid JSON: %(problem)s") % {"problem": problem},
                         code="bad_json")
    else:
        error = ApiError(str(exc), code="http_error").with_status(exc.status_code)
    return _respond(request, error)


def _register_routers() -> None:
    from aftersale.api.routers import (
        accounts,
        alerts,
        commerce,
        engagement,
        health,
        me,
        promises,
        reviews,
        service,
    )

    api.add_router("/me", me.router, tags=["me"])
    api.add_router("/accounts", accounts.router, tags=["accounts"])
    api.add_router("/contacts", accounts.contacts_router, tags=["contacts"])
    api.add_router("/products", commerce.products_router, tags=["products"])
    api.add_router("/orders", commerce.orders_router, tags=["orders"])
    api.add_router("/assets", service.assets_router, tags=["assets"])
    api.add_router("/cases", service.cases_router, tags=["cases"])
    api.add_router("/touchpoints", engagement.router, tags=["touchpoints"])
    api.add_router("/promises", promises.router, tags=["promises"])
    api.add_router("/reviews", reviews.router, tags=["reviews"])
    api.add_router("/alerts", alerts.router, tags=["alerts"])
    api.add_router("/accounts", health.router, tags=["health"])


_register_routers()
