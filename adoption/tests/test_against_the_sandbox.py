"""End to end with the real client and token store against the live sandbox Dailymotion."""

from __future__ import annotations

import pytest

from accounts.models import Creator
from adoption.models import Drift
from adoption.services import (
    DecisionFailed,
    children_reconcile,
    creator_adopt,
    creator_reject,
    creator_verify,
    drift_fix,
)

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def connect(client, sandbox, username: str, scopes=None) -> Creator:
    start = client.get("/connect/dailymotion/")
    back = sandbox.authorize(start["Location"], username, scopes=scopes)
    response = client.get(back.removeprefix(sandbox.live_url))
    assert response.status_code in (200, 302), response.content
    return Creator.objects.get(username=username)


def test_adopt_verify_and_remove_against_the_sandbox(client, dailymotion_sandbox, staff_user):
    creator = connect(client, dailymotion_sandbox, "creator03")
    assert creator.followers_total is not None
    assert creator_adopt(creator=creator, by=staff_user) is True
    assert creator.dailymotion_id in dailymotion_sandbox.children_ids()
    assert creator_verify(creator=creator, by=staff_user) is True
    assert creator_reject(creator=creator, by=staff_user, reason="Left the network") is True
    assert creator.dailymotion_id not in dailymotion_sandbox.children_ids()
    assert creator_verify(creator=creator, by=staff_user) is False


def test_a_refused_adoption_is_explained_and_retried(client, dailymotion_sandbox, staff_user):
    creator = connect(client, dailymotion_sandbox, "creator04")
    dailymotion_sandbox.refuse_adoption(creator.dailymotion_id)
    with pytest.raises(DecisionFailed):
        creator_adopt(creator=creator, by=staff_user)
    creator.refresh_from_db()
    assert creator.status == "pending"
    assert creator.decision_error
    dailymotion_sandbox.refuse_adoption(creator.dailymotion_id, refuse=False)
    assert creator_adopt(creator=creator, by=staff_user) is True


def test_an_expired_token_is_refreshed_during_adoption(client, dailymotion_sandbox, staff_user):
    creator = connect(client, dailymotion_sandbox, "creator05")
    dailymotion_sandbox.expire_token(creator.dailymotion_id)
    assert creator_adopt(creator=creator, by=staff_user) is True


def test_removed_scopes_are_named_against_the_sandbox(client, dailymotion_sandbox):
    creator = connect(client, dailymotion_sandbox, "creator06", scopes=["email", "userinfo"])
    assert creator.missing_scopes == ["delegate_account_management", "read_insights"]


def test_reconciliation_finds_the_seeded_children_and_imports_them(
    client, dailymotion_sandbox, staff_user
):
    run = children_reconcile()
    assert run.error == ""
    unknown = Drift.objects.filter(kind=Drift.Kind.UNKNOWN_CHILD, resolved_at__isnull=True)
    assert unknown.count() == len(dailymotion_sandbox.children_ids()) >= 1
    drift_fix(drift=unknown.first(), fix=Drift.Fix.IMPORT, by=staff_user)
    assert Creator.objects.filter(status="adopted").count() == 1
