"""Stored tokens: refresh once under a row lock, reconnect on a real failure, parent credential."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import responses
from cryptography.fernet import Fernet
from django.db import connection
from django.utils import timezone

from accounts.models import Creator, DailymotionCredential
from accounts.tokens import (
    ParentNotConnected,
    StoredTokenSource,
    client_for_creator,
    client_for_parent,
    credential_save_tokens,
)
from mcn_portal.lib.crypto import needs_rotation
from mcn_portal.lib.dailymotion import (
    DailymotionClient,
    DailymotionError,
    DailymotionOAuth,
    OAuthError,
    ReconnectRequired,
    TokenSet,
)

from .conftest import API, TOKEN_URL, add_fixture, load

NEW_ACCESS, NEW_REFRESH = "fixture-access-CCCC3333", "fixture-refresh-DDDD4444"


def me_answering(valid_token: str):
    """A /me that accepts only valid_token and answers invalid_token (401) to anything else."""
    expired = load("error_invalid_token")

    def answer(request):
        if request.headers.get("Authorization") == f"Bearer {valid_token}":
            return 200, {}, (load.__globals__["FIXTURES"] / "me.json").read_text()
        import json

        return expired["status"], expired["headers"], json.dumps(expired["body"])

    return answer


def stored_client(credential: DailymotionCredential, transport: dict) -> DailymotionClient:
    oauth = DailymotionOAuth(**transport)
    return DailymotionClient(StoredTokenSource(credential.pk, oauth=oauth), **transport)


def test_it_refreshes_on_invalid_token_and_retries_once(db, pending_creator, rsps, transport):
    rsps.add_callback("GET", f"{API}/me", callback=me_answering(NEW_ACCESS))
    add_fixture(rsps, "POST", TOKEN_URL, "token_refreshed")
    client = stored_client(pending_creator.credential, transport)

    assert client.me().id == "x1abc2"

    sent = [c.request.headers.get("Authorization") for c in rsps.calls]
    assert sent == ["Bearer access-x1pend", None, f"Bearer {NEW_ACCESS}"]
    assert "refresh_token=refresh-x1pend" in rsps.calls[1].request.body
    credential = DailymotionCredential.objects.get(pk=pending_creator.credential.pk)
    assert (credential.access_token, credential.refresh_token) == (NEW_ACCESS, NEW_REFRESH)
    assert credential.refreshed_at is not None
    assert credential.expires_at > timezone.now() + timedelta(hours=9)


def test_it_refreshes_before_the_call_when_the_token_has_expired(
    db, pending_creator, rsps, transport
):
    DailymotionCredential.objects.filter(pk=pending_creator.credential.pk).update(
        expires_at=timezone.now() - timedelta(minutes=5)
    )
    rsps.add_callback("GET", f"{API}/me", callback=me_answering(NEW_ACCESS))
    add_fixture(rsps, "POST", TOKEN_URL, "token_refreshed")

    stored_client(pending_creator.credential, transport).me()

    assert [c.request.url.split("?")[0] for c in rsps.calls] == [TOKEN_URL, f"{API}/me"]
    assert rsps.calls[1].request.headers["Authorization"] == f"Bearer {NEW_ACCESS}"


def test_it_marks_the_account_for_reconnect_when_the_refresh_fails(
    db, pending_creator, rsps, transport
):
    rsps.add_callback("GET", f"{API}/me", callback=me_answering("never"))
    add_fixture(rsps, "POST", TOKEN_URL, "token_error_invalid_grant")

    with pytest.raises(ReconnectRequired, match=r"Invalid refresh token\."):
        stored_client(pending_creator.credential, transport).me()

    credential = DailymotionCredential.objects.get(pk=pending_creator.credential.pk)
    assert credential.needs_reconnect is True
    assert "Invalid refresh token." in credential.last_error
    assert Creator.objects.get(pk=pending_creator.pk).display_status == "Needs reconnect"
    calls = len(rsps.calls)
    with pytest.raises(ReconnectRequired, match="must be connected again"):
        stored_client(credential, transport).me()
    assert len(rsps.calls) == calls  # a dead token is not even tried


def test_it_clears_needs_reconnect_when_new_tokens_are_saved(db, pending_creator):
    credential = pending_creator.credential
    DailymotionCredential.objects.filter(pk=credential.pk).update(
        needs_reconnect=True, last_error="x"
    )
    credential.refresh_from_db()

    credential_save_tokens(credential=credential, tokens=TokenSet.from_json(load("token")))

    credential.refresh_from_db()
    assert (credential.needs_reconnect, credential.last_error) == (False, "")
    assert credential.access_token == "fixture-access-AAAA1111"


def test_it_keeps_the_refresh_token_when_an_answer_has_none(db, pending_creator):
    tokens = TokenSet(access_token="a2", refresh_token="", expires_at=None, scopes=[])

    credential_save_tokens(credential=pending_creator.credential, tokens=tokens)

    credential = DailymotionCredential.objects.get(pk=pending_creator.credential.pk)
    assert credential.refresh_token == "refresh-x1pend"


def test_it_does_not_blame_the_person_when_our_client_key_is_wrong(
    db, pending_creator, rsps, transport
):
    rsps.add_callback("GET", f"{API}/me", callback=me_answering("never"))
    add_fixture(rsps, "POST", TOKEN_URL, "token_error_invalid_client")

    with pytest.raises(OAuthError, match=r"Client authentication failed\."):
        stored_client(pending_creator.credential, transport).me()

    assert (
        DailymotionCredential.objects.get(pk=pending_creator.credential.pk).needs_reconnect is False
    )


def test_it_treats_invalid_grant_after_another_workers_refresh_as_a_race(
    db, pending_creator, rsps, transport
):
    credential_id = pending_creator.credential.pk

    def another_worker_refreshed_first(request):
        # While our refresh was in flight, someone else spent the refresh token and stored theirs.
        credential = DailymotionCredential.objects.get(pk=credential_id)
        credential_save_tokens(
            credential=credential, tokens=TokenSet.from_json(load("token_refreshed"))
        )
        grant = load("token_error_invalid_grant")
        import json

        return grant["status"], {}, json.dumps(grant["body"])

    rsps.add_callback("GET", f"{API}/me", callback=me_answering(NEW_ACCESS))
    rsps.add_callback("POST", TOKEN_URL, callback=another_worker_refreshed_first)

    assert stored_client(pending_creator.credential, transport).me().id == "x1abc2"

    credential = DailymotionCredential.objects.get(pk=credential_id)
    assert credential.needs_reconnect is False
    assert rsps.calls[-1].request.headers["Authorization"] == f"Bearer {NEW_ACCESS}"


def test_it_uses_the_token_another_worker_already_refreshed(db, pending_creator, rsps, transport):
    client = stored_client(pending_creator.credential, transport)
    client.token_source.access_token()  # this worker now holds the soon-stale token
    credential_save_tokens(
        credential=pending_creator.credential, tokens=TokenSet.from_json(load("token_refreshed"))
    )
    rsps.add_callback("GET", f"{API}/me", callback=me_answering(NEW_ACCESS))

    client.me()

    assert [c.request.url.split("?")[0] for c in rsps.calls] == [f"{API}/me", f"{API}/me"]


@pytest.mark.django_db(transaction=True)
def test_it_refreshes_once_when_two_workers_hit_an_expired_token_together(
    pending_creator, transport
):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite has no row locks (select_for_update is a no-op); CI runs this on PostgreSQL"
        )
    token_calls = []

    def slow_refresh(request):
        token_calls.append(request)
        time.sleep(0.3)  # hold the lock long enough for the other worker to queue behind it
        return 200, {}, (load.__globals__["FIXTURES"] / "token_refreshed.json").read_text()

    credential_id = pending_creator.credential.pk
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            client = stored_client(DailymotionCredential(pk=credential_id), transport)
            client.token_source.access_token()
            barrier.wait()
            results.append(client.me().id)
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    with responses.RequestsMock() as rsps:
        rsps.add_callback("GET", f"{API}/me", callback=me_answering(NEW_ACCESS))
        rsps.add_callback("POST", TOKEN_URL, callback=slow_refresh)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert results == ["x1abc2", "x1abc2"]
    assert len(token_calls) == 1
    assert DailymotionCredential.objects.get(pk=credential_id).access_token == NEW_ACCESS


def test_it_rereads_tokens_written_under_an_old_key_and_reencrypts_them_on_save(
    db, settings, pending_creator
):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old_key]
    credential = pending_creator.credential
    credential.save()  # written under the old key
    assert Fernet(old_key).decrypt(raw_access_token(credential.pk).encode()) == b"access-x1pend"

    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    credential = DailymotionCredential.objects.get(pk=credential.pk)
    assert (credential.access_token, credential.refresh_token) == (
        "access-x1pend",
        "refresh-x1pend",
    )
    assert needs_rotation(raw_access_token(credential.pk))

    credential.save()

    raw = raw_access_token(credential.pk)
    assert not needs_rotation(raw)
    assert Fernet(new_key).decrypt(raw.encode()) == b"access-x1pend"
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key can now be retired
    assert DailymotionCredential.objects.get(pk=credential.pk).refresh_token == "refresh-x1pend"


def raw_access_token(credential_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT access_token FROM {DailymotionCredential._meta.db_table} WHERE id = %s",
            [credential_id],
        )
        return cursor.fetchone()[0]


def test_it_never_stores_tokens_in_plain_text(db, pending_creator):
    assert "access-x1pend" not in raw_access_token(pending_creator.credential.pk)


def test_it_gives_a_client_for_a_creator_with_their_token(db, pending_creator, rsps):
    add_fixture(rsps, "GET", f"{API}/me/parents/x0mcn01", "parents_member")

    assert client_for_creator(pending_creator).is_child_of("x0mcn01") is True

    assert rsps.calls[0].request.headers["Authorization"] == "Bearer access-x1pend"


def test_it_gives_a_client_for_the_parent_with_the_parent_token(db, parent_credential, rsps):
    add_fixture(rsps, "DELETE", f"{API}/me/children/x2adop", "empty")

    client_for_parent().remove_child("x2adop")

    assert rsps.calls[0].request.headers["Authorization"] == "Bearer parent-access"


def test_it_says_the_parent_is_not_connected(db):
    with pytest.raises(ParentNotConnected, match="parent Dailymotion account is not connected"):
        client_for_parent()


def test_it_connects_the_parent_with_the_password_grant(db, settings, rsps):
    settings.DAILYMOTION_PARENT_USERNAME = "mcn-network"
    settings.DAILYMOTION_PARENT_PASSWORD = "parent-password-5a4b3c"
    add_fixture(rsps, "POST", TOKEN_URL, "token")
    add_fixture(rsps, "GET", f"{API}/auth", "auth")
    add_fixture(rsps, "GET", f"{API}/user/x0mcn01/children", "children_page")

    assert len(list(client_for_parent().children("x0mcn01"))) == 3
    client_for_parent()  # stored now: no second password grant

    assert "grant_type=password" in rsps.calls[0].request.body
    assert rsps.calls[1].request.headers["Authorization"] == "Bearer fixture-access-AAAA1111"
    credential = DailymotionCredential.objects.get(kind="parent")
    assert (credential.dailymotion_id, credential.username) == ("x0mcn01", "mcn-network")
    assert credential.roles == "can-adopt-users"
    assert credential.refresh_token == "fixture-refresh-BBBB2222"
    assert len(rsps.calls) == 3


def test_it_refuses_a_password_grant_for_another_account_than_the_parent_id(db, settings, rsps):
    settings.DAILYMOTION_PARENT_ID = "x0other"
    settings.DAILYMOTION_PARENT_USERNAME = "mcn-network"
    settings.DAILYMOTION_PARENT_PASSWORD = "parent-password-5a4b3c"
    add_fixture(rsps, "POST", TOKEN_URL, "token")
    add_fixture(rsps, "GET", f"{API}/auth", "auth")

    with pytest.raises(DailymotionError, match="DAILYMOTION_PARENT_ID is x0other"):
        client_for_parent()

    assert not DailymotionCredential.objects.filter(kind="parent").exists()
