"""An alert's words are rendered from its facts when read, in the reader's language."""

from __future__ import annotations

import importlib
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersale.alerts import texts
from aftersale.alerts.actions import Condition, raise_alert, reconcile_alerts
from aftersale.alerts.models import Alert, AlertKind
from tests.alerts.examples import EXAMPLES

NOW = datetime(2026, 6, 15, 3, tzinfo=UTC)

# Words of an English sentence; none of them is Vietnamese.
ENGLISH = re.compile(
    r"\b(the|from|have|has|not|with|days?|usually|customer|promises?|visit|overdue|step|was|due|of|and|"
    r"for|by|case|target|review|health|ideas|supplier|call|machines?|log|last|contact|orders?|points|"
    r"signals|first|resolution|response|maintenance|service|agree|get|check|hold|look|meet|critical|"
    r"repair|sales|weakest|ago|missed|watch|risk|healthy|probability|expected|engaged|raised|installed)\b",
    re.IGNORECASE,
)


def _strings(params: Any) -> list[str]:
    """The names and titles in the facts (people's own words, in whatever language they wrote)."""
    if isinstance(params, str):
        return [params]
    if isinstance(params, dict):
        return [s for value in params.values() for s in _strings(value)]
    if isinstance(params, list):
        return [s for value in params for s in _strings(value)]
    return []


def english_left(text: str, params: dict[str, Any]) -> list[str]:
    for value in sorted(_strings(params), key=len, reverse=True):
        if len(value) > 3 and not re.fullmatch(r"[a-z_]+", value):  # enum values and ids are not shown
            text = text.replace(value, " ")
    return ENGLISH.findall(text)


def rendered(kind: str, params: dict[str, Any], language: str) -> texts.AlertText:
    with translation.override(language):
        return texts.render(kind, params)


def test_it_has_one_renderer_for_every_alert_kind():
    assert set(AlertKind.values) <= set(texts.registered())
    assert set(EXAMPLES) == set(AlertKind.values)


@pytest.mark.parametrize("kind", sorted(AlertKind.values))
def test_it_renders_each_kind_in_english_and_wholly_in_vietnamese(kind):
    params = EXAMPLES[kind]
    english, vietnamese = rendered(kind, params, "en"), rendered(kind, params, "vi")
    assert english.explanation and english.action
    assert vietnamese.explanation and vietnamese.action
    assert english_left(vietnamese.explanation, params) == []
    assert english_left(vietnamese.action, params) == []
    assert vietnamese.explanation != english.explanation and vietnamese.action != english.action
    assert "ngày Ngày" not in vietnamese.explanation


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(sorted(AlertKind.values)), days=st.integers(0, 5000),
       due=st.dates(date(2000, 1, 1), date(2099, 12, 31)), score=st.floats(0, 100), rate=st.floats(0, 50))
def test_it_renders_any_facts_in_vietnamese_without_english_with_locale_dates(kind, days, due, score, rate):
    """Whatever the numbers and dates, the Vietnamese text keeps no English word and shows
    each date as Vietnamese writes it (day-month-year), never the ISO form."""
    params = dict(EXAMPLES[kind])
    for key in ("days", "change", "ideas_now", "ideas_before"):
        if key in params:
            params[key] = days
    for key in ("due", "held"):
        if params.get(key):
            params[key] = due.isoformat()
    for key in ("now", "before"):
        if key in params:
            params[key] = rate
    if "score" in params:
        params["score"] = round(score)
    vietnamese = rendered(kind, params, "vi")
    assert english_left(vietnamese.explanation, params) == []
    if params.get("due"):
        assert due.strftime("%d-%m-%Y") in vietnamese.explanation
        assert due.isoformat() not in vietnamese.explanation
    with translation.override("en"):
        assert texts.render(kind, params).explanation


def test_it_formats_numbers_in_the_readers_format():
    params = EXAMPLES[AlertKind.SUPPLIER_SQUEEZED]
    assert "(2.5 competing bids" in rendered(AlertKind.SUPPLIER_SQUEEZED, params, "en").explanation
    assert "(2,5 lần chào giá" in rendered(AlertKind.SUPPLIER_SQUEEZED, params, "vi").explanation


def test_it_renders_a_stored_alert_in_whatever_language_it_is_read(account, owner):
    alert = raise_alert(kind=AlertKind.MAINTENANCE_OVERDUE, account=account, subject="plan:1",
                        params=EXAMPLES[AlertKind.MAINTENANCE_OVERDUE], at=NOW)
    alert = Alert.objects.get(pk=alert.pk)
    assert alert.explanation.startswith(
        "Maintenance “Annual service” of Press 2 (SN 4411) was due on 03/01/2026")
    with translation.override("vi"):
        assert alert.explanation.startswith(
            "Bảo trì “Annual service” cho Press 2 (SN 4411) đến hạn ngày 01-03-2026")
    owner.language = "vi"
    owner.save()
    assert alert.explanation.startswith("Maintenance")  # the reader's language, not the owner's at opening


def test_it_shows_the_stored_words_only_for_a_kind_that_no_longer_exists(account):
    Alert.objects.create(kind="retired_kind", account=account, owner=account.owner, opened_at=NOW,
                         stored_explanation="An old kind's words", stored_action="Do the old thing")
    alert = Alert.objects.get(kind="retired_kind")
    with translation.override("vi"):
        assert (alert.explanation, alert.action) == ("An old kind's words", "Do the old thing")


@pytest.fixture
def every_kind(account):
    for n, kind in enumerate(sorted(AlertKind.values)):
        reconcile_alerts(kind=kind, wanted={(account.pk, f"x:{n}"): Condition(EXAMPLES[kind])}, at=NOW,
                         account_ids=[account.pk])


def _text_nodes(body: str) -> set[str]:
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", body, flags=re.S)
    return {re.sub(r"\s+", " ", t).strip() for t in re.split(r"<[^>]+>", body)}


def test_it_puts_no_english_alert_sentence_on_a_vietnamese_users_attention_list(client, owner, every_kind):
    owner.language = "vi"
    owner.save()
    client.force_login(owner)
    vietnamese = client.get(reverse("home")).content.decode()
    assert '<html lang="vi">' in vietnamese
    params = {k: v for kind in AlertKind.values for k, v in EXAMPLES[kind].items()}
    for alert in Alert.objects.open():
        with translation.override("vi"):
            assert alert.explanation in vietnamese.replace("&amp;", "&")
        with translation.override("en"):
            assert alert.explanation not in vietnamese
    sentences = [t for t in _text_nodes(vietnamese) if len(t.split()) >= 4]
    assert not [t for t in sentences if english_left(t, {"strings": _strings(params)})]


MIGRATION = importlib.import_module("aftersale.alerts.migrations.0005_alert_params_rendered_when_read")


@pytest.mark.parametrize(("kind", "subject", "language"), [
    (kind, f"promise:{n}" if kind.startswith("promise") else f"case:{n}", language)
    for n, kind in enumerate(sorted(AlertKind.values)) for language in ("en", "vi")
    if kind not in (AlertKind.SILENCE, AlertKind.QUIET_CUSTOMER)
])
def test_it_migrates_the_words_earlier_versions_stored_back_into_facts(kind, subject, language):
    """What an earlier version wrote (ISO dates, its own templates) reads back into facts
    that render the same sentence in today's form."""
    params = dict(EXAMPLES[kind])
    if "promise" in params:
        params["promise"] = int(subject.split(":")[1])
    if "case" in params:
        params["case"] = int(subject.split(":")[1])
    if kind == AlertKind.PROMISE_NEW:
        params["account"] = ""  # a promise of ours never named the account in its text
    old = _old_words(kind, params, language)
    assert MIGRATION.read_params(kind, subject, old, "") == params


def _old_words(kind: str, p: dict[str, Any], language: str) -> str:
    """The sentences the versions before this one stored (their templates, ISO dates)."""
    vi = language == "vi"
    departments = {"sales": "Kinh doanh" if vi else "Sales", "service": "Dịch vụ" if vi else "Service"}
    if kind == AlertKind.PROMISE_NEW:
        return (f"{p['maker']} ({departments[p['dept']]}) đã cam kết “{p['what']}” trước ngày {p['due']}; "
                f"{p['owner']} ({departments[p['ddept']]}) phải thực hiện." if vi else
                f"{p['maker']} ({departments[p['dept']]}) promised “{p['what']}” by {p['due']}; "
                f"{p['owner']} ({departments[p['ddept']]}) must deliver it.")
    if kind == AlertKind.PROMISE_OVERDUE:
        return (f"“{p['what']}” đến hạn ngày {p['due']} (đã {p['days']} ngày); {p['who']} "
                f"({departments[p['dept']]}) phải thực hiện." if vi else
                f"“{p['what']}” was due on {p['due']} ({p['days']} days ago); {p['who']} "
                f"({departments[p['dept']]}) must deliver it.")
    if kind == AlertKind.SLA_BREACH:
        missed = ("hạn phản hồi đầu tiên là 2026-05-20 09:30; hạn xử lý xong là 2026-05-21 17:00" if vi else
                  "first response was due 2026-05-20 09:30; resolution was due 2026-05-21 17:00")
        return (f"Yêu cầu Sửa chữa “{p['title']}” (Khẩn cấp) đã trễ cam kết: {missed}." if vi else
                f"Repair case “{p['title']}” (Critical) missed its target: {missed}.")
    if kind == AlertKind.MAINTENANCE_OVERDUE:
        return (f"Bảo trì “{p['plan']}” cho {p['asset']} đến hạn ngày {p['due']} "
                f"(quá hạn {p['days']} ngày)." if vi else
                f"Maintenance “{p['plan']}” of {p['asset']} was due on {p['due']} "
                f"({p['days']} days overdue).")
    if kind == AlertKind.REVIEW_DUE:
        return (f"Kỳ đánh giá quan hệ gần nhất là ngày {p['held']}; kỳ tiếp theo đến hạn ngày {p['due']} "
                f"({p['days']} ngày trước)." if vi else
                f"The last relationship review was on {p['held']}; the next was due on {p['due']} "
                f"({p['days']} days ago).")
    if kind == AlertKind.HEALTH_DETERIORATING:
        return ("Sức khỏe giảm khoảng 18 điểm trong 90 ngày, còn 47 (có rủi ro). Các tín hiệu yếu nhất: "
                "Mục tiêu dịch vụ, Nhịp liên hệ." if vi else
                "Health fell about 18 points over 90 days, to 47 (at risk). Weakest signals: "
                "Service targets, Contact rhythm.")
    return ("Ý tưởng từ nhà cung cấp này đã cạn (1 trong sáu tháng qua so với 5 trong sáu tháng trước "
            "đó) trong khi áp lực giá của chúng tôi tăng (2.5 lần chào giá cạnh tranh và báo giá lại mỗi "
            "đơn, tăng từ 1.5)."
            if vi else
            "Ideas from this supplier dried up (1 in the last six months against 5 in the six before) "
            "while our price pressure rose (2.5 competing bids and re-quotes per order, up from 1.5).")


def test_it_migrates_stored_alerts_keeping_words_only_where_nothing_renders(account):
    from django.apps import apps

    def stored(kind: str, subject: str, explanation: str, action: str = "") -> Alert:
        return Alert.objects.create(kind=kind, account=account, subject=subject, owner=account.owner,
                                    opened_at=NOW, stored_explanation=explanation, stored_action=action)

    overdue = stored(AlertKind.PROMISE_OVERDUE, "promise:3", "“Spare pump delivered” was due on 2026-05-20 "
                     "(12 days ago); Linh Tran (Service) must deliver it.", "Get it delivered.")
    quiet = stored(AlertKind.QUIET_CUSTOMER, "", "Raised 0 requests…", "Step in: the owner visits with a "
                   "service engineer, checks the 2 machines on site and asks what is not working; log the "
                   "visit to close this alert.")
    retired = stored("retired_kind", "", "Words of a kind that is gone", "Old action")
    unreadable = stored(AlertKind.REVIEW_DUE, "", "Hand-written by an administrator")

    MIGRATION.forwards(apps, None)

    overdue, quiet, retired, unreadable = (
        Alert.objects.get(pk=a.pk) for a in (overdue, quiet, retired, unreadable))
    assert overdue.params == {**EXAMPLES[AlertKind.PROMISE_OVERDUE], "promise": 3}
    assert (overdue.stored_explanation, overdue.stored_action) == ("", "")
    with translation.override("vi"):
        assert overdue.explanation == (
            "“Spare pump delivered” đến hạn ngày 20-05-2026 (đã 12 ngày); Linh Tran (Dịch vụ) "
            "phải thực hiện.")
        assert quiet.params == {"assets": 2, "facts": {}}
        assert quiet.explanation.startswith("Khách hàng gửi ít yêu cầu và khiếu nại")
        assert "kiểm tra 2 máy tại chỗ" in quiet.action
        assert retired.explanation == "Words of a kind that is gone"
        assert unreadable.explanation == "Hand-written by an administrator"
