"""Demo revenue history: a month of daily polls of the sandbox, so the report is not empty."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Creator

from .models import PollRun, RevenueSnapshot
from .services import revenues_poll

DEMO_DAYS = 30


@contextlib.contextmanager
def live_sandbox(port: int = 0) -> Iterator[str]:
    """Serve this project in a thread (the sandbox included) and point the client at it.

    `make demo` seeds before its server starts, and benchmarks have none: the sandbox is only
    reachable over HTTP, like the real Dailymotion, so it gets a server of its own meanwhile.
    """
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    shared = {}
    for conn in connections.all():
        if conn.vendor == "sqlite" and conn.is_in_memory_db():
            conn.inc_thread_sharing()
            shared[conn.alias] = conn
    thread = LiveServerThread(
        "127.0.0.1", _StaticFilesHandler, connections_override=shared, port=port
    )
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    base = f"http://127.0.0.1:{thread.port}"
    try:
        with override_settings(
            DAILYMOTION_API_URL=f"{base}/sandbox/api",
            DAILYMOTION_TOKEN_URL=f"{base}/sandbox/oauth/token",
            DAILYMOTION_AUTHORIZE_URL=f"{base}/sandbox/oauth/authorize",
        ):
            yield base
    finally:
        thread.terminate()
        for conn in shared.values():
            conn.dec_thread_sharing()


def seed_demo(stdout) -> list[str]:
    """Poll the sandbox once a (simulated) day for a month; skipped when snapshots exist."""
    report = f"Revenues:    {settings.PUBLIC_BASE_URL}/staff/revenues/ (admin sees money)"
    if RevenueSnapshot.objects.exists():
        return [report]
    if not Creator.objects.filter(status=Creator.Status.ADOPTED).exists():
        return ["Revenues:    no adopted creator yet: approve one, then press Poll now"]
    if not apps.is_installed("sandbox"):
        run = revenues_poll(trigger="demo")
        return [f"Revenues:    first poll {run.get_status_display().lower()}", report]
    from sandbox.services import sandbox_advance_days

    now = timezone.now()
    with live_sandbox():
        run = revenues_poll(trigger="demo", at=now - timedelta(days=DEMO_DAYS))
        if run.status == PollRun.Status.FAILED:
            return [f"Revenues:    demo poll failed: {'; '.join(run.errors)}"]
        for back in range(DEMO_DAYS - 1, -1, -1):
            sandbox_advance_days(1)
            run = revenues_poll(trigger="demo", at=now - timedelta(days=back))
    stdout.write(f"Polled the sandbox's revenues once a day for {DEMO_DAYS} days.")
    return [f"Revenues:    {DEMO_DAYS} days of polls of {run.children_total} children", report]
