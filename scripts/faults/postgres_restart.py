"""Fault scenario: PostgreSQL restarts while Dailymotion posts callbacks (run by `make faults`).

Starts gunicorn on 127.0.0.1:8108 against a fresh database (mcn_pgfault), posts batches of 50
unique callback events from a few threads (each batch retried on 5xx or a broken connection, as
Dailymotion would), restarts PostgreSQL in the middle, then checks: every batch was acknowledged,
every event stored exactly once, none left unprocessed. Exits 1 otherwise.

Never part of the test suite: restarting PostgreSQL breaks every other connection to it.
"""

# An operator's script: it starts our own gunicorn and pg_ctlcluster, and speaks HTTP to 127.0.0.1.
# ruff: noqa: S108, S110, S310, S603, S607

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PG = os.environ.get("FAULTS_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "mcn_pgfault"
PORT = int(os.environ.get("FAULTS_PORT", "8108"))
BASE = f"http://127.0.0.1:{PORT}"
BATCHES = int(os.environ.get("FAULTS_BATCHES", "120"))
SENDERS = 4
VIDEOS = 2000
RESTART_AFTER = 3.0  # seconds of traffic before the restart
ENV = {
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "SANDBOX_DATABASE_URL": f"{PG}/{DB_NAME}_sandbox",
    "REDIS_URL": "redis://127.0.0.1:6379/12",
    "DJANGO_DEBUG": "1",
    "PUBLIC_BASE_URL": BASE,
    "SYNDICATION_TOKEN": "pgfault-syndication-" + secrets.token_urlsafe(8),
    "CALLBACK_TOKEN": "pgfault-callback-" + secrets.token_urlsafe(8),
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "mcn_portal.settings",
}
os.environ.update(ENV)


def databases(create: bool) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        for name in (DB_NAME, f"{DB_NAME}_sandbox"):
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def seed() -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Creator
    from ingestion.models import Video

    call_command("migrate", database="default", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    Creator.objects.bulk_create(
        Creator(dailymotion_id=f"x9pg{i:04d}", username=f"pg{i}", status="adopted")
        for i in range(100)
    )
    ids = list(Creator.objects.values_list("id", flat=True))
    uids = [f"pg-{n:05d}" for n in range(VIDEOS)]
    Video.objects.bulk_create(
        [
            Video(
                creator_id=ids[n % len(ids)],
                uid=uid,
                title=uid,
                video_url=f"https://media.example/{uid}.mp4",
                channel="news",
            )
            for n, uid in enumerate(uids)
        ],
        batch_size=1000,
    )
    from django.db import connections

    connections.close_all()
    return uids


def gunicorn_start(log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "mcn_portal.wsgi", "-b", f"127.0.0.1:{PORT}",
         "-w", "2", "--threads", "4", "--timeout", "60"],
        cwd=ROOT, env={**os.environ, **ENV}, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not start; see {log}")


class Sender:
    """Posts batches with retries; remembers what was sent, acknowledged and how it went."""

    def __init__(self, uids: list[str]) -> None:
        self.uids = uids
        self.lock = threading.Lock()
        self.sent: dict[str, list[dict]] = {}
        self.acked: set[str] = set()
        self.statuses: dict[str, int] = {}  # "500", "conn", "200 after retry" ...

    def count(self, key: str) -> None:
        with self.lock:
            self.statuses[key] = self.statuses.get(key, 0) + 1

    def batch(self, n: int) -> list[dict]:
        ts = int(time.time() * 1000)
        return [
            {
                "timestamp": ts,
                "type": "injector.item.ready",
                "data": {
                    "status": "ready",
                    "uid": self.uids[(n * 50 + i) % len(self.uids)],
                    "remote_id": "x" + uuid.uuid4().hex[:8],
                    "item_id": uuid.uuid4().hex,
                },
            }
            for i in range(50)
        ]

    def post(self, n: int) -> None:
        events = self.batch(n)
        batch_id = f"b{n}"
        with self.lock:
            self.sent[batch_id] = events
        body = json.dumps(events).encode()
        url = f"{BASE}/syndication/callback/?token={ENV['CALLBACK_TOKEN']}"
        retried = False
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    summary = json.loads(response.read())
                if summary.get("new", 0) + summary.get("duplicates", 0) != len(events):
                    self.count("200 that did not add up")
                self.count("200 after a retry" if retried else "200")
                with self.lock:
                    self.acked.add(batch_id)
                return
            except urllib.error.HTTPError as exc:
                self.count(str(exc.code))
                if exc.code < 500:
                    return
            except OSError:
                self.count("no answer")
            retried = True
            time.sleep(0.5)

    def run(self, numbers: list[int]) -> None:
        for n in numbers:
            self.post(n)


def postgres_restart() -> float:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )
    return time.monotonic() - started


def check(sender: Sender) -> bool:
    from django.db import connections

    from ingestion.models import CallbackEvent
    from ingestion.services import event_key

    connections.close_all()
    sent = {event_key(e) for events in sender.sent.values() for e in events}
    rows = CallbackEvent.objects.count()
    stored = set(CallbackEvent.objects.values_list("dedupe_key", flat=True))
    pending = CallbackEvent.objects.filter(outcome=CallbackEvent.Outcome.PENDING).count()
    unacked = len(sender.sent) - len(sender.acked)
    lost = len(sent - stored)
    duplicated = rows - len(stored) + len(stored - sent)
    print(f"answers: {dict(sorted(sender.statuses.items()))}")
    print(f"batches sent {len(sender.sent)}, acknowledged {len(sender.acked)}")
    print(f"events sent {len(sent)}, rows stored {rows}, lost {lost}, duplicated {duplicated}, "
          f"left unprocessed (pending) {pending}")  # fmt: skip
    return not (unacked or lost or duplicated or pending)


def main() -> int:
    server = None
    log = Path(f"/tmp/mcn-pgfault-gunicorn-{os.getpid()}.log")
    try:
        databases(create=True)
        uids = seed()
        server = gunicorn_start(log)
        sender = Sender(uids)
        threads = [
            threading.Thread(target=sender.run, args=(list(range(i, BATCHES, SENDERS)),))
            for i in range(SENDERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(RESTART_AFTER)
        print(f"PostgreSQL restarted in {postgres_restart():.1f} s, while callbacks arrive")
        for thread in threads:
            thread.join()
        ok = check(sender)
        print("OK: every batch acknowledged, every event stored once" if ok else "FAIL")
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        databases(create=False)
        print(f"database {DB_NAME} dropped; gunicorn log {log}")


if __name__ == "__main__":
    sys.exit(main())
