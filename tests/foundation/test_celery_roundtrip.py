"""A real worker process, a real Redis broker, a real database: the task's effect is visible."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from mcn_portal.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_this_test_run() -> str:
    conf = connection.settings_dict
    user = conf.get("USER") or ""
    auth = f"{user}@" if user else ""
    if conf.get("PASSWORD"):
        auth = f"{user}:{conf['PASSWORD']}@"
    host, port = conf.get("HOST") or "127.0.0.1", conf.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{conf['NAME']}"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_started_against_redis_runs_a_task_and_writes_the_database(redis_url):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker process needs a database it can open too; CI runs this on PostgreSQL"
        )
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_this_test_run(),
        "SANDBOX_DATABASE_URL": database_url_of_this_test_run() + "_sandbox",
        "REDIS_URL": redis_url,
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mcn_portal", "worker", "--pool=solo",
         "--concurrency=1", "-Q", queue, "--without-gossip", "--without-mingle",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        note = f"roundtrip-{uuid.uuid4().hex}"
        producer = Celery(broker=redis_url, set_as_current=False)
        producer.send_task("mcn_portal.tasks.heartbeat", args=[note], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if WorkerHeartbeat.objects.filter(note=note).exists():
                break
            time.sleep(0.3)
        assert worker.poll() is None, worker.stdout.read()
        assert WorkerHeartbeat.objects.filter(note=note).count() == 1
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
