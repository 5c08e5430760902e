from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from ingestion.models import Video

_seq = itertools.count(1)


def make_video(creator, **extra) -> Video:
    n = next(_seq)
    fields = {
        "uid": f"uid-{n}",
        "title": f"Video {n}",
        "description": "A video.",
        "video_url": f"https://media.example.com/{n}.mp4",
        "thumbnail_url": f"https://media.example.com/{n}.jpg",
        "channel": "news",
        "tags": ["one", "two"],
        "published_at": datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
    }
    fields.update(extra)
    return Video.objects.create(creator=creator, **fields)


@pytest.fixture
def video_factory(db):
    return make_video


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[2] / "tests/fixtures/callbacks"


def fixture_body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def tokens(settings):
    settings.SYNDICATION_TOKENS = ["feed-new", "feed-old"]
    settings.CALLBACK_TOKENS = ["cb-secret"]
    settings.PUBLIC_BASE_URL = "https://portal.example.com"
    return settings
