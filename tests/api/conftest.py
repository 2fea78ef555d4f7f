"""Tokens and a JSON client for the API tests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aftersale.api.tokens import do_issue_token


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(path, params or {}, headers=self._headers())

    def _send(self, method: str, path: str, body: Any, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body)
        return getattr(self.client, method)(path, data, content_type="application/json",
                                            headers=self._headers())

    def post(self, path: str, body: Any = None, raw: str | None = None):
        return self._send("post", path, body if body is not None else {}, raw)

    def patch(self, path: str, body: Any = None, raw: str | None = None):
        return self._send("patch", path, body if body is not None else {}, raw)


@pytest.fixture
def owner_token(owner) -> str:
    return do_issue_token(owner, name="tests")[1]


@pytest.fixture
def api(client, owner_token) -> ApiClient:
    """The owner's token: a member who owns ``account``."""
    return ApiClient(client, owner_token)


@pytest.fixture
def manager_api(client, manager) -> ApiClient:
    return ApiClient(client, do_issue_token(manager)[1])


@pytest.fixture
def anonymous_api(client) -> ApiClient:
    return ApiClient(client, None)
