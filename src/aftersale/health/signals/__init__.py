"""The signals the health score combines, one module per source of evidence.

``registry`` holds the definitions; the built-in modules register themselves
when ``HealthConfig.ready()`` imports them (see ``BUILTIN``).
"""

BUILTIN = (
    "aftersale.health.rhythm.signals",
    "aftersale.health.quietness.signal",
    "aftersale.health.signals.promises",
    "aftersale.health.signals.service",
    "aftersale.health.signals.engagement",
    "aftersale.health.signals.commerce",
    "aftersale.health.signals.reviews",
    "aftersale.health.signals.suppliers",
    "aftersale.health.signals.supplier_alerts",
    "aftersale.health.signals.now",
)
