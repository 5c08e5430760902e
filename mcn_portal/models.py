from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by the periodic heartbeat task: proves a worker (and beat) are alive."""

    worker = models.CharField(max_length=255)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.worker} at {self.created_at:%Y-%m-%d %H:%M:%S}"
