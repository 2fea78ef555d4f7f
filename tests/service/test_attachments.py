"""Case attachments: size and type limits, storage under MEDIA_ROOT, download only with access."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from aftersale.service.actions import do_open_case
from aftersale.service.models import CaseAttachment, CaseKind
from tests.service.conftest import at

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at(2026, 3, 20, 12), tick=False):
        yield tmp_path


@pytest.fixture
def case(account, owner):
    return do_open_case(account=account, kind=CaseKind.REPAIR, title="Leak", by=owner,
                        opened_at=at(2026, 3, 20, 9))


def upload(client, case, name, content):
    return client.post(reverse("service:case_attach", args=[case.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")})


def test_it_stores_an_allowed_file_under_media_root_with_a_random_name(owner_client, case, media):
    response = upload(owner_client, case, "report.PDF", PDF)
    assert response.status_code == 302
    attachment = CaseAttachment.objects.get()
    assert attachment.original_name == "report.PDF"
    assert attachment.content_type == "application/pdf"  # ours, not the browser's
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(media) and stored.read_bytes() == PDF
    assert "report" not in stored.name


def test_it_serves_the_file_only_through_the_access_checked_view(owner_client, client, other_contact,
                                                                  case):
    upload(owner_client, case, "report.pdf", PDF)
    attachment = CaseAttachment.objects.get()
    url = reverse("service:attachment", args=[attachment.pk])
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    client.force_login(other_contact.user)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name, content, message", [
    ("tool.exe", b"MZ\x90\x00", "cannot be attached"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf", "does not match"),
    ("notes.txt", b"abc\x00def", "does not match"),
    ("empty.pdf", b"", "empty"),
])
def test_it_refuses_bad_files_and_saves_nothing(owner_client, case, media, name, content, message):
    response = upload(owner_client, case, name, content)
    assert response.status_code == 200
    assert message in str(response.context["attachment_form"].errors["file"])
    assert not CaseAttachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_it_refuses_files_over_the_size_limit(owner_client, case):
    limits = {"CURRENCY": "VND", "SERVICE": {"ATTACHMENT_MAX_BYTES": 16}}
    with override_settings(AFTERSALE=limits):
        response = upload(owner_client, case, "big.pdf", PDF)
    assert "larger than" in str(response.context["attachment_form"].errors["file"])
    assert not CaseAttachment.objects.exists()
