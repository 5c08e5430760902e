"""A Celery worker killed (kill -9) in the middle of a revenue poll and of a bulk approval.

A real worker process takes the task from a real Redis and talks to the sandbox over HTTP (the
live server) while the sandbox answers slowly; the test kills it mid-task, lets the task come back
and checks the data: one snapshot per child, each creator adopted exactly once.
PostgreSQL only: the worker must open the test's database too (CI runs these on PostgreSQL).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from celery import Celery
from django.db import connections

from accounts.models import Creator
from adoption.models import AuditEvent, BulkJob
from revenues.models import PollRun, RevenueSnapshot

from .conftest import connect_creator

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]
PARENT = "x0mcn01"


def _database_url(alias: str) -> str:
    conf = connections[alias].settings_dict
    user = conf.get("USER") or ""
    auth = f"{user}:{conf['PASSWORD']}@" if conf.get("PASSWORD") else (f"{user}@" if user else "")
    host, port = conf.get("HOST") or "127.0.0.1", conf.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{conf['NAME']}"


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class Worker:
    """One `celery worker --pool=prefork -c 1` process on a queue of the test's own."""

    def __init__(self, env: dict, queue: str, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/faults/worker.py"), "worker", "--pool=prefork",
             "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO", "-n", f"faults-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def child_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill_child(self) -> int:
        """kill -9 the pool process running the task; the main process stays."""
        pids = self.child_pids()
        assert len(pids) == 1, pids
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def kill_all(self) -> None:
        """kill -9 the whole worker: main process and pool process at once."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text()[-4000:]


@pytest.fixture
def faults_redis_url(redis_url) -> str:
    """A Redis database of these tests alone (13): the poll lock a killed worker leaves is ours."""
    parts = urlsplit(redis_url)
    url = urlunsplit(parts._replace(path="/13"))
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def workers(sandbox, faults_redis_url, tmp_path):
    """Start workers against the test databases, Redis and the live sandbox; send them tasks."""
    if connections["default"].vendor != "postgresql":
        pytest.skip("the worker process must open the test database; CI runs this on PostgreSQL")
    live = sandbox.live_url
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": _database_url("default"),
        "SANDBOX_DATABASE_URL": _database_url("sandbox"),
        "REDIS_URL": faults_redis_url,
        "PUBLIC_BASE_URL": live,
        "DAILYMOTION_API_URL": f"{live}/sandbox/api",
        "DAILYMOTION_AUTHORIZE_URL": f"{live}/sandbox/oauth/authorize",
        "DAILYMOTION_TOKEN_URL": f"{live}/sandbox/oauth/token",
        "DAILYMOTION_CLIENT_ID": "sandbox-client-id",
        "DAILYMOTION_CLIENT_SECRET": "sandbox-client-secret",
        "DAILYMOTION_PARENT_ID": PARENT,
        "DAILYMOTION_PARENT_USERNAME": "mcn-network",
        "DAILYMOTION_PARENT_PASSWORD": "network-pass",
        "DAILYMOTION_RATE_LIMIT": "0",
        "DAILYMOTION_BACKOFF_BASE": "0.01",
        "DAILYMOTION_BACKOFF_MAX": "0.05",
        "LOG_LEVEL": "WARNING",
    }
    started: list[Worker] = []
    producer = Celery(broker=faults_redis_url, set_as_current=False)

    class Workers:
        def start(self, **extra_env: str) -> Worker:
            worker = Worker({**env, **extra_env}, queue, tmp_path / "worker.log")
            started.append(worker)
            return worker

        def send(self, name: str, **options) -> None:
            producer.send_task(name, queue=queue, **options)

    yield Workers()
    for worker in started:
        worker.stop()
    producer.close()


def test_it_resumes_a_poll_whose_worker_was_killed_without_a_duplicate_snapshot(sandbox, workers):
    sandbox.seed_bulk(497)  # with the 3 seeded children: 500 children, 5 pages of the listing
    Creator.objects.bulk_create(
        Creator(dailymotion_id=account_id, username=account_id, status=Creator.Status.ADOPTED)
        for account_id in sandbox.children_ids()
    )
    sandbox.set_latency(f"/user/{PARENT}/children", 1500)
    run = PollRun.objects.create(trigger="staff")
    worker = workers.start()
    workers.send("revenues.tasks.poll_revenues", kwargs={"run_id": run.pk})

    def half_written() -> bool:
        run.refresh_from_db()
        assert worker.process.poll() is None, worker.output()
        return run.status == PollRun.Status.RUNNING and run.children_done >= 200

    wait_for(half_written, "the first 200 snapshots")
    worker.kill_all()
    assert run.children_done < 500
    # Another worker comes up once Redis gives the unacknowledged task back.
    sandbox.set_latency(f"/user/{PARENT}/children", 0)
    time.sleep(3)
    workers.start(FAULTS_VISIBILITY_TIMEOUT="2")

    def finished() -> bool:
        run.refresh_from_db()
        return not run.is_active

    wait_for(finished, "the resumed poll to finish")
    assert run.status == PollRun.Status.SUCCEEDED, run.errors
    assert run.children_done == run.children_total == 500
    per_creator = RevenueSnapshot.objects.filter(poll=run).values_list("creator_id", flat=True)
    assert len(per_creator) == len(set(per_creator)) == Creator.objects.count()
    assert PollRun.objects.count() == 1


BULK = [f"creator{n:02d}" for n in range(1, 9)]


def test_it_adopts_each_creator_exactly_once_when_the_bulk_worker_is_killed(
    sandbox, workers, staff_user
):
    creators = [connect_creator(username) for username in BULK]
    job = BulkJob.objects.create(
        action=BulkJob.Action.APPROVE,
        creator_ids=[c.pk for c in creators],
        total=len(creators),
        created_by=staff_user,
    )
    sandbox.set_latency("/me/parents", 1000)
    worker = workers.start()
    workers.send("adoption.tasks.bulk_run", args=[job.pk])

    def some_done() -> bool:
        job.refresh_from_db()
        assert worker.process.poll() is None, worker.output()
        return job.done >= 3

    wait_for(some_done, "three adoptions")
    worker.kill_child()  # the main process sees the pool process die and puts the task back
    sandbox.set_latency("/me/parents", 0)

    def finished() -> bool:
        job.refresh_from_db()
        return job.status == BulkJob.Status.FINISHED

    wait_for(finished, "the bulk job to finish after the restart", timeout=60)
    assert (job.done, job.failed) == (len(creators), 0), job.errors
    assert set(Creator.objects.values_list("status", flat=True)) == {Creator.Status.ADOPTED}
    assert sandbox.children_ids() >= {c.dailymotion_id for c in creators}
    for creator in creators:
        assert AuditEvent.objects.filter(creator=creator, action="adopted").count() == 1
