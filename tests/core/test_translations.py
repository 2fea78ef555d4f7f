"""The Vietnamese catalogues: complete, compiled, consistent across apps, and used by the UI.

Every app keeps its own catalogue in ``<app>/locale/vi/LC_MESSAGES/django.po``;
the catalogues are found by glob, so an app that adds one later is checked too.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import aftersale
from aftersale.accounts.models import Account, Tier
from aftersale.alerts.models import AlertKind
from aftersale.core.enums import Department
from aftersale.engagement.models import Touchpoint
from aftersale.reviews.models import RelationshipReview
from aftersale.staff.models import Role

PACKAGE_DIR = Path(aftersale.__file__).resolve().parent
CATALOGUES = sorted(PACKAGE_DIR.glob("*/locale/vi/LC_MESSAGES/django.po"))
MSGFMT = shutil.which("msgfmt")
needs_msgfmt = pytest.mark.skipif(
    MSGFMT is None, reason="msgfmt (GNU gettext) is not installed; apt-get install gettext"
)
each_catalogue = pytest.mark.parametrize(
    "po", CATALOGUES, ids=[po.relative_to(PACKAGE_DIR).parts[0] for po in CATALOGUES]
)


def msgfmt(po: Path, mo: Path) -> subprocess.CompletedProcess[str]:
    """Compile ``po`` the way compilemessages does, with statistics in plain English."""
    env = {**os.environ, "LC_ALL": "C"}
    env.pop("LANGUAGE", None)
    return subprocess.run(
        [MSGFMT or "msgfmt", "--check", "--statistics", "-o", str(mo), str(po)],
        capture_output=True, text=True, env=env, check=False,
    )


def load_mo(mo: Path) -> gettext.GNUTranslations:
    with mo.open("rb") as f:
        return gettext.GNUTranslations(f)


def messages(mo: Path) -> dict[object, str]:
    """The translated messages of a compiled catalogue, without the header entry.

    ``_catalog`` is the only way the standard library exposes the full set of
    messages; keys are msgids, or (msgid, n) for plural forms.
    """
    catalog = dict(load_mo(mo)._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    return catalog


def test_it_finds_the_catalogues():
    # Guards the glob: if the layout moved, every parametrized test below would vanish silently.
    assert PACKAGE_DIR / "core/locale/vi/LC_MESSAGES/django.po" in CATALOGUES


@needs_msgfmt
@each_catalogue
def test_it_translates_every_entry(po: Path, tmp_path: Path):
    result = msgfmt(po, tmp_path / "django.mo")
    assert result.returncode == 0, f"msgfmt rejects {po}:\n{result.stderr}"
    assert "translated message" in result.stderr, result.stderr
    assert not re.search(r"\d+ (fuzzy|untranslated)", result.stderr), (
        f"{po} is incomplete: {result.stderr.strip()}"
    )
    fuzzy = re.findall(r"^#,.*\bfuzzy\b.*\n(?:#.*\n)*(msgid .*)$", po.read_text(), re.MULTILINE)
    assert not fuzzy, f"{po} has fuzzy entries: {fuzzy}"


@needs_msgfmt
@each_catalogue
def test_it_declares_vietnamese_in_the_header(po: Path, tmp_path: Path):
    mo = tmp_path / "django.mo"
    assert msgfmt(po, mo).returncode == 0
    info = load_mo(mo).info()
    assert info.get("language") == "vi"
    assert info.get("plural-forms", "").replace(" ", "").startswith("nplurals=1;plural=0")
    assert "charset=UTF-8" in info.get("content-type", "")


@needs_msgfmt
@each_catalogue
def test_it_commits_a_compiled_catalogue_matching_the_source(po: Path, tmp_path: Path):
    # File times mean nothing in a git checkout, so compare contents instead.
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed} is missing: run compilemessages in that app"
    fresh = tmp_path / "django.mo"
    assert msgfmt(po, fresh).returncode == 0
    expected, actual = messages(fresh), messages(committed)
    stale = {
        str(k): (actual.get(k), v) for k, v in expected.items() if actual.get(k) != v
    } | {str(k): (v, None) for k, v in actual.items() if k not in expected}
    assert not stale, f"{committed} is out of date with {po.name} (in the .mo, in the .po): {stale}"


def test_it_shows_every_translation_as_its_catalogue_has_it():
    # Django merges all catalogues into one, and for a msgid in several of them
    # LOCALE_PATHS win, then the first app in INSTALLED_APPS (django.contrib.admin
    # and .auth come before ours). A msgid that another catalogue translates
    # differently would silently show the other words, so each msgid needs one
    # translation everywhere (a real difference in meaning needs pgettext).
    ignored: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    with translation.override("vi"):
        for po in CATALOGUES:
            mo = po.with_suffix(".mo")
            if not mo.exists():  # reported by the test above
                continue
            for key, msgstr in messages(mo).items():
                if isinstance(key, tuple):  # (singular, form); Vietnamese has one form
                    msgid = key[0]
                    shown = translation.ngettext(msgid, msgid, 1) if key[1] == 0 else msgstr
                else:
                    msgid, shown = key, translation.gettext(key)
                if shown != msgstr:
                    ignored[po.relative_to(PACKAGE_DIR).parts[0]][msgid] = (msgstr, shown)
    assert not ignored, f"app: {{msgid: (catalogue's translation, translation shown)}}: {dict(ignored)}"


def test_it_labels_the_domain_in_vietnamese():
    with translation.override("vi"):
        assert str(Department.SALES.label) == "Kinh doanh"
        assert str(Role.MANAGER.label) == "Quản lý"
        assert str(Account._meta.verbose_name) == "khách hàng"
        assert str(Account._meta.get_field("owner").verbose_name) == "người phụ trách"
        assert str(Tier.STRATEGIC.label) == "Chiến lược"
        assert str(Touchpoint._meta.verbose_name) == "lần tiếp xúc"
        assert str(RelationshipReview._meta.verbose_name) == "đánh giá quan hệ"
        assert str(AlertKind.SILENCE.label) == "Mất liên lạc"
    with translation.override("en"):
        assert str(Account._meta.verbose_name) == "account"


def test_it_renders_the_account_list_in_vietnamese(owner_client, account):
    owner_client.post(reverse("set_language"), {"language": "vi", "next": "/accounts/"})
    body = owner_client.get(reverse("account_list")).content.decode()
    assert '<html lang="vi">' in body
    assert "<h1>Khách hàng</h1>" in body  # web
    assert "1 khách hàng" in body  # web, plural form
    assert "Người phụ trách" in body  # web
    assert "Trọng điểm" in body  # accounts: the account's tier
    assert "Máy móc thiết bị" in body  # accounts: the account's industry
    assert "Chuyển đến nội dung chính" in body  # core: base template
    assert "<h1>Accounts</h1>" not in body
    assert "Skip to content" not in body
