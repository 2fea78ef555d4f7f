"""The staff pages: upload, preview every problem or change, confirm; CSV downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersale.accounts.models import Account
from aftersale.commerce.models import Order
from aftersale.imports.kinds import KINDS
from tests.imports.conftest import DATA, import_sample

ORDERS = (
    "external_id,account,placed_at,total,channel\n"
    "O-1,ACC-001,2024-01-01,10,rep\nO-2,ACC-002,2024-02-01,20,edi\n"
)


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def portfolio_base(db):
    for kind in ("staff", "accounts", "products"):
        import_sample(kind)


def upload(client, kind: str, text: str, name: str = "orders.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("imports:preview"), {"kind": kind, "file": file})


def test_it_shows_the_page_to_staff_with_the_form_for_managers(client, owner, manager):
    client.force_login(owner)
    page = client.get(reverse("imports:index")).content.decode()
    assert "Only managers can import files" in page
    assert 'enctype="multipart/form-data"' not in page
    assert reverse("imports:export", args=["orders"]) in page
    client.force_login(manager)
    page = client.get(reverse("imports:index")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    for kind in KINDS.values():
        assert ", ".join(c.name if c.required else f"[{c.name}]" for c in kind.columns) in page


def test_it_keeps_portal_contacts_and_strangers_out(client, contact):
    assert client.get(reverse("imports:index")).status_code == 302
    client.force_login(contact.user)
    assert client.get(reverse("imports:index")).status_code == 403
    assert client.get(reverse("imports:export", args=["orders"])).status_code == 403


def test_it_refuses_imports_to_members(owner_client, portfolio_base):
    assert upload(owner_client, "orders", ORDERS).status_code == 403
    assert Order.objects.count() == 0


def test_it_previews_counts_then_imports_on_confirmation(manager_client, portfolio_base, uploads_in_tmp):
    response = upload(manager_client, "orders", ORDERS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file is ready to import" in page
    assert Order.objects.count() == 0
    token = response.context["token"]
    stored = uploads_in_tmp / f"{token}.csv"
    assert stored.read_text() == ORDERS
    assert response.context["result"].created == 2

    response = manager_client.post(reverse("imports:confirm"), {"token": token})
    assert response.status_code == 200
    assert "Imported" in response.content.decode()
    assert Order.objects.count() == 2
    assert not stored.exists()
    # The token is spent.
    assert manager_client.post(reverse("imports:confirm"), {"token": token}).status_code == 404


def test_it_lists_every_problem_and_keeps_nothing(manager_client, portfolio_base, uploads_in_tmp):
    text = ORDERS + "O-3,ACC-404,2024-13-01,-1,fax\n"
    response = upload(manager_client, "orders", text)
    page = response.content.decode()
    assert "4 problems: nothing from this file was written." in page
    for value in ("ACC-404", "2024-13-01", "-1", "fax"):
        assert f"<code>{value}</code>" in page
    assert response.context["token"] == ""
    assert list(uploads_in_tmp.glob("*.csv")) == []
    assert Order.objects.count() == 0


def test_it_checks_the_file_again_on_confirmation(manager_client, portfolio_base):
    response = upload(manager_client, "orders", ORDERS)
    token = response.context["token"]
    Account.objects.filter(external_id="ACC-002").delete()
    response = manager_client.post(reverse("imports:confirm"), {"token": token})
    page = response.content.decode()
    assert "The data changed since the preview" in page
    assert "ACC-002" in page
    assert Order.objects.count() == 0


def test_it_takes_an_upload_token_only_in_the_session_that_uploaded(
    client, manager, admin_user, portfolio_base
):
    client.force_login(manager)
    token = upload(client, "orders", ORDERS).context["token"]
    client.force_login(admin_user)
    assert client.post(reverse("imports:confirm"), {"token": token}).status_code == 404
    assert client.post(reverse("imports:confirm"), {"token": "../../etc/passwd"}).status_code == 404
    assert Order.objects.count() == 0


def test_it_removes_the_uploaded_file_on_cancel(manager_client, portfolio_base, uploads_in_tmp):
    token = upload(manager_client, "orders", ORDERS).context["token"]
    response = manager_client.post(reverse("imports:cancel"), {"token": token})
    assert response.status_code == 302
    assert list(uploads_in_tmp.glob("*.csv")) == []


def test_it_lets_only_admins_import_staff(client, manager, admin_user):
    text = "email,name,department,role\nnew@vendor.test,Người Mới,sales,admin\n"
    client.force_login(manager)
    response = upload(client, "staff", text)
    assert response.status_code == 400
    assert "Only an admin can import staff." in response.content.decode()
    client.force_login(admin_user)
    token = upload(client, "staff", text).context["token"]
    client.post(reverse("imports:confirm"), {"token": token})
    assert client.get(reverse("imports:index")).status_code == 200
    from aftersale.staff.models import User

    assert User.objects.get(email="new@vendor.test").role == "admin"


def test_it_downloads_each_kind_as_csv_with_a_bom(owner_client, db):
    for kind in ("staff", "accounts", "contacts", "products", "orders"):
        import_sample(kind)
    response = owner_client.get(reverse("imports:export", args=["orders"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="aftersale-orders-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffexternal_id,account,placed_at,total,channel\r\n")
    assert body.count("\r\n") == 6
    for kind in KINDS:
        assert owner_client.get(reverse("imports:export", args=[kind])).status_code == 200
    assert owner_client.get(reverse("imports:export", args=["secrets"])).status_code == 404


def test_it_downloads_accounts_with_the_account_list_filters(owner_client, owner, db):
    import_sample("staff")
    import_sample("accounts")
    Account.objects.filter(external_id="ACC-003").update(owner=owner)
    body = b"".join(owner_client.get(
        reverse("imports:export", args=["accounts"]), {"owner": "me"}
    ).streaming_content).decode()
    assert [line.split(",")[0] for line in body.splitlines()[1:]] == ["ACC-003"]
    body = b"".join(owner_client.get(
        reverse("imports:export", args=["accounts"]), {"tier": "key", "q": "Sài Gòn"}
    ).streaming_content).decode()
    assert [line.split(",")[0] for line in body.splitlines()[1:]] == ["ACC-002"]


def test_it_imports_a_download_again_unchanged(manager_client, db):
    for kind in ("staff", "accounts", "contacts"):
        import_sample(kind)
    body = b"".join(manager_client.get(reverse("imports:export", args=["contacts"])).streaming_content)
    file = SimpleUploadedFile("contacts.csv", body, content_type="text/csv")
    response = manager_client.post(reverse("imports:preview"), {"kind": "contacts", "file": file})
    result = response.context["result"]
    assert result.ok and result.unchanged == 3 and result.created == result.updated == 0


def test_it_shows_the_page_in_vietnamese(manager_client, portfolio_base):
    manager_client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    page = manager_client.get(reverse("imports:index")).content.decode()
    assert "Nhập" in page
    text = "external_id,account,placed_at,total\nO-1,ACC-404,2024-01-01,1\n"
    response = upload(manager_client, "orders", text)
    assert "Không có khách hàng nào có external_id này" in response.content.decode()


def test_it_ships_a_sample_file_for_every_kind():
    assert sorted(p.stem for p in DATA.glob("*.csv")) == sorted(KINDS)


def test_it_removes_unconfirmed_uploads_after_a_day(uploads_in_tmp):
    import os
    import time

    from aftersale.imports import uploads

    uploads_in_tmp.mkdir(parents=True, exist_ok=True)
    old, fresh = uploads_in_tmp / ("a" * 22 + ".csv"), uploads_in_tmp / ("b" * 22 + ".csv")
    for path in (old, fresh):
        path.write_text("x")
    day_ago = time.time() - uploads.MAX_AGE_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    assert uploads.remove_stale() == 1
    assert not old.exists() and fresh.exists()
    assert uploads.path_for("b" * 22) == fresh
    assert uploads.path_for("../" + "b" * 19) is None
