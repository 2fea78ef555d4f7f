"""The service app's Vietnamese catalogue is complete and used."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

import aftersale.service

PO = Path(aftersale.service.__file__).parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_it_translates_every_message_with_none_fuzzy():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]
    assert len(entries) > 250
    for entry in entries:
        assert "fuzzy" not in entry, entry
        translation_lines = entry[entry.index("\nmsgstr"):].splitlines()[1:]
        translated = "".join(re.findall(r'"(.*)"', "\n".join(translation_lines)))
        assert translated, entry
    # The compiled catalogue holds every message of the source one (it was recompiled).
    with PO.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    single_line_ids = re.findall(r'^msgid "(.+)"$', PO.read_text(encoding="utf-8"), re.MULTILINE)
    missing = [m for m in single_line_ids if m.replace('\\"', '"') not in compiled
               and (m, 0) not in compiled]
    assert not missing


def test_it_shows_the_board_in_vietnamese(owner_client, account):
    owner_client.cookies["django_language"] = "vi"
    body = owner_client.get(reverse("service:board")).content.decode()
    assert "Bảng dịch vụ" in body and "Đã trễ hạn" in body


def test_it_translates_alert_explanations():
    with translation.override("vi"):
        from django.utils.translation import gettext

        assert gettext("Agree a date for the visit with the customer and send an engineer.").startswith(
            "Thống nhất"
        )
