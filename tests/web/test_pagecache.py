"""The page cache of the attention list and the account page (aftersale/web/pagecache.py).

A page comes from the cache only when a fresh render would give the same bytes:
any write in between, another person, session, language or minute renders
again. ``response.context`` is None when the page came from the cache (no
template was rendered). On PostgreSQL the tests commit (the snapshot does not
show the own transaction's writes, so the cache stays off inside a transaction
that has written: see the last test).
"""

from __future__ import annotations

import io
import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersale.accounts.models import Account
from aftersale.alerts.actions import Condition, reconcile_alerts
from aftersale.alerts.models import Alert, AlertKind
from aftersale.staff.models import User
from aftersale.web import pagecache

# On SQLite the stamp counts the own connection's writes, so the usual test transaction
# will do (and is much faster); on PostgreSQL the cache is off inside a transaction that
# has written (the fixtures), so the tests commit.
ON_POSTGRES = "postgresql" in settings.DATABASES["default"]["ENGINE"]
pytestmark = pytest.mark.django_db(transaction=ON_POSTGRES)


@pytest.fixture(autouse=True)
def empty_cache_and_still_clock(settings, monkeypatch):
    """A page is kept for the slice of time it was rendered in: the clock stands still at
    the start of one (tests that move it say so), or a slow run would cross into the next.
    Slices start on the minute here (no phase) except in the test of the phases."""
    settings.PAGE_CACHE_SECONDS = 60
    monkeypatch.setattr(pagecache, "slice_phase", lambda view_name, path, seconds: 0)
    caches[pagecache.CACHE_ALIAS].clear()
    with time_machine.travel(timezone.now().replace(second=1, microsecond=0), tick=False):
        yield
    caches[pagecache.CACHE_ALIAS].clear()


def page(client: Client, url: str, **extra):
    """GET, returning the response and whether it was rendered (False: from the cache)."""
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response, response.context is not None


def warm(client: Client, url: str):
    """The first GET gives the client its CSRF cookie (and is not cached: the secret is
    new); the second is rendered and kept."""
    page(client, url)
    response, rendered = page(client, url)
    assert rendered
    return response


def from_cache(client: Client, url: str, **extra):
    """GET expecting the kept page. On PostgreSQL the stamp is the server's snapshot, and
    the other test worker's commits (in its own database on the same server) move it, as
    any writer would: then the page is rendered and kept again, so a later try hits. On
    SQLite the first try must."""
    for _ in range(30 if ON_POSTGRES else 1):
        response, rendered = page(client, url, **extra)
        if not rendered:
            return response
    pytest.fail(f"{url} was rendered every time, never served from the cache")


def in_another_thread(work) -> None:
    """Run ``work`` on a connection of its own, committed before this returns."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def open_alert(account: Account, plan: str = "Press service") -> Alert:
    params = {"plan": plan, "asset": "Press 2", "due": "2026-03-01", "days": 30}
    reconcile_alerts(kind=AlertKind.MAINTENANCE_OVERDUE,
                     wanted={(account.pk, "plan:1"): Condition(params)},
                     at=timezone.now(), account_ids=[account.pk])
    return Alert.objects.open().get(account=account)


def csrf_token_in(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_it_serves_a_repeated_view_from_the_cache_with_the_same_bytes(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    first = warm(owner_client, url)
    for _ in range(30 if ON_POSTGRES else 1):  # see from_cache
        with CaptureQueriesContext(connection) as queries:
            again, rendered = page(owner_client, url)
        if not rendered:
            break
        first = again  # rendered again, after another writer: this render is the one kept
    assert not rendered
    # The session, the person and the stamp; the render took dozens.
    assert len(queries) == 3
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Language"] == first["Content-Language"] == "en"
    assert "Cookie" in again["Vary"] and "Accept-Language" in again["Vary"]


def test_it_writes_nothing_when_the_pages_are_read(manager_client, account):
    """A write would change the stamp, and every view would render again."""
    open_alert(account)
    for url in (reverse("home"), reverse("account_detail", args=[account.pk])):
        page(manager_client, url)  # the CSRF cookie
        before = pagecache.database_stamp()
        with CaptureQueriesContext(connection) as queries:
            page(manager_client, url)  # rendered
            page(manager_client, url)  # from the cache
        writes = [q["sql"] for q in queries
                  if q["sql"].lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
        assert writes == []
        if not ON_POSTGRES:  # on PostgreSQL other writers on the server move the snapshot too
            assert pagecache.database_stamp() == before


def test_it_caches_the_attention_list_too(owner_client, account):
    open_alert(account)
    warm(owner_client, reverse("home"))
    again = from_cache(owner_client, reverse("home"))
    assert "Press service" in again.content.decode()


def test_it_gives_a_fresh_page_after_an_orm_save(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    warm(owner_client, url)
    Account.objects.filter(pk=account.pk).update(name="Renamed by the ORM")
    response, rendered = page(owner_client, url)
    assert rendered and "Renamed by the ORM" in response.content.decode()


def test_it_gives_a_fresh_page_after_raw_sql(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    warm(owner_client, url)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_account SET name = %s WHERE id = %s", ["Renamed in SQL", account.pk])
    response, rendered = page(owner_client, url)
    assert rendered and "Renamed in SQL" in response.content.decode()


def test_it_gives_a_fresh_page_after_an_import(owner_client, account, tmp_path):
    url = reverse("account_detail", args=[account.pk])
    warm(owner_client, url)
    csv = tmp_path / "accounts.csv"
    csv.write_text("external_id,name,kind,industry,tier,owner_email\n"
                   "ACC-1,Renamed by an import,customer,capital_equipment,key,owner@vendor.test\n")
    call_command("import", "accounts", str(csv), stdout=io.StringIO(), stderr=io.StringIO())
    response, rendered = page(owner_client, url)
    assert rendered and "Renamed by an import" in response.content.decode()


@pytest.mark.django_db(transaction=True)  # the other connection must see the fixtures
def test_it_gives_a_fresh_page_after_a_write_on_another_connection(owner_client, account, other_account):
    open_alert(account)
    warm(owner_client, reverse("home"))
    # As a worker process or another web process would: its own connection, committed.
    in_another_thread(lambda: Alert.objects.filter(account=account).update(
        params={"plan": "Changed elsewhere", "asset": "Press 2", "due": "2026-03-01", "days": 30}))
    response, rendered = page(owner_client, reverse("home"))
    assert rendered and "Changed elsewhere" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_page_read_while_something_committed(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    page(owner_client, url)  # the CSRF cookie
    done = []

    def commit_during_the_render(**kwargs) -> None:
        if not done:
            done.append(True)
            in_another_thread(
                lambda: Account.objects.filter(pk=account.pk).update(name="Committed meanwhile"))

    template_rendered.connect(commit_during_the_render)
    try:
        page(owner_client, url)
    finally:
        template_rendered.disconnect(commit_during_the_render)
    response, rendered = page(owner_client, url)
    assert rendered and "Committed meanwhile" in response.content.decode()


def test_it_keeps_a_page_only_if_the_stamp_after_rendering_is_the_same(owner_client, account, monkeypatch):
    """A page read while something committed mixes two states: it is not kept under the
    first stamp, where a request that read that stamp before the commit could find it."""
    url = reverse("account_detail", args=[account.pk])
    page(owner_client, url)  # the CSRF cookie
    stamps = iter(["before", "after"])
    monkeypatch.setattr(pagecache, "database_stamp", lambda: next(stamps))
    assert page(owner_client, url)[1]
    monkeypatch.setattr(pagecache, "database_stamp", lambda: "before")
    assert page(owner_client, url)[1]  # nothing was kept
    assert not page(owner_client, url)[1]  # this time it was


def test_it_keeps_no_page_rendered_across_two_slices_of_time(owner_client, account, monkeypatch):
    url = reverse("account_detail", args=[account.pk])
    page(owner_client, url)  # the CSRF cookie
    slices = iter([1, 1, 2])  # the start, the key, after rendering
    monkeypatch.setattr(pagecache, "time_slice", lambda seconds, phase=0: (next(slices), "day"))
    assert page(owner_client, url)[1]
    monkeypatch.setattr(pagecache, "time_slice", lambda seconds, phase=0: (1, "day"))
    assert page(owner_client, url)[1]  # nothing was kept
    from_cache(owner_client, url)


def test_it_never_shares_a_page_between_people_sessions_or_languages(owner, manager, account):
    open_alert(account)
    url = reverse("home")
    owner_client = Client()
    owner_client.force_login(owner)
    mine = warm(owner_client, url)

    manager_client = Client()
    manager_client.force_login(manager)
    page(manager_client, url)
    theirs, rendered = page(manager_client, url)
    assert rendered and theirs.content != mine.content
    assert "Mai Manager" in theirs.content.decode()

    # The same person on another device: another session and CSRF secret.
    second_device = Client()
    second_device.force_login(owner)
    page(second_device, url)
    assert page(second_device, url)[1]

    # The same session in Vietnamese.
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response, rendered = page(owner_client, url)
    assert rendered and response["Content-Language"] == "vi"
    assert response.content != mine.content

    # Query strings are different pages.
    response, rendered = page(manager_client, url + "?q=nothing-matches")
    assert rendered and "Press service" not in response.content.decode()


def test_it_posts_a_cached_page_with_its_csrf_token(owner, account):
    alert = open_alert(account)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    warm(browser, reverse("home"))
    cached = from_cache(browser, reverse("home"))
    token = csrf_token_in(cached.content.decode())
    response = browser.post(reverse("alert_acknowledge", args=[alert.pk]),
                            {"csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 302
    response, rendered = page(browser, reverse("home"))
    assert rendered and "1 item in hand" in response.content.decode()
    assert "Acknowledged: " in response.content.decode()


def test_it_shows_a_waiting_message_and_caches_the_page_again_after(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    warm(owner_client, url)
    # A message in the messages cookie, as a redirect after a form leaves it: no database write.
    storage = CookieStorage(HttpRequest())
    storage.add(constants.SUCCESS, "Saved just now.")
    carrier = HttpResponse()
    storage.update(carrier)
    owner_client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    response, rendered = page(owner_client, url)
    assert rendered and "Saved just now." in response.content.decode()
    response = from_cache(owner_client, url)
    assert "Saved just now." not in response.content.decode()


def test_it_serves_no_htmx_request_or_other_method_from_the_cache(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    warm(owner_client, url)
    assert page(owner_client, url, HTTP_HX_REQUEST="true")[1]
    assert owner_client.head(url).status_code == 200
    from_cache(owner_client, url)


def test_it_renders_again_in_the_next_slice_of_time_and_the_next_day(owner_client, account):
    url = reverse("account_detail", args=[account.pk])
    start = timezone.localtime().replace(hour=23, minute=58, second=5, microsecond=0)
    with time_machine.travel(start, tick=False) as traveller:
        warm(owner_client, url)
        traveller.move_to(start + timedelta(seconds=50))  # the same minute
        from_cache(owner_client, url)
        traveller.move_to(start + timedelta(seconds=60))  # the next minute: "as of" moves
        response, rendered = page(owner_client, url)
        assert rendered
        from_cache(owner_client, url)
        traveller.move_to(start + timedelta(seconds=120))  # 00:00:05, the next day
        assert page(owner_client, url)[1]


def test_it_caches_in_shorter_slices_or_not_at_all(owner_client, account, settings):
    url = reverse("account_detail", args=[account.pk])
    settings.PAGE_CACHE_SECONDS = 0
    page(owner_client, url)
    assert page(owner_client, url)[1] and page(owner_client, url)[1]
    settings.PAGE_CACHE_SECONDS = 7
    with pytest.raises(ImproperlyConfigured, match="PAGE_CACHE_SECONDS = 7 must be 0"):
        owner_client.get(url)
    settings.PAGE_CACHE_SECONDS = 10
    start = timezone.localtime().replace(second=1, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False) as traveller:
        assert page(owner_client, url)[1]
        traveller.move_to(start + timedelta(seconds=8))
        from_cache(owner_client, url)
        traveller.move_to(start + timedelta(seconds=9))
        assert page(owner_client, url)[1]


def test_it_keys_the_page_by_the_persons_row_as_loaded(rf, owner):
    """The person is read before the stamp: a change to their row committed in between
    (same stamp afterwards) must not reuse a page rendered with the old row."""
    request = rf.get("/")
    request.user = owner
    request.session = type("Session", (), {"session_key": "s"})()
    request.META["CSRF_COOKIE"] = "secret"
    before = pagecache.cache_key(request, "home", "pg:1:1:", 60)
    request.user = User.objects.get(pk=owner.pk)
    assert pagecache.cache_key(request, "home", "pg:1:1:", 60) == before
    request.user.role = "manager"
    assert pagecache.cache_key(request, "home", "pg:1:1:", 60) != before
    assert pagecache.cache_key(request, "home", "pg:1:2:", 60) != before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=False)
def test_it_caches_inside_a_transaction_that_has_written_nothing(owner_client, account):
    # The test's own transaction has written the fixtures: PostgreSQL's snapshot
    # would not change with its further writes, so the cache stays off.
    url = reverse("account_detail", args=[account.pk])
    page(owner_client, url)
    assert page(owner_client, url)[1]
    Account.objects.filter(pk=account.pk).update(name="Inside the transaction")
    response, rendered = page(owner_client, url)
    assert rendered and "Inside the transaction" in response.content.decode()


def test_it_expires_pages_at_moments_of_their_own(owner_client, account, other_account, monkeypatch):
    """Each page's slices are shifted by its own phase: the pages viewed in one minute are
    not all rendered again at the same second."""
    monkeypatch.undo()  # the real phases (the autouse fixture set them to 0)
    view_name = "aftersale.web.account_views.account_detail"
    urls = [reverse("account_detail", args=[a.pk]) for a in (account, other_account)]
    phases = [pagecache.slice_phase(view_name, url, 60) for url in urls]
    assert all(0 <= p < 60 for p in phases)
    spread = {pagecache.slice_phase(view_name, f"/accounts/{n}/", 60) for n in range(200)}
    assert len(spread) > 40  # spread over the minute, not bunched
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    url, phase = urls[0], phases[0]
    # The slice containing the start ends (60 - phase) seconds after it.
    ends = start + timedelta(seconds=60 - phase)
    with time_machine.travel(ends - timedelta(seconds=2), tick=False) as traveller:
        page(owner_client, url)  # the CSRF cookie
        assert page(owner_client, url)[1]
        from_cache(owner_client, url)
        traveller.move_to(ends)
        assert page(owner_client, url)[1]  # its own slice ended: rendered again
        from_cache(owner_client, url)
