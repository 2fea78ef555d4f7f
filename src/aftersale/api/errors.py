"""Every error the API returns has one shape: ``detail`` in words, ``code`` for programs,
and for invalid input ``errors``, one per field, each saying what is wrong with it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, extra: Mapping[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.extra = dict(extra or {})

    def with_status(self, status: int) -> ApiError:
        self.status = status
        return self

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class NotAuthenticated(ApiError):
    status = 401
    code = "not_authenticated"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Invalid(ApiError):
    """422: the request was understood but some values are wrong."""

    status = 422
    code = "invalid"

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None) -> None:
        self.errors = errors
        if detail is None:
            named = "; ".join(
                f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors[:5]
            )
            detail = _("The request has invalid values. %(errors)s") % {"errors": named}
        super().__init__(detail, extra={"errors": errors})

    @classmethod
    def one(cls, field: str | None, message: str, code: str = "invalid") -> Invalid:
        return cls([{"field": field, "message": message, "code": code}])


def _field_name(name: str, rename: Mapping[str, str]) -> str | None:
    if name in ("__all__", None):
        return None
    return rename.get(name, name)


def invalid_from_form(form: forms.BaseForm, rename: Mapping[str, str] | None = None,
                      prefix: str = "") -> Invalid:
    return Invalid(form_errors(form, rename, prefix))


def form_errors(form: forms.BaseForm, rename: Mapping[str, str] | None = None,
                prefix: str = "") -> list[dict[str, Any]]:
    rename = rename or {}
    errors = []
    for name, field_errors in form.errors.as_data().items():
        field = _field_name(name, rename)
        for error in field_errors:
            for message in error.messages:
                errors.append({
                    "field": f"{prefix}{field}" if field else (prefix.rstrip(".") or None),
                    "message": message, "code": error.code or "invalid",
                })
    return errors


def invalid_from_django(exc: DjangoValidationError, rename: Mapping[str, str] | None = None) -> Invalid:
    """A domain action's ``ValidationError`` (keyed by field, or not) as a 422."""
    rename = rename or {}
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            for message in messages:
                errors.append({"field": _field_name(name, rename), "message": message, "code": "invalid"})
    else:
        errors = [{"field": None, "message": m, "code": "invalid"} for m in exc.messages]
    return Invalid(errors)


# Pydantic's wording for the cases integrators meet most, made plainer.
PYDANTIC_MESSAGES = {
    "extra_forbidden": "Unknown field: this endpoint does not accept it.",
    "missing": "This field is required.",
}

# Where a value came from, as pydantic reports it inside django-ninja.
LOCATIONS = ("body", "query", "path", "header", "cookie", "form", "file")


def invalid_from_pydantic(errors: Iterable[Mapping[str, Any]], body_params: Iterable[str] = ()) -> Invalid:
    """django-ninja's parsing errors (types, unknown fields, missing values) as a 422."""
    wrappers = set(body_params)
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc and loc[0] in LOCATIONS else ""
        rest = loc[1:] if location else loc
        if location == "body" and rest and rest[0] in wrappers:
            rest = rest[1:]
        kind = str(error.get("type", "invalid"))
        message = PYDANTIC_MESSAGES.get(kind, str(error.get("msg", "Invalid value.")))
        if kind == "missing" and location == "body" and not rest:
            message = "A JSON object is required as the request body."
        out.append({
            "field": ".".join(rest) or None,
            "message": message,
            "code": kind,
        })
    return Invalid(out)
