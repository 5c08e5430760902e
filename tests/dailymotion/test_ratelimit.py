"""The shared rate limit: a token bucket in-process or in Redis, taken before every call."""

from __future__ import annotations

import uuid

import pytest

from mcn_portal.lib.dailymotion import DailymotionClient, StaticTokenSource
from mcn_portal.lib.ratelimit import (
    LocalTokenBucket,
    RedisTokenBucket,
    Unlimited,
    shared_rate_limiter,
)

from .conftest import API, add_fixture


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_it_allows_a_burst_of_one_second_then_spaces_calls_at_the_rate():
    clock, sleeps = FakeClock(), []
    bucket = LocalTokenBucket(5, clock=clock, sleep=sleeps.append)

    for _ in range(5):
        bucket.acquire()
    assert sleeps == []

    bucket.acquire()
    bucket.acquire()
    assert sleeps == pytest.approx([0.2, 0.4])  # each waits for its own turn

    clock.now += 10  # idle: the bucket refills, but never beyond one second's worth
    sleeps.clear()
    for _ in range(7):
        bucket.acquire()
    assert len(sleeps) == 2


@pytest.mark.redis
def test_it_shares_the_limit_between_workers_through_redis(redis_url):
    key = f"test:ratelimit:{uuid.uuid4()}"
    first_sleeps, second_sleeps = [], []
    # Two workers, one call per 10 s between them.
    first = RedisTokenBucket(redis_url, 0.1, capacity=1, key=key, sleep=first_sleeps.append)
    second = RedisTokenBucket(redis_url, 0.1, capacity=1, key=key, sleep=second_sleeps.append)

    first.acquire()
    second.acquire()
    first.acquire()

    assert len(first_sleeps) == 1  # the first call went straight through
    assert 5 < second_sleeps[0] <= 10
    assert 15 < first_sleeps[0] <= 20  # queued behind the second worker's turn


def test_it_keeps_working_in_process_when_redis_is_down():
    sleeps = []
    bucket = RedisTokenBucket("redis://127.0.0.1:1/0", 1, capacity=1, sleep=sleeps.append)

    bucket.acquire()
    bucket.acquire()

    assert len(sleeps) == 1 and 0 < sleeps[0] <= 1


def test_it_takes_a_token_before_every_request_retries_included(rsps, sleeps):
    taken = []

    class Counting:
        def acquire(self) -> None:
            taken.append(1)

    client = DailymotionClient(StaticTokenSource("t"), sleep=sleeps.append, rate_limiter=Counting())
    add_fixture(rsps, "GET", f"{API}/me", "error_server")
    add_fixture(rsps, "GET", f"{API}/me", "me")

    client.me()

    assert len(taken) == 2 == client.calls_made


def test_it_picks_redis_when_configured_and_a_local_bucket_otherwise(settings, redis_url):
    settings.DAILYMOTION_RATE_LIMIT = 7
    settings.REDIS_URL = ""
    assert isinstance(shared_rate_limiter(), LocalTokenBucket)
    settings.REDIS_URL = redis_url
    assert isinstance(shared_rate_limiter(), RedisTokenBucket)
    settings.DAILYMOTION_RATE_LIMIT = 0
    assert isinstance(shared_rate_limiter(), Unlimited)
