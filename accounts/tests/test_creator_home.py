from __future__ import annotations

import pytest

from accounts.models import Creator, DailymotionCredential
from adoption.models import AuditEvent
from adoption.services import audit_record

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_landing_page(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/?next=") or response["Location"].startswith("/")


def test_it_refuses_staff_and_outsiders(client, staff_user, outsider):
    for user in (staff_user, outsider):
        client.force_login(user)
        assert client.get("/me/").status_code == 403


def test_it_shows_the_creator_their_status_and_timeline(client, pending_creator):
    audit_record(
        creator=pending_creator,
        action=AuditEvent.Action.CONNECTED,
        to_status="pending",
        note="Scopes granted: email",
    )
    client.force_login(pending_creator.user)
    body = client.get("/me/").content.decode()
    assert "Pending review" in body
    assert "Connected Dailymotion" in body
    assert 'href="/connect/dailymotion/"' in body


@pytest.mark.parametrize(
    ("status", "text"),
    [(Creator.Status.ADOPTED, "Adopted"), (Creator.Status.REJECTED, "Rejected")],
)
def test_it_shows_each_status(client, make_creator_fixture, status, text):
    creator = make_creator_fixture("x9", "someone", status=status, rejection_reason="Off-topic")
    client.force_login(creator.user)
    body = client.get("/me/").content.decode()
    assert text in body
    if status == Creator.Status.REJECTED:
        assert "Off-topic" in body


def test_it_says_needs_reconnect_when_the_tokens_died(client, adopted_creator):
    DailymotionCredential.objects.filter(creator=adopted_creator).update(needs_reconnect=True)
    client.force_login(adopted_creator.user)
    body = client.get("/me/").content.decode()
    assert "Needs reconnect" in body
    assert "connect again" in body


def test_a_creator_sees_only_their_own_data(client, pending_creator, adopted_creator):
    audit_record(creator=adopted_creator, action=AuditEvent.Action.ADOPTED, note="secret-note")
    client.force_login(pending_creator.user)
    body = client.get("/me/").content.decode()
    assert "pending-paula" in body
    assert "adopted-adam" not in body
    assert "secret-note" not in body


def test_it_includes_the_creators_videos_and_earnings(client, pending_creator):
    client.force_login(pending_creator.user)
    body = client.get("/me/").content.decode()
    assert 'id="my-earnings"' in body
    assert "My videos on Dailymotion" in body
