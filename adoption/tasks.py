"""Celery entry points: each loads by id and calls a service."""

from __future__ import annotations

from celery import shared_task

from accounts.models import Creator

from . import services
from .models import BulkJob


@shared_task(name="adoption.tasks.sync_children", ignore_result=True)
def sync_children() -> int:
    """The daily reconciliation of our records with the parent's children (beat schedule)."""
    return services.children_reconcile().pk


@shared_task(name="adoption.tasks.bulk_run", ignore_result=True)
def bulk_run(job_id: int) -> None:
    """Run one bulk approve/reject job."""
    job = BulkJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is not None:
        services.bulk_run(job=job)


@shared_task(name="adoption.tasks.notify_decision", ignore_result=True)
def notify_decision(creator_id: int, decision: str) -> None:
    """E-mail a creator about a decision."""
    creator = Creator.objects.filter(pk=creator_id).first()
    if creator is not None:
        services.creator_notify(creator=creator, decision=decision)
