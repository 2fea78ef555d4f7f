"""One table of settings, one reader: the docs agree with it, code reads only through it."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from aftersale.accounts.models import Tier
from aftersale.config import ConfigError
from aftersale.core import conf

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"
SOURCE = ROOT / "src" / "aftersale"


def test_it_documents_every_setting_exactly_as_the_table_says():
    doc = DOC.read_text()
    start = doc.index("-->\n", doc.index("<!-- settings table")) + len("-->\n")
    end = doc.index("<!-- end of settings table -->")
    assert doc[start:end] == conf.markdown(), (
        "docs/configuration.md and aftersale.core.conf.SETTINGS differ: paste the output of "
        "`aftersale settings_table` between the markers"
    )
    for setting in conf.SETTINGS:
        assert f"`{setting.env}`" in doc or f'`{setting.where.removeprefix("AFTERSALE")}`' in doc


def test_it_names_each_setting_once():
    names = [s.name for s in conf.SETTINGS]
    variables = [s.env for s in conf.SETTINGS if s.env]
    assert len(names) == len(set(names)) and len(variables) == len(set(variables))


@pytest.mark.parametrize("setting", conf.SETTINGS, ids=lambda s: s.name)
def test_it_passes_every_default_through_its_own_check(setting):
    if setting.default is None:  # computed at start-up from DEBUG
        return
    setting.kind.check(setting.default, setting.default)


def test_it_lets_no_code_read_the_product_settings_around_the_reader():
    readers = []
    for path in SOURCE.rglob("*.py"):
        if path.name in {"conf.py", "settings.py"} and path.parent in {SOURCE / "core", SOURCE}:
            continue
        text = path.read_text()
        pattern = r"settings\.AFTERSALE|getattr\(settings, \"AFTERSALE|settings\.PAGE_CACHE_SECONDS"
        if re.search(pattern, text):
            readers.append(str(path.relative_to(SOURCE)))
    assert readers == []


def test_it_reads_the_running_settings_when_used():
    assert conf.get("PORTAL.INVITATION_DAYS") == 7
    with override_settings(AFTERSALE={"PORTAL": {"INVITATION_DAYS": 3}}):
        assert conf.get("PORTAL.INVITATION_DAYS") == 3
        # A key left out, in the same group or elsewhere, keeps its default.
        assert conf.get("PORTAL.MAX_FILES_PER_UPLOAD") == 5
        assert conf.get("CURRENCY") == "VND"
    assert conf.get("PORTAL.INVITATION_DAYS") == 7


def test_it_gives_each_value_its_type():
    assert conf.get("SERVICE.WORKING_HOURS") == (time(8), time(17))
    assert conf.get("SERVICE.AT_RISK_SHARE") == Decimal("0.25")
    assert conf.get("SERVICE.LABOUR_RATES")["USD"] == Decimal("20")
    with override_settings(AFTERSALE={"SERVICE": {"LUNCH": None, "LABOUR_RATES": {"USD": "25.5"}}}):
        assert conf.get("SERVICE.LUNCH") is None
        assert conf.get("SERVICE.LABOUR_RATES") == {
            "VND": Decimal("400000"), "USD": Decimal("25.5"), "EUR": Decimal("18")}


def test_it_keeps_the_default_for_a_tier_left_out_of_the_cadence():
    assert set(conf.get("REVIEW_CADENCE_DAYS")) == set(Tier.values)
    with override_settings(AFTERSALE={"REVIEW_CADENCE_DAYS": {"key": 30}}):
        assert conf.get("REVIEW_CADENCE_DAYS") == {"strategic": 91, "key": 30, "standard": 182}


def test_it_never_hands_out_the_table_default_to_be_changed():
    conf.get("SERVICE.ATTACHMENT_TYPES")[".exe"] = "application/x-msdownload"
    conf.get("REVIEW_CADENCE_DAYS")["key"] = 1
    assert ".exe" not in conf.get("SERVICE.ATTACHMENT_TYPES")
    assert conf.get("REVIEW_CADENCE_DAYS")["key"] == 91


@pytest.mark.parametrize(("override", "name", "message"), [
    ({"QUIET_FDR": 1.5}, "QUIET_FDR", r'AFTERSALE\["QUIET_FDR"\] = 1.5 must be between 0 and 1'),
    ({"SERVICE": {"WORKING_DAYS": [0, 7]}}, "SERVICE.WORKING_DAYS", r'\["SERVICE"\]\["WORKING_DAYS"\]'),
    ({"SERVICE": {"WORKING_HOURS": ["17:00", "08:00"]}}, "SERVICE.WORKING_HOURS", "must start before"),
    ({"SERVICE": {"AT_RISK_SHARE": 0.25}}, "SERVICE.AT_RISK_SHARE", "write the number as text"),
    ({"REVIEW_CADENCE_DAYS": {"key": 0}}, "REVIEW_CADENCE_DAYS", "at least 1"),
    ({"TRUSTED_PROXIES": ["proxy.local"]}, "TRUSTED_PROXIES", "'proxy.local' is not an IP address"),
    ({"NOTIFY": {"DIGEST_HOUR": "seven"}}, "NOTIFY.DIGEST_HOUR", "is not a whole number"),
    ({"CURRENCY": "GBP"}, "CURRENCY", "must be one of VND, USD, EUR"),
])
def test_it_names_the_setting_in_the_error_for_a_wrong_value(override, name, message):
    with override_settings(AFTERSALE=override), pytest.raises(ImproperlyConfigured, match=message):
        conf.get(name)


def test_it_makes_the_product_settings_from_the_environment():
    made = conf.environment({"DIGEST_HOUR": "6", "TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
                             "AFTERSALE_HOLIDAYS": "vn", "LOGIN_FAILURE_LIMIT": " "})
    assert made["NOTIFY"] == {"DIGEST_HOUR": 6, "INTERVAL_MINUTES": 5}
    assert made["TRUSTED_PROXIES"] == ["127.0.0.1", "10.0.0.0/8"]
    assert made["SERVICE"]["HOLIDAYS"] == "vn"
    assert made["LOGIN_FAILURE_LIMIT"] == 5  # blank: the default
    assert {s.name.partition(".")[0] for s in conf.SETTINGS if not s.django} == set(made)
    with override_settings(AFTERSALE=made):
        assert [str(n) for n in conf.get("TRUSTED_PROXIES")] == ["127.0.0.1/32", "10.0.0.0/8"]


def test_it_names_a_bad_variable():
    with pytest.raises(ConfigError, match=r"^WORKER_RECOVER_MINUTES='0' must be at least 1$"):
        conf.environment({"WORKER_RECOVER_MINUTES": "0"})
