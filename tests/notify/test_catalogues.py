"""The Vietnamese catalogues of the API and of e-mail/calendar are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

import aftersale.api
import aftersale.notify


def translation_of(entry: str) -> str:
    after = entry.split("\nmsgstr", 1)[1]
    return "".join(re.findall(r'"(.*)"', after))


@pytest.mark.parametrize(
    ("package", "english", "vietnamese"),
    [
        (aftersale.api, "This API token is not valid.", "Mã API này không hợp lệ."),
        (aftersale.notify, "Stop these e-mails?", "Ngừng nhận các email này?"),
    ],
)
def test_it_translates_and_compiles_every_message(package, english, vietnamese):
    folder = Path(package.__file__).parent / "locale" / "vi" / "LC_MESSAGES"
    entries = (folder / "django.po").read_text(encoding="utf-8").split("\n\n")[1:]
    assert len(entries) > 30
    assert [e for e in entries if not translation_of(e)] == []
    assert [e for e in entries if "#, fuzzy" in e] == []
    with translation.override("vi"):
        assert gettext(english) == vietnamese
