"""End to end: the real client and token storage against the sandbox served by a live server."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import Creator, DailymotionCredential
from accounts.tokens import (
    client_for_creator,
    client_for_parent,
    credential_save_tokens,
    parent_credential,
)
from mcn_portal.lib.dailymotion import (
    DailymotionClient,
    DailymotionOAuth,
    DailymotionUnavailable,
)

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def sandbox(dailymotion_sandbox, settings):
    settings.DAILYMOTION_RATE_LIMIT = 0  # the limiter has its own tests; here it would only slow
    return dailymotion_sandbox


def connect_creator(sandbox, username: str) -> Creator:
    """What the connect flow stores, with tokens from a real grant against the sandbox."""
    account = sandbox.account(username)
    tokens = DailymotionOAuth().password_grant(
        username=username, password=f"pass-{username}", scopes=settings.DAILYMOTION_SCOPES
    )
    creator = Creator.objects.create(dailymotion_id=account.id, username=username)
    credential = DailymotionCredential(
        kind=DailymotionCredential.Kind.CREATOR,
        creator=creator,
        dailymotion_id=account.id,
        username=username,
    )
    credential_save_tokens(credential=credential, tokens=tokens)
    return creator


def test_it_connects_the_parent_by_password_and_reads_the_network(sandbox):
    client = client_for_parent()

    credential = parent_credential()
    assert (credential.dailymotion_id, credential.username) == ("x0mcn01", "mcn-network")
    assert "can-adopt-users" in credential.roles.split()
    info = client.auth()
    assert info.id == "x0mcn01"
    assert "delegate_account_management" in info.scopes
    assert client.me().username == "mcn-network"
    children = list(client.children("x0mcn01", fields=["id", "username", "revenues_video_total"]))
    assert {c.id for c in children} == sandbox.children_ids()
    assert all(c.revenues for c in children)  # the parent reads its children's revenues


def test_it_reads_every_child_of_a_network_past_the_1000_cap(sandbox):
    sandbox.seed_bulk(2_500)
    client = client_for_parent()
    calls_before = client.calls_made

    ids = [c.id for c in client.children("x0mcn01")]

    assert len(ids) == len(set(ids)) == len(sandbox.children_ids()) == 2_503
    # The sandbox packs the bulk children into a few months of 2010 and the seeded ones are recent:
    # skewed, so a few windows are cut twice or come back empty; still close to total/100.
    assert client.calls_made - calls_before <= 2_503 // 100 + 12


def test_it_adopts_and_removes_a_creator(sandbox):
    creator = connect_creator(sandbox, "creator01")
    as_creator = client_for_creator(creator)
    assert as_creator.is_child_of("x0mcn01") is False

    as_creator.adopt("x0mcn01")

    assert as_creator.is_child_of("x0mcn01") is True
    assert creator.dailymotion_id in sandbox.children_ids()
    assert [p.id for p in as_creator.parents()] == ["x0mcn01"]
    client_for_parent().remove_child(creator.dailymotion_id)
    assert creator.dailymotion_id not in sandbox.children_ids()


def test_it_refreshes_a_token_the_sandbox_expired_and_saves_it(sandbox):
    creator = connect_creator(sandbox, "creator02")
    old_access = creator.credential.access_token
    sandbox.expire_token(creator.dailymotion_id)

    assert client_for_creator(creator).me().id == creator.dailymotion_id

    credential = DailymotionCredential.objects.get(pk=creator.credential.pk)
    assert credential.access_token != old_access
    assert credential.needs_reconnect is False
    assert credential.refreshed_at is not None


def test_it_waits_out_a_429_from_the_sandbox(sandbox):
    creator = connect_creator(sandbox, "creator03")
    sleeps = []
    client = client_for_creator(creator)
    client = DailymotionClient(client.token_source, sleep=sleeps.append)
    sandbox.fail_next("/me", 429, count=1, retry_after=3)

    assert client.me().id == creator.dailymotion_id

    assert sleeps == [3.0]
    assert client.calls_made == 2


def test_it_reports_an_unknown_outcome_when_the_adoption_post_fails(sandbox):
    creator = connect_creator(sandbox, "creator04")
    client = client_for_creator(creator)
    sandbox.fail_next("/me/parents", 500, count=1)

    with pytest.raises(DailymotionUnavailable, match="unknown"):
        client.adopt("x0mcn01")

    assert client.calls_made == 1
    assert client.is_child_of("x0mcn01") is False
