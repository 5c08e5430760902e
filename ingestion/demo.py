"""Demo data for ingestion: a small catalog for each adopted creator, ready to be crawled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings

from accounts.models import Creator

from . import services
from .models import Video

CATALOG = [
    ("Street food tour of Lisbon", "travel", "food, lisbon, portugal", "en"),
    ("Ten-minute morning stretch", "lifestyle", "fitness, yoga, morning", "en"),
    ("Unboxing a 1985 home computer", "tech", "retro, computers, unboxing", "en"),
    ("Recette : tarte tatin en 20 minutes", "lifestyle", "cuisine, dessert, pommes", "fr"),
    ("Acoustic cover: Blackbird", "music", "guitar, cover, beatles", "en"),
    ("Speedrun highlights & bloopers", "videogames", "gaming, speedrun, funny", "en"),
]


def seed_demo(stdout) -> list[str]:
    """Give up to three adopted creators six queued videos each (idempotent: upsert by uid)."""
    creators = list(Creator.objects.filter(status=Creator.Status.ADOPTED).order_by("id")[:3])
    if not creators:
        return []
    start = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    rows = []
    media = "https://media.example.com"
    for creator in creators:
        for n, (title, channel, tags, language) in enumerate(CATALOG):
            rows.append(
                (
                    len(rows) + 2,
                    {
                        "owner": creator.dailymotion_id,
                        "uid": f"demo-{creator.dailymotion_id}-{n + 1}",
                        "title": title,
                        "description": f"{title}. A demo video of {creator.username}'s catalog.",
                        "video_url": f"{media}/{creator.dailymotion_id}/{n + 1}.mp4",
                        "thumbnail_url": f"{media}/{creator.dailymotion_id}/{n + 1}.jpg",
                        "channel": channel,
                        "tags": tags,
                        "language": language,
                        "published_at": (start + timedelta(days=n)).isoformat(),
                        "duration": str(120 + 45 * n),
                    },
                )
            )
    existing = Video.objects.filter(uid__startswith="demo-").count()
    if existing < len(rows):
        services.catalog_import(rows=rows)
    names = ", ".join(c.username for c in creators)
    return [
        f"Catalog:     {len(rows)} demo videos queued for {names}: "
        f"{settings.PUBLIC_BASE_URL}/staff/videos/",
        f'Crawl:       press "Crawl now" on {settings.PUBLIC_BASE_URL}/sandbox/ to import them '
        "(callbacks land on /staff/callbacks/)",
    ]
