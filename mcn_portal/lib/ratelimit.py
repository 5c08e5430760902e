"""A token bucket for Dailymotion calls, shared by every worker (in Redis) or by one process.

DAILYMOTION_RATE_LIMIT calls per second, bursts of up to one second's worth. The client calls
`acquire()` before each request; it sleeps until the caller's turn.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import cache
from typing import Protocol

log = logging.getLogger("mcn_portal.ratelimit")


class RateLimiter(Protocol):
    def acquire(self) -> None: ...


class Unlimited:
    """No limit (DAILYMOTION_RATE_LIMIT <= 0)."""

    def acquire(self) -> None:
        return None


class LocalTokenBucket:
    """A token bucket in this process: enough without Redis, where tasks run in-process anyway."""

    def __init__(
        self,
        rate: float,
        *,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self.clock, self.sleep = clock, sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take a token now (possibly going into debt); return how long to wait before using it."""
        with self._lock:
            now = self.clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)


# The bucket lives in one Redis hash: tokens left and when they were counted (server time, so the
# workers' clocks need not agree). Taking a token may go into debt; the caller then waits for the
# debt to be paid back, so waiting callers are served in arrival order without polling Redis.
_RESERVE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
if tokens >= 0 then return '0' end
return tostring(-tokens / rate)
"""


class RedisTokenBucket:
    """The same bucket in Redis, so every worker process shares DAILYMOTION_RATE_LIMIT."""

    def __init__(
        self,
        url: str,
        rate: float,
        *,
        capacity: float | None = None,
        key: str = "mcn:ratelimit:dailymotion",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import redis

        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self.key, self.sleep = key, sleep
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._script = self._redis.register_script(_RESERVE)
        self._fallback = LocalTokenBucket(rate, capacity=self.capacity)
        self._errors = redis.RedisError

    def reserve(self) -> float:
        """Take a token (possibly into debt); return how long to wait before using it."""
        try:
            return float(self._script(keys=[self.key], args=[self.rate, self.capacity]))
        except self._errors as exc:
            # Redis down must not stop every Dailymotion call: limit this process alone meanwhile.
            log.warning(
                "rate limiter: Redis unavailable (%s); limiting in-process", type(exc).__name__
            )
            return self._fallback.reserve()

    def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)


@cache
def _limiter(redis_url: str, rate: float) -> RateLimiter:
    if rate <= 0:
        return Unlimited()
    if redis_url:
        return RedisTokenBucket(redis_url, rate)
    return LocalTokenBucket(rate)


def shared_rate_limiter() -> RateLimiter:
    """The limiter for the configured REDIS_URL and DAILYMOTION_RATE_LIMIT (one per process)."""
    from django.conf import settings

    return _limiter(settings.REDIS_URL, float(settings.DAILYMOTION_RATE_LIMIT))
