from datetime import UTC, datetime

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import Alert, AlertKind
from tests.alerts.examples import EXAMPLES
from tests.conftest import PASSWORD


def test_it_logs_in_works_an_attention_item_and_switches_to_vietnamese(
    page, live_server, login, owner, account, screenshot
):
    # A kind that may be acknowledged: silence and quiet-customer alerts close only by a
    # logged conversation (tests/alerts/test_step_in.py).
    reconcile_alerts(
        kind=AlertKind.REVIEW_DUE, at=datetime(2026, 11, 20, tzinfo=UTC),
        wanted={(account.pk, ""): Condition(EXAMPLES[AlertKind.REVIEW_DUE])},
    )
    login(page, owner, PASSWORD)

    assert page.get_by_role("heading", name="Needs attention").is_visible()
    assert page.get_by_text("The last relationship review was on", exact=False).is_visible()
    screenshot(page, "attention-list")

    with page.expect_navigation():
        page.get_by_role("button", name="I'm on it").click()
    assert Alert.objects.get().acknowledged_by == owner
    assert page.get_by_text("1 item in hand").is_visible()

    with page.expect_navigation():
        page.get_by_label("Language").select_option("vi")
    assert page.get_by_role("heading", name="Cần chú ý").is_visible()
    assert page.locator("html").get_attribute("lang") == "vi"
