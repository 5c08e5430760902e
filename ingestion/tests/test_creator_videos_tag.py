from __future__ import annotations

from django.template import Context, Template

from .conftest import make_video


def render(creator, limit=""):
    return Template(
        "{% load ingestion_tags %}{% creator_videos creator " + str(limit) + " %}"
    ).render(Context({"creator": creator}))


def test_it_lists_the_creators_videos_with_their_state(adopted_creator, pending_creator):
    make_video(adopted_creator, title="Mine & yours", state="imported", remote_id="x9abc")
    make_video(pending_creator, title="Someone else's")
    html = render(adopted_creator)
    assert "Mine &amp; yours" in html
    assert "https://www.dailymotion.com/video/x9abc" in html
    assert "Someone else" not in html


def test_it_links_to_all_videos_past_the_limit(adopted_creator):
    for _ in range(3):
        make_video(adopted_creator)
    html = render(adopted_creator, 2)
    assert "All 3 videos" in html and "/me/videos/" in html


def test_it_says_when_there_is_no_video(adopted_creator):
    assert "No videos in your catalog yet" in render(adopted_creator)


def test_the_staff_status_tag_shows_the_switch_and_last_crawl(rf, staff_user, adopted_creator):
    from django.contrib.auth.context_processors import PermWrapper

    from ingestion.models import CrawlLog

    CrawlLog.objects.create(endpoint="feed", creator=adopted_creator, status=200, items=4)
    request = rf.get("/staff/")
    request.user = staff_user
    html = Template("{% load ingestion_tags %}{% syndication_status creator %}").render(
        Context({"creator": adopted_creator, "perms": PermWrapper(staff_user), "request": request})
    )
    assert "Syndication: <strong>on</strong>" in html
    assert "(4 items, HTTP 200)" in html and "Turn syndication off" in html
