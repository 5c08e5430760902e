"""The sandbox's seed data: deterministic, so tests and demos see the same world every time."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

CENT = Decimal("0.01")
SOURCES = ("video", "website", "claim", "paidcontent")
PERIODS = ("last_day", "last_week", "last_month", "total")
REVENUE_FIELDS = tuple(f"revenues_{s}_{p}" for s in SOURCES for p in PERIODS)
HISTORY_DAYS = 30
CHANNELS = [
    "animals",
    "auto",
    "creation",
    "fun",
    "kids",
    "lifestyle",
    "music",
    "news",
    "people",
    "school",
    "shortfilms",
    "sport",
    "tech",
    "travel",
    "tv",
    "videogames",
    "webcam",
]

API_KEYS = [
    {
        "client_id": "sandbox-client-id",
        "client_secret": "sandbox-client-secret",
        "name": "MCN portal (sandbox)",
        "roles": "can-adopt-users",
    },
    {
        "client_id": "sandbox-norole-id",
        "client_secret": "sandbox-norole-secret",
        "name": "A key without the can-adopt-users role",
        "roles": "",
    },
]

PARENT = {
    "id": "x0mcn01",
    "username": "mcn-network",
    "password": "network-pass",
    "screenname": "MCN Network",
    "email": "network@mcn.example",
    "is_parent": True,
}
# Another network, so the portal can meet a creator who already belongs elsewhere.
OTHER_PARENT = {
    "id": "x0oth01",
    "username": "other-network",
    "password": "other-pass",
    "screenname": "Some Other Network",
    "email": "other@network.example",
    "is_parent": True,
}
CREATOR_COUNT = 36
CHILDREN_OF_PARENT = {"creator31", "creator32", "creator33"}
CHILDREN_OF_OTHER = {"creator34"}
REVENUES_UNAVAILABLE = {"creator36"}

_FIRST = [
    "Alice",
    "Bruno",
    "Chloe",
    "Diego",
    "Emma",
    "Farid",
    "Gaia",
    "Hugo",
    "Ines",
    "Jules",
    "Kenza",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pablo",
]
_TOPIC = [
    "Cooks",
    "Travels",
    "Plays",
    "Sings",
    "Builds",
    "Reviews",
    "Dances",
    "Explains",
    "Paints",
    "Runs",
    "Laughs",
    "Films",
]


def internal_id(account_id: str) -> str:
    """Dailymotion's 24-hex internal id (the callbacks' user_id) for an account id."""
    return hashlib.sha1(f"user:{account_id}".encode(), usedforsecurity=False).hexdigest()[:24]


def hex24(*parts: object) -> str:
    return hashlib.sha1(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()[:24]


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from its inputs."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def daily_earning(account_id: str, day: date, source: str, rate: Decimal) -> Decimal:
    """What an account earns from one source on one day: its rate ±50 %, to the cent."""
    factor = Decimal(str(round(0.5 + _unit(account_id, day.isoformat(), source), 4)))
    return (rate * factor).quantize(CENT)


def creator_rows(today: date) -> list[dict]:
    """The ~36 seeded creators (usernames creator01.., passwords pass-creator01..)."""
    rng = random.Random("mcn-sandbox-seed-v1")
    rows = []
    for n in range(1, CREATOR_COUNT + 1):
        username = f"creator{n:02d}"
        first, topic = _FIRST[(n - 1) % len(_FIRST)], _TOPIC[(n - 1) % len(_TOPIC)]
        # Spread from 2012 to last year, so created_after/before windows have something to cut.
        created = datetime(2012, 1, 1, tzinfo=UTC) + timedelta(
            days=(n - 1) * 130 + rng.randrange(0, 90), seconds=rng.randrange(0, 86400)
        )
        rates = {
            "video": Decimal(rng.randrange(200, 6000)) / 100,
            "website": Decimal(rng.randrange(50, 2000)) / 100,
            "claim": Decimal(rng.randrange(0, 500)) / 100 if n % 3 else Decimal("0.00"),
            "paidcontent": Decimal(rng.randrange(0, 300)) / 100 if n % 4 == 0 else Decimal("0.00"),
        }
        rows.append(
            {
                "id": f"x1cr{n:03d}",
                "username": username,
                "password": f"pass-{username}",
                "screenname": f"{first} {topic}",
                "email": f"{username}@creators.example",
                "created_time": created,
                "followers_total": rng.randrange(10, 250_000),
                "videos_total": rng.randrange(1, 900),
                "views_total": rng.randrange(1_000, 90_000_000),
                "rates": rates,
                # Earnings before the kept history: roughly the rate times the account's age.
                "past_days": max((today - created.date()).days - HISTORY_DAYS, 0),
                "revenues_unavailable": username in REVENUES_UNAVAILABLE,
            }
        )
    return rows
