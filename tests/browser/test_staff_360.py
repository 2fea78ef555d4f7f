from datetime import UTC, datetime, timedelta

from django.utils import timezone

from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import AlertKind
from aftersale.health.models import HealthSnapshot
from aftersale.promises.models import Promise, PromiseStatus
from tests.alerts.examples import silent
from tests.conftest import PASSWORD


def test_it_shows_the_account_360_with_quick_dialogs_and_in_vietnamese(
    page, live_server, login, owner, account, screenshot
):
    reconcile_alerts(
        kind=AlertKind.SILENCE, at=datetime(2026, 11, 20, tzinfo=UTC),
        wanted={(account.pk, ""): Condition(silent(140))},
    )
    today = timezone.localdate()
    for days, score in ((90, 62.0), (60, 55.0), (30, 48.0)):
        HealthSnapshot.objects.create(account=account, as_of=today - timedelta(days=days),
                                      computed_at=timezone.now(), score=score, band="watch", coverage=1)
    login(page, owner, PASSWORD)

    # From the attention list to the account.
    with page.expect_navigation():
        page.get_by_role("link", name=account.name).first.click()
    score = page.locator("#score-value")
    before = score.inner_text()
    assert page.locator("#health svg path.line").count() == 1

    # Log a touchpoint in the dialog: focus lands inside it, the score and timeline refresh in place.
    page.get_by_role("link", name="Log a touchpoint").click()
    dialog = page.locator("#quick-dialog")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.getElementById('quick-dialog').contains(document.activeElement)")
    dialog.locator("[name=kind]").select_option("visit")
    dialog.locator("[name=initiated_by]").select_option("vendor")
    dialog.locator("[name=minutes]").fill("60")
    dialog.locator("[name=topic]").select_option("training")
    dialog.locator("[name=summary]").fill("Operator training on the new press")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    page.locator("#timeline").get_by_text("Operator training on the new press").wait_for()
    page.wait_for_function(f"document.getElementById('score-value').innerText.trim() !== {before!r}")
    screenshot(page, "account-360")

    # Esc closes a dialog without saving.
    page.get_by_role("link", name="Open a case").first.click()
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    # Record a promise, then keep it from the timeline.
    page.get_by_role("link", name="Record a promise").first.click()
    dialog.wait_for(state="visible")
    dialog.locator("[name=description]").fill("Send the spare drive")
    dialog.locator("[name=stage]").select_option("after_sale")
    dialog.locator("[name=made_by_department]").select_option("sales")
    dialog.locator("[name=due_at]").fill((today + timedelta(days=7)).isoformat())
    dialog.locator("[name=delivery_owner]").select_option(str(owner.pk))
    dialog.locator("[name=delivery_department]").select_option("sales")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    page.locator("#timeline").get_by_text("Send the spare drive").wait_for()
    page.locator("#timeline").get_by_role("link", name="Mark kept").click()
    dialog.wait_for(state="visible")
    dialog.locator("[name=evidence]").fill("Delivery note 12")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    page.locator("#timeline").get_by_text("Kept").first.wait_for()
    assert Promise.objects.get(account=account).status == PromiseStatus.KEPT

    # The promises section's own form arrives when its disclosure is opened from the keyboard.
    section = page.locator("#promises")
    assert section.locator("[name=delivery_owner]").count() == 0
    section.locator("summary").focus()
    page.keyboard.press("Enter")
    section.locator("[name=delivery_owner]").wait_for()
    assert section.get_by_role("button", name="Record the promise").is_visible()

    page.goto(f"{live_server.url}/portfolio/")
    screenshot(page, "portfolio")
    page.goto(f"{live_server.url}/departments/")
    screenshot(page, "departments")

    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("vi")
    assert page.get_by_role("heading", name="Dòng thời gian").is_visible()
