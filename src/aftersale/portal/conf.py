"""The portal's settings: ``AFTERSALE["PORTAL"]``, in ``aftersale.core.conf``'s table.

File limits for attachments are the service app's (``AFTERSALE["SERVICE"]["ATTACHMENT_*"]``):
one rule for files, whoever uploads them. The sign-in throttle is every door's
(``LOGIN_FAILURE_LIMIT``, ``LOGIN_LOCKOUT_MINUTES``).
"""

from __future__ import annotations

from typing import Any

from aftersale.core import conf


def portal_setting(name: str) -> Any:
    return conf.get(f"PORTAL.{name}")
