"""When a customer counts as silent or quiet: one definition for the step-in alerts
(``step_in``) and the band rules (``aftersale.health.signals.now``)."""

from __future__ import annotations

from aftersale.health.signals.registry import SignalValue

NEW = "new"  # a contact-rhythm status: too early to expect contact


def is_silent(sv: SignalValue | None, silence_p: float | None) -> bool:
    """The contact rhythm's chance of a contact within its window (``p_return``) is below
    ``SILENCE_P``; judged by the gap-ratio fallback (no usable model), its value is. A new
    account is never silent."""
    if silence_p is None or sv is None or sv.value is None or sv.facts.get("status") == NEW:
        return False
    p = sv.facts.get("p_return")
    if p is None and "status" in sv.facts:
        return False
    return (p if p is not None else sv.value) < silence_p


def is_quiet(sv: SignalValue | None) -> bool:
    """The quietness signal found improbably few requests for what the account uses."""
    return sv is not None and sv.value is not None and bool(sv.facts.get("quiet"))
