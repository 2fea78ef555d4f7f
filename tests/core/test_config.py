import os
import subprocess
import sys

import pytest

from aftersale import config
from aftersale.core import conf


def test_it_requires_a_secret_key_without_debug():
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.secret_key("", debug=False)


def test_it_refuses_a_short_secret_key():
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.secret_key("short", debug=False)


def test_it_defaults_to_sqlite_under_var(tmp_path):
    db = config.database(conf.env("DATABASE_URL", {}), tmp_path / "var" / "db.sqlite3")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert (tmp_path / "var").is_dir()


def test_it_keeps_postgres_connections_open(tmp_path):
    db = config.database("postgres://u:p@db.example:5432/aftersale", tmp_path / "x.sqlite3")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_MAX_AGE"] == 600
    assert db["NAME"] == "aftersale"


@pytest.mark.parametrize("url", ["nonsense", "mysql://u@h/db"])
def test_it_names_database_url_when_it_is_bad(tmp_path, url):
    with pytest.raises(config.ConfigError, match="DATABASE_URL"):
        config.database(url, tmp_path / "x.sqlite3")


def test_it_reads_smtp_settings_from_email_url():
    mail = config.email("smtp+tls://mailer:s%40cret@mail.example:587")
    assert mail["EMAIL_HOST"] == "mail.example"
    assert mail["EMAIL_PORT"] == 587
    assert mail["EMAIL_HOST_PASSWORD"] == "s@cret"
    assert mail["EMAIL_USE_TLS"] is True


def test_it_mails_to_the_console_by_default():
    assert config.email(conf.env("EMAIL_URL", {}))["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize("url", ["carrier-pigeon://coop", "smtp://mail.example?timeout=soon"])
def test_it_names_email_url_when_it_is_bad(url):
    with pytest.raises(config.ConfigError, match="EMAIL_URL"):
        config.email(url)


def test_it_names_time_zone_when_unknown():
    with pytest.raises(config.ConfigError, match="TIME_ZONE"):
        conf.env("TIME_ZONE", {"TIME_ZONE": "Mars/Olympus_Mons"})


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_it_names_a_bad_boolean(value):
    with pytest.raises(config.ConfigError, match="DEBUG='.*' is not a boolean"):
        conf.env("DEBUG", {"DEBUG": value})


def run_check(tmp_path, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="aftersale.settings", AFTERSALE_HOME=str(tmp_path), **environment)
    return subprocess.run(
        [sys.executable, "-m", "aftersale", "check"], env=env, capture_output=True, text=True,
        timeout=60,
    )


def test_it_stops_the_command_with_one_clear_line(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SECRET_KEY" in lines[0]


@pytest.mark.parametrize(("variable", "value"), [
    ("PAGE_CACHE_SECONDS", "7"), ("DIGEST_HOUR", "25"), ("TRUSTED_PROXIES", "10.0.0.1, nginx"),
    ("LOGIN_FAILURE_LIMIT", "many"), ("SITE_URL", "aftersale.example.com"), ("AFTERSALE_CURRENCY", "GBP"),
])
def test_it_stops_start_up_on_a_bad_product_variable_with_one_line_naming_it(tmp_path, variable, value):
    result = run_check(tmp_path, DEBUG="1", **{variable: value})
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"aftersale: configuration error: {variable}={value!r} ")
