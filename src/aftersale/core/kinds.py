"""What a setting's value may be: how it is read from the environment, and checked.

A kind is Django-free: ``settings.py`` uses it while Django is being set up. Each
``check`` takes the value as configured (and the setting's default, for a mapping
that fills in what is left out) and returns the value as used, or raises
``ValueError`` saying what is wrong; the reader (``aftersale.core.conf``) adds
which setting, so every message names it.
"""

from __future__ import annotations

import ipaddress
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

Check = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class Kind:
    label: str  # the doc's "type" column
    check: Check
    from_env: Callable[[str], Any] = str  # the environment's text -> a value for ``check``


def _boolean_from_env(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("is not a boolean (use 1/0, true/false, yes/no)")


def _boolean_check(value: Any, default: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("is not a boolean (True or False)")
    return value


BOOLEAN = Kind("boolean", _boolean_check, _boolean_from_env)
TEXT = Kind("text", lambda value, default: _text(value))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("is not text")
    return value


def _whole_from_env(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError("is not a whole number") from None


def whole(least: int | None = None, most: int | None = None, choices: tuple[int, ...] = ()) -> Kind:
    """A whole number, at least ``least`` and at most ``most``, or one of ``choices``."""

    def check(value: Any, default: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError("is not a whole number")
        number = _whole_from_env(value) if isinstance(value, str) else value
        if choices and number not in choices:
            raise ValueError(f"must be one of {', '.join(map(str, choices))}")
        if least is not None and number < least:
            raise ValueError(f"must be at least {least}")
        if most is not None and number > most:
            raise ValueError(f"must be at most {most}")
        return number

    if choices:
        label = "one of " + ", ".join(map(str, choices))
    elif least is not None and most is not None:
        label = f"whole number, {least} to {most}"
    elif least is not None:
        label = f"whole number, at least {least}"
    else:
        label = "whole number"
    return Kind(label, check, _whole_from_env)


def share() -> Kind:
    """A probability or share strictly between 0 and 1 (a float; text is read as a number)."""

    def check(value: Any, default: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("is not a number") from None
        if not 0 < number < 1:
            raise ValueError("must be between 0 and 1")
        return number

    return Kind("number between 0 and 1", check)


def _seconds_from_env(raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError("is not a number of seconds") from None


def seconds() -> Kind:
    """A length of time in seconds, 0 or more (a whole or decimal number; text is read as a number)."""

    def check(value: Any, default: Any) -> float:
        if isinstance(value, bool):
            raise ValueError("is not a number of seconds")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError("is not a number of seconds") from None
        if not 0 <= number < float("inf"):
            raise ValueError("must be 0 or more seconds")
        return number

    return Kind("seconds, 0 or more", check, _seconds_from_env)


def decimal_share() -> Kind:
    """A share between 0 and 1 kept exact (written as text: ``"0.25"``)."""

    def check(value: Any, default: Any) -> Decimal:
        number = _decimal(value)
        if not 0 < number < 1:
            raise ValueError("must be between 0 and 1")
        return number

    return Kind("decimal between 0 and 1", check)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float | bool):
        raise ValueError("write the number as text, e.g. \"0.25\"")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not number.is_finite():
        raise ValueError("is not a number")
    return number


def choice(*values: str) -> Kind:
    def check(value: Any, default: Any) -> str:
        if value not in values:
            raise ValueError(f"must be one of {', '.join(repr(v) for v in values)}")
        return value

    return Kind("one of " + ", ".join(f"`{v}`" for v in values), check)


def _url(value: Any, default: Any) -> str:
    parsed = urlparse(_text(value))
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise ValueError("is not an http:// or https:// address")
    return value.rstrip("/")


URL = Kind("http(s) address", _url)


def _time_zone(value: Any, default: Any) -> str:
    try:
        zoneinfo.ZoneInfo(_text(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not a known time zone") from None
    return value


TIME_ZONE = Kind("IANA time-zone name", _time_zone)


def _list_from_env(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _text_list(value: Any, default: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError("is not a list")
    return [_text(item) for item in value]


TEXT_LIST = Kind("comma-separated list", _text_list, _list_from_env)


def _networks(value: Any, default: Any) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in _text_list(value, default):
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or network") from None
    return tuple(networks)


NETWORKS = Kind("comma-separated IP addresses or networks", _networks, _list_from_env)


def _weekdays(value: Any, default: Any) -> list[int]:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("is not a list of weekdays")
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in value):
        raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
    return sorted(set(value))


WEEKDAYS = Kind("list of weekdays, 0 (Monday) to 6", _weekdays)


def _clock(value: Any) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f'has {value!r}; write times as "HH:MM"') from None


def _period(value: Any, default: Any) -> tuple[time, time]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError('is not a pair of times, e.g. ["08:00", "17:00"]')
    start, end = _clock(value[0]), _clock(value[1])
    if not start < end:
        raise ValueError("must start before it ends")
    return start, end


PERIOD = Kind('two times, "HH:MM"', _period)
OPTIONAL_PERIOD = Kind('two times, "HH:MM", or None', lambda v, d: None if v is None else _period(v, d))


def days_by_name() -> Kind:
    """Days per name (a tier); a name left out keeps its default."""

    def check(value: Any, default: Mapping[str, int]) -> dict[str, int]:
        if not isinstance(value, Mapping):
            raise ValueError("is not a mapping of names to days")
        days = whole(least=1)
        try:
            return {**default, **{str(k): days.check(v, None) for k, v in value.items()}}
        except ValueError as exc:
            raise ValueError(f"days {exc}") from None

    return Kind("days per tier", check)


def amounts_by_currency() -> Kind:
    """An amount per currency, exact (written as text); a currency left out keeps its default."""

    def check(value: Any, default: Mapping[str, Any]) -> dict[str, Decimal]:
        if not isinstance(value, Mapping):
            raise ValueError("is not a mapping of currencies to amounts")
        merged = {**default, **value}
        amounts = {str(k): _decimal(v) for k, v in merged.items()}
        if any(a < 0 for a in amounts.values()):
            raise ValueError("amounts must not be negative")
        return amounts

    return Kind("amount per currency", check)


def _file_types(value: Any, default: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not value:
        raise ValueError("is not a mapping of file endings to content types")
    types = {}
    for ending, content_type in value.items():
        if not (isinstance(ending, str) and ending.startswith(".") and isinstance(content_type, str)
                and "/" in content_type):
            raise ValueError(f"{ending!r}: {content_type!r} is not a file ending and a content type")
        types[ending.lower()] = content_type
    return types


FILE_TYPES = Kind("file ending to content type", _file_types)


def _currency(value: Any, default: Any) -> str:
    # Read when checked, not imported at start-up: the enum lives with the models.
    from aftersale.core.enums import Currency

    if value not in Currency.values:
        raise ValueError(f"must be one of {', '.join(Currency.values)}")
    return value


CURRENCY = Kind("currency code (VND, USD, EUR)", _currency)
