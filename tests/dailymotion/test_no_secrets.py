"""No token, secret or Authorization header reaches a log line or an exception message."""

from __future__ import annotations

import logging

import pytest

from accounts.tokens import StoredTokenSource, client_for_parent
from mcn_portal.lib.dailymotion import (
    DailymotionClient,
    DailymotionError,
    DailymotionOAuth,
    StaticTokenSource,
)

from .conftest import API, CLIENT_SECRET, PARENT_PASSWORD, TOKEN_URL, add_fixture

SECRETS = [
    "access-x1pend",
    "refresh-x1pend",
    "fixture-access-AAAA1111",
    "fixture-refresh-BBBB2222",
    "fixture-access-CCCC3333",
    "fixture-refresh-DDDD4444",
    CLIENT_SECRET,
    PARENT_PASSWORD,
]


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_it_logs_each_call_as_method_path_status_and_duration(caplog, client, rsps):
    caplog.set_level(logging.DEBUG)
    add_fixture(rsps, "GET", f"{API}/me", "me")

    client.me()

    lines = [r.getMessage() for r in caplog.records if r.name == "mcn_portal.dailymotion"]
    assert len(lines) == 1
    assert lines[0].startswith("dailymotion GET /me -> 200 in ")
    assert lines[0].endswith(" ms")
    assert "fields" not in lines[0]


def test_it_keeps_secrets_out_of_logs_and_errors_on_every_path(
    caplog, db, settings, pending_creator, rsps, transport
):
    caplog.set_level(logging.DEBUG)  # everything, urllib3 and oauthlib included
    settings.DAILYMOTION_PARENT_USERNAME = "mcn-network"
    settings.DAILYMOTION_PARENT_PASSWORD = PARENT_PASSWORD
    messages = []

    # Parent password grant, then /auth.
    add_fixture(rsps, "POST", TOKEN_URL, "token")
    add_fixture(rsps, "GET", f"{API}/auth", "auth")
    client_for_parent()

    # A creator's expired token: refresh succeeds, then the retried call fails with a 403.
    add_fixture(rsps, "GET", f"{API}/me/parents/x0mcn01", "error_invalid_token")
    add_fixture(rsps, "POST", TOKEN_URL, "token_refreshed")
    add_fixture(rsps, "GET", f"{API}/me/parents/x0mcn01", "parents_empty")
    add_fixture(rsps, "POST", f"{API}/me/parents/x0mcn01", "error_access_forbidden")
    oauth = DailymotionOAuth(**transport)
    creator_client = DailymotionClient(
        StoredTokenSource(pending_creator.credential.pk, oauth=oauth), **transport
    )
    assert creator_client.is_child_of("x0mcn01") is False
    with pytest.raises(DailymotionError) as caught:
        creator_client.adopt("x0mcn01")
    messages.append(str(caught.value))

    # A failed refresh: the account needs reconnecting.
    add_fixture(rsps, "GET", f"{API}/me", "error_invalid_token")
    add_fixture(rsps, "POST", TOKEN_URL, "token_error_invalid_grant")
    with pytest.raises(DailymotionError) as caught:
        creator_client.me()
    messages.append(str(caught.value))
    pending_creator.credential.refresh_from_db()
    messages.append(pending_creator.credential.last_error)

    # Dailymotion echoing a token back in its message.
    rsps.add(
        "GET",
        f"{API}/auth",
        status=400,
        json={"error": {"message": "Bad access_token=fixture-access-AAAA1111", "type": "x"}},
    )
    with pytest.raises(DailymotionError) as caught:
        DailymotionClient(StaticTokenSource("fixture-access-AAAA1111"), **transport).auth()
    messages.append(str(caught.value))
    messages.append(repr(creator_client) + repr(oauth) + repr(creator_client.token_source))

    assert_no_secret(caplog.text)
    assert_no_secret("\n".join(messages))
    assert "dailymotion POST /oauth/token -> 200" in caplog.text
    assert "dailymotion POST /me/parents/x0mcn01 -> 403" in caplog.text
