"""When a customer counts as silent or quiet: one definition for the step-in alerts
(``step_in``) and the band rules (``aftersale.health.signals.now``)."""

from __future__ import annotations

from aftersale.health.signals.registry import SignalValue

NEW = "new"  # a contact-rhythm status: too early to expect contact


def is_silent(sv: SignalValue | None, silence_p: float | None) -> bool:
    """The contact rhythm (probability still engaged) is below ``SILENCE_P``; a new account
    is never silent."""
    return (silence_p is not None and sv is not None and sv.value is not None
            and sv.value < silence_p and sv.facts.get("status") != NEW)


def is_quiet(sv: SignalValue | None) -> bool:
    """The quietness signal found improbably few requests for what the account uses."""
    return sv is not None and sv.value is not None and bool(sv.facts.get("quiet"))
