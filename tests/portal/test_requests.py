"""Service requests and complaints in the portal: raising, files and their limits, replies, following."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersale.service import actions as service
from aftersale.service.models import CaseAttachment, CaseChannel, CaseStatus, ServiceCase
from tests.portal.conftest import NOW, PDF


def raise_request(client, asset, *files, **fields):
    data = {"kind": "repair", "severity": "high", "title": "Pressure drops",
            "asset": asset.pk if asset else "", "description": "Pressure drops after an hour of work.",
            **fields}
    if files:
        data["files"] = list(files)
    return client.post(reverse("portal:request_new"), data)


def test_it_raises_a_complaint_about_their_machine(frozen, portal_client, world, contact, mailoutbox):
    response = raise_request(portal_client, world.asset, SimpleUploadedFile("gauge.pdf", PDF),
                             SimpleUploadedFile("log.txt", b"12:00 180 bar\n"), is_complaint="on")
    case = ServiceCase.objects.exclude(pk=world.case.pk).get()
    assert response["Location"] == reverse("portal:request_detail", args=[case.pk])
    assert case.account == contact.account and case.raised_by == contact and case.asset == world.asset
    assert case.is_complaint and case.severity == "high" and case.channel == CaseChannel.PORTAL
    assert case.status == CaseStatus.NEW and case.opened_at == NOW
    assert case.response_due_at is not None  # the clock runs from now
    assert sorted(a.original_name for a in case.attachments.all()) == ["gauge.pdf", "log.txt"]
    (message,) = mailoutbox
    assert message.to == ["owner@vendor.test"]
    assert message.subject == "Complaint from Công ty Cơ khí Hà Nội: Pressure drops"
    page = portal_client.get(response["Location"]).content.decode()
    assert "gauge.pdf" in page and "Complaint" in page and "First response" in page


def test_it_offers_only_their_own_machines(frozen, portal_client, world, other_world):
    page = portal_client.get(reverse("portal:request_new")).content.decode()
    assert "SN-MINE" in page and "SN-THEIRS" not in page
    response = raise_request(portal_client, other_world.asset)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ServiceCase.objects.filter(title="Pressure drops").exists()


@pytest.mark.parametrize(("upload", "message"), [
    (SimpleUploadedFile("tool.exe", b"MZ\x90\x00"), "Files of this type cannot be attached"),
    (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf"), "does not match its .pdf name"),
    (SimpleUploadedFile("big.pdf", PDF + b"x" * 2048), "larger than"),
])
def test_it_refuses_files_out_of_bounds(frozen, portal_client, world, settings, upload, message):
    settings.AFTERSALE = {**settings.AFTERSALE, "SERVICE": {**settings.AFTERSALE["SERVICE"],
                                                            "ATTACHMENT_MAX_BYTES": 1024}}
    before = CaseAttachment.objects.count()
    response = raise_request(portal_client, world.asset, upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceCase.objects.filter(title="Pressure drops").exists()  # nothing half-written
    assert CaseAttachment.objects.count() == before


def test_it_refuses_too_many_files_at_once(frozen, portal_client, world):
    files = [SimpleUploadedFile(f"p{i}.pdf", PDF) for i in range(6)]
    response = raise_request(portal_client, world.asset, *files)
    assert "Attach at most 5 files at a time." in response.content.decode()
    assert not ServiceCase.objects.filter(title="Pressure drops").exists()


def test_it_serves_their_files_only_through_the_access_checked_view(frozen, portal_client, world):
    url = reverse("portal:attachment", args=[world.contact_file.pk])
    response = portal_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # Stored under a random name, outside any static or public URL.
    assert world.contact_file.original_name not in world.contact_file.file.name
    assert len(world.contact_file.file.name.rsplit("/", 1)[1]) >= 32


def test_it_keeps_staff_files_on_the_staff_side(frozen, portal_client, world):
    assert portal_client.get(reverse("portal:attachment", args=[world.staff_file.pk])).status_code == 404
    page = portal_client.get(reverse("portal:request_detail", args=[world.case.pk])).content.decode()
    assert "photo-MINE.pdf" in page and "SECRET-staff" not in page


def test_it_shows_the_conversation_without_internal_comments(frozen, portal_client, world):
    page = portal_client.get(reverse("portal:request_detail", args=[world.case.pk])).content.decode()
    assert "We will send a technician MINE" in page
    assert "SECRET" not in page


def test_it_adds_the_customers_reply_without_counting_it_as_our_response(frozen, portal_client, world):
    case = ServiceCase.objects.create(account=world.account, kind="repair", title="New one", opened_at=NOW,
                                      raised_by=world.contact)
    response = portal_client.post(reverse("portal:request_comment", args=[case.pk]),
                                  {"body": "Any news?", "files": [SimpleUploadedFile("more.pdf", PDF)]})
    assert response["Location"] == reverse("portal:request_detail", args=[case.pk])
    comment = case.comments.get()
    assert comment.author == world.contact.user and not comment.is_internal
    assert case.attachments.get().original_name == "more.pdf"
    case.refresh_from_db()
    assert case.first_response_at is None and case.status == CaseStatus.NEW


def test_it_restarts_the_clock_when_the_customer_answers(frozen, portal_client, world, owner):
    service.do_change_status(world.case, CaseStatus.WAITING, by=owner)
    frozen.shift(timedelta(hours=1))
    page = portal_client.get(reverse("portal:request_detail", args=[world.case.pk])).content.decode()
    assert "Waiting for your reply" in page
    portal_client.post(reverse("portal:request_comment", args=[world.case.pk]), {"body": "Photo attached."})
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.IN_PROGRESS


def test_it_refuses_replies_to_a_closed_request(frozen, portal_client, world, owner):
    service.do_close(world.case, by=owner)
    frozen.shift(timedelta(minutes=5))
    response = portal_client.post(reverse("portal:request_comment", args=[world.case.pk]), {"body": "Hello?"})
    assert response.status_code == 200
    assert "This request is closed" in response.content.decode()
    assert not world.case.comments.filter(body="Hello?").exists()


def test_it_refuses_an_empty_reply(frozen, portal_client, world):
    response = portal_client.post(reverse("portal:request_comment", args=[world.case.pk]), {"body": "  "})
    assert "Write something or attach a file." in response.content.decode()


def test_it_lists_requests_open_first_with_their_next_target(frozen, portal_client, world, owner):
    done = service.do_open_case(account=world.account, kind="other", title="Old question", by=owner,
                                opened_at=NOW - timedelta(days=30))
    service.do_close(done, by=owner)
    page = portal_client.get(reverse("portal:request_list")).content.decode()
    assert page.index("Press leaks oil MINE") < page.index("Old question")
    assert "On track" in page or "At risk" in page or "Breached" in page
