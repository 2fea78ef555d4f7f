"""The economics tests share commerce's hand-checked portfolio (orders, work logs, a quote)."""

from tests.commerce.conftest import ink, installed_base, ledger, press, quote, roller, usd_rate  # noqa: F401
