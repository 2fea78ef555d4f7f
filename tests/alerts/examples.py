"""Realistic facts for every alert kind, for tests that open alerts (one definition here)."""

from __future__ import annotations

from typing import Any

from aftersale.alerts.models import AlertKind


def silent(days: int = 120, assets: int = 0) -> dict[str, Any]:
    """A silence alert's facts: no contact for ``days`` days, usually one a month; its text
    says "``days`` days ago"."""
    return {"assets": assets, "facts": {
        "count": 6, "last": "2026-01-05", "gap_days": 30, "since_days": days, "ratio": round(days / 30, 1),
    }}


def overdue(what: str = "Spare pump delivered", days: int = 12, due: str = "2026-05-20") -> dict[str, Any]:
    """A promise_overdue alert's facts; its text quotes ``what``."""
    return {"promise": 1, "direction": "from_us", "what": what, "due": due, "days": days,
            "who": "Linh Tran", "dept": "service"}


EXAMPLES: dict[str, dict[str, Any]] = {
    AlertKind.PROMISE_NEW: {"promise": 1, "direction": "from_us", "what": "Spare pump delivered",
                            "due": "2026-06-30", "maker": "An Nguyen", "dept": "sales", "owner": "Linh Tran",
                            "ddept": "service", "account": "Mekong Textiles"},
    AlertKind.PROMISE_OVERDUE: overdue(),
    AlertKind.SLA_BREACH: {"case": 1, "kind": "repair", "title": "Press 2 down", "severity": "critical",
                           "response_due": "2026-05-20T09:30:00+07:00",
                           "resolution_due": "2026-05-21T17:00:00+07:00"},
    AlertKind.MAINTENANCE_OVERDUE: {"plan": "Annual service", "asset": "Press 2 (SN 4411)",
                                    "due": "2026-03-01", "days": 117},
    AlertKind.SILENCE: silent(),
    AlertKind.QUIET_CUSTOMER: {"assets": 2, "facts": {
        "observed": 0, "window_days": 365, "assets": 2, "orders": 14, "expected": 6.4, "p": 0.0034,
        "quiet": True}},
    AlertKind.REVIEW_DUE: {"due": "2026-04-01", "held": "2025-10-01", "days": 52},
    AlertKind.HEALTH_DETERIORATING: {"change": 18, "score": 47, "band": "at_risk",
                                     "signals": ["service_targets", "contact_rhythm"]},
    AlertKind.SUPPLIER_SQUEEZED: {"ideas_now": 1, "ideas_before": 5, "now": 2.5, "before": 1.5},
}
