"""Demo seed for `make demo`: the sandbox is seeded once and left alone afterwards."""

from __future__ import annotations

from django.conf import settings

from .services import sandbox_is_seeded, sandbox_reset


def seed_demo(stdout) -> list[str]:
    """Seed the sandbox if it is empty (idempotent); return the lines to print."""
    if not sandbox_is_seeded():
        sandbox_reset()
        stdout.write("Seeded the Dailymotion sandbox.")
    base = settings.PUBLIC_BASE_URL
    return [
        f"Sandbox (a local Dailymotion): {base}/sandbox/  "
        "creators log in as creator01 / pass-creator01",
        "Sandbox parent account: mcn-network / network-pass (id x0mcn01)",
    ]
