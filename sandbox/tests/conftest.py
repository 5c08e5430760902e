"""Fixtures of the sandbox's own tests: a freshly seeded sandbox and token shortcuts."""

from __future__ import annotations

import pytest

from sandbox import services
from sandbox.models import SandboxAccount, SandboxApiKey

FULL_SCOPES = ["email", "userinfo", "delegate_account_management", "read_insights"]


@pytest.fixture
def sandbox(db, django_db_blocker):
    """The seeded sandbox (tests also need databases=["default", "sandbox"])."""
    services.sandbox_reset()


@pytest.fixture
def token_for(sandbox):
    """token_for("creator01", scopes=[...], client_id=...) -> the token endpoint's body."""

    def make(username: str, scopes=FULL_SCOPES, client_id: str = "sandbox-client-id") -> dict:
        return services.token_issue(
            account=SandboxAccount.objects.get(username=username),
            api_key=SandboxApiKey.objects.get(client_id=client_id),
            scopes=scopes,
            grant="password",
        )

    return make


@pytest.fixture
def call(client):
    """call("GET", "/me", token=..., **params) -> response from /sandbox/api."""

    def do(method: str, path: str, token: str | None = None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"/sandbox/api{path}"
        if method == "GET":
            return client.get(url, params, headers=headers)
        if method == "DELETE":
            return client.delete(url, headers=headers)
        return client.post(url, params, headers=headers)

    return do
