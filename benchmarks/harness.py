"""Shared set-up for benchmarks: Django on a throwaway test database, and measuring helpers."""

from __future__ import annotations

import contextlib
import os
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mcn_portal.settings")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)


@contextlib.contextmanager
def test_database() -> Iterator[None]:
    """A fresh, migrated database (test_<name>) for the duration of the benchmark."""
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()


@dataclass
class Measure:
    seconds: float = 0.0
    queries: int = 0
    peak_bytes: int = 0


@contextlib.contextmanager
def measure(trace_memory: bool = False) -> Iterator[Measure]:
    """Wall time, database queries and (optionally) peak Python memory of the block."""
    result = Measure()
    from django.conf import settings

    settings.DEBUG = True  # so connection.queries is recorded
    reset_queries()
    if trace_memory:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - start
        result.queries = len(connection.queries)
        if trace_memory:
            result.peak_bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()


def row(*cells: object) -> None:
    print(
        "  ".join(f"{c:>14}" if not isinstance(c, str) else f"{c:<34}" for c in cells), flush=True
    )
