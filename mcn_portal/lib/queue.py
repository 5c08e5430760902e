"""Queue Celery tasks after the transaction commits, without ever losing them."""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue after commit; if the broker is unreachable, run the task here rather than lose it."""

    def send() -> None:
        try:
            task.apply_async(args, kwargs)
        # Broker down surfaces as kombu's OperationalError, or as "Acquire on closed pool"
        # once the producer pool gave up; either way the work must not be dropped.
        except Exception:
            log.warning("broker unreachable: running %s in-process", task.name, exc_info=True)
            task.apply(args, kwargs)

    transaction.on_commit(send)
