from __future__ import annotations

from unittest import mock

import pytest

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
