from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import User

from accounts.models import Creator, DailymotionCredential
from accounts.services import SESSION_KEY
from adoption.models import AuditEvent
from mcn_portal.lib.dailymotion import DailymotionUnavailable

pytestmark = pytest.mark.django_db


def start(client) -> str:
    """Begin a connect; returns the state the portal stored."""
    client.get("/connect/dailymotion/")
    return client.session[SESSION_KEY]["state"]


def test_it_redirects_to_the_consent_page_with_the_contract_parameters(client, settings):
    settings.DAILYMOTION_AUTHORIZE_URL = "https://www.dailymotion.com/oauth/authorize"
    settings.DAILYMOTION_CLIENT_ID = "the-key"
    settings.PUBLIC_BASE_URL = "https://portal.example"
    response = client.get("/connect/dailymotion/")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.DAILYMOTION_AUTHORIZE_URL
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == "the-key"
    assert params["redirect_uri"] == "https://portal.example/connect/dailymotion/callback/"
    assert set(params["scope"].split()) >= {
        "email",
        "userinfo",
        "delegate_account_management",
        "read_insights",
    }
    assert params["state"] == client.session[SESSION_KEY]["state"]
    assert len(params["state"]) >= 32


def test_it_asks_for_the_configured_scopes(client, settings):
    settings.DAILYMOTION_SCOPES = ["email", "userinfo", "manage_videos"]
    response = client.get("/connect/dailymotion/")
    scope = parse_qs(urlsplit(response["Location"]).query)["scope"][0]
    assert scope == "email userinfo manage_videos"


def test_it_creates_the_creator_signs_them_in_and_lands_on_their_page(client, dailymotion):
    dailymotion.account("x7new", "newbie")
    state = start(client)
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": state})
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    creator = Creator.objects.get(dailymotion_id="x7new")
    assert creator.status == Creator.Status.PENDING
    assert (creator.username, creator.email, creator.followers_total) == (
        "newbie",
        "newbie@example.com",
        120,
    )
    assert creator.revenues_total == 12.5
    assert creator.credential.access_token == "token-x7new"
    assert creator.credential.refresh_token == "refresh-x7new"
    assert get_user(client) == creator.user
    assert not creator.user.has_usable_password()
    assert AuditEvent.objects.get(creator=creator).action == AuditEvent.Action.CONNECTED
    page = client.get("/me/")
    assert b"Pending review" in page.content


def test_it_sends_the_registered_redirect_uri_with_the_exchange(client, dailymotion, settings):
    settings.PUBLIC_BASE_URL = "https://portal.example"
    dailymotion.account("x7new", "newbie")
    client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": start(client)})
    assert ("exchange", "code-x7new", "https://portal.example/connect/dailymotion/callback/") in (
        dailymotion.calls
    )


def test_it_updates_tokens_and_profile_on_reconnect_never_duplicating(client, dailymotion):
    account = dailymotion.account("x7new", "newbie")
    client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": start(client)})
    creator = Creator.objects.get()
    Creator.objects.filter(pk=creator.pk).update(status=Creator.Status.ADOPTED)
    DailymotionCredential.objects.filter(creator=creator).update(
        needs_reconnect=True, last_error="revoked"
    )
    account.followers_total = 500
    client.logout()
    client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": start(client)})
    assert Creator.objects.count() == 1
    assert User.objects.filter(username__startswith="dm-").count() == 1
    creator.refresh_from_db()
    assert creator.followers_total == 500
    assert creator.status == Creator.Status.ADOPTED
    assert not creator.credential.needs_reconnect
    assert DailymotionCredential.objects.count() == 1
    assert list(creator.audit_events.values_list("action", flat=True)) == [
        AuditEvent.Action.RECONNECTED,
        AuditEvent.Action.CONNECTED,
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"code": "code-x7new", "state": "forged"},
        {"code": "code-x7new"},
        {"code": "code-x7new", "state": ""},
    ],
)
def test_it_refuses_a_bad_or_missing_state_and_stores_nothing(client, dailymotion, query):
    dailymotion.account("x7new", "newbie")
    start(client)
    response = client.get("/connect/dailymotion/callback/", query)
    assert response.status_code == 400
    assert b"expired or was already used" in response.content
    assert not Creator.objects.exists()
    assert not any(call[0] == "exchange" for call in dailymotion.calls)


def test_it_refuses_a_callback_without_any_connect_started(client, dailymotion):
    dailymotion.account("x7new", "newbie")
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": "x"})
    assert response.status_code == 400
    assert not Creator.objects.exists()


def test_the_state_is_single_use(client, dailymotion):
    dailymotion.account("x7new", "newbie")
    state = start(client)
    query = {"code": "code-x7new", "state": state}
    assert client.get("/connect/dailymotion/callback/", query).status_code == 302
    client.logout()
    assert client.get("/connect/dailymotion/callback/", query).status_code == 400


def test_it_answers_access_denied_with_a_clear_400_page(client, dailymotion):
    state = start(client)
    response = client.get(
        "/connect/dailymotion/callback/",
        {"error": "access_denied", "error_description": "The user denied", "state": state},
    )
    assert response.status_code == 400
    assert b"You declined the connection" in response.content
    assert not Creator.objects.exists()
    assert SESSION_KEY not in client.session


def test_it_answers_a_failed_exchange_with_a_400_and_stores_nothing(client, dailymotion):
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "stale-code", "state": start(client)}
    )
    assert response.status_code == 400
    assert b"Invalid authorization code" in response.content
    assert not Creator.objects.exists()
    assert not User.objects.exists()


def test_it_answers_dailymotion_being_down_during_the_exchange_with_a_400(client, dailymotion):
    dailymotion.account("x7new", "newbie")
    dailymotion.fail["exchange"] = DailymotionUnavailable("Service unavailable", status=503)
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "code-x7new", "state": start(client)}
    )
    assert response.status_code == 400
    assert not Creator.objects.exists()


def test_it_stores_nothing_when_the_profile_cannot_be_read(client, dailymotion):
    dailymotion.account("x7new", "newbie")
    dailymotion.fail["auth"] = DailymotionUnavailable("down", status=503)
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "code-x7new", "state": start(client)}
    )
    assert response.status_code == 400
    assert not Creator.objects.exists()


def test_it_says_which_scopes_were_removed_and_offers_to_reconnect(client, dailymotion):
    dailymotion.account("x7new", "newbie", scopes=["email", "userinfo"])
    response = client.get(
        "/connect/dailymotion/callback/", {"code": "code-x7new", "state": start(client)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "delegate_account_management" in body
    assert "read_insights" in body
    assert 'href="/connect/dailymotion/"' in body
    assert "Reconnect" in body
    creator = Creator.objects.get()
    assert creator.missing_scopes == ["delegate_account_management", "read_insights"]
    # without read_insights, revenue was neither asked nor invented
    assert creator.revenues_total is None
    page = client.get("/me/").content.decode()
    assert "You did not grant" in page
    assert "delegate_account_management" in page


def test_it_follows_a_safe_next_and_ignores_another_site(client, dailymotion):
    dailymotion.account("x7new", "newbie")
    client.get("/connect/dailymotion/", {"next": "/me/?welcome=1"})
    state = client.session[SESSION_KEY]["state"]
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": state})
    assert response["Location"] == "/me/?welcome=1"
    client.logout()
    client.get("/connect/dailymotion/", {"next": "https://evil.example/steal"})
    state = client.session[SESSION_KEY]["state"]
    response = client.get("/connect/dailymotion/callback/", {"code": "code-x7new", "state": state})
    assert response["Location"] == "/me/"
