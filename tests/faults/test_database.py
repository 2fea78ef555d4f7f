"""The database drops the application's connections (what a PostgreSQL restart, a
failover or an idle-connection reaper does to them): the next request reconnects by
itself, without restarting the application.

A request is served by Django's own WSGI handler, as gunicorn calls it (the test
client would skip the connection check the handler makes at each request's start).
The full restart, with gunicorn and a worker under load, is ``bench/faults_pg.py restart``.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def serve(path: str, cookie: str) -> int:
    """One request through the WSGI handler; its status code."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", HTTP_COOKIE=cookie)
    statuses: list[str] = []
    response = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: Django's end-of-request connection check
    return int(statuses[0].split()[0])


def drop_connections() -> int:
    """From outside the application: end every session on this database but the killer's."""
    s = connection.settings_dict
    with psycopg.connect(host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"],
                         dbname=s["NAME"], autocommit=True) as admin:
        return admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_it_answers_requests_after_the_database_dropped_the_connections(owner, account, settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # connections are kept between requests
    client = Client()
    client.force_login(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    page = reverse("account_list")
    assert serve(page, cookie) == 200
    before = backend_pid()  # the connection the requests use, kept open

    assert drop_connections() >= 1
    # The very next request is served: the handler finds the connection dead before
    # using it and opens a new one.
    assert serve(page, cookie) == 200
    assert serve(page, cookie) == 200
    assert backend_pid() != before
