"""An import logs its slow statements (SLOW_STATEMENT_SECONDS), each with the kind imported."""

from __future__ import annotations

import logging

import pytest

from tests.imports.conftest import import_sample

pytestmark = pytest.mark.django_db


def test_it_logs_each_statement_of_an_import_when_the_threshold_is_zero(settings, caplog):
    import_sample("staff")
    import_sample("accounts")
    settings.AFTERSALE = {**settings.AFTERSALE, "SLOW_STATEMENT_SECONDS": 0}
    caplog.set_level(logging.WARNING, logger="aftersale.statements")
    import_sample("orders")
    lines = [r.getMessage() for r in caplog.records if r.name == "aftersale.statements"]
    assert lines
    assert all(line.startswith("slow statement: the import of orders took ") for line in lines)
    assert any("commerce_order" in line for line in lines)
