"""The portal's settings: ``settings.AFTERSALE["PORTAL"]`` over these defaults.

Read at call time (never at import), so tests can override them. File limits
for attachments are the service app's (``AFTERSALE["SERVICE"]["ATTACHMENT_*"]``):
one rule for files, whoever uploads them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # How long an invitation link can be used (it also stops working once used).
    "INVITATION_DAYS": 7,
    # Sign-in throttling: this many failed attempts for one e-mail address from one
    # IP address within the window refuse further attempts until the window has passed.
    "LOGIN_FAILURE_LIMIT": 5,
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    # Files one upload may carry (each within the service app's size and type limits).
    "MAX_FILES_PER_UPLOAD": 5,
    # Portal use measured for the health engine (``portal.usage``).
    "ACTIVE_CONTACT_DAYS": 90,
    "ORDER_SHARE_DAYS": 365,
}


def portal_setting(name: str) -> Any:
    configured = getattr(settings, "AFTERSALE", {}).get("PORTAL", {})
    return configured.get(name, DEFAULTS[name])
