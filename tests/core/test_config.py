import os
import subprocess
import sys

import pytest

from aftersale import config


def test_it_requires_a_secret_key_without_debug(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.secret_key(debug=False)


def test_it_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.secret_key(debug=False)


def test_it_defaults_to_sqlite_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = config.database(tmp_path / "var" / "db.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert (tmp_path / "var").is_dir()


def test_it_keeps_postgres_connections_open(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5432/aftersale")
    db = config.database(tmp_path / "x.sqlite3")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_MAX_AGE"] == 600
    assert db["NAME"] == "aftersale"


@pytest.mark.parametrize("url", ["nonsense", "mysql://u@h/db"])
def test_it_names_database_url_when_it_is_bad(monkeypatch, tmp_path, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        config.database(tmp_path / "x.sqlite3")


def test_it_reads_smtp_settings_from_email_url(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "smtp+tls://mailer:s%40cret@mail.example:587")
    mail = config.email(debug=False)
    assert mail["EMAIL_HOST"] == "mail.example"
    assert mail["EMAIL_PORT"] == 587
    assert mail["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert mail["EMAIL_USE_TLS"] is True


def test_it_names_email_url_when_its_scheme_is_unknown(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "carrier-pigeon://coop")
    with pytest.raises(config.ConfigError, match="EMAIL_URL"):
        config.email(debug=False)


def test_it_names_time_zone_when_unknown(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus_Mons")
    with pytest.raises(config.ConfigError, match="TIME_ZONE"):
        config.time_zone()


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_it_names_a_bad_boolean(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(config.ConfigError, match="DEBUG"):
        config.env_bool("DEBUG")


def test_it_stops_the_command_with_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "aftersale.settings"
    env["AFTERSALE_HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "aftersale", "check"], env=env, capture_output=True, text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY" in lines[0]
