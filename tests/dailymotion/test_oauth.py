"""OAuth against the token endpoint: authorization URL, code exchange, password grant, refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from responses import matchers

from mcn_portal.lib.dailymotion import DailymotionUnavailable, OAuthError, TokenSet

from .conftest import AUTHORIZE_URL, CLIENT_ID, CLIENT_SECRET, TOKEN_URL, add_fixture, load


def test_it_builds_the_authorization_url_with_state_and_scopes(oauth):
    url = oauth.authorization_url(
        redirect_uri="https://portal.example.com/connect/dailymotion/callback/",
        state="st4te-xyz",
        scopes=["email", "userinfo", "delegate_account_management", "read_insights"],
    )

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTHORIZE_URL
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "client_id": [CLIENT_ID],
        "redirect_uri": ["https://portal.example.com/connect/dailymotion/callback/"],
        "scope": ["email userinfo delegate_account_management read_insights"],
        "state": ["st4te-xyz"],
    }
    assert CLIENT_SECRET not in url


def test_it_works_with_a_plain_http_sandbox(transport):
    from mcn_portal.lib.dailymotion import DailymotionOAuth

    oauth = DailymotionOAuth(
        authorize_url="http://127.0.0.1:8000/sandbox/oauth/authorize", **transport
    )

    url = oauth.authorization_url(
        redirect_uri="http://127.0.0.1:8000/cb/", state="s", scopes=["email"]
    )

    assert url.startswith("http://127.0.0.1:8000/sandbox/oauth/authorize?response_type=code")


def test_it_exchanges_a_code_for_tokens(oauth, rsps):
    add_fixture(
        rsps,
        "POST",
        TOKEN_URL,
        "token",
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "authorization_code",
                    "code": "the-code",
                    "redirect_uri": "https://portal.example.com/cb/",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                }
            )
        ],
    )
    before = datetime.now(UTC)

    tokens = oauth.exchange_code(code="the-code", redirect_uri="https://portal.example.com/cb/")

    assert tokens.access_token == "fixture-access-AAAA1111"
    assert tokens.refresh_token == "fixture-refresh-BBBB2222"
    assert tokens.scopes == ["email", "userinfo", "delegate_account_management", "read_insights"]
    assert tokens.uid == "x1abc2"
    assert before + timedelta(seconds=36000) <= tokens.expires_at
    assert tokens.expires_at <= datetime.now(UTC) + timedelta(seconds=36000)
    assert rsps.calls[0].request.headers["User-Agent"] == "mcn-portal/0.1"
    assert oauth.calls_made == 1


def test_it_keeps_the_scopes_actually_granted(oauth, rsps):
    add_fixture(rsps, "POST", TOKEN_URL, "token_narrowed_scope")

    tokens = oauth.exchange_code(code="c", redirect_uri="https://portal.example.com/cb/")

    assert tokens.scopes == ["email", "userinfo"]


def test_it_does_a_password_grant(oauth, rsps):
    add_fixture(
        rsps,
        "POST",
        TOKEN_URL,
        "token",
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "password",
                    "username": "mcn-network",
                    "password": "pw",
                    "scope": "email userinfo",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                }
            )
        ],
    )

    tokens = oauth.password_grant(
        username="mcn-network", password="pw", scopes=["email", "userinfo"]
    )

    assert tokens.access_token == "fixture-access-AAAA1111"


def test_it_refreshes(oauth, rsps):
    add_fixture(
        rsps,
        "POST",
        TOKEN_URL,
        "token_refreshed",
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": "old-refresh",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                }
            )
        ],
    )

    tokens = oauth.refresh(refresh_token="old-refresh")

    assert (tokens.access_token, tokens.refresh_token) == (
        "fixture-access-CCCC3333",
        "fixture-refresh-DDDD4444",
    )


def test_it_raises_oauth_error_with_dailymotions_description(oauth, rsps):
    add_fixture(rsps, "POST", TOKEN_URL, "token_error_invalid_grant")

    with pytest.raises(OAuthError) as caught:
        oauth.refresh(refresh_token="dead-refresh")

    assert caught.value.error == "invalid_grant"
    assert str(caught.value) == "Invalid refresh token."
    assert caught.value.status == 400
    assert "dead-refresh" not in str(caught.value)


def test_it_never_repeats_a_token_request_after_a_server_error(oauth, rsps):
    add_fixture(rsps, "POST", TOKEN_URL, "error_server")

    with pytest.raises(DailymotionUnavailable, match="unknown"):
        oauth.refresh(refresh_token="r")

    assert len(rsps.calls) == 1


def test_it_hides_tokens_when_a_token_set_is_printed():
    tokens = TokenSet.from_json(load("token"))

    assert "fixture-access-AAAA1111" not in repr(tokens)
    assert "fixture-refresh-BBBB2222" not in repr(tokens)
