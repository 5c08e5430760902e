"""Ingestion benchmarks: the crawler's user list, feeds of growing size, a big callback.

Memory and query counts of the crawler endpoints must not grow with the item count.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from harness import measure, row, test_database

SIZES = {
    "full": {
        "users": 100_000,
        "feeds": [1_000, 10_000, 50_000],
        "events": 1_000,
        "ref": 10_000,
        "rows": 100_000,
    },
    "small": {"users": 5_000, "feeds": [50, 500, 2_500], "events": 50, "ref": 500, "rows": 5_000},
}


def _creators(n: int, *, prefix: str):
    from accounts.models import Creator

    batch = [
        Creator(
            dailymotion_id=f"{prefix}{i:06d}",
            username=f"{prefix}-user-{i}",
            status=Creator.Status.ADOPTED,
        )
        for i in range(n)
    ]
    Creator.objects.bulk_create(batch, batch_size=5000)


def _videos(creator, start: int, stop: int) -> None:
    from ingestion.models import Video

    base = datetime(2024, 1, 1, tzinfo=UTC)
    Video.objects.bulk_create(
        (
            Video(
                creator=creator,
                uid=f"bench-{i}",
                title=f"Benchmark video #{i} — Tom & Jerry <live> 😀",
                description="A reasonably long description of the video. " * 8,
                video_url=f"https://media.example.com/{i}.mp4",
                thumbnail_url=f"https://media.example.com/{i}.jpg",
                channel="news",
                tags=["bench", "news", f"t{i % 50}"],
                language="en",
                duration=60 + i % 600,
                published_at=base + timedelta(minutes=i),
            )
            for i in range(start, stop)
        ),
        batch_size=2000,
    )


def _drain(response) -> int:
    return sum(len(chunk) for chunk in response.streaming_content)


def main(scale: str) -> None:
    sizes = SIZES.get(scale, SIZES["full"])
    with test_database():
        from django.conf import settings
        from django.test import Client
        from django.utils.feedgenerator import Rss201rev2Feed

        from accounts.models import Creator
        from ingestion import services

        token = settings.SYNDICATION_TOKENS[0]
        client = Client()
        row("case", "seconds", "bytes", "peak KiB", "queries")

        _creators(sizes["users"], prefix="xu")
        with measure(trace_memory=True) as m:
            size = _drain(client.get("/syndication/users.json", {"token": token}))
        row(
            f"users.json {sizes['users']:,} creators",
            round(m.seconds, 3),
            size,
            m.peak_bytes // 1024,
            m.queries,
        )

        creator = Creator.objects.create(
            dailymotion_id="xfeed01", username="feed-bench", status=Creator.Status.ADOPTED
        )
        made = 0
        feed_figures = {}
        for n in sizes["feeds"]:
            _videos(creator, made, n)
            made = n
            with measure(trace_memory=True) as m:
                size = _drain(
                    client.get(f"/syndication/feeds/{creator.dailymotion_id}.xml", {"token": token})
                )
            feed_figures[n] = m
            row(
                f"feed {n:,} items (lxml, streamed)",
                round(m.seconds, 3),
                size,
                m.peak_bytes // 1024,
                m.queries,
            )

        # Reference: the same items through Django's syndication framework (all in memory).
        ref_n = sizes["ref"]
        with measure(trace_memory=True) as m:
            feed = Rss201rev2Feed(title="bench", link="https://example.com/", description="bench")
            for video in services.feed_videos(creator)[:ref_n]:
                feed.add_item(
                    title=video.title,
                    link=video.video_url,
                    description=video.description,
                    unique_id=video.uid,
                    unique_id_is_permalink=False,
                    pubdate=video.published_at,
                    categories=[video.channel],
                    enclosures=[],
                )
            size = len(feed.writeString("utf-8").encode())
        row(
            f"feed {ref_n:,} items (Rss201rev2Feed)",
            round(m.seconds, 3),
            size,
            m.peak_bytes // 1024,
            m.queries,
        )
        ours = feed_figures.get(ref_n)
        if ours is None:  # the reference size is one of the feed sizes; recompute if not
            with measure(trace_memory=True) as ours:
                _drain(
                    client.get(f"/syndication/feeds/{creator.dailymotion_id}.xml", {"token": token})
                )
        print(
            f"  ratio (Rss201rev2Feed / ours) for {ref_n:,} items: "
            f"time {m.seconds / ours.seconds:.2f}x, peak memory "
            f"{m.peak_bytes / max(ours.peak_bytes, 1):.1f}x"
            " (the reference has no media:* elements, so it writes fewer bytes)",
            flush=True,
        )

        events = [
            {
                "timestamp": 1_700_000_000_000 + i,
                "type": "injector.item.ready",
                "data": {
                    "status": "ready",
                    "user_id": "528399c594a6f6616c1df20c",
                    "uid": f"bench-{i}",
                    "remote_id": f"xb{i}",
                    "feed_id": "f",
                    "item_id": f"i{i}",
                },
            }
            for i in range(sizes["events"])
        ]
        body = json.dumps(events)
        callback_token = settings.CALLBACK_TOKENS[0]
        with measure(trace_memory=True) as m:
            response = client.post(
                f"/syndication/callback/?token={callback_token}",
                body,
                content_type="application/json",
            )
        assert response.status_code == 200, response.content
        row(
            f"callback {sizes['events']:,} events",
            round(m.seconds, 3),
            len(body),
            m.peak_bytes // 1024,
            m.queries,
        )
        print(f"  summary: {response.json()}", flush=True)

        _import(sizes["rows"])


def _import(rows: int) -> None:
    """import_catalog's service on a CSV of `rows` lines: streamed, batched upserts."""
    import tempfile

    from ingestion import services

    with tempfile.NamedTemporaryFile("w+", suffix=".csv", encoding="utf-8", newline="") as f:
        f.write(",".join(services.CSV_HEADER) + "\n")
        for i in range(rows):
            f.write(
                f'xu{i % 1000:06d},imp-{i},"Imported video {i}, with a comma",'
                f"Description {i},https://media.example.com/{i}.mp4,"
                f'https://media.example.com/{i}.jpg,music,"a, b, c",2024-05-01T10:00:00Z\n'
            )
        for label in ("first run", "re-run (updates)"):
            f.seek(0)
            with measure(trace_memory=True) as m:
                report = services.catalog_import(file=f)
            row(
                f"import {rows:,} rows, {label}",
                round(m.seconds, 3),
                f"{report.created}+{report.updated}",
                m.peak_bytes // 1024,
                m.queries,
            )
