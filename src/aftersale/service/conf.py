"""The service app's settings: ``settings.AFTERSALE["SERVICE"]`` over these defaults.

Read at call time (never at import), so tests can override them.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULTS: dict[str, Any] = {
    # The business-hours calendar (docs/service.md, "How targets are measured").
    "WORKING_DAYS": [0, 1, 2, 3, 4],
    "WORKING_HOURS": ["08:00", "17:00"],
    "LUNCH": ["12:00", "13:00"],
    "HOLIDAYS": "",
    # An open case is "at risk" once less than this share of a target remains.
    "AT_RISK_SHARE": "0.25",
    # The maintenance list shows visits due within this many days.
    "DUE_SOON_DAYS": 30,
    # Warranty given when an installation case activates an asset without one.
    "WARRANTY_MONTHS": 12,
    # Labour cost per hour when a work log gives hours but no labour cost.
    "LABOUR_RATES": {"VND": "400000", "USD": "20", "EUR": "18"},
    # Case attachments: largest file and the file types accepted.
    "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "ATTACHMENT_TYPES": {
        ".pdf": "application/pdf",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".webp": "image/webp",
        ".txt": "text/plain",
        ".csv": "text/csv",
        ".log": "text/plain",
        ".zip": "application/zip",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
}


def service_setting(name: str) -> Any:
    configured = getattr(settings, "AFTERSALE", {}).get("SERVICE", {})
    return configured.get(name, DEFAULTS[name])


def clock_time(name: str, value: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(
            f'AFTERSALE["SERVICE"]["{name}"] has {value!r}; write times as "HH:MM"'
        ) from None


def decimal_setting(name: str) -> Decimal:
    raw = service_setting(name)
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise ImproperlyConfigured(f'AFTERSALE["SERVICE"]["{name}"] = {raw!r} is not a number') from None
