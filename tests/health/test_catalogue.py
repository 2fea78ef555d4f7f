"""The Vietnamese catalogue of the health engine is complete."""

from __future__ import annotations

import re
from pathlib import Path

import aftersale.health

CATALOGUE = Path(aftersale.health.__file__).parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def translation_of(entry: str) -> str:
    """The text after the (first) msgstr of a catalogue entry, quotes joined."""
    after = entry.split("\nmsgstr", 1)[1]
    return "".join(re.findall(r'"(.*)"', after))


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[1:]  # after the header
    assert len(entries) > 150
    assert [e for e in entries if not translation_of(e)] == []
    assert [e for e in entries if "#, fuzzy" in e] == []
