from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from ingestion.models import CallbackEvent, CrawlLog, Video

from .conftest import make_video

pytestmark = pytest.mark.usefixtures("tokens")


@pytest.mark.parametrize("count", [1, 20])
def test_the_video_list_uses_constant_queries(
    client, staff_user, adopted_creator, django_assert_num_queries, count
):
    for _ in range(count):
        make_video(adopted_creator)
    client.force_login(staff_user)
    # session, user, creator check, perms (2), stuck count, 30-day chart, page count, page rows
    with django_assert_num_queries(9):
        response = client.get("/staff/videos/")
    assert response.status_code == 200


def test_it_filters_videos_and_warns_about_stuck_ones(client, staff_user, adopted_creator):
    make_video(adopted_creator, title="Waiting long", crawl_count=9)
    make_video(adopted_creator, title="Imported one", state=Video.State.IMPORTED, remote_id="x1")
    client.force_login(staff_user)
    html = client.get("/staff/videos/?state=imported").content.decode()
    assert "Imported one" in html and "Waiting long" not in html
    assert "crawled 5 times or more with no callback" in html
    html = client.get("/staff/videos/?state=stuck").content.decode()
    assert "Waiting long" in html and "Imported one" not in html
    html = client.get("/staff/videos/?q=x1").content.decode()
    assert "Imported one" in html and "Waiting long" not in html


def test_it_shows_the_creators_last_crawl_and_toggles_syndication(
    client, staff_user, adopted_creator
):
    make_video(adopted_creator)
    b"".join(client.get("/syndication/feeds/x2adop.xml?token=feed-new").streaming_content)
    client.force_login(staff_user)
    html = client.get("/staff/videos/?creator=x2adop").content.decode()
    assert "Last crawled: " in html and "(1 item, HTTP 200)" in html
    client.post("/staff/creators/x2adop/syndication/", {"enabled": "0"})
    adopted_creator.refresh_from_db()
    assert not adopted_creator.syndication_enabled


def test_the_video_detail_shows_callbacks_and_actions(client, staff_user, adopted_creator):
    video = make_video(adopted_creator, uid="d1")
    client.post(
        "/syndication/callback/?token=cb-secret",
        json.dumps(
            [
                {
                    "timestamp": 5,
                    "type": "injector.item.failed",
                    "data": {"status": "failed", "uid": "d1", "error": "Bad codec"},
                }
            ]
        ),
        content_type="application/json",
    )
    client.force_login(staff_user)
    html = client.get(f"/staff/videos/{video.pk}/").content.decode()
    assert "Import failed: Bad codec" in html and "Re-queue in the feed" in html
    assert "injector.item.failed" in html


def test_the_callback_page_filters_and_requeues(client, staff_user, adopted_creator):
    video = make_video(adopted_creator, uid="c1")
    events = [
        {
            "timestamp": 5,
            "type": "injector.item.failed",
            "data": {"status": "failed", "uid": "c1", "error": "Bad codec"},
        },
        {
            "timestamp": 6,
            "type": "injector.item.ready",
            "data": {"status": "ready", "uid": "ghost", "remote_id": "x9"},
        },
    ]
    client.post(
        "/syndication/callback/?token=cb-secret",
        json.dumps(events),
        content_type="application/json",
    )
    client.force_login(staff_user)
    failed = client.get("/staff/callbacks/?show=failed").content.decode()
    assert "Bad codec" in failed and "ghost" not in failed
    unmatched = client.get("/staff/callbacks/?show=unmatched").content.decode()
    assert "ghost" in unmatched and "Bad codec" not in unmatched
    client.post(f"/staff/videos/{video.pk}/requeue/", {"next": "/staff/callbacks/?show=failed"})
    video.refresh_from_db()
    assert video.state == Video.State.QUEUED


def test_the_callback_page_lists_rejected_deliveries(client, staff_user):
    client.post("/syndication/callback/?token=cb-secret", "nope", content_type="application/json")
    client.force_login(staff_user)
    assert "not valid JSON" in client.get("/staff/callbacks/?show=invalid").content.decode()


@pytest.mark.parametrize(
    "url", ["/staff/videos/", "/staff/callbacks/", "/staff/crawls/", "/staff/videos/import/"]
)
def test_staff_pages_need_permissions(client, bare_staff_user, url):
    assert client.get(url).status_code == 302
    client.force_login(bare_staff_user)
    assert client.get(url).status_code == 403


def test_a_creator_sees_all_their_videos(client, adopted_creator):
    make_video(adopted_creator, title="Mine")
    client.force_login(adopted_creator.user)
    assert "Mine" in client.get("/me/videos/").content.decode()


def _bars(html: str, key_attr: str) -> dict[tuple[str, str], int]:
    found = re.findall(rf'data-{key_attr}="(\w+)" data-bucket="([\d-]+)" data-amount="(\d+)"', html)
    return {(key, day): int(amount) for key, day, amount in found}


def test_the_callback_chart_counts_each_days_outcomes(client, staff_user, adopted_creator):
    make_video(adopted_creator, uid="ok1")
    make_video(adopted_creator, uid="bad1")
    client.post(
        "/syndication/callback/?token=cb-secret",
        json.dumps(
            [
                {
                    "timestamp": 1,
                    "type": "injector.item.ready",
                    "data": {"status": "ready", "uid": "ok1", "remote_id": "x1"},
                },
                {
                    "timestamp": 2,
                    "type": "injector.item.failed",
                    "data": {"status": "failed", "uid": "bad1", "error": "Bad codec"},
                },
                {
                    "timestamp": 3,
                    "type": "injector.item.ready",
                    "data": {"status": "ready", "uid": "nobody", "remote_id": "x2"},
                },
            ]
        ),
        content_type="application/json",
    )
    # An event of three days ago, and one older than the chart's 30 days.
    now = datetime.now(UTC)
    event = CallbackEvent.objects.get(uid="ok1")
    CallbackEvent.objects.filter(uid="bad1").update(received_at=now - timedelta(days=3))
    CallbackEvent.objects.filter(uid="nobody").update(received_at=now - timedelta(days=40))
    client.force_login(staff_user)
    for url in ("/staff/videos/", "/staff/callbacks/"):
        bars = _bars(client.get(url).content.decode(), "outcome")
        today = event.received_at.astimezone(UTC).date()
        assert bars == {
            ("imported", today.isoformat()): 1,
            ("failed", (now - timedelta(days=3)).date().isoformat()): 1,
        }


def test_the_crawl_chart_counts_fetches_per_day(client, staff_user, adopted_creator):
    now = datetime.now(UTC)
    CrawlLog.objects.bulk_create(
        [CrawlLog(endpoint="feed", creator=adopted_creator, status=200, at=now) for _ in range(3)]
        + [CrawlLog(endpoint="users", status=200, at=now - timedelta(days=1))]
    )
    client.force_login(staff_user)
    html = client.get("/staff/crawls/").content.decode()
    assert _bars(html, "endpoint") == {
        ("feed", now.date().isoformat()): 3,
        ("users", (now - timedelta(days=1)).date().isoformat()): 1,
    }
    assert html.count('class="bar"') == 30
