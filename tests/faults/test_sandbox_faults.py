"""Dailymotion answering 429, 500 or slowly during adoption, revenue polling and uploads.

The sandbox runs as a live server and its fault injection decides what the next calls get; each
test asserts what is stored afterwards.
"""

from __future__ import annotations

import time

import pytest

from accounts.models import Creator
from adoption.models import AuditEvent
from adoption.services import DecisionFailed, creator_adopt
from ingestion import services as ingestion
from ingestion.models import Video
from revenues.models import PollRun, RevenueSnapshot
from revenues.services import revenues_poll
from sandbox.services import sandbox_clear_faults

from .conftest import connect_creator

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

PARENT = "x0mcn01"
CHILDREN = ("creator31", "creator32", "creator33")  # the seeded children of the parent


def adopted_audits(creator: Creator) -> int:
    return AuditEvent.objects.filter(creator=creator, action=AuditEvent.Action.ADOPTED).count()


# --- Adoption --------------------------------------------------------------------------------
def test_it_adopts_once_when_dailymotion_first_answers_429(sandbox, staff_user):
    creator = connect_creator("creator05")
    sandbox.fail_next("/me/parents", 429, count=2, retry_after=0)

    assert creator_adopt(creator=creator, by=staff_user) is True

    creator.refresh_from_db()
    assert creator.status == Creator.Status.ADOPTED
    assert sandbox.account("creator05").parent_id == PARENT
    assert adopted_audits(creator) == 1


def test_it_keeps_a_creator_pending_when_the_adoption_answers_500_and_adopts_on_retry(
    sandbox, staff_user
):
    creator = connect_creator("creator06")
    sandbox.fail_next("/me/parents", 500, count=1)

    with pytest.raises(DecisionFailed, match="not answering"):
        creator_adopt(creator=creator, by=staff_user)

    creator.refresh_from_db()
    assert creator.status == Creator.Status.PENDING
    assert creator.decision_claimed_at is None  # the next click is not refused as "in progress"
    assert creator.decision_error
    assert sandbox.account("creator06").parent_id is None
    assert AuditEvent.objects.filter(creator=creator, action="adopt_failed").count() == 1

    assert creator_adopt(creator=creator, by=staff_user) is True

    creator.refresh_from_db()
    assert (creator.status, creator.decision_error) == (Creator.Status.ADOPTED, "")
    assert sandbox.account("creator06").parent_id == PARENT
    assert adopted_audits(creator) == 1


def test_it_settles_an_adoption_that_timed_out_but_went_through_by_trying_again(
    sandbox, staff_user, settings
):
    creator = connect_creator("creator07")
    settings.DAILYMOTION_TIMEOUT = 0.3
    sandbox.set_latency("/me/parents", 1200, count=1)

    with pytest.raises(DecisionFailed):
        creator_adopt(creator=creator, by=staff_user)

    creator.refresh_from_db()
    assert creator.status == Creator.Status.PENDING  # we do not know: we do not claim it
    assert creator.decision_claimed_at is None
    sandbox.set_latency("/me/parents", 0)

    assert creator_adopt(creator=creator, by=staff_user) is True

    creator.refresh_from_db()
    assert creator.status == Creator.Status.ADOPTED
    assert sandbox.account("creator07").parent_id == PARENT
    assert adopted_audits(creator) == 1


def test_it_adopts_through_a_slow_dailymotion(sandbox, staff_user):
    creator = connect_creator("creator08")
    sandbox.set_latency("/me/parents", 400)

    assert creator_adopt(creator=creator, by=staff_user) is True

    assert sandbox.account("creator08").parent_id == PARENT
    assert adopted_audits(creator) == 1


# --- Revenue polling -------------------------------------------------------------------------
@pytest.fixture
def children(sandbox):
    """Our adopted creators that are the sandbox parent's children."""
    creators = []
    for username in CHILDREN:
        account = sandbox.account(username)
        creators.append(
            Creator.objects.create(
                dailymotion_id=account.id, username=username, status=Creator.Status.ADOPTED
            )
        )
    return creators


def snapshots_per_creator(run: PollRun) -> dict[int, int]:
    counts: dict[int, int] = {}
    for creator_id in RevenueSnapshot.objects.filter(poll=run).values_list("creator_id", flat=True):
        counts[creator_id] = counts.get(creator_id, 0) + 1
    return counts


@pytest.mark.parametrize("status", [429, 500, 503])
def test_it_polls_every_child_once_through_transient_errors(sandbox, children, status):
    sandbox.fail_next(f"/user/{PARENT}/children", status, count=2, retry_after=0)

    run = revenues_poll(trigger="command")

    run.refresh_from_db()
    assert run.status == PollRun.Status.SUCCEEDED, run.errors
    assert snapshots_per_creator(run) == {c.pk: 1 for c in children}
    assert RevenueSnapshot.objects.filter(poll=run, status="ok").count() == len(children)


def test_it_finishes_a_poll_with_each_child_accounted_for_when_dailymotion_stays_down(
    sandbox, children
):
    sandbox.fail_next("/user", 500, count=1000)

    run = revenues_poll(trigger="command")

    run.refresh_from_db()
    assert run.finished_at is not None
    assert run.status in (PollRun.Status.PARTIAL, PollRun.Status.FAILED)
    assert run.errors
    # Every child either has its one (unavailable) snapshot or was never written: none twice.
    assert all(n == 1 for n in snapshots_per_creator(run).values())
    assert not RevenueSnapshot.objects.filter(poll=run, status="ok").exists()

    sandbox_clear_faults()
    again = revenues_poll(trigger="command")

    again.refresh_from_db()
    assert again.status == PollRun.Status.SUCCEEDED, again.errors
    assert snapshots_per_creator(again) == {c.pk: 1 for c in children}


def test_it_polls_through_a_slow_dailymotion(sandbox, children):
    sandbox.set_latency("/user", 300)

    run = revenues_poll(trigger="command")

    run.refresh_from_db()
    assert run.status == PollRun.Status.SUCCEEDED, run.errors
    assert snapshots_per_creator(run) == {c.pk: 1 for c in children}


# --- Uploads ---------------------------------------------------------------------------------
@pytest.fixture
def video(sandbox):
    account = sandbox.account("creator31")
    creator = Creator.objects.create(
        dailymotion_id=account.id, username="creator31", status=Creator.Status.ADOPTED
    )
    return Video.objects.create(
        creator=creator,
        uid="fault-upload-1",
        title="A video uploaded through faults",
        video_url="https://media.example/fault-upload-1.mp4",
        channel="news",
    )


def test_it_uploads_once_when_dailymotion_first_answers_429(sandbox, video):
    sandbox.fail_next(f"/user/{video.creator.dailymotion_id}/videos", 429, count=2, retry_after=0)

    ingestion.video_upload_request(video=video)  # the task runs in-process (no broker in tests)

    video.refresh_from_db()
    assert video.state == Video.State.UPLOADED
    assert video.remote_id
    assert [v.id for v in sandbox.videos_of(video.creator.dailymotion_id)] == [video.remote_id]


def test_it_marks_an_upload_answered_500_as_unknown_and_does_not_retry_it(sandbox, video):
    sandbox.fail_next(f"/user/{video.creator.dailymotion_id}/videos", 500, count=1)

    ingestion.video_upload_request(video=video)

    video.refresh_from_db()
    # A POST that failed with 5xx may have created the video: it is not sent again blindly.
    assert video.state == Video.State.FAILED
    assert "may or may not have been created" in video.upload_error
    assert video.remote_id == ""
    assert sandbox.videos_of(video.creator.dailymotion_id) == []


def test_it_does_not_upload_twice_when_a_slow_upload_timed_out(sandbox, video, settings):
    settings.DAILYMOTION_TIMEOUT = 0.3
    sandbox.set_latency(f"/user/{video.creator.dailymotion_id}/videos", 1200, count=1)

    ingestion.video_upload_request(video=video)

    video.refresh_from_db()
    assert video.state == Video.State.FAILED
    assert "may or may not have been created" in video.upload_error
    # The client did not retry the POST: only the one (slow) creation reached Dailymotion.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not sandbox.videos_of(video.creator.dailymotion_id):
        time.sleep(0.1)
    assert len(sandbox.videos_of(video.creator.dailymotion_id)) == 1
