"""Celery entry points of the revenues app; the work is in services.revenues_poll."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from .models import PollRun
from .services import PollInProgress, revenues_poll

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="revenues.tasks.poll_revenues",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def poll_revenues(self, run_id: int | None = None) -> int | None:
    """Poll every adopted child's revenues (beat, or "Poll now" with the queued run's id)."""
    task_id = self.request.id or ""
    if run_id is not None:
        run = PollRun.objects.filter(pk=run_id).first()
        if run is None:
            return None
    else:
        # A task redelivered after its worker died carries the same id: resume that run.
        run = PollRun.objects.filter(task_id=task_id).first() if task_id else None
    try:
        run = revenues_poll(
            run=run, trigger="beat" if run is None else run.trigger, task_id=task_id
        )
    except PollInProgress as exc:
        logger.info("revenue poll skipped: %s", exc)
        return None
    return run.pk
