from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from conftest import make_creator
from ingestion import services
from ingestion.models import CallbackDelivery, CallbackEvent, Video

from .conftest import fixture_body, make_video

pytestmark = pytest.mark.usefixtures("tokens")
URL = "/syndication/callback/?token=cb-secret"


def post(client, body, url=URL):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return client.post(url, body, content_type="application/json")


def event(uid, *, status="ready", ts=1_700_000_000_000, remote_id="x7abc", **data):
    payload = {"status": status, "user_id": "528399c594a6f6616c1df20c", "uid": uid, **data}
    if status == "ready":
        payload["remote_id"] = remote_id
    kind = "injector.item.ready" if status == "ready" else "injector.item.failed"
    return {"timestamp": ts, "type": kind, "data": payload}


def test_it_imports_the_video_on_ready(client, adopted_creator):
    video = make_video(adopted_creator, uid="3725074091001")
    response = post(client, fixture_body("ready.json"))
    assert response.status_code == 200
    assert response.json() == {
        "received": 1,
        "new": 1,
        "duplicates": 0,
        "matched": 1,
        "unmatched": 0,
        "failed": 0,
    }
    video.refresh_from_db()
    assert (video.state, video.remote_id) == (Video.State.IMPORTED, "x23bz3t")
    assert video.dailymotion_url == "https://www.dailymotion.com/video/x23bz3t"
    assert not services.feed_videos(adopted_creator).exists()


def test_it_marks_the_video_failed_and_keeps_the_event(client, adopted_creator):
    video = make_video(adopted_creator, uid="3725074091001")
    response = post(client, fixture_body("failed.json"))
    assert response.json()["failed"] == 1
    video.refresh_from_db()
    assert video.state == Video.State.FAILED
    assert video.failure_reason == "Media file could not be downloaded (HTTP 404)"
    assert video.failure_event["data"]["item_id"] == "53e8ddf99473991dcf92ce48"


def test_it_keeps_events_for_unknown_uids(client, db):
    response = post(client, [event("nobody-has-it")])
    assert response.status_code == 200
    assert response.json()["unmatched"] == 1
    assert CallbackEvent.objects.get().outcome == CallbackEvent.Outcome.UNMATCHED


def test_a_repeated_event_is_a_no_op(client, adopted_creator):
    video = make_video(adopted_creator, uid="u1")
    post(client, [event("u1", remote_id="x1")])
    Video.objects.filter(pk=video.pk).update(remote_id="changed-by-hand")
    response = post(client, [event("u1", remote_id="x1"), event("u1", remote_id="x1")])
    assert response.json()["duplicates"] == 2 and response.json()["new"] == 0
    video.refresh_from_db()
    assert video.remote_id == "changed-by-hand"
    assert CallbackEvent.objects.count() == 1
    assert CallbackDelivery.objects.count() == 2


def test_an_older_event_never_overwrites_a_newer_one(client, adopted_creator):
    video = make_video(adopted_creator, uid="u1")
    post(client, [event("u1", remote_id="x-new", ts=2000)])
    response = post(client, [event("u1", status="failed", ts=1000, error="late news")])
    assert response.status_code == 200
    video.refresh_from_db()
    assert (video.state, video.remote_id) == (Video.State.IMPORTED, "x-new")
    assert CallbackEvent.objects.get(timestamp=1000).outcome == CallbackEvent.Outcome.STALE


def test_it_applies_events_of_one_delivery_in_time_order(client, adopted_creator):
    video = make_video(adopted_creator, uid="u1")
    post(client, [event("u1", ts=2000, remote_id="x2"), event("u1", status="failed", ts=1000)])
    video.refresh_from_db()
    assert (video.state, video.remote_id) == (Video.State.IMPORTED, "x2")


def test_it_prefers_the_queued_video_when_two_creators_share_a_uid(client, adopted_creator):
    other = make_creator("x8oth", "other-olga", status="adopted")
    done = make_video(other, uid="shared", state=Video.State.IMPORTED, remote_id="x0ld")
    waiting = make_video(adopted_creator, uid="shared")
    post(client, [event("shared", remote_id="x9")])
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert (waiting.state, waiting.remote_id) == (Video.State.IMPORTED, "x9")
    assert done.remote_id == "x0ld"


def test_it_lists_an_ambiguous_uid_as_unmatched(client, adopted_creator):
    other = make_creator("x8oth", "other-olga", status="adopted")
    make_video(other, uid="shared")
    make_video(adopted_creator, uid="shared")
    assert post(client, [event("shared")]).json()["unmatched"] == 1
    assert CallbackEvent.objects.get().outcome == CallbackEvent.Outcome.AMBIGUOUS
    assert not Video.objects.filter(state=Video.State.IMPORTED).exists()


@pytest.mark.parametrize("url", ["/syndication/callback/", "/syndication/callback/?token=no"])
def test_it_refuses_a_wrong_token_with_403(client, db, url):
    response = post(client, fixture_body("ready.json"), url=url)
    assert response.status_code == 403
    assert CallbackDelivery.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"type": "x"}', "must be a JSON array"),
        (b"[42]", "event 0 is not a JSON object"),
        (json.dumps([event("u"), {"type": "x", "data": {}}]).encode(), "event 1: timestamp"),
        (json.dumps([{"timestamp": 1, "type": "t", "data": {"status": "ready"}}]).encode(), "uid"),
        (
            json.dumps(
                [{"timestamp": 1, "type": "t", "data": {"uid": "u", "status": "ready"}}]
            ).encode(),
            "remote_id",
        ),
        (json.dumps([{"timestamp": True, "type": "t", "data": {}}]).encode(), "timestamp"),
    ],
)
def test_it_rejects_malformed_bodies_but_stores_them(client, db, body, problem):
    response = post(client, body)
    assert response.status_code == 400
    assert problem in response.json()["error"]
    delivery = CallbackDelivery.objects.get()
    assert delivery.status == CallbackDelivery.Status.INVALID
    assert delivery.body_bytes == len(body)
    assert CallbackEvent.objects.count() == 0


def test_it_refuses_an_oversized_body_with_413(client, db, settings):
    settings.CALLBACK_MAX_BYTES = 100
    response = post(client, [event(f"u{n}") for n in range(10)])
    assert response.status_code == 413
    delivery = CallbackDelivery.objects.get()
    assert delivery.status == CallbackDelivery.Status.INVALID and "limit" in delivery.error


def test_it_replays_unmatched_events_once_the_video_exists(adopted_creator, client):
    post(client, [event("later", remote_id="x5")])
    video = make_video(adopted_creator, uid="later")
    list(services.callbacks_reprocess())
    video.refresh_from_db()
    assert (video.state, video.remote_id) == (Video.State.IMPORTED, "x5")


def test_a_replayed_failure_does_not_undo_a_requeue(adopted_creator, client):
    video = make_video(adopted_creator, uid="u1")
    post(client, [event("u1", status="failed", error="bad media")])
    services.video_requeue(video=video)
    list(services.callbacks_reprocess(failed=True))
    video.refresh_from_db()
    assert video.state == Video.State.QUEUED


def test_it_uses_a_constant_number_of_queries(client, adopted_creator, django_assert_num_queries):
    for n in range(20):
        make_video(adopted_creator, uid=f"q{n}")
    events = [event(f"q{n}", remote_id=f"x{n}", ts=1000 + n) for n in range(20)]
    # delivery, events insert, events read, savepoint+lock+2 bulk updates+release, delivery save
    with django_assert_num_queries(9):
        assert post(client, events).json()["matched"] == 20


@pytest.mark.django_db(transaction=True)
def test_two_racing_deliveries_of_one_event_apply_it_once(adopted_creator, tokens):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers, so the deliveries cannot race; CI runs PostgreSQL")
    make_video(adopted_creator, uid="race")
    body = json.dumps([event("race")]).encode()
    barrier = threading.Barrier(2)
    results = []

    def deliver():
        barrier.wait()
        try:
            results.append(services.callback_record(body=body, headers={}).summary)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["new"] for r in results) == [0, 1]
    assert CallbackEvent.objects.count() == 1
