"""The crawler against the portal's real ingestion endpoints (when that app provides them)."""

from __future__ import annotations

import pytest

from accounts.models import Creator
from conftest import make_creator
from ingestion.models import Video

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_it_ingests_a_portal_creators_feed_end_to_end(dailymotion_sandbox):
    creator = make_creator("x1cr031", "creator31", status=Creator.Status.ADOPTED)
    Creator.objects.filter(pk=creator.pk).update(syndication_enabled=True)
    for n in range(3):
        Video.objects.create(
            creator=creator,
            uid=f"our-{n}",
            title=f"Ours {n}",
            video_url=f"http://cdn.test/{n}.mp4",
            channel="fun",
        )
    summary = dailymotion_sandbox.crawl(fail_share=0.0)
    assert summary["available"], summary
    assert (summary["users"], summary["ready"]) == (1, 3), summary
    assert summary["callbacks"] == [200]
    remote = {v.guid: v.id for v in dailymotion_sandbox.videos_of("x1cr031")}
    for video in Video.objects.all():
        assert video.remote_id == remote[video.uid]
