"""End to end against the sandbox: its crawler reads our feeds and posts callbacks over HTTP."""

from __future__ import annotations

import pytest

from conftest import make_creator
from ingestion import services
from ingestion.models import CallbackEvent, CrawlLog, Video

from .conftest import make_video

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")
CHILD = "x1cr031"  # a seeded sandbox child of the network's parent


def test_the_crawler_imports_queued_videos_and_empties_the_feed(dailymotion_sandbox):
    creator = make_creator(CHILD, "creator31", status="adopted")
    videos = [make_video(creator, uid=f"e2e-{n}", title=f"Trip & tips #{n}") for n in range(3)]
    make_video(creator, uid="done", state=Video.State.IMPORTED, remote_id="x0")

    summary = dailymotion_sandbox.crawl(fail_share=0.0)

    assert summary["ready"] == 3, summary
    assert summary["callbacks"] == [200]
    remote = {v.guid: v.id for v in dailymotion_sandbox.videos_of(CHILD)}
    for video in videos:
        video.refresh_from_db()
        assert video.state == Video.State.IMPORTED
        assert video.remote_id == remote[video.uid]
        assert video.crawl_count == 1
    assert CallbackEvent.objects.filter(outcome="imported").count() == 3
    assert not services.feed_videos(creator).exists()
    assert CrawlLog.objects.filter(endpoint="feed", creator=creator, items=3).exists()

    again = dailymotion_sandbox.crawl(fail_share=0.0)
    assert again["items"] == 0 and again["ready"] == 0


def test_failed_imports_are_marked_and_can_be_requeued(dailymotion_sandbox):
    creator = make_creator(CHILD, "creator31", status="adopted")
    video = make_video(creator, uid="e2e-fail")
    dailymotion_sandbox.crawl(fail_share=1.0)
    video.refresh_from_db()
    assert video.state == Video.State.FAILED and "could not be downloaded" in video.failure_reason
    services.video_requeue(video=video)
    dailymotion_sandbox.crawl(fail_share=0.0)
    video.refresh_from_db()
    assert video.state == Video.State.IMPORTED


def test_upload_on_behalf_until_the_daily_quota(dailymotion_sandbox):
    creator = make_creator(CHILD, "creator31", status="adopted")
    videos = [make_video(creator, uid=f"up-{n}", channel="travel") for n in range(16)]
    for video in videos:
        services.video_upload_request(video=video)  # the task runs in-process on commit
    states = [Video.objects.get(pk=v.pk) for v in videos]
    uploaded = [v for v in states if v.state == Video.State.UPLOADED]
    assert len(uploaded) == 15, [(v.state, v.upload_error) for v in states]
    assert {v.remote_id for v in uploaded} <= {v.id for v in dailymotion_sandbox.videos_of(CHILD)}
    refused = states[-1]
    assert refused.state == Video.State.QUEUED
    assert (
        "quota" in refused.upload_error.lower() and "15 videos or 10 hours" in refused.upload_error
    )
