"""`make load`: crawler, callback poster and staff at once on gunicorn + PostgreSQL + Redis.

Creates fresh databases (mcn_load, mcn_load_sandbox), migrates and seeds them (LOAD_CREATORS adopted
creators with syndication on, LOAD_VIDEOS queued videos, one staff user), starts gunicorn on
127.0.0.1:LOAD_PORT, runs the locust users of benchmarks/locustfile.py for LOAD_SECONDS, prints
requests/s and p50/p95/p99 per endpoint, then counts the stored callback events against what was
sent. Exits 1 on any 5xx, any lost or duplicated callback event. Drops the databases at the end.

DJANGO_DEBUG=1 on purpose: with DEBUG off the settings (rightly) mark cookies Secure and redirect to
HTTPS, which a plain-HTTP client on 127.0.0.1 cannot follow; everything else is as in production
(PostgreSQL, Redis cache and broker, gunicorn with 3 workers x 4 threads, persistent connections).
"""

from __future__ import annotations

# Locust patches the standard library with gevent; it must come before anything that uses sockets.
from locust import events as locust_events  # isort: skip
from locust.env import Environment  # isort: skip

import collections
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import gevent

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PG = os.environ.get("LOAD_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("LOAD_DB", "mcn_load")
PORT = int(os.environ.get("LOAD_PORT", "8107"))
BASE = f"http://127.0.0.1:{PORT}"
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
USERS = int(os.environ.get("LOAD_USERS", "15"))
CREATORS = int(os.environ.get("LOAD_CREATORS", "2000"))
VIDEOS = int(os.environ.get("LOAD_VIDEOS", "20000"))
STAFF_PASSWORD = secrets.token_urlsafe(16)

SERVER_ENV = {
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "SANDBOX_DATABASE_URL": f"{PG}/{DB_NAME}_sandbox",
    "REDIS_URL": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/14"),
    "DJANGO_DEBUG": "1",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "PUBLIC_BASE_URL": BASE,
    "SYNDICATION_TOKEN": "load-syndication-" + secrets.token_urlsafe(12),
    "CALLBACK_TOKEN": "load-callback-" + secrets.token_urlsafe(12),
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "mcn_portal.settings",
        "STAFF_USERNAME": "load-staff",
        "STAFF_PASSWORD": STAFF_PASSWORD,
    }
)


# --- Databases -----------------------------------------------------------------------------------
def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    connection.autocommit = True
    return connection


def databases_recreate(drop_only: bool = False) -> None:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            for name in (DB_NAME, f"{DB_NAME}_sandbox"):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if not drop_only:
                    cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def redis_flush() -> None:
    import redis

    redis.Redis.from_url(SERVER_ENV["REDIS_URL"]).flushdb()


def seed(uids_path: Path) -> None:
    """Migrate both aliases, then bulk-create creators, videos and a staff user."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Creator
    from ingestion.models import Video

    started = time.monotonic()
    call_command("migrate", database="default", verbosity=0)
    call_command("migrate", database="sandbox", verbosity=0)
    now = timezone.now()
    Creator.objects.bulk_create(
        [
            Creator(
                dailymotion_id=f"x9ld{i:05d}",
                username=f"load{i:05d}",
                screenname=f"Load Creator {i}",
                email=f"load{i:05d}@creators.example",
                status=Creator.Status.ADOPTED,
                syndication_enabled=True,
                connected_at=now,
            )
            for i in range(CREATORS)
        ],
        batch_size=1000,
    )
    creator_ids = list(Creator.objects.order_by("id").values_list("id", flat=True))
    uids = []
    videos = []
    for n in range(VIDEOS):
        uid = f"ld-{n:06d}"
        uids.append(uid)
        videos.append(
            Video(
                creator_id=creator_ids[n % len(creator_ids)],
                uid=uid,
                title=f"Load video {n}",
                description="A video of the load test.",
                video_url=f"https://media.example/load/{uid}.mp4",
                thumbnail_url=f"https://media.example/load/{uid}.jpg",
                channel="news",
                tags=["load", "test"],
                published_at=now,
            )
        )
    Video.objects.bulk_create(videos, batch_size=2000)
    User.objects.create_superuser("load-staff", "staff@load.example", STAFF_PASSWORD)
    uids_path.write_text("\n".join(uids))
    print(
        f"seeded {CREATORS} adopted creators, {VIDEOS} queued videos, 1 staff user "
        f"in {time.monotonic() - started:.1f} s",
        flush=True,
    )


# --- Server --------------------------------------------------------------------------------------
def gunicorn_start(log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "mcn_portal.wsgi", "-b", f"127.0.0.1:{PORT}",
         "-w", "3", "--threads", "4", "--timeout", "60", "--graceful-timeout", "10"],
        cwd=ROOT, env={**os.environ, **SERVER_ENV}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                if response.status == 200:
                    print(f"gunicorn up on {BASE}: {response.read().decode()}", flush=True)
                    return server
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz in 60 s; see {log_path}")


def gunicorn_stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- Load ----------------------------------------------------------------------------------------
def run_load() -> tuple[Environment, dict, float]:
    from locustfile import CallbackPoster, Crawler, Staff

    server_errors: dict[str, int] = collections.Counter()

    def on_request(request_type, name, response=None, exception=None, **kwargs):
        status = getattr(response, "status_code", 0) or 0
        if status >= 500:
            server_errors[f"{request_type} {name}"] += 1

    locust_events.request.add_listener(on_request)
    env = Environment(
        user_classes=[Crawler, CallbackPoster, Staff],
        host=BASE,
        events=locust_events,
        stop_timeout=30,  # at the end, each user finishes its task (and its retries) first
    )
    runner = env.create_local_runner()
    print(f"load: {USERS} users (crawler 2 : callbacks 2 : staff 1) for {SECONDS} s", flush=True)
    started = time.monotonic()
    runner.start(USERS, spawn_rate=USERS)
    gevent.sleep(SECONDS)
    runner.quit()
    return env, server_errors, time.monotonic() - started


def report(env: Environment, server_errors: dict, elapsed: float) -> int:
    print(
        f"\n{'endpoint':<42}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'errors':>8}{'5xx':>6}"
    )
    total_5xx = 0
    for entry in sorted(env.stats.entries.values(), key=lambda e: e.name):
        key = f"{entry.method} {entry.name}"
        fives = sum(n for k, n in server_errors.items() if k == key)
        total_5xx += fives
        print(
            f"{entry.name:<42}{entry.num_requests:>9}{entry.num_requests / elapsed:>8.1f}"
            f"{entry.get_response_time_percentile(0.50):>8.0f}"
            f"{entry.get_response_time_percentile(0.95):>8.0f}"
            f"{entry.get_response_time_percentile(0.99):>8.0f}"
            f"{entry.num_failures:>8}{fives:>6}"
        )
    total = env.stats.total
    print(
        f"{'all':<42}{total.num_requests:>9}{total.num_requests / elapsed:>8.1f}"
        f"{total.get_response_time_percentile(0.50):>8.0f}"
        f"{total.get_response_time_percentile(0.95):>8.0f}"
        f"{total.get_response_time_percentile(0.99):>8.0f}{total.num_failures:>8}{total_5xx:>6}"
    )
    for error in env.stats.errors.values():
        print(f"  error x{error.occurrences}: {error.method} {error.name}: {error.error}")
    return total_5xx


def callbacks_check() -> bool:
    """Every acknowledged event stored exactly once; nothing stored that was not sent."""
    from django.db import connections
    from django.db.models import Count
    from locustfile import LEDGER

    from ingestion.models import CallbackDelivery, CallbackEvent, Video
    from ingestion.services import event_key

    connections.close_all()
    sent = {event_key(e) for events in LEDGER.sent.values() for e in events}
    acked = {event_key(e) for b in LEDGER.acked for e in LEDGER.sent[b]}
    stored_rows = CallbackEvent.objects.count()
    stored = set(CallbackEvent.objects.values_list("dedupe_key", flat=True))
    unsent = stored - sent
    lost = acked - stored
    duplicates = (stored_rows - len(stored)) + len(unsent) + LEDGER.replays_changed
    unprocessed = CallbackDelivery.objects.exclude(
        status__in=[CallbackDelivery.Status.PROCESSED]
    ).count()
    print("\ncallback integrity")
    deliveries = CallbackDelivery.objects.count()
    print(f"  batches sent {len(LEDGER.sent)}, acknowledged {len(LEDGER.acked)}, "
          f"never acknowledged {len(LEDGER.given_up)}, posts {LEDGER.posts} "
          f"(deliveries stored {deliveries}, not processed {unprocessed})")  # fmt: skip
    print(f"  events sent {len(sent)}, acknowledged {len(acked)}, rows stored {stored_rows}")
    print(f"  replays of acknowledged batches {LEDGER.replays}, that changed something "
          f"{LEDGER.replays_changed}")  # fmt: skip
    in_flight = set(LEDGER.sent) - LEDGER.acked - LEDGER.given_up
    if in_flight:
        print(f"  batches still in flight when the load stopped: {len(in_flight)}")
    print(f"  lost {len(lost)}, duplicated {duplicates}, summaries that did not add up "
          f"{len(LEDGER.unexpected)}")  # fmt: skip
    states = dict(Video.objects.values_list("state").annotate(n=Count("id")).order_by())
    print(f"  videos by state {states}")
    ok = not lost and not duplicates and not LEDGER.given_up and not LEDGER.unexpected
    ok = ok and len(acked) > 0 and unprocessed == 0
    for line in LEDGER.unexpected[:5]:
        print(f"  unexpected summary {line}")
    return ok


def main() -> int:
    server = None

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    workdir = Path(tempfile.mkdtemp(prefix="mcn-load-"))
    uids_path = workdir / "uids.txt"
    os.environ["LOAD_UIDS"] = str(uids_path)
    log_path = workdir / "gunicorn.log"
    try:
        databases_recreate()
        redis_flush()
        seed(uids_path)
        from django.db import connections

        connections.close_all()
        server = gunicorn_start(log_path)
        env, server_errors, elapsed = run_load()
        gunicorn_stop(server)  # graceful: requests still being handled finish before the count
        total_5xx = report(env, server_errors, elapsed)
        callbacks_ok = callbacks_check()
        if total_5xx:
            print(f"\nFAIL: {total_5xx} responses were 5xx; gunicorn log: {log_path}")
        if not callbacks_ok:
            print("\nFAIL: callback events lost, duplicated or not acknowledged")
        if total_5xx or not callbacks_ok:
            return 1
        print("\nOK: no 5xx, every acknowledged callback event stored exactly once")
        return 0
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", flush=True)
        return 130
    finally:
        gunicorn_stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        databases_recreate(drop_only=True)
        print(f"databases {DB_NAME}, {DB_NAME}_sandbox dropped; logs in {workdir}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
