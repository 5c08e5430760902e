from __future__ import annotations

import base64

import feedparser
import pytest
from lxml import etree

from ingestion.feeds import MEDIA_NS
from ingestion.models import CrawlLog, Video

from .conftest import make_video

pytestmark = pytest.mark.usefixtures("tokens")

# PostgreSQL cannot store NUL at all (the importer strips it before the database); \x0b, \x07
# and \x1b are storable but illegal in XML, so the feed must drop them.
TRICKY = "Tom & Jerry <live> \"quoted\" 'single' 😀 שלום עולם \x0b\x07\x1b end"


def get_feed(client, creator, token="feed-new", **headers):
    return client.get(f"/syndication/feeds/{creator.dailymotion_id}.xml?token={token}", **headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_serves_queued_videos_as_mrss(client, adopted_creator):
    make_video(
        adopted_creator,
        uid="g-1",
        title=TRICKY,
        description=TRICKY,
        tags=["a&b", "ünï"],
        duration=61,
    )
    make_video(adopted_creator, uid="g-2", state=Video.State.IMPORTED, remote_id="x1")
    make_video(adopted_creator, uid="g-3", state=Video.State.UPLOADING)
    make_video(adopted_creator, uid="g-4", state=Video.State.FAILED)
    response = get_feed(client, adopted_creator)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = etree.fromstring(body(response))
    items = root.findall("channel/item")
    assert [i.findtext("guid") for i in items] == ["g-1"]
    item = items[0]
    clean = TRICKY.replace("\x0b", "").replace("\x07", "").replace("\x1b", "")
    assert item.findtext("title") == clean
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.findtext("pubDate") == "Wed, 01 May 2024 12:00:00 GMT"
    assert item.findtext("category") == "news"
    content = item.find(f"{{{MEDIA_NS}}}content")
    assert content.get("type") == "video/mp4" and content.get("duration") == "61"
    assert item.find(f"{{{MEDIA_NS}}}thumbnail").get("url").endswith(".jpg")
    assert item.findtext(f"{{{MEDIA_NS}}}keywords") == "a&b, ünï"
    assert root.nsmap["dcterms"] == "http://purl.org/dc/terms/"
    assert root.nsmap["dm"] == "http://www.dailymotion.com/dmrss/"


def test_it_round_trips_through_feedparser(client, adopted_creator):
    make_video(adopted_creator, uid="rt", title=TRICKY, tags=["x", "y"])
    parsed = feedparser.parse(body(get_feed(client, adopted_creator)))
    assert not parsed.bozo, parsed.bozo_exception
    entry = parsed.entries[0]
    assert entry.title == TRICKY.replace("\x0b", "").replace("\x07", "").replace("\x1b", "")
    assert entry.id == "rt"
    assert entry.media_content[0]["url"].endswith(".mp4")


def test_it_answers_304_when_nothing_changed(client, adopted_creator):
    video = make_video(adopted_creator)
    first = get_feed(client, adopted_creator)
    body(first)
    again = get_feed(client, adopted_creator, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    video.title = "Changed"
    video.save()
    changed = get_feed(client, adopted_creator, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert first["ETag"] != changed["ETag"]


def test_it_counts_crawls_and_logs_them(client, adopted_creator):
    video = make_video(adopted_creator)
    body(get_feed(client, adopted_creator))
    body(get_feed(client, adopted_creator))
    video.refresh_from_db()
    assert video.crawl_count == 2 and video.last_crawled_at
    log = CrawlLog.objects.filter(creator=adopted_creator).first()
    assert (log.endpoint, log.status, log.items) == ("feed", 200, 1)


def test_it_refuses_wrong_tokens_and_unknown_creators(client, adopted_creator, pending_creator):
    assert get_feed(client, adopted_creator, token="nope").status_code == 401
    assert get_feed(client, pending_creator).status_code == 404
    assert client.get("/syndication/feeds/x404.xml?token=feed-new").status_code == 404
    adopted_creator.syndication_enabled = False
    adopted_creator.save()
    assert get_feed(client, adopted_creator).status_code == 404


def test_it_accepts_the_older_token_and_basic_auth(client, adopted_creator):
    assert get_feed(client, adopted_creator, token="feed-old").status_code == 200
    basic = base64.b64encode(b"dailymotion:feed-new").decode()
    response = client.get(
        f"/syndication/feeds/{adopted_creator.dailymotion_id}.xml",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 30])
def test_it_uses_a_constant_number_of_queries(
    client, adopted_creator, django_assert_num_queries, count
):
    for _ in range(count):
        make_video(adopted_creator)
    # creator, aggregate, crawl log, crawl counts, the iterator
    with django_assert_num_queries(5):
        data = body(get_feed(client, adopted_creator))
    assert data.count(b"<item>") == count


def test_it_uses_three_queries_for_a_304(client, adopted_creator, django_assert_num_queries):
    make_video(adopted_creator)
    etag = get_feed(client, adopted_creator)["ETag"]
    with django_assert_num_queries(3):
        assert get_feed(client, adopted_creator, HTTP_IF_NONE_MATCH=etag).status_code == 304
