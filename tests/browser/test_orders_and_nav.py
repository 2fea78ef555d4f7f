"""The order list in a real browser, and the "More" menu driven by the keyboard."""

from datetime import UTC, datetime
from decimal import Decimal

from aftersale.commerce.models import Channel, Order
from tests.conftest import PASSWORD


def test_it_lists_orders_and_opens_more_with_the_keyboard(
    page, live_server, login, manager, account, contact, screenshot
):
    Order.objects.create(account=account, external_id="PO-7", channel=Channel.PORTAL,
                         placed_at=datetime(2026, 4, 15, 3, tzinfo=UTC), total=Decimal("3750000"),
                         currency="VND", placed_by=contact)
    Order.objects.create(account=account, external_id="SO-1", placed_at=datetime(2026, 3, 2, 3, tzinfo=UTC),
                         total=Decimal("2600000"), currency="VND", taken_by=manager)
    login(page, manager, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Orders", exact=True).click()
    assert page.get_by_role("heading", name="Orders").is_visible()
    assert page.get_by_role("link", name="PO-7").is_visible()
    assert page.locator(".channel-portal").count() == 1

    # The main links and "More" fit on one line of the top bar at a laptop's width.
    first = page.get_by_role("link", name="Attention").bounding_box()
    more = page.locator("summary", has_text="More").bounding_box()
    assert abs(more["y"] - first["y"]) < 8

    departments = page.get_by_role("link", name="Departments")
    assert not departments.is_visible()  # behind "More" until opened
    page.locator("summary", has_text="More").focus()
    page.keyboard.press("Enter")
    assert departments.is_visible()
    screenshot(page, "orders-list")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Suppliers"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Reviews and trust"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Departments"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/departments/")

    with page.expect_navigation():
        page.get_by_label("Language").select_option("vi")
    first = page.get_by_role("link", name="Cần chú ý").bounding_box()
    more = page.locator("summary", has_text="Xem thêm").bounding_box()
    assert abs(more["y"] - first["y"]) < 8
