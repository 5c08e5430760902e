"""Shared pieces of the hostile-input suite: a hypothesis profile, tokens, a staff client."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings

# Function-scoped fixtures (db, clients) are built once per test, not per example: each example
# runs inside its own savepoint (`rolled_back`) so it starts from the same database.
settings.register_profile(
    "hostile",
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
    print_blob=True,
)
settings.register_profile("hostile-ci", parent=settings.get_profile("hostile"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hostile"))

# The suite runs in well under a minute; HOSTILE_SCALE=10 searches ten times harder.
SCALE = float(os.environ.get("HOSTILE_SCALE", "1"))


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


CALLBACK_TOKEN = "cb-hostile"
FEED_TOKEN = "feed-hostile"


@pytest.fixture
def hostile_tokens(settings):
    settings.SYNDICATION_TOKENS = [FEED_TOKEN]
    settings.CALLBACK_TOKENS = [CALLBACK_TOKEN]
    settings.PUBLIC_BASE_URL = "https://portal.example.com"
    return settings


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is always rolled back, so examples never meet."""
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client
