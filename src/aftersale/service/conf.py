"""The service app's settings: ``AFTERSALE["SERVICE"]``, in ``aftersale.core.conf``'s table.

Read when used (never at import), so tests can override them; each value comes
checked and typed (times as ``datetime.time``, shares and rates as ``Decimal``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftersale.core import conf


def service_setting(name: str) -> Any:
    return conf.get(f"SERVICE.{name}")


def decimal_setting(name: str) -> Decimal:
    value = service_setting(name)
    assert isinstance(value, Decimal), f"SERVICE.{name} is not a decimal setting"
    return value
