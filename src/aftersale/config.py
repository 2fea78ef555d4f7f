"""Reading settings from the environment, with one clear error per bad variable."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url


class ConfigError(Exception):
    """A setting from the environment is missing or malformed."""


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key(debug: bool) -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if not debug and len(key) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")
        return key
    if debug:
        # Development only: a fixed, obviously insecure key.
        return "insecure-development-key-do-not-use-in-production"
    raise ConfigError("SECRET_KEY is required when DEBUG is off (set SECRET_KEY or DEBUG=1)")


def database(default_path: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
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


def email(debug: bool) -> dict[str, Any]:
    """Translate EMAIL_URL into Django's e-mail settings.

    ``console://`` (the default), ``locmem://``, ``smtp://user:pass@host:port``
    and ``smtp+tls://`` / ``smtp+ssl://`` are understood.
    """
    url = os.environ.get("EMAIL_URL", "") or "console://"
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
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }


def time_zone() -> str:
    name = os.environ.get("TIME_ZONE", "") or "Asia/Ho_Chi_Minh"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIME_ZONE={name!r} is not a known time zone") from None
    return name
