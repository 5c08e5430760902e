from __future__ import annotations

import pytest

from sandbox import services
from sandbox.models import SandboxCrawl, SandboxVideo
from sandbox.seed import internal_id

from . import stub_portal

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def portal(dailymotion_sandbox, settings):
    """The sandbox plus a stub portal serving two creators' feeds on the live server."""
    settings.ROOT_URLCONF = "sandbox.tests.stub_portal"
    stub_portal.CALLBACKS.clear()
    stub_portal.FEEDS.clear()
    stub_portal.FEEDS.update(
        {
            "x1cr031": [
                {"guid": f"v{n}", "title": f"Video {n}", "url": f"http://cdn.test/{n}.mp4"}
                for n in range(3)
            ],
            "x1cr032": [{"guid": "w1", "title": "Other & co", "url": "http://cdn.test/w1.mp4"}],
        }
    )
    return dailymotion_sandbox


def test_it_imports_every_item_and_posts_ready_callbacks_per_feed(portal):
    summary = portal.crawl(fail_share=0.0)
    assert summary["available"] is True
    assert (summary["users"], summary["items"], summary["ready"], summary["failed"]) == (2, 4, 4, 0)
    assert summary["callbacks"] == [200, 200]
    first = stub_portal.CALLBACKS[0]
    assert [e["type"] for e in first] == ["injector.item.ready"] * 3
    event = first[0]
    assert isinstance(event["timestamp"], int)
    assert event["data"]["status"] == "ready"
    assert event["data"]["user_id"] == internal_id("x1cr031")
    assert event["data"]["uid"] == "v0"
    assert len(event["data"]["feed_id"]) == len(event["data"]["item_id"]) == 24
    video = SandboxVideo.objects.get(id=event["data"]["remote_id"])
    assert (video.owner_id, video.guid, video.title) == ("x1cr031", "v0", "Video 0")
    assert [v.title for v in portal.videos_of("x1cr032")] == ["Other & co"]
    crawl = SandboxCrawl.objects.get()
    assert (crawl.users, crawl.ready, crawl.callback_status) == (2, 4, "200, 200")
    assert "token=***" in crawl.user_list_url


def test_it_does_not_import_an_item_twice(portal):
    portal.crawl(fail_share=0.0)
    again = portal.crawl(fail_share=0.0)
    assert (again["ready"], again["skipped"]) == (0, 4)
    assert len(stub_portal.CALLBACKS) == 2
    assert SandboxVideo.objects.count() == 4


def test_it_reports_failed_items_without_a_remote_id_and_retries_them(portal):
    summary = portal.crawl(fail_share=1.0)
    assert (summary["ready"], summary["failed"]) == (0, 4)
    event = stub_portal.CALLBACKS[0][0]
    assert event["type"] == "injector.item.failed"
    assert event["data"]["status"] == "failed"
    assert "remote_id" not in event["data"]
    assert event["data"]["error"] == "Media file could not be downloaded (HTTP 404)"
    assert portal.crawl(fail_share=0.0)["ready"] == 4


def test_it_says_clearly_when_the_portal_has_no_ingestion_endpoints(dailymotion_sandbox):
    summary = dailymotion_sandbox.crawl(
        user_list_url=f"{dailymotion_sandbox.live_url}/no-such-endpoint/users.json?token=t"
    )
    assert summary["available"] is False
    assert "the portal's ingestion endpoints are not available yet" in summary["message"]
    assert "token=t" not in SandboxCrawl.objects.get().user_list_url


def test_it_says_clearly_when_the_portal_is_down(db):
    summary = services.sandbox_crawl(
        user_list_url="http://127.0.0.1:9/syndication/users.json?token=x"
    )
    assert summary["available"] is False
    assert "not available yet" in summary["message"]
