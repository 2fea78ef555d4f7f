"""Turning the environment's connection strings into Django settings, one clear error per bad one.

Which variables there are, their defaults and how simple values are read is
``aftersale.core.conf``'s table; this module parses the compound ones.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url


class ConfigError(Exception):
    """A setting from the environment is missing or malformed."""


def secret_key(key: str, debug: bool) -> str:
    if key:
        if not debug and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        return key
    if debug:
        # Development only: a fixed, obviously insecure key.
        return "insecure-development-key-do-not-use-in-production"
    raise ConfigError("SECRET_KEY is required when DEBUG is off (set SECRET_KEY or DEBUG=1)")


def database(url: str, default_path: Path) -> dict[str, Any]:
    if not url:
        default_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{default_path}"
    try:
        config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several kinds
        raise ConfigError(f"DATABASE_URL is not a valid database URL ({exc})") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ConfigError(
            f"DATABASE_URL uses an unsupported database ({engine or 'unknown'}); "
            "use sqlite:///PATH or postgres://..."
        )
    if engine == "django.db.backends.sqlite3":
        # SQLite: a connection per thread is cheap; WAL lets the worker and the
        # web process read and write side by side.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    config["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
    return config


def email(url: str) -> dict[str, Any]:
    """Translate EMAIL_URL into Django's e-mail settings.

    ``console://``, ``locmem://``, ``smtp://user:pass@host:port``
    and ``smtp+tls://`` / ``smtp+ssl://`` are understood.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in backends:
        return {"EMAIL_BACKEND": backends[scheme]}
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ConfigError(
            f"EMAIL_URL scheme {scheme!r} is not supported "
            "(use console://, smtp://, smtp+tls:// or smtp+ssl://)"
        )
    if not parsed.hostname:
        raise ConfigError("EMAIL_URL has no host name")
    try:
        port = parsed.port or (465 if scheme == "smtp+ssl" else 25)
    except ValueError:
        raise ConfigError("EMAIL_URL has an invalid port") from None
    query = parse_qs(parsed.query)
    try:
        timeout = int(query.get("timeout", ["10"])[0])
    except ValueError:
        raise ConfigError("EMAIL_URL has an invalid timeout (a whole number of seconds)") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": timeout,
    }

