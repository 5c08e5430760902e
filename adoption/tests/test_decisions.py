from __future__ import annotations

import threading

import pytest
from django.core import mail

from accounts.models import Creator
from adoption import services
from adoption.models import AuditEvent
from adoption.services import DecisionFailed, creator_adopt, creator_reject, creator_verify
from mcn_portal.lib.dailymotion import (
    AccessForbidden,
    DailymotionUnavailable,
    ReconnectRequired,
)

pytestmark = pytest.mark.django_db


def test_it_adopts_with_the_creators_own_token(dailymotion, pending_creator, reviewer_user):
    assert creator_adopt(creator=pending_creator, by=reviewer_user) is True
    assert ("adopt", "x1pend", "x0mcn01") in dailymotion.calls
    pending_creator.refresh_from_db()
    assert pending_creator.status == Creator.Status.ADOPTED
    event = AuditEvent.objects.get(creator=pending_creator)
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        AuditEvent.Action.ADOPTED,
        reviewer_user,
        "pending",
        "adopted",
    )
    assert "/me/parents/x0mcn01" in event.dailymotion_response


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (AccessForbidden("Missing role can-adopt-users", status=403), "can-adopt-users"),
        (ReconnectRequired("Invalid refresh token."), "connected again"),
        (DailymotionUnavailable("Bad gateway", status=502), "not answering"),
    ],
)
def test_a_failed_adoption_leaves_the_creator_pending_with_words_and_a_retry(
    dailymotion, pending_creator, reviewer_user, error, words
):
    dailymotion.fail["adopt"] = error
    with pytest.raises(DecisionFailed) as excinfo:
        creator_adopt(creator=pending_creator, by=reviewer_user)
    assert words in str(excinfo.value)
    assert error.message in str(excinfo.value)
    pending_creator.refresh_from_db()
    assert pending_creator.status == Creator.Status.PENDING
    assert words in pending_creator.decision_error
    assert pending_creator.decision_claimed_at is None
    event = AuditEvent.objects.get(creator=pending_creator)
    assert event.action == AuditEvent.Action.ADOPT_FAILED
    assert event.dailymotion_response == error.message
    # staff retry once Dailymotion agrees
    del dailymotion.fail["adopt"]
    assert creator_adopt(creator=pending_creator, by=reviewer_user) is True
    pending_creator.refresh_from_db()
    assert pending_creator.status == Creator.Status.ADOPTED
    assert pending_creator.decision_error == ""


def test_a_second_approval_does_not_adopt_again(dailymotion, pending_creator, reviewer_user):
    stale_copy = Creator.objects.get(pk=pending_creator.pk)
    assert creator_adopt(creator=pending_creator, by=reviewer_user) is True
    assert creator_adopt(creator=stale_copy, by=reviewer_user) is False
    assert [c for c in dailymotion.calls if c[0] == "adopt"] == [("adopt", "x1pend", "x0mcn01")]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ADOPTED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_members_approving_at_once_adopt_once(
    dailymotion, pending_creator, reviewer_user
):
    inside, release = threading.Event(), threading.Event()
    original = dailymotion.client_for

    class SlowClient:
        def __init__(self, owner):
            self.inner = original(owner)

        def adopt(self, parent_id):
            inside.set()
            release.wait(10)
            self.inner.adopt(parent_id)

    dailymotion.client_for = SlowClient
    outcome = {}

    def first():
        outcome["first"] = creator_adopt(creator=pending_creator, by=reviewer_user)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    # While the first approval is talking to Dailymotion, a second one is refused, not repeated.
    with pytest.raises(DecisionFailed, match="Another staff member"):
        creator_adopt(creator=Creator.objects.get(pk=pending_creator.pk), by=reviewer_user)
    release.set()
    thread.join(10)
    assert outcome["first"] is True
    assert [c[0] for c in dailymotion.calls].count("adopt") == 1
    assert Creator.objects.get(pk=pending_creator.pk).status == Creator.Status.ADOPTED


def test_a_claim_left_by_a_dead_worker_expires(dailymotion, pending_creator, reviewer_user):
    from django.utils import timezone

    Creator.objects.filter(pk=pending_creator.pk).update(
        decision_claimed_at=timezone.now() - services.CLAIM_TTL * 2
    )
    assert creator_adopt(creator=pending_creator, by=reviewer_user) is True


def test_only_pending_creators_can_be_approved(dailymotion, rejected_creator, reviewer_user):
    with pytest.raises(DecisionFailed, match="rejected"):
        creator_adopt(creator=rejected_creator, by=reviewer_user)
    assert not dailymotion.calls


def test_rejecting_a_pending_creator_calls_nobody(dailymotion, pending_creator, reviewer_user):
    assert creator_reject(creator=pending_creator, by=reviewer_user, reason="Off-topic") is True
    assert dailymotion.calls == []
    pending_creator.refresh_from_db()
    assert (pending_creator.status, pending_creator.rejection_reason) == ("rejected", "Off-topic")
    event = AuditEvent.objects.get(creator=pending_creator)
    assert (event.action, event.note, event.from_status, event.to_status) == (
        "rejected",
        "Off-topic",
        "pending",
        "rejected",
    )


def test_rejecting_an_adopted_creator_removes_them_with_the_parent_token(
    dailymotion, adopted_creator, reviewer_user
):
    dailymotion.children.add("x2adop")
    assert creator_reject(creator=adopted_creator, by=reviewer_user, reason="Fraud") is True
    assert ("remove_child", "x0mcn01", "x2adop") in dailymotion.calls
    assert "x2adop" not in dailymotion.children
    adopted_creator.refresh_from_db()
    assert adopted_creator.status == "rejected"
    event = AuditEvent.objects.get(creator=adopted_creator)
    assert (event.action, event.from_status, event.note) == ("removed", "adopted", "Fraud")


def test_a_failed_removal_keeps_the_creator_adopted(dailymotion, adopted_creator, reviewer_user):
    dailymotion.fail["remove_child"] = AccessForbidden("Forbidden", status=403)
    with pytest.raises(DecisionFailed):
        creator_reject(creator=adopted_creator, by=reviewer_user, reason="Fraud")
    adopted_creator.refresh_from_db()
    assert adopted_creator.status == "adopted"
    assert AuditEvent.objects.get().action == AuditEvent.Action.REMOVE_FAILED


def test_a_rejection_needs_a_reason(dailymotion, pending_creator, reviewer_user):
    with pytest.raises(DecisionFailed, match="reason"):
        creator_reject(creator=pending_creator, by=reviewer_user, reason="  ")
    pending_creator.refresh_from_db()
    assert pending_creator.status == "pending"


def test_creators_get_an_email_on_each_decision(
    dailymotion,
    pending_creator,
    make_creator_fixture,
    reviewer_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        creator_adopt(creator=pending_creator, by=reviewer_user)
    other = make_creator_fixture("x5", "other")
    with django_capture_on_commit_callbacks(execute=True):
        creator_reject(creator=other, by=reviewer_user, reason="Not a fit")
    assert [m.to for m in mail.outbox] == [["pending-paula@example.com"], ["other@example.com"]]
    assert "approved" in mail.outbox[0].body
    assert "Not a fit" in mail.outbox[1].body


def test_verify_now_asks_dailymotion_with_the_creators_token(
    dailymotion, adopted_creator, reviewer_user
):
    dailymotion.children.add("x2adop")
    assert creator_verify(creator=adopted_creator, by=reviewer_user) is True
    assert ("is_child_of", "x2adop", "x0mcn01") in dailymotion.calls
    assert "our records agree" in AuditEvent.objects.get().note
    dailymotion.children.clear()
    assert creator_verify(creator=adopted_creator, by=reviewer_user) is False
    assert "DISAGREE" in AuditEvent.objects.first().note
