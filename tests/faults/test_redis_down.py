"""Redis unavailable: the web still serves, /healthz says degraded, and queued work is not lost.

Redis is both the cache and the Celery broker. "Not lost" means: a staff action that queues a task
either gets its work done or leaves nothing stranded (a video stuck in "uploading", a bulk job or
a poll "queued" that no worker will ever receive), and the staff member gets an answer, not a 500.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Creator
from adoption.models import AuditEvent, BulkJob
from ingestion.models import CallbackEvent, Video
from mcn_portal.celery import app as celery_app
from mcn_portal.lib.dailymotion import CreatedVideo
from revenues.models import PollRun

DEAD = "redis://127.0.0.1:1/0"
STRANDED = (
    "Lead: the on_commit(.delay) of ingestion/adoption/revenues raises kombu OperationalError "
    "after the commit when the broker is down; the row is left queued/uploading with no task "
    "(see the load & faults report for the enqueue_on_commit fix)."
)


def forget_broker_connections() -> None:
    """Drop the app's broker pool, so the next publish uses the current broker_url.

    Not app.close(): it also unregisters the app, and tasks imported later would be missing.
    """
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """Cache and broker both point at a port where nothing listens; tasks are not run eagerly."""
    settings.REDIS_URL = DEAD
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    forget_broker_connections()
    celery_app.conf.update(broker_url=DEAD, task_always_eager=False)
    yield
    forget_broker_connections()
    celery_app.conf.update(saved)


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_it_says_degraded_and_keeps_serving_staff_and_machine_endpoints(
    redis_down, staff_client, adopted_creator, settings
):
    Video.objects.create(
        creator=adopted_creator,
        uid="redis-down-1",
        title="Still served",
        video_url="https://media.example/redis-down-1.mp4",
        channel="news",
    )
    health = staff_client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["database"] == "ok"

    for path in ("/staff/", "/staff/videos/", "/staff/callbacks/", "/staff/revenues/"):
        assert staff_client.get(path).status_code == 200, path
    token = settings.SYNDICATION_TOKENS[0]
    users = staff_client.get(f"/syndication/users.json?token={token}")
    assert users.status_code == 200
    assert [u["id"] for u in json.loads(b"".join(users.streaming_content))] == ["x2adop"]
    feed = staff_client.get(f"/syndication/feeds/x2adop.xml?token={token}")
    assert feed.status_code == 200
    assert b"redis-down-1" in b"".join(feed.streaming_content)
    event = {
        "timestamp": 1407770138078,
        "type": "injector.item.ready",
        "data": {"status": "ready", "uid": "redis-down-1", "remote_id": "x23bz3t"},
    }
    callback = staff_client.post(
        f"/syndication/callback/?token={settings.CALLBACK_TOKENS[0]}",
        data=json.dumps([event]),
        content_type="application/json",
    )
    assert callback.status_code == 200
    assert CallbackEvent.objects.get().outcome == CallbackEvent.Outcome.IMPORTED
    assert Video.objects.get(uid="redis-down-1").state == Video.State.IMPORTED


class FakeParentClient:
    def __init__(self) -> None:
        self.created: list[str] = []

    def create_video(self, owner_id: str, **fields) -> CreatedVideo:
        self.created.append(owner_id)
        return CreatedVideo(id="x7up01", title=fields["title"], status="processing")


class FakeCreatorClient:
    def __init__(self) -> None:
        self.adopted: list[str] = []

    def adopt(self, parent_id: str) -> None:
        self.adopted.append(parent_id)


@pytest.mark.django_db(transaction=True)
def test_it_does_not_strand_an_upload_requested_while_the_broker_is_down(
    redis_down, staff_client, adopted_creator, monkeypatch
):
    parent = FakeParentClient()
    monkeypatch.setattr("accounts.tokens.client_for_parent", lambda: parent)
    video = Video.objects.create(
        creator=adopted_creator,
        uid="redis-down-up",
        title="Upload me",
        video_url="https://media.example/redis-down-up.mp4",
        channel="news",
    )

    response = staff_client.post(f"/staff/videos/{video.pk}/upload/")

    video.refresh_from_db()
    assert response.status_code == 302
    assert video.state != Video.State.UPLOADING  # done in-process, or back where it was


@pytest.mark.django_db(transaction=True)
def test_it_answers_an_approval_and_sends_its_email_while_the_broker_is_down(
    redis_down, staff_client, pending_creator, monkeypatch, settings
):
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    creator_client = FakeCreatorClient()
    monkeypatch.setattr("accounts.tokens.client_for_creator", lambda creator: creator_client)

    response = staff_client.post(f"/staff/creators/{pending_creator.pk}/approve/")

    pending_creator.refresh_from_db()
    assert pending_creator.status == Creator.Status.ADOPTED
    assert AuditEvent.objects.filter(creator=pending_creator, action="adopted").count() == 1
    assert response.status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_it_does_not_strand_a_bulk_approval_started_while_the_broker_is_down(
    redis_down, staff_client, make_pending_creators, monkeypatch, settings
):
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    creator_client = FakeCreatorClient()
    monkeypatch.setattr("accounts.tokens.client_for_creator", lambda creator: creator_client)
    creators = make_pending_creators(3)

    response = staff_client.post(
        "/staff/bulk/", {"action": "approve", "ids": [c.pk for c in creators]}
    )

    job = BulkJob.objects.get()
    assert response.status_code == 302
    assert job.status == BulkJob.Status.FINISHED
    assert set(Creator.objects.values_list("status", flat=True)) == {Creator.Status.ADOPTED}


@pytest.mark.django_db(transaction=True)
def test_it_does_not_leave_a_poll_queued_forever_when_the_broker_is_down(redis_down, staff_client):
    response = staff_client.post("/staff/revenues/polls/start/")

    assert response.status_code == 302
    # A run that no worker will receive must not block "Poll now" for the next half hour.
    assert not PollRun.objects.filter(status=PollRun.Status.QUEUED).exists()


@pytest.fixture
def make_pending_creators(db):
    from conftest import make_creator

    def make(n: int) -> list[Creator]:
        return [make_creator(f"x5bk{i:03d}", f"bulk-{i}") for i in range(n)]

    return make
