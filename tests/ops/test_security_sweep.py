"""Every page of the project, requested by people who must not see it.

The URL patterns are read from the resolver, so a new page is swept without a change
here. Path parameters point at objects of an account the requester has no business
with (or at nothing at all).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from aftersale.commerce.models import Product, ProductKind
from aftersale.core.enums import Department
from aftersale.promises.models import Promise, Stage
from aftersale.service.models import Asset, ServiceCase

MISSING = 999_999
SKIPPED_PREFIXES = ("admin/",)  # Django's admin: its own, tested login and permissions.
PUBLIC = {
    # name: why anyone may see it
    "login": "the staff login form itself",
    "password_reset": "asking for a password-reset link (throttled like the sign-in)",
    "password_reset_done": "the page saying the link is on its way",
    "password_reset_confirm": "the link from the e-mail: its signed token is the credential",
    "password_reset_complete": "the page saying the new password is set",
    "logout": "logging out needs no session; it only ends one",
    "set_language": "choosing a language is open to everyone (it only sets a cookie)",
    "api:openapi-json": "the API's published contract (no data)",
    "api:openapi-view": "the API's interactive documentation (no data)",
    "notify_calendar": "a secret, revocable feed URL is the credential",
    "notify_unsubscribe": "a signed one-click unsubscribe link is the credential",
}
# The customer portal's own public pages (signing in, resetting a password, accepting an
# invitation): tests/portal sweeps every portal URL with another account's objects.
PORTAL_PUBLIC = ("/portal/login/", "/portal/logout/", "/portal/password-reset/", "/portal/invitation/")
# Open by design, each behind its own credential or holding no data: the API's contract
# and docs, a user's secret calendar feed, a signed unsubscribe link.
OPEN_URLS = ("/api/openapi.json", "/api/docs", "/calendar/", "/notifications/unsubscribe/")
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
STRINGS = {"department": Department.SALES.value}


def routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(route, name) of every pattern, descending into includes."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if not isinstance(entry.pattern, RoutePattern) or route.startswith(SKIPPED_PREFIXES):
                continue  # regex patterns are only the DEBUG static-file server
            yield route, entry.name or route


def fill(route: str, number: int) -> str:
    def value(match: re.Match[str]) -> str:
        if match["converter"] == "int":
            return str(number)
        return STRINGS.get(match["name"], "x")

    return "/" + PARAM.sub(value, route)


@pytest.fixture
def victim_pks(account, owner, colleague) -> list[int]:
    """Primary keys of objects of ``account``, plus one that exists nowhere."""
    product = Product.objects.create(external_id="P-1", name="Press", kind=ProductKind.EQUIPMENT)
    asset = Asset.objects.create(account=account, product=product, serial="SN-1")
    promise = Promise.objects.create(
        account=account, description="Deliver the press", stage=Stage.SALE,
        made_at=date(2026, 1, 10), made_by=owner, made_by_department=Department.SALES,
        due_at=date(2026, 3, 1), delivery_owner=owner, delivery_department=Department.SALES,
    )
    case = ServiceCase.objects.create(
        account=account, asset=asset, kind="repair", title="Leak",
        opened_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
    )
    return sorted({account.pk, asset.pk, promise.pk, case.pk, MISSING})


def sweep(client, pks: list[int]) -> Iterator[tuple[str, str, str, int, str]]:
    """(name, method, url, status, location) of every page, every candidate pk, GET and POST."""
    # Logging out ends the session the rest of the sweep runs in: it goes last.
    for route, name in sorted(routes(), key=lambda entry: entry[1] == "logout"):
        numbers = pks if "<int:" in route else [0]
        for number in numbers:
            url = fill(route, number)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                yield name, method, url, response.status_code, response.get("Location", "")


def test_it_sweeps_every_page():
    names = {name for _, name in routes()}
    # A few pages from each app, so a broken walk cannot pass silently.
    for expected in ("account_detail", "promise_edit", "case_detail", "quote_detail", "home"):
        assert expected in names
    assert not any(route.startswith("admin/") for route, _ in routes())


@pytest.mark.slow
def test_it_sends_anonymous_visitors_to_the_login(client, victim_pks):
    login = reverse("login")
    portal_login = reverse("portal:login")
    problems = []
    for name, method, url, status, location in sweep(client, victim_pks):
        if name in PUBLIC or url.startswith(PORTAL_PUBLIC) or url.startswith(OPEN_URLS):
            ok = status < 500
        elif status in (301, 302):
            ok = location.startswith(login) or (
                url.startswith("/portal/") and location.startswith(portal_login)
            )
        else:
            ok = status in (401, 403, 404, 405)
        if not ok:
            problems.append(f"{method.upper()} {url} → {status} {location}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_it_gives_a_portal_contact_of_another_account_no_staff_page(client, other_contact, victim_pks):
    client.force_login(other_contact.user)
    problems = []
    for name, method, url, status, location in sweep(client, victim_pks):
        if url.startswith("/portal/") and not url.startswith("/portal/staff/"):
            # The contact's own portal: tests/portal checks every page with another
            # account's objects (404) and without a session.
            ok = status < 500
        else:
            open_page = name in PUBLIC or url.startswith(OPEN_URLS)
            ok = status < 500 if open_page else status in (301, 302, 400, 401, 403, 404, 405)
        if not ok:
            problems.append(f"{method.upper()} {url} → {status} {location}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_it_never_gives_a_staff_member_without_a_role_on_the_account_a_server_error(
    client, colleague, victim_pks
):
    client.force_login(colleague)
    problems = [
        f"{method.upper()} {url} → {status}"
        for name, method, url, status, _ in sweep(client, victim_pks)
        if status >= 500
    ]
    assert not problems, "\n".join(problems)


def test_it_sends_the_security_headers_with_every_response(client):
    response = client.get(reverse("login"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


SECRET_PATTERNS = [
    re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),  # GitHub token
    re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b"),  # Slack token
]
# A URL with a real-looking password in it (documentation placeholders are in capitals).
# Not applied under tests/, whose made-up credentials exercise the settings parser.
URL_PASSWORD = re.compile(
    r"\b(?:postgres|postgresql|smtp(?:\+tls|\+ssl)?)://[^:/\s@]+:(?![A-Z-]+@)[^@\s]{6,}@"
)


def test_it_keeps_every_secret_out_of_the_committed_files():
    root = Path(__file__).resolve().parents[2]
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    found = []
    for name in filter(None, listed):
        path = root / name
        if not path.is_file() or path.suffix in {".png", ".jpg", ".mo", ".sqlite3", ".gz"}:
            continue
        text = path.read_text(errors="ignore")
        patterns = SECRET_PATTERNS + ([] if name.startswith("tests/") else [URL_PASSWORD])
        for pattern in patterns:
            for match in pattern.finditer(text):
                found.append(f"{name}: {match.group(0)[:40]}")
    assert not found, "\n".join(found)
    # The settings read secrets from the environment only.
    settings_text = (root / "src/aftersale/settings.py").read_text()
    assert not re.search(r"(?i)^\s*(SECRET_KEY|\w*PASSWORD)\s*=\s*['\"]", settings_text, re.M)
