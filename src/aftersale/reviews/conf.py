"""Review settings (``REVIEW_CADENCE_DAYS`` in ``aftersale.core.conf``'s table), read when used."""

from __future__ import annotations

from aftersale.accounts.models import Tier
from aftersale.core import conf

# The reference levels of P17, from the automaker studies behind the source: the
# least-trusted automaker's suppliers spent about 47% of their face time on
# transactional issues; the most trusted about half that or less. They are shown
# beside the figures as a yardstick, never used as thresholds.
LEAST_TRUSTED_SHARE = 0.47
MOST_TRUSTED_SHARE = 0.24


def cadence_days() -> dict[str, int]:
    """Days between reviews for each tier (a tier left out of the setting keeps its default)."""
    configured = conf.get("REVIEW_CADENCE_DAYS")
    return {tier: configured[tier] for tier in Tier.values}


def cadence_for(tier: str) -> int:
    days = cadence_days()
    return days.get(tier, days[Tier.STANDARD])
