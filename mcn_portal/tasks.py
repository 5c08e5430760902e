from __future__ import annotations

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat


@shared_task(name="mcn_portal.tasks.heartbeat", ignore_result=True)
def heartbeat(note: str = "") -> int:
    """Record that a worker ran a task; keep a day of them."""
    WorkerHeartbeat.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).delete()
    return WorkerHeartbeat.objects.create(worker=socket.gethostname(), note=note[:255]).pk
