"""The commerce catalogue is complete, not fuzzy, and its compiled .mo is current."""

import ast
import gettext
import re
from pathlib import Path

import aftersale.commerce

LOCALE = Path(aftersale.commerce.__file__).parent / "locale" / "vi" / "LC_MESSAGES"


def entries() -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) for every entry of the .po, header excluded."""
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    result = []
    for block in text.split("\n\n")[1:]:
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or block.lstrip().startswith("#~"):
            continue

        def join(chunk: str) -> str:
            return "".join(ast.literal_eval(line) for line in chunk.strip().splitlines())

        result.append((join(msgid.group(1)), join(msgstr.group(1)), "#, fuzzy" in block))
    return result


def test_it_translates_every_message_into_vietnamese():
    found = entries()
    assert len(found) > 200
    assert [msgid for msgid, msgstr, _ in found if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in found if fuzzy] == []
    assert 'Language: vi' in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_it_ships_a_compiled_catalogue_that_matches_the_po():
    with (LOCALE / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    for msgid, msgstr, _ in entries():
        compiled = catalog.get(msgid, catalog.get((msgid, 0)))
        assert compiled == msgstr, msgid
