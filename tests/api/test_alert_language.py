"""The API words alerts in the caller's language: Accept-Language, else the token holder's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aftersale.alerts.actions import raise_alert
from aftersale.alerts.models import AlertKind
from tests.alerts.examples import EXAMPLES
from tests.alerts.test_texts import english_left

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, tzinfo=UTC)


def test_it_answers_alerts_in_the_accept_language(api, account):
    raise_alert(kind=AlertKind.SLA_BREACH, account=account, subject="case:1",
                params=EXAMPLES[AlertKind.SLA_BREACH], at=NOW)
    english = api.client.get("/api/alerts", headers=api._headers()).json()["items"][0]
    vietnamese = api.client.get("/api/alerts", headers={**api._headers(), "Accept-Language": "vi"}).json()
    [item] = vietnamese["items"]
    assert english["explanation"].startswith("Repair case “Press 2 down” (Critical) missed its target")
    assert item["explanation"].startswith(
        "Yêu cầu Sửa chữa “Press 2 down” (mức Khẩn cấp) đã quá thời hạn mục tiêu")
    assert english_left(item["explanation"] + " " + item["action"], EXAMPLES[AlertKind.SLA_BREACH]) == []
    assert "params" not in item and "stored_explanation" not in item


def test_it_falls_back_to_the_token_holders_language(api, account, owner):
    owner.language = "vi"
    owner.save()
    raise_alert(kind=AlertKind.REVIEW_DUE, account=account, params=EXAMPLES[AlertKind.REVIEW_DUE], at=NOW)
    [item] = api.client.get("/api/alerts", headers=api._headers()).json()["items"]
    assert item["explanation"].startswith("Kỳ đánh giá quan hệ gần nhất là ngày 01-10-2025")
