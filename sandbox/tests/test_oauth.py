from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

REDIRECT = "http://portal.test/connect/dailymotion/callback/?x=1"
SCOPES = "email userinfo delegate_account_management read_insights"
SCOPE_LIST = tuple(SCOPES.split())


def authorize_url(**over) -> str:
    params = {
        "response_type": "code",
        "client_id": "sandbox-client-id",
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "st/ate+=1",
    }
    params.update(over)
    return "/sandbox/oauth/authorize?" + urlencode(params)


def consent(client, *, account="x1cr001", granted=SCOPE_LIST, refuse=False, **over):
    params = {
        "response_type": "code",
        "client_id": "sandbox-client-id",
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "st/ate+=1",
        "account": account,
        "granted": list(granted),
    }
    params.update(over)
    params["refuse" if refuse else "accept"] = "1"
    response = client.post("/sandbox/oauth/authorize", params)
    assert response.status_code == 302
    location = response["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(client, code, redirect_uri=REDIRECT, **over):
    data = {
        "grant_type": "authorization_code",
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "code": code,
        "redirect_uri": redirect_uri,
    }
    data.update(over)
    return client.post("/sandbox/oauth/token", data)


def test_it_shows_the_consent_page_with_accounts_and_scopes(client, sandbox):
    response = client.get(authorize_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "creator01" in body
    assert 'value="delegate_account_management" checked' in body
    assert "Dailymotion sandbox" in body


def test_it_refuses_unknown_clients_and_non_http_redirects_without_redirecting(client, sandbox):
    assert client.get(authorize_url(client_id="nope")).status_code == 400
    assert client.get(authorize_url(redirect_uri="javascript:alert(1)")).status_code == 400


def test_it_redirects_a_refusal_with_access_denied_and_the_state_untouched(client, sandbox):
    location, query = consent(client, refuse=True)
    assert location.startswith("http://portal.test/connect/dailymotion/callback/?")
    assert query["error"] == "access_denied"
    assert query["state"] == "st/ate+=1"
    assert query["x"] == "1"
    assert "code" not in query


def test_it_exchanges_a_code_once_for_the_scopes_kept(client, sandbox):
    _, query = consent(client, granted=["email", "userinfo", "delegate_account_management"])
    assert query["state"] == "st/ate+=1"
    response = exchange(client, query["code"])
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 36000
    assert body["uid"] == "x1cr001"
    assert body["scope"] == "email userinfo delegate_account_management"
    assert body["access_token"] and body["refresh_token"]

    again = exchange(client, query["code"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_it_rejects_a_code_with_another_redirect_uri(client, sandbox):
    _, query = consent(client)
    response = exchange(client, query["code"], redirect_uri="http://portal.test/other/")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_it_accepts_username_and_password_on_the_consent_page(client, sandbox):
    _, query = consent(client, account="", username="creator07", password="pass-creator07")
    assert exchange(client, query["code"]).json()["uid"] == "x1cr007"


def test_it_keeps_the_consent_page_on_a_wrong_password(client, sandbox):
    params = {
        "response_type": "code",
        "client_id": "sandbox-client-id",
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "s",
        "username": "creator07",
        "password": "wrong",
        "accept": "1",
    }
    assert client.post("/sandbox/oauth/authorize", params).status_code == 400


def test_it_issues_tokens_by_password_grant(client, sandbox):
    response = client.post(
        "/sandbox/oauth/token",
        {
            "grant_type": "password",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
            "username": "mcn-network",
            "password": "network-pass",
            "scope": SCOPES,
        },
    )
    assert response.status_code == 200
    assert response.json()["uid"] == "x0mcn01"
    assert response.json()["scope"] == SCOPES


def test_it_answers_invalid_grant_for_a_wrong_password(client, sandbox):
    response = client.post(
        "/sandbox/oauth/token",
        {
            "grant_type": "password",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
            "username": "mcn-network",
            "password": "nope",
        },
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid credentials.",
    }


def test_it_rotates_refresh_tokens(client, token_for):
    first = token_for("creator02")
    data = {
        "grant_type": "refresh_token",
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "refresh_token": first["refresh_token"],
    }
    second = client.post("/sandbox/oauth/token", data)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert second.json()["scope"] == "email userinfo delegate_account_management read_insights"

    reused = client.post("/sandbox/oauth/token", data)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"

    data["refresh_token"] = second.json()["refresh_token"]
    assert client.post("/sandbox/oauth/token", data).status_code == 200


def test_it_refuses_a_bad_client_secret_with_401(client, sandbox):
    response = client.post(
        "/sandbox/oauth/token",
        {
            "grant_type": "password",
            "client_id": "sandbox-client-id",
            "client_secret": "wrong",
            "username": "mcn-network",
            "password": "network-pass",
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_it_accepts_client_credentials_in_basic_auth(client, sandbox):
    import base64

    basic = base64.b64encode(b"sandbox-client-id:sandbox-client-secret").decode()
    response = client.post(
        "/sandbox/oauth/token",
        {"grant_type": "password", "username": "creator01", "password": "pass-creator01"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "authorization_code"}, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, "invalid_grant"),
    ],
)
def test_it_answers_oauth_error_shapes(client, sandbox, data, error):
    data = {"client_id": "sandbox-client-id", "client_secret": "sandbox-client-secret", **data}
    response = client.post("/sandbox/oauth/token", data)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_it_uses_the_configured_token_lifetime(client, sandbox, token_for):
    from sandbox.services import sandbox_set_token_lifetime

    sandbox_set_token_lifetime(60)
    assert token_for("creator01")["expires_in"] == 60


def test_it_revokes_tokens_on_logout(call, token_for):
    tokens = token_for("creator03")
    assert call("GET", "/logout", tokens["access_token"]).json() == {}
    assert call("GET", "/me", tokens["access_token"]).status_code == 401
