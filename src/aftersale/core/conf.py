"""Every setting of Aftersale in one table, and the one reader of it.

``SETTINGS`` holds each setting's name, default, kind (type and validation) and
description; docs/configuration.md's tables are made from it (``aftersale settings_table``;
``tests/core/test_settings_table.py`` checks that the two agree). Product settings live in
``settings.AFTERSALE`` under their name; a dotted name (``SERVICE.LUNCH``) is a key
of a group (``AFTERSALE["SERVICE"]["LUNCH"]``). Django's own settings that the
environment sets (``django=True``) are read by ``settings.py`` at start-up.

``get(name)`` reads a setting when it is used, never at import time, so a test
can override it; a value left out is the table's default, a wrong value an
``ImproperlyConfigured`` naming the setting. ``environment()`` makes
``settings.AFTERSALE`` from the environment at start-up, stopping with one
line naming the variable (``ConfigError``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from aftersale.config import ConfigError
from aftersale.core import kinds
from aftersale.core.kinds import Kind

MIB = 1024 * 1024
PAGE_CACHE_SLICES = (0, 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)


def _page_cache_seconds(value: Any, default: Any) -> int:
    # A slice of time must never span two minutes (or days): the page cache's key holds it.
    if isinstance(value, bool) or value not in PAGE_CACHE_SLICES:
        raise ValueError(
            "must be 0 (no page cache) or a number of seconds that divides a minute: "
            + ", ".join(map(str, PAGE_CACHE_SLICES[1:]))
        )
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    kind: Kind
    description: str
    env: str = ""  # the environment variable that sets it at start-up
    django: bool = False  # a Django setting (``settings.NAME``) rather than a key of AFTERSALE
    shown: str = ""  # the default as the doc shows it, where start-up computes it

    @property
    def where(self) -> str:
        if self.django:
            return self.name
        return "AFTERSALE" + "".join(f'["{part}"]' for part in self.name.split("."))

    def shown_default(self) -> str:
        if self.shown:
            return self.shown
        if isinstance(self.default, bool):
            return "on" if self.default else "off"
        if self.default in ("", [], None):
            return "none"
        return f"`{self.default}`" if isinstance(self.default, str) else f"`{self.default!r}`"


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # --- Django and the server, from the environment at start-up -----------------------
    S("DEBUG", False, kinds.BOOLEAN, "For development: a built-in development secret key, local hosts "
      "allowed, no HTTPS redirect. Never in production.", env="DEBUG", django=True),
    S("SECRET_KEY", "", kinds.TEXT, "At least 32 characters; keep it out of the repository.",
      env="SECRET_KEY", django=True, shown="required unless `DEBUG`"),
    S("DATABASE_URL", "", kinds.TEXT, "`sqlite:///PATH` or `postgres://USER:PASSWORD@HOST:PORT/NAME`. "
      "PostgreSQL connections are kept open (`CONN_MAX_AGE` 600 s, health-checked); SQLite runs in "
      "WAL mode.", env="DATABASE_URL", django=True, shown="`sqlite:///var/aftersale.sqlite3`"),
    S("ALLOWED_HOSTS", [], kinds.TEXT_LIST, "Host names the site answers to.", env="ALLOWED_HOSTS",
      django=True, shown="local hosts with `DEBUG`, none otherwise"),
    S("CSRF_TRUSTED_ORIGINS", [], kinds.TEXT_LIST, "Origins forms may be posted from, e.g. "
      "`https://aftersale.example.com` behind a proxy.", env="CSRF_TRUSTED_ORIGINS", django=True),
    S("EMAIL_URL", "console://", kinds.TEXT, "`console://`, `locmem://`, `smtp://USER:PASSWORD@HOST:PORT`, "
      "`smtp+tls://…` (STARTTLS), `smtp+ssl://…`; `?timeout=10`.", env="EMAIL_URL", django=True),
    S("DEFAULT_FROM_EMAIL", "aftersale@localhost", kinds.TEXT, "Sender of digests, alerts and password "
      "resets.", env="DEFAULT_FROM_EMAIL", django=True),
    S("TIME_ZONE", "Asia/Ho_Chi_Minh", kinds.TIME_ZONE, "Business hours and \"as of\" dates are in this "
      "zone.", env="TIME_ZONE", django=True),
    S("AFTERSALE_HOME", "", kinds.TEXT, "Where `var/` (SQLite file, uploads, collected static files) "
      "lives.", env="AFTERSALE_HOME", django=True, shown="current directory"),
    S("MEDIA_ROOT", "", kinds.TEXT, "Uploaded attachments; never served directly, only through views "
      "that check access.", env="MEDIA_ROOT", django=True, shown="`var/media`"),
    S("PORT", 8000, kinds.whole(1, 65535), "Port of `aftersale serve` and `make demo`.", env="PORT",
      django=True),
    S("WEB_CONCURRENCY", 2, kinds.whole(least=1), "Gunicorn workers of `aftersale serve`.",
      env="WEB_CONCURRENCY", django=True),
    S("BEHIND_TLS_PROXY", False, kinds.BOOLEAN, "Trust `X-Forwarded-Proto` from the proxy in front "
      "(docs/deploy.md).", env="BEHIND_TLS_PROXY", django=True),
    S("SECURE_SSL_REDIRECT", None, kinds.BOOLEAN, "Redirect plain HTTP to HTTPS; switch off only for a "
      "plain-HTTP test set-up.", env="SECURE_SSL_REDIRECT", django=True, shown="on without `DEBUG`"),
    S("SECURE_COOKIES", None, kinds.BOOLEAN, "Session and CSRF cookies only over HTTPS.",
      env="SECURE_COOKIES", django=True, shown="on without `DEBUG`"),
    S("SECURE_HSTS_SECONDS", None, kinds.whole(least=0), "How long browsers keep to HTTPS (HSTS).",
      env="SECURE_HSTS_SECONDS", django=True, shown="one year without `DEBUG`, else 0"),
    S("LOG_LEVEL", "WARNING", kinds.choice("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
      "Root log level.", env="LOG_LEVEL", django=True),
    S("PAGE_CACHE_SECONDS", 60, Kind("0, or seconds dividing a minute", _page_cache_seconds,
                                     kinds.whole().from_env),
      "How long a rendered attention list or account page may be served again while the database is "
      "unchanged; `0` turns the page cache off (docs/web.md, \"Page cache\").", env="PAGE_CACHE_SECONDS",
      django=True),
    S("PAGE_CACHE_ENTRIES", 200, kinds.whole(least=1), "Pages each web process keeps at most (the least "
      "recently used go first).", env="PAGE_CACHE_ENTRIES", django=True),
    # --- Product settings: settings.AFTERSALE -------------------------------------------
    S("CURRENCY", "VND", kinds.CURRENCY, "Reporting currency and default currency of new rows.",
      env="AFTERSALE_CURRENCY"),
    S("SITE_URL", "http://127.0.0.1:8000", kinds.URL, "The address users open Aftersale at; links in "
      "e-mails (alerts, invitations, password resets) and calendar feeds start with it.", env="SITE_URL"),
    S("LOGIN_FAILURE_LIMIT", 5, kinds.whole(least=1), "Failed sign-ins (and password-reset requests) "
      "for one login from one client address, each within the lockout window of the last, before "
      "every door refuses that login from that address (docs/operations.md, \"Sign-in throttling\").",
      env="LOGIN_FAILURE_LIMIT"),
    S("LOGIN_LOCKOUT_MINUTES", 15, kinds.whole(least=1), "How long a login stays refused at that "
      "address after the limit, and how long a failure is remembered.", env="LOGIN_LOCKOUT_MINUTES"),
    S("TRUSTED_PROXIES", [], kinds.NETWORKS, "Reverse proxies whose `X-Forwarded-For` names the client: "
      "only a request arriving from one of these addresses has its client address taken from that "
      "header (e.g. `127.0.0.1` behind nginx on the same host).", env="TRUSTED_PROXIES"),
    S("REVIEW_CADENCE_DAYS", {"strategic": 91, "key": 91, "standard": 182}, kinds.days_by_name(),
      "Days between relationship reviews per account tier; a missing tier keeps its default "
      "(docs/reviews.md)."),
    S("IMPORT_MAX_UPLOAD_BYTES", 200 * MIB, kinds.whole(least=1), "Largest CSV file an import accepts "
      "(docs/import-export.md).", shown="`209715200` (200 MiB)"),
    S("QUIET_FDR", 0.10, kinds.share(), "False-discovery rate of the quiet-customer flags: of the "
      "accounts a scan flags quiet, at most this share is expected by chance (Benjamini-Hochberg; "
      "docs/silence-models.md, section 5)."),
    S("QUIET_WINDOW_DAYS", 365, kinds.whole(least=30), "The window requests and orders are counted over "
      "for quietness."),
    S("QUIET_MIN_DAYS", 180, kinds.whole(least=1), "Less use than this in the window is not judged "
      "(at most `QUIET_WINDOW_DAYS`)."),
    S("QUIET_MIN_ORDERS", 4, kinds.whole(least=0), "Without equipment, fewer orders in the window are "
      "not judged."),
    S("QUIET_MIN_PEERS", 20, kinds.whole(least=0), "Eligible accounts needed to fit the peers."),
    S("SILENCE_P", 0.2, kinds.share(), "A `silence` alert opens when the contact-rhythm model gives "
      "the customer less than this chance of reaching out within its usual gap (docs/silence-models.md, "
      "section 4)."),
    S("STEP_IN_GRACE_DAYS", 90, kinds.whole(least=0), "A silence or quiet-customer alert closed by a "
      "conversation is not raised again this soon."),
    S("SCAN_STATEMENT_TIMEOUT_SECONDS", 600, kinds.seconds(), "On PostgreSQL, the longest one statement "
      "of the health scan may run; a longer one is cancelled and fails its part (or the scan's start "
      "or close) with a message naming what the statement computes, recorded on the part. `0`: no "
      "limit (docs/operations.md, \"Bulk loads and statistics\").", env="SCAN_STATEMENT_TIMEOUT_SECONDS"),
    S("SLOW_STATEMENT_SECONDS", 10, kinds.seconds(), "A statement of the scan, the backtest or an import "
      "that takes at least this long is logged (logger `aftersale.statements`, level WARNING) with "
      "what it computes, how long it took and its start; `0` logs every one.",
      env="SLOW_STATEMENT_SECONDS"),
    S("NOTIFY.DIGEST_HOUR", 7, kinds.whole(0, 23), "Local hour (`TIME_ZONE`) from which the daily digest "
      "goes out (docs/notifications.md).", env="DIGEST_HOUR"),
    S("NOTIFY.INTERVAL_MINUTES", 5, kinds.whole(least=1), "How often the worker looks for alert e-mails "
      "and digests to send.", env="NOTIFY_INTERVAL_MINUTES"),
    S("WORKER.SCAN_PART_SIZE", 10000, kinds.whole(least=1), "Accounts per range of the periodic scan; "
      "each range is one task any worker may take.", env="SCAN_PART_SIZE"),
    S("WORKER.STALE_AFTER_SECONDS", 1800, kinds.whole(least=1), "A task *running* this long is taken for "
      "abandoned by a dead worker and queued again (docs/health.md, \"The worker\").",
      env="WORKER_STALE_AFTER_SECONDS"),
    S("WORKER.RECOVER_MINUTES", 5, kinds.whole(least=1), "How often a worker looks for abandoned tasks, "
      "scan ranges left without a task and scans left open.", env="WORKER_RECOVER_MINUTES"),
    S("SERVICE.WORKING_DAYS", [0, 1, 2, 3, 4], kinds.WEEKDAYS, "Days the business-hours calendar of "
      "service targets counts (docs/service.md, \"How targets are measured\")."),
    S("SERVICE.WORKING_HOURS", ["08:00", "17:00"], kinds.PERIOD, "Working hours of those days, in "
      "`TIME_ZONE`."),
    S("SERVICE.LUNCH", ["12:00", "13:00"], kinds.OPTIONAL_PERIOD, "The lunch break inside them; `None` "
      "for none."),
    S("SERVICE.HOLIDAYS", "", kinds.TEXT, "Holiday calendar of the service clock: empty (none) or a "
      "country code whose public holidays `aftersale load_holidays` loaded into the holiday table "
      "(`vn`, from the `holidays` package).",
      env="AFTERSALE_HOLIDAYS"),
    S("SERVICE.AT_RISK_SHARE", "0.25", kinds.decimal_share(), "An open case is at risk once less than "
      "this share of a target remains."),
    S("SERVICE.DUE_SOON_DAYS", 30, kinds.whole(least=1), "The maintenance list shows visits due within "
      "this many days."),
    S("SERVICE.WARRANTY_MONTHS", 12, kinds.whole(least=0), "Warranty given when an installation case "
      "activates an asset without one."),
    S("SERVICE.LABOUR_RATES", {"VND": "400000", "USD": "20", "EUR": "18"}, kinds.amounts_by_currency(),
      "Labour cost per hour when a work log gives hours but no labour cost; a currency left out keeps "
      "its default."),
    S("SERVICE.ATTACHMENT_MAX_BYTES", 10 * MIB, kinds.whole(least=1), "Largest file a case attachment "
      "(staff or portal) may be.", shown="`10485760` (10 MiB)"),
    S("SERVICE.ATTACHMENT_TYPES", {
        ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".webp": "image/webp", ".txt": "text/plain", ".csv": "text/csv", ".log": "text/plain",
        ".zip": "application/zip",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }, kinds.FILE_TYPES, "File types a case attachment may have, by file ending, with the content "
       "type it is served as.", shown="PDF, PNG, JPEG, WebP, text, CSV, log, ZIP, DOCX, XLSX"),
    S("PORTAL.INVITATION_DAYS", 7, kinds.whole(least=1), "How long an invitation link works (it also "
      "stops working once used; docs/portal.md)."),
    S("PORTAL.MAX_FILES_PER_UPLOAD", 5, kinds.whole(least=1), "Files one portal request or reply may "
      "carry (each within the attachment limits)."),
    S("PORTAL.ACTIVE_CONTACT_DAYS", 90, kinds.whole(least=1), "Window of `portal_usage`'s active "
      "contacts."),
    S("PORTAL.ORDER_SHARE_DAYS", 365, kinds.whole(least=1), "Window of `portal_usage`'s order share."),
)
del S
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def _configured(setting: Setting) -> tuple[bool, Any]:
    """Whether the running settings give this setting a value, and the value."""
    from django.conf import settings

    if setting.django:
        return hasattr(settings, setting.name), getattr(settings, setting.name, None)
    found: Any = getattr(settings, "AFTERSALE", {})
    for part in setting.name.split("."):
        if not isinstance(found, Mapping) or part not in found:
            return False, None
        found = found[part]
    return True, found


def get(name: str) -> Any:
    """The value of a setting as used, from the running settings or else the table's default."""
    setting = BY_NAME[name]
    present, raw = _configured(setting)
    value = raw if present else setting.default
    try:
        # Every kind builds its value anew, so the table's default is never handed out to be changed.
        return setting.kind.check(value, setting.default)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{setting.where} = {value!r} {exc}") from None


def _from_environment(setting: Setting, environ: Mapping[str, str]) -> tuple[bool, Any, Any]:
    """Whether the environment sets it; the value as written there, and as used."""
    raw = environ.get(setting.env, "") if setting.env else ""
    if raw.strip() == "":
        return False, None, None
    try:
        written = setting.kind.from_env(raw)
        return True, written, setting.kind.check(written, copy.deepcopy(setting.default))
    except ValueError as exc:
        raise ConfigError(f"{setting.env}={raw!r} {exc}") from None


def env(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """A setting as the environment gives it, or its default; ``ConfigError`` naming the variable."""
    setting = BY_NAME[name]
    given, _written, value = _from_environment(setting, os.environ if environ is None else environ)
    return value if given else copy.deepcopy(setting.default)


def environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``settings.AFTERSALE`` at start-up: every product setting, from the environment or its default,
    as written (``get`` reads it through the kind)."""
    result: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.django:
            continue
        *groups, key = setting.name.split(".")
        target = result
        for group in groups:
            target = target.setdefault(group, {})
        given, written, _value = _from_environment(setting, os.environ if environ is None else environ)
        target[key] = written if given else copy.deepcopy(setting.default)
    return result


def site_url(path: str = "") -> str:
    """An absolute link for e-mails and calendars: ``SITE_URL`` and the path."""
    return get("SITE_URL") + path


def markdown() -> str:
    """The tables of docs/configuration.md, made from ``SETTINGS``."""
    lines = [
        "### Environment variables",
        "",
        "| variable | default | type | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        if s.env:
            target = "" if s.django else f" Sets `{s.where}`."
            lines.append(f"| `{s.env}` | {s.shown_default()} | {s.kind.label} | {s.description}{target} |")
    lines += [
        "",
        "### Product settings in `settings.AFTERSALE`",
        "",
        "| key | default | type | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        if not s.django:
            source = f" Environment: `{s.env}`." if s.env else ""
            key = s.where.removeprefix("AFTERSALE")
            lines.append(f"| `{key}` | {s.shown_default()} | {s.kind.label} | {s.description}{source} |")
    return "\n".join(lines) + "\n"
