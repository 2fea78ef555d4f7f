"""Helpers for import tests: run an import from text, load the sample portfolio, export as text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import translation

from aftersale.accounts.models import Account
from aftersale.imports.engine import ImportResult, import_file
from aftersale.imports.exporting import write_csv
from aftersale.imports.kinds import KINDS

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"


def run_import(kind: str, text: str | bytes, **options) -> ImportResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_file(kind, io.BytesIO(data), **options)


def import_sample(kind: str, **options) -> ImportResult:
    with open(DATA / f"{kind}.csv", "rb") as binary:
        result = import_file(kind, binary, **options)
    assert result.ok, [str(p) for p in result.problems]
    return result


def export_text(kind: str) -> str:
    out = io.StringIO()
    write_csv(kind, out, Account.objects.all())
    return out.getvalue()


def messages(result: ImportResult) -> list[str]:
    return [str(problem) for problem in result.problems]


@pytest.fixture(autouse=True)
def in_english():
    """Messages are asserted in English; a page test may have left Vietnamese active."""
    with translation.override("en"):
        yield


@pytest.fixture
def portfolio(db) -> dict[str, ImportResult]:
    """Every sample file of tests/data/imports imported, in dependency order."""
    return {kind: import_sample(kind) for kind in KINDS}
