from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from ingestion import services
from ingestion.models import Video
from mcn_portal.lib.dailymotion import AccessForbidden, CreatedVideo, DailymotionUnavailable

from .conftest import make_video


@pytest.fixture
def parent_client():
    client = mock.Mock()
    client.create_video.return_value = CreatedVideo(id="x8up1", title="t")
    with mock.patch("accounts.tokens.client_for_parent", return_value=client):
        yield client


def upload(client, video):
    return client.post(f"/staff/videos/{video.pk}/upload/", follow=True)


def test_it_uploads_on_behalf_of_the_creator(
    client, staff_user, adopted_creator, parent_client, django_capture_on_commit_callbacks
):
    video = make_video(adopted_creator, title="Hello", channel="music", tags=["a"], language="fr")
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, video)
    html = client.get(f"/staff/videos/{video.pk}/").content.decode()
    assert "on Dailymotion as" in html and "https://www.dailymotion.com/video/x8up1" in html
    parent_client.create_video.assert_called_once_with(
        "x2adop",
        url=video.video_url,
        title="Hello",
        channel="music",
        published=True,
        is_created_for_kids=False,
        description=video.description,
        tags=["a"],
        language="fr",
    )
    video.refresh_from_db()
    assert (video.state, video.remote_id) == (Video.State.UPLOADED, "x8up1")
    assert not services.feed_videos(adopted_creator).exists()


def test_a_double_click_uploads_once(
    client, staff_user, adopted_creator, parent_client, django_capture_on_commit_callbacks
):
    video = make_video(adopted_creator)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(client, video)
        response = upload(client, video)
    assert "only queued or failed videos can be uploaded" in response.content.decode()
    assert len(callbacks) == 1
    # The claimed video has already left the feed before the POST to Dailymotion.
    assert not services.feed_videos(adopted_creator).exists()
    for callback in callbacks:
        callback()
    services.video_upload(video_id=video.pk)  # a repeated task does nothing
    assert parent_client.create_video.call_count == 1


def test_it_shows_dailymotions_refusal_in_words(
    client, staff_user, adopted_creator, parent_client, django_capture_on_commit_callbacks
):
    parent_client.create_video.side_effect = AccessForbidden(
        "Upload quota exceeded: 15 videos per 24 hours.", status=403
    )
    video = make_video(adopted_creator)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, video)
    html = client.get(f"/staff/videos/{video.pk}/").content.decode()
    assert "Upload quota exceeded" in html and "15 videos or 10 hours" in html
    video.refresh_from_db()
    assert video.state == Video.State.QUEUED  # back in the feed
    assert "quota" in video.upload_error


def test_an_unknown_outcome_keeps_the_video_out_of_the_feed(adopted_creator, parent_client):
    parent_client.create_video.side_effect = DailymotionUnavailable("timeout")
    video = make_video(adopted_creator, state=Video.State.UPLOADING)
    video = services.video_upload(video_id=video.pk)
    assert video.state == Video.State.FAILED
    assert "may or may not have been created" in video.upload_error


def test_bulk_upload_and_requeue(
    client, staff_user, adopted_creator, parent_client, django_capture_on_commit_callbacks
):
    queued = make_video(adopted_creator)
    failed = make_video(adopted_creator, state=Video.State.FAILED, failure_reason="404")
    client.force_login(staff_user)
    response = client.post(
        "/staff/videos/bulk/", {"action": "requeue", "ids": [queued.pk, failed.pk]}, follow=True
    )
    assert "1 video(s) put back in the feed" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/staff/videos/bulk/", {"action": "upload", "ids": [queued.pk, failed.pk]})
    assert parent_client.create_video.call_count == 2
    assert set(Video.objects.values_list("state", flat=True)) == {Video.State.UPLOADED}


def test_staff_without_the_permission_cannot_upload(client, bare_staff_user, adopted_creator):
    video = make_video(adopted_creator)
    client.force_login(bare_staff_user)
    assert client.post(f"/staff/videos/{video.pk}/upload/").status_code == 403
    assert Video.objects.get().state == Video.State.QUEUED


def _claimed(creator, **extra) -> Video:
    video = make_video(creator)
    services.video_upload_request(video=video)  # outside a request: the task is not run
    Video.objects.filter(pk=video.pk).update(**extra)
    return video


def test_a_task_redelivered_after_a_killed_worker_never_uploads_twice(
    adopted_creator, parent_client
):
    video = _claimed(adopted_creator)
    # The first delivery marked its attempt, then the worker died inside the API call.
    Video.objects.filter(pk=video.pk).update(upload_started_at=timezone.now())
    video = services.video_upload(video_id=video.pk)
    parent_client.create_video.assert_not_called()
    assert video.state == Video.State.FAILED
    assert video.failure_reason == "Direct upload outcome unknown"
    assert "Check the creator's videos on Dailymotion" in video.upload_error
    assert not services.feed_videos(adopted_creator).exists()


def test_an_upload_marks_its_attempt_before_calling_dailymotion(adopted_creator, parent_client):
    video = _claimed(adopted_creator)

    def seen_by_the_call(*args, **kwargs):
        assert Video.objects.get(pk=video.pk).upload_started_at is not None
        return CreatedVideo(id="x8up2", title="t")

    parent_client.create_video.side_effect = seen_by_the_call
    assert services.video_upload(video_id=video.pk).state == Video.State.UPLOADED


def test_the_sweep_fails_dead_attempts_and_resends_lost_tasks(
    adopted_creator, parent_client, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(hours=2)
    dead = _claimed(adopted_creator, upload_started_at=long_ago, updated_at=long_ago)
    lost = _claimed(adopted_creator, updated_at=long_ago)
    running = _claimed(adopted_creator, upload_started_at=timezone.now())
    waiting = _claimed(adopted_creator)  # claimed a moment ago: its task is on its way

    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_recover() == {"interrupted": 1, "resent": 1}

    states = dict(Video.objects.values_list("pk", "state"))
    assert states[dead.pk] == Video.State.FAILED
    assert states[lost.pk] == Video.State.UPLOADED  # its task ran now, uploading once
    assert states[running.pk] == states[waiting.pk] == Video.State.UPLOADING
    parent_client.create_video.assert_called_once()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.uploads_recover() == {"interrupted": 0, "resent": 0}


def test_a_failed_upload_can_be_tried_again(adopted_creator, parent_client):
    video = _claimed(adopted_creator, upload_started_at=timezone.now() - timedelta(hours=2))
    services.uploads_recover()
    video.refresh_from_db()
    services.video_upload_request(video=video)
    assert services.video_upload(video_id=video.pk).state == Video.State.UPLOADED


def test_the_video_page_says_where_an_upload_stands(client, staff_user, adopted_creator):
    video = _claimed(adopted_creator)
    client.force_login(staff_user)
    assert "waiting for a worker" in client.get(f"/staff/videos/{video.pk}/").content.decode()
    Video.objects.filter(pk=video.pk).update(upload_started_at=timezone.now())
    assert "Dailymotion called at" in client.get(f"/staff/videos/{video.pk}/").content.decode()
