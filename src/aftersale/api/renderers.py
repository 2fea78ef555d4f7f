"""The API's one JSON renderer, set on the NinjaAPI object (``aftersale.api.main``).

orjson writes the same JSON as ninja's own renderer, only faster: every value
orjson does not write itself in that same form (dates and times, decimals,
lazy translations, pydantic models) goes to ninja's encoder, so times read
``2026-05-01T08:00:00.123Z`` (milliseconds, UTC as ``Z``) as everywhere in
Django. Text is written as UTF-8 rather than ``\\u`` escapes; the JSON is the same.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

_ENCODER = NinjaJSONEncoder()

OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    # orjson leaves subclasses of float to us (numpy's floats from the health engine).
    if isinstance(value, float):
        return float(value)
    return _ENCODER.default(value)


def to_json(data: Any) -> bytes:
    """``data`` as the API writes it."""
    return orjson.dumps(data, default=_default, option=OPTIONS)


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"
    charset = "utf-8"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return to_json(data)
