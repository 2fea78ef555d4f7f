"""A customer's contact in the portal: signs in, reorders parts for their press, raises a
complaint with a photo, sees the promise made to them, and reaches nothing of another customer."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone

from aftersale.commerce.models import Channel, Order
from aftersale.reviews.models import TrustRating
from aftersale.service.models import CaseChannel, ServiceCase
from tests.conftest import PASSWORD
from tests.portal.conftest import PDF, build_world, make_catalogue


def test_it_lets_a_contact_reorder_parts_and_raise_a_complaint(
    page, live_server, account, contact, owner, other_account, other_contact, colleague, screenshot,
    tmp_path,
):
    catalogue = make_catalogue()
    today = timezone.localdate()
    mine = build_world(account, contact, owner, catalogue, "MINE", today)
    theirs = build_world(other_account, other_contact, colleague, catalogue, "THEIRS", today)

    page.goto(f"{live_server.url}/portal/")
    assert page.get_by_role("heading", name="Customer portal").is_visible()
    page.get_by_label("E-mail").fill(contact.email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name=account.name).is_visible()
    assert page.get_by_text("Press leaks oil MINE").is_visible()
    screenshot(page, "portal-overview")

    # Reorder the seal kit and oil of February, one more kit this time.
    with page.expect_navigation():
        page.get_by_role("link", name="My orders").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Order again").click()
    assert page.get_by_role("heading", name="Review your order").is_visible()
    page.get_by_label("Quantity of Press seal kit").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Update").click()
    assert page.get_by_text("5,850,000 VND").is_visible()  # 3 x 1,250,000 + 2,100,000
    page.get_by_label("Note for us").fill("PO-2026-118, deliver to Hall 1")
    screenshot(page, "portal-reorder")
    with page.expect_navigation():
        page.get_by_role("button", name="Place order").click()
    assert page.get_by_text(re.compile(r"Thank you: order .+ is placed\.")).is_visible()
    order = Order.objects.get(channel=Channel.PORTAL)
    assert order.placed_by == contact and order.account == account
    assert {line.product.name: line.quantity for line in order.lines.all()} == {
        "Press seal kit": 3, "Hydraulic oil 20 l": 1}
    screenshot(page, "portal-order")

    # A complaint about the press, with a photo of the gauge.
    with page.expect_navigation():
        page.get_by_role("link", name="Overview").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Make a complaint").click()
    assert page.get_by_label("This is a complaint").is_checked()
    page.get_by_label("Machine").select_option(label=str(mine.asset))
    page.get_by_label("How urgent is it?").select_option("high")
    page.get_by_label("Subject").fill("Press stops mid-cycle again")
    page.get_by_label("Description").fill("Third stop this week; the pressure gauge drops to 120 bar.")
    photo = tmp_path / "gauge.pdf"
    photo.write_bytes(PDF)
    page.get_by_label("Attachments").set_input_files(str(photo))
    screenshot(page, "portal-complaint")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    case = ServiceCase.objects.get(title="Press stops mid-cycle again")
    assert case.is_complaint and case.channel == CaseChannel.PORTAL and case.raised_by == contact
    assert case.attachments.get().original_name == "gauge.pdf"
    assert page.get_by_role("heading", name="Our targets").is_visible()
    assert page.get_by_role("link", name="gauge.pdf").is_visible()
    screenshot(page, "portal-request")

    # The promise made to them, and nothing internal.
    with page.expect_navigation():
        page.get_by_role("link", name="Our promises").click()
    assert page.get_by_text("Train two operators MINE").is_visible()
    assert "SECRET" not in page.content()
    screenshot(page, "portal-promises")

    with page.expect_navigation():
        page.get_by_role("link", name="Joint plan").click()
    page.get_by_label("Status of Name a shift lead MINE").select_option("done")
    with page.expect_navigation():
        page.locator(f"#item-{mine.their_item.pk}").get_by_role("button", name="Save").click()
    mine.their_item.refresh_from_db()
    assert mine.their_item.status == "done"
    screenshot(page, "portal-plan")

    with page.expect_navigation():
        page.get_by_role("link", name="Overview").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Answer the survey").click()
    page.get_by_role("group", name=re.compile("How satisfied")).get_by_label("8", exact=True).check()
    for item, score in (("keep their word", "4"), ("take advantage", "5"), ("tell us openly", "4")):
        page.get_by_role("group", name=re.compile(item)).get_by_label(score, exact=True).check()
    screenshot(page, "portal-survey")
    with page.expect_navigation():
        page.get_by_role("button", name="Send answers").click()
    assert TrustRating.objects.get(rated_by_contact=contact).trust == Decimal("4.33")

    # In Vietnamese, their equipment and its maintenance.
    with page.expect_navigation():
        page.get_by_role("link", name="Equipment").click()
    with page.expect_navigation():
        page.get_by_label("Language").select_option("vi")
    assert page.get_by_role("heading", name="Thiết bị của bạn").is_visible()
    screenshot(page, "portal-equipment-vi")

    # Nothing of the other customer, even by typing its addresses.
    for path in (f"/portal/orders/{theirs.order.pk}/", f"/portal/requests/{theirs.case.pk}/",
                 f"/portal/equipment/{theirs.asset.pk}/", f"/portal/files/{theirs.contact_file.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
    # Nor the staff side.
    assert page.goto(f"{live_server.url}/accounts/{account.pk}/").status == 403
