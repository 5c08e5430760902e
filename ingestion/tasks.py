"""Celery entry points of ingestion: load by id, call the service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="ingestion.tasks.upload_video", soft_time_limit=120, time_limit=180)
def upload_video(video_id: int) -> str:
    """Upload one claimed video to Dailymotion on the creator's behalf."""
    return services.video_upload(video_id=video_id).state


@shared_task(name="ingestion.tasks.import_catalog", soft_time_limit=3300, time_limit=3600)
def import_catalog(job_id: int) -> str:
    """Import a catalog file staff uploaded in the browser; the job's page shows progress."""
    return services.catalog_import_run(job_id=job_id).status


@shared_task(name="ingestion.tasks.recover_uploads")
def recover_uploads() -> dict:
    """Beat: direct uploads a killed worker left behind (see services.uploads_recover)."""
    return services.uploads_recover()
