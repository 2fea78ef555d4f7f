"""Review settings, read when used (never at import time) so tests can override them."""

from __future__ import annotations

from django.conf import settings

from aftersale.accounts.models import Tier

# Used for a tier missing from settings.AFTERSALE["REVIEW_CADENCE_DAYS"].
DEFAULT_CADENCE_DAYS = {Tier.STRATEGIC: 91, Tier.KEY: 91, Tier.STANDARD: 182}

# The reference levels of P17, from the automaker studies behind the source: the
# least-trusted automaker's suppliers spent about 47% of their face time on
# transactional issues; the most trusted about half that or less. They are shown
# beside the figures as a yardstick, never used as thresholds.
LEAST_TRUSTED_SHARE = 0.47
MOST_TRUSTED_SHARE = 0.24


def cadence_days() -> dict[str, int]:
    """Days between reviews for each tier."""
    configured = settings.AFTERSALE.get("REVIEW_CADENCE_DAYS", {})
    return {tier: int(configured.get(tier, days)) for tier, days in DEFAULT_CADENCE_DAYS.items()}


def cadence_for(tier: str) -> int:
    return cadence_days().get(tier, DEFAULT_CADENCE_DAYS[Tier.STANDARD])
