"""Every portal URL, enumerated from the portal's urlconf so that a new page cannot skip these:

- anonymously: the portal sign-in (staff actions: the staff sign-in);
- by a contact of another account, with this account's objects: 404;
- by the contact of this account: the page works (so the 404 above is about scope);
- by staff: sent to the staff side; staff actions by a contact: 403;
- without a CSRF token: refused;
- after access was revoked: signed out, nothing shown.

And every staff page of the whole project refuses a portal contact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aftersale.portal import urls as portal_urls
from aftersale.portal.invitations import do_revoke_access
from tests.portal.conftest import World

PATTERNS: dict[str, URLPattern] = {p.name: p for p in portal_urls.urlpatterns}

# Pages anyone may open: signing in, getting a password.
PUBLIC = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "invitation", "invitation_accept",
}
# Staff actions that live in the portal app.
STAFF = {"staff_invite": lambda w: {"pk": w.contact.pk}, "staff_revoke": lambda w: {"pk": w.contact.pk}}
# The contact's pages: for those that name an object, which object of the world.
CONTACT: dict[str, Callable[[World], dict] | None] = {
    "home": None,
    "equipment_list": None,
    "equipment_detail": lambda w: {"pk": w.asset.pk},
    "catalogue": None,
    "order_list": None,
    "order_new": None,
    "order_detail": lambda w: {"pk": w.order.pk},
    "order_reorder": lambda w: {"pk": w.order.pk},
    "request_list": None,
    "request_new": None,
    "request_detail": lambda w: {"pk": w.case.pk},
    "request_comment": lambda w: {"pk": w.case.pk},
    "attachment": lambda w: {"pk": w.contact_file.pk},
    "promises": None,
    "plan": None,
    "plan_item_status": lambda w: {"pk": w.their_item.pk},
    "expectation_add": None,
    "survey": None,
    "survey_decline": None,
}
# What a successful POST to each POST-only page sends.
POSTS: dict[str, dict] = {
    "order_new": {"qty_{seal}": "1"},
    "request_comment": {"body": "Any news?"},
    "plan_item_status": {"status": "done"},
    "expectation_add": {"description": "Spare parts within 48 hours"},
    "survey_decline": {},
    "staff_invite": {},
    "staff_revoke": {},
}


def test_it_classifies_every_portal_url():
    assert set(PATTERNS) == PUBLIC | set(STAFF) | set(CONTACT), (
        "a portal URL is missing from this test: say who may reach it"
    )
    for name, args in {**CONTACT, **STAFF}.items():
        converters = set(PATTERNS[name].pattern.converters)
        assert converters == (set(args(_Stub())) if args else set()), name


class _Stub:
    """Stands in for a world when only the argument names matter."""

    def __getattr__(self, name):
        return self

    pk = 0


def url(name: str, world: World) -> str:
    args = {**CONTACT, **STAFF}[name]
    return reverse(f"portal:{name}", kwargs=args(world) if args else None)


def request(client: Client, name: str, world: World, catalogue=None):
    """GET, or POST for the pages that only take POSTs."""
    target = url(name, world)
    if name in POSTS:
        data = {k.format(seal=catalogue["seal"].pk) if catalogue else k: v for k, v in POSTS[name].items()}
        return client.post(target, data)
    return client.get(target)


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode()


@pytest.mark.parametrize("name", sorted(CONTACT))
def test_it_sends_anonymous_visitors_to_the_portal_sign_in(client, world, catalogue, name):
    response = request(client, name, world, catalogue)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


@pytest.mark.parametrize("name", sorted(STAFF))
def test_it_sends_anonymous_visitors_of_staff_actions_to_the_staff_sign_in(client, world, name):
    response = request(client, name, world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(n for n, args in CONTACT.items() if args))
def test_it_answers_404_for_another_accounts_objects(client, world, other_world, catalogue, name):
    client.force_login(other_world.contact.user)
    response = request(client, name, world, catalogue)
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(n for n, args in CONTACT.items() if args))
def test_it_serves_the_same_objects_to_their_own_contact(portal_client, world, catalogue, name):
    response = request(portal_client, name, world, catalogue)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("portal:login"))


@pytest.mark.parametrize("name", sorted(n for n in CONTACT if n not in POSTS))
def test_it_shows_nothing_of_another_account_or_internal(client, world, other_world, name):
    """Lists and forms of one contact: their own account's data only, and nothing internal."""
    client.force_login(other_world.contact.user)
    response = client.get(url(name, other_world))
    assert response.status_code == 200
    assert "MINE" not in text(response)
    assert "SECRET" not in text(response)


@pytest.mark.parametrize("name", sorted(n for n in CONTACT if n not in POSTS))
def test_it_never_shows_internal_notes_to_the_contact(portal_client, world, name):
    response = portal_client.get(url(name, world))
    assert response.status_code == 200
    assert "SECRET" not in text(response)


@pytest.mark.parametrize("name", ["home", "equipment_list", "order_list", "request_list", "promises", "plan"])
def test_it_lists_the_contacts_own_data(portal_client, world, other_world, name):
    # The counterpart of the two tests above: the marker they look for is shown when it may be.
    body = text(portal_client.get(url(name, world)))
    assert "MINE" in body
    assert "THEIRS" not in body


@pytest.mark.parametrize("name", sorted(CONTACT))
def test_it_sends_staff_to_the_staff_side(owner_client, world, catalogue, name):
    response = request(owner_client, name, world, catalogue)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("name", sorted(STAFF))
def test_it_refuses_staff_actions_to_a_contact(portal_client, world, name):
    response = request(portal_client, name, world)
    assert response.status_code == 403
    world.contact.refresh_from_db()
    assert world.contact.portal_enabled


@pytest.mark.parametrize("name", sorted(POSTS))
def test_it_refuses_posts_without_a_csrf_token(world, catalogue, name):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.contact.user if name in CONTACT else world.account.owner)
    response = request(client, name, world, catalogue)
    assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(CONTACT))
def test_it_signs_out_a_contact_whose_access_was_revoked(portal_client, world, catalogue, name):
    assert portal_client.get(reverse("portal:home")).status_code == 200
    do_revoke_access(world.contact)
    response = request(portal_client, name, world, catalogue)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login")
    assert "_auth_user_id" not in portal_client.session


# --- the staff side, refused to contacts ----------------------------------------------------

# Names anyone may reach (the rest of the staff side must refuse a contact).
OPEN_TO_ALL = {
    "login", "logout", "set_language",
    "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
}
DUMMY = {"int": 1, "string": "x", "slug": "x", "path": "x"}


def staff_urls() -> Iterator[tuple[str, str]]:
    def walk(patterns, namespace: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("portal", "admin"):
                    continue
                yield from walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name and p.name not in OPEN_TO_ALL:
                kwargs = {k: DUMMY[type(c).__name__.removesuffix("Converter").lower()]
                          for k, c in p.pattern.converters.items()}
                yield namespace + p.name, reverse(namespace + p.name, kwargs=kwargs or None)

    return walk(get_resolver().url_patterns, "")


STAFF_URLS = sorted(staff_urls())


def test_it_finds_the_staff_pages():
    names = {name for name, _url in STAFF_URLS}
    assert {"home", "account_detail", "service:case_detail", "promise_list"} <= names


@pytest.mark.parametrize(("name", "path"), STAFF_URLS, ids=[n for n, _p in STAFF_URLS])
def test_it_refuses_every_staff_page_to_a_contact(portal_client, name, path):
    if path.startswith(("/calendar/", "/notifications/unsubscribe/")):
        pytest.skip("reached by a secret signed link, not a session (tests/notify covers them)")
    if path in ("/api/openapi.json", "/api/docs"):
        pytest.skip("the API's published contract, open to all (it holds no data)")
    response = portal_client.get(path)
    if response.status_code == 405:  # POST-only views check the method after access
        response = portal_client.post(path)
    if path.startswith("/api/"):
        # The API authenticates by bearer token only: a session, even a contact's, is refused.
        assert response.status_code in (401, 403, 404), f"{name} {path}"
        return
    assert response.status_code == 403, f"{name} {path}"


def test_it_keeps_contacts_out_of_the_django_admin(portal_client):
    response = portal_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
