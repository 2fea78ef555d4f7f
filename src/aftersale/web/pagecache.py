"""A cache of rendered staff pages that is only used while the database is unchanged.

The attention list and the account page are heavy to render (docs/benchmarks.md,
"Staff pages"), and people reload them far more often than anything changes.
``@page_cache`` (under ``@staff_required``) keeps the rendered page and serves it
again only to a request that a fresh render would give exactly the same page.
The cache key holds everything the page depends on (docs/web.md, "Page cache"):

- **The database state**, as a stamp read before rendering (``database_stamp``).
  On PostgreSQL it is the MVCC snapshot, ``pg_current_snapshot()``
  (``xmin:xmax:xip``): the set of committed transactions is a function of it
  (every xid below ``xmax`` and not in ``xip`` has finished, none from ``xmax``
  up has), so two equal stamps see the same rows in every table, and any
  transaction that commits (or aborts) later gives a different stamp from then
  on (its xid leaves ``xip``, or ``xmax`` passes it). xids are cluster-wide,
  so a write in any database of the server also changes it: a needless miss,
  never a stale hit. The snapshot hides the own transaction's
  writes, so inside a transaction that has written (an xid is assigned) there
  is no caching. On SQLite, ``PRAGMA data_version`` changes when another
  connection commits and ``total_changes`` when this one writes; both are per
  connection, so the stamp also names the connection (a token per opened
  connection). Other databases: no caching.
  The stamp is read again after rendering and the page is kept only if it is
  unchanged, so a kept page is exactly the render of that state (nothing
  committed while it was being read).
- **The person**: their id and the values of their row as loaded for this
  request (it was read before the stamp), the session and the CSRF secret
  (the page carries a CSRF token made from it; a request without one gets a
  new secret, and is not cached).
- **The request**: the view, the path with its query string, host, scheme and
  the active language and time zone.
- **The clock**: the local date, and the ``PAGE_CACHE_SECONDS``-long slice of
  time it falls in; each page's slices are shifted by a phase of their own
  (``slice_phase``), so that the pages do not all expire at the same second.
  The date and "today" are always those of a fresh render; a time shown (the
  score's "as of", the moment the page was computed) or compared with the
  current second (an SLA's time left, an invitation expiring) is at most
  ``PAGE_CACHE_SECONDS`` behind.

No caching for anything but a GET, for htmx requests, while a message is
waiting to be shown, and for any response but a 200 HTML page that sets no
cookie. A setting changed in a test (``override_settings``) empties the cache.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import connection
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from aftersale.core import conf

CACHE_ALIAS = "pages"

View = Callable[..., HttpResponse]


def cache_seconds() -> int:
    """``PAGE_CACHE_SECONDS``, checked by its kind in aftersale.core.conf (it must divide a minute,
    so that a slice of time never spans two minutes, or days)."""
    return int(conf.get("PAGE_CACHE_SECONDS"))


def database_stamp() -> str | None:
    """What identifies the committed data this connection reads now; None: don't cache."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned() IS NOT NULL"
            )
            snapshot, has_written = cursor.fetchone()
        return None if has_written else f"pg:{snapshot}"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA data_version")
            (version,) = cursor.fetchone()
        raw = connection.connection
        # data_version and total_changes count from when this connection was opened.
        if getattr(connection, "_pagecache_raw", None) is not raw:
            connection._pagecache_raw = raw
            connection._pagecache_token = uuid.uuid4().hex
        return f"sqlite:{connection._pagecache_token}:{version}:{raw.total_changes}"
    return None


def _user_values(user: Any) -> str:
    """The person's row as this request loaded it (everything but the password hash)."""
    values = []
    for field in user._meta.concrete_fields:
        if field.attname != "password":
            value = getattr(user, field.attname)
            # A choice set in code is an enum member; read from the database, a str.
            values.append((field.attname, value.value if isinstance(value, enum.Enum) else value))
    return repr(values)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def slice_phase(view_name: str, path: str, seconds: int) -> int:
    """Where in the slice of time this page's entries end, spread over the slice page by
    page: were they all to end on the minute, every page viewed in the last minute would
    be rendered again at the same second, in every web process at once (at 32 concurrent
    requests on two cores, a stall of seconds each minute)."""
    return int.from_bytes(hashlib.blake2s(f"{view_name} {path}".encode(), digest_size=4).digest()) % seconds


def time_slice(seconds: int, phase: int = 0) -> tuple[int, str]:
    """The slice of time ``now`` falls in, and the local date (an entry never spans two days)."""
    now = timezone.now()
    return (int(now.timestamp()) + phase) // seconds, timezone.localdate(now).isoformat()


def cache_key(request: HttpRequest, view_name: str, stamp: str, seconds: int) -> str:
    path = request.get_full_path()
    return "page:" + _digest(
        view_name,
        path,
        request.get_host(),
        request.scheme,
        request.user.pk,
        _user_values(request.user),
        request.session.session_key,
        request.META["CSRF_COOKIE"],
        translation.get_language(),
        timezone.get_current_timezone_name(),
        time_slice(seconds, slice_phase(view_name, path, seconds)),
        stamp,
    )


def cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not getattr(request, "htmx", False)
        and request.user.is_authenticated
        # Without a valid CSRF cookie the page would carry a token for a secret made
        # for this response (and sent in a new cookie).
        and "CSRF_COOKIE" in request.META
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and request.session.session_key is not None
        and len(get_messages(request)) == 0
    )


def cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and "no-store" not in response.get("Cache-Control", "")
        and len(get_messages(request)) == 0
    )


def page_cache(view: View) -> View:
    """Serve the view's page from the cache while nothing it depends on has changed."""
    view_name = f"{view.__module__}.{view.__qualname__}"

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = cache_seconds()
        if not seconds or not cacheable_request(request):
            return view(request, *args, **kwargs)
        stamp = database_stamp()
        if stamp is None:
            return view(request, *args, **kwargs)
        phase = slice_phase(view_name, request.get_full_path(), seconds)
        started = time_slice(seconds, phase)
        key = cache_key(request, view_name, stamp, seconds)
        store = caches[CACHE_ALIAS]
        kept = store.get(key)
        if kept is not None:
            headers, content = kept
            # As the template's {% csrf_token %} would: the CSRF cookie's expiry is renewed.
            get_token(request)
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        # Kept only if rendered wholly within one state of the database and one slice of time.
        if (cacheable_response(request, response) and database_stamp() == stamp
                and time_slice(seconds, phase) == started):
            store.set(key, (dict(response.items()), response.content), seconds)
        return response

    return wrapper


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs: Any) -> None:
    """Settings are fixed in a running process; tests change them, and pages depend on them."""
    if CACHE_ALIAS in settings.CACHES:
        caches[CACHE_ALIAS].clear()
