"""Keyset pagination and the ``updated_since`` filter for incremental sync.

Lists are ordered by a key that never goes backwards for a changed row
(``updated_at, id`` for most resources), and a page's ``next_cursor`` encodes
the key of its last row. A row changed while a client pages through moves
behind the cursor and is returned later in the same walk, so nothing is
skipped the way offset paging would skip it. See docs/api.md.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson
from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime

from aftersale.api.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(values: Sequence[Any]) -> str:
    """The cursor after a row whose key is ``values`` (dates, times, whole numbers)."""
    plain = [v.isoformat() if isinstance(v, date | datetime) else v for v in values]
    # orjson writes such a list exactly as json.dumps(..., separators=(",", ":")) does.
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


def _bad_cursor() -> Invalid:
    return Invalid.one("cursor", "This cursor is not valid: pass the next_cursor of a previous page.",
                       "invalid_cursor")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != len(kinds):
        raise _bad_cursor()
    decoded: list[Any] = []
    for kind, value in zip(kinds, values, strict=True):
        parsed: Any = None
        if kind is datetime and isinstance(value, str):
            parsed = parse_datetime(value)
        elif kind is date and isinstance(value, str):
            parsed = parse_date(value)
        elif kind is int and isinstance(value, int) and not isinstance(value, bool):
            parsed = value
        if parsed is None:
            raise _bad_cursor()
        decoded.append(parsed)
    return decoded


def after(keys: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows whose key (compared field by field) comes after ``values``.

    The first field's ``>=`` is stated on its own as well, though implied: the
    database then reads only the index range after the cursor instead of
    filtering every row before it, so a page deep in a long list costs as
    little as the first."""
    condition = Q(**{f"{keys[-1]}__gt": values[-1]})
    for index in range(len(keys) - 2, -1, -1):
        condition = Q(**{f"{keys[index]}__gt": values[index]}) | (
            Q(**{keys[index]: values[index]}) & condition
        )
    if len(keys) > 1:
        condition = Q(**{f"{keys[0]}__gte": values[0]}) & condition
    return condition


def page(
    queryset: QuerySet, *, limit: int, cursor: str | None, keys: Sequence[str] = ("updated_at", "pk"),
    kinds: Sequence[type] = (datetime, int),
) -> tuple[list[Any], str | None]:
    """One page of ``queryset`` (model instances or ``values()`` dicts) and the next cursor."""
    queryset = queryset.order_by(*keys)
    if cursor:
        queryset = queryset.filter(after(keys, decode_cursor(cursor, kinds)))
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if not more or not rows:
        return rows, None
    last = rows[-1]
    fields = ["id" if k == "pk" else k for k in keys]
    values = [getattr(last, f) for f in fields] if isinstance(last, Model) else [last[f] for f in fields]
    return rows, encode_cursor(values)
