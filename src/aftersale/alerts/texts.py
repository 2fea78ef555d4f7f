"""An alert's words, made when it is read, in the reader's language.

An alert stores its kind and its facts (``Alert.params``: numbers, dates,
names, record ids, enum values), never a sentence: the attention list, the
account page, the e-mails (each in its recipient's language), the digest and
the API each render the text in the language active when they read it. Each
kind registers one renderer where the kind is raised (a domain app's
``apps.py``, an engine module), next to its condition::

    texts.register(AlertKind.PROMISE_OVERDUE, render_promise_overdue)

A renderer turns the params into an ``AlertText`` with ``gettext`` and the
formatting helpers below, so numbers and dates follow the active language's
format (``number_format``, ``date_format``), not ``str()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format

Params = Mapping[str, Any]


@dataclass(frozen=True)
class AlertText:
    """What a reader sees of an alert: why it is open, and what to do."""

    explanation: str
    action: str = ""


Renderer = Callable[[Params], AlertText]

_renderers: dict[str, Renderer] = {}


def register(kind: str, renderer: Renderer) -> None:
    _renderers[kind] = renderer


def registered() -> dict[str, Renderer]:
    return dict(_renderers)


def render(kind: str, params: Params | None, *, stored_explanation: str = "",
           stored_action: str = "") -> AlertText:
    """The alert's text in the active language.

    The stored words (written by versions before alerts kept facts) are a
    fallback only for an alert of a kind that no longer exists, which nothing
    renders any more, and for the rare stored text the migration that
    introduced ``params`` could not read back (it then left the facts empty):
    new alerts store no words at all.
    """
    renderer = _renderers.get(kind)
    if renderer is None or (not params and stored_explanation):
        return AlertText(stored_explanation, stored_action)
    return renderer(params or {})


# --- formatting the facts in the active language ----------------------------------------------


def number(value: float | int | None, places: int = 0) -> str:
    """A number in the active language's format (decimal comma in Vietnamese)."""
    if value is None:
        return "—"
    return number_format(value, decimal_pos=places)


def day(value: str | date | None) -> str:
    """A day (ISO text in params) in the active language's short date format."""
    if not value:
        return "—"
    return date_format(date.fromisoformat(value) if isinstance(value, str) else value, "SHORT_DATE_FORMAT")


def moment(value: str | datetime | None) -> str:
    """A moment (ISO text in params), in the installation's time zone and the active
    language's short date-and-time format."""
    if not value:
        return "—"
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")


def iso(value: date | datetime | None) -> str | None:
    """A day or moment as params keep it (JSON has no dates); a moment in UTC, so that the
    same moment always gives the same facts."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat()
    return None if value is None else value.isoformat()
