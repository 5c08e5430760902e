"""Locust users of the load test: Dailymotion's crawler, its callback poster, and staff browsing.

Driven by benchmarks/load.py (which seeds the database, starts gunicorn and reads the ledger
below); it also runs alone against a seeded server:

    LOAD_UIDS=uids.txt SYNDICATION_TOKEN=… CALLBACK_TOKEN=… STAFF_PASSWORD=… \
        .venv/bin/locust -f benchmarks/locustfile.py --host http://127.0.0.1:8107

Django is not imported here: the users only speak HTTP.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from locust import HttpUser, between, task

SYNDICATION_TOKEN = os.environ.get("SYNDICATION_TOKEN", "")
CALLBACK_TOKEN = os.environ.get("CALLBACK_TOKEN", "")
STAFF_USERNAME = os.environ.get("STAFF_USERNAME", "load-staff")
STAFF_PASSWORD = os.environ.get("STAFF_PASSWORD", "")
BATCH_SIZE = int(os.environ.get("LOAD_CALLBACK_BATCH", "50"))
# Share of acknowledged batches Dailymotion sends again (its retries): each must change nothing.
REPLAY_SHARE = float(os.environ.get("LOAD_REPLAY_SHARE", "0.05"))
MAX_ATTEMPTS = 8  # a batch answered 5xx (or not at all) is posted again, like Dailymotion would


@dataclass
class CallbackLedger:
    """What the callback posters sent and what the portal acknowledged, for the integrity check."""

    uids: list[str] = field(default_factory=list)
    sent: dict[str, list[dict]] = field(default_factory=dict)  # batch id → its events
    acked: set[str] = field(default_factory=set)  # batch ids answered 200 with all events new
    given_up: set[str] = field(default_factory=set)  # batch ids never acknowledged
    replays: int = 0
    replays_changed: int = 0  # replays the portal counted as new events (must stay 0)
    unexpected: list[str] = field(default_factory=list)  # 200s whose summary did not add up
    posts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


LEDGER = CallbackLedger()


def _load_uids() -> None:
    path = os.environ.get("LOAD_UIDS")
    if path and not LEDGER.uids:
        with open(path) as handle:
            LEDGER.uids = [line.strip() for line in handle if line.strip()]


class Crawler(HttpUser):
    """Dailymotion's crawler: the user list, then a few of the feeds it names."""

    weight = 2
    wait_time = between(0.5, 1.5)

    @task
    def crawl(self) -> None:
        with self.client.get(
            f"/syndication/users.json?token={SYNDICATION_TOKEN}",
            name="GET /syndication/users.json",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return
            try:
                users = response.json()
            except ValueError:
                response.failure("not JSON")
                return
            if not users:
                response.failure("empty user list")
                return
        for user in random.sample(users, min(5, len(users))):
            parts = urlsplit(user["feed_url"])
            with self.client.get(
                f"{parts.path}?{parts.query}",
                name="GET /syndication/feeds/<id>.xml",
                catch_response=True,
            ) as response:
                if response.status_code != 200 or b"<rss" not in response.content[:500]:
                    response.failure(f"HTTP {response.status_code}")


class CallbackPoster(HttpUser):
    """Dailymotion's injector reporting imports: batches of unique events, retried on 5xx."""

    weight = 2
    wait_time = between(0.2, 0.8)

    def on_start(self) -> None:
        _load_uids()

    def _events(self) -> list[dict]:
        events = []
        for uid in random.sample(LEDGER.uids, BATCH_SIZE):
            ready = random.random() < 0.9
            data = {
                "status": "ready" if ready else "error",
                "user_id": uuid.uuid4().hex[:24],
                "uid": uid,
                "feed_id": "load-feed",
                "item_id": uuid.uuid4().hex,
            }
            if ready:
                data["remote_id"] = "x" + uuid.uuid4().hex[:8]
            else:
                data["error"] = "media could not be fetched"
            events.append(
                {
                    "timestamp": int(time.time() * 1000),
                    "type": "injector.item.ready" if ready else "injector.item.failed",
                    "data": data,
                }
            )
        return events

    def _post(self, body: str, *, replay: bool) -> dict | None:
        """Post one batch until the portal answers 200 (or MAX_ATTEMPTS); its summary or None."""
        name = "POST /syndication/callback/" + (" (replay)" if replay else "")
        for _ in range(MAX_ATTEMPTS):
            with self.client.post(
                f"/syndication/callback/?token={CALLBACK_TOKEN}",
                data=body,
                headers={"Content-Type": "application/json"},
                name=name,
                catch_response=True,
            ) as response:
                with LEDGER.lock:
                    LEDGER.posts += 1
                if response.status_code == 200:
                    return response.json()
                response.failure(f"HTTP {response.status_code}")
                if 400 <= response.status_code < 500:
                    return None  # refused for good: retrying the same body cannot help
            time.sleep(0.5)
        return None

    @task
    def post_batch(self) -> None:
        batch_id = uuid.uuid4().hex
        events = self._events()
        body = json.dumps(events)
        with LEDGER.lock:
            LEDGER.sent[batch_id] = events
        summary = self._post(body, replay=False)
        with LEDGER.lock:
            if summary is None:
                LEDGER.given_up.add(batch_id)
                return
            LEDGER.acked.add(batch_id)
            # A retried post whose first try was stored reports duplicates: still stored once.
            if summary.get("new", 0) + summary.get("duplicates", 0) != len(events):
                LEDGER.unexpected.append(f"{batch_id}: {summary}")
        if random.random() < REPLAY_SHARE:
            replayed = self._post(body, replay=True)
            with LEDGER.lock:
                LEDGER.replays += 1
                if replayed is None or replayed.get("new", 0) != 0:
                    LEDGER.replays_changed += 1


class Staff(HttpUser):
    """A staff member signed in, going through the creators, videos and callbacks pages."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.client.get("/staff/login/", name="GET /staff/login/")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/staff/login/",
            data={
                "username": STAFF_USERNAME,
                "password": STAFF_PASSWORD,
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}/staff/login/"},
            name="POST /staff/login/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login failed: HTTP {response.status_code}")

    def _page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

    @task(3)
    def creators(self) -> None:
        page = random.choice(["", "?page=2", "?status=adopted&page=7"])
        self._page(f"/staff/{page}", "GET /staff/")

    @task(3)
    def videos(self) -> None:
        page = random.choice(["", "?page=3", "?state=imported", "?state=queued&page=20"])
        self._page(f"/staff/videos/{page}", "GET /staff/videos/")

    @task(2)
    def callbacks(self) -> None:
        page = random.choice(["", "?page=2"])
        self._page(f"/staff/callbacks/{page}", "GET /staff/callbacks/")
