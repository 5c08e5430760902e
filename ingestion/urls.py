from __future__ import annotations

from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import views


class DailymotionIdConverter(StringConverter):
    """A path segment without NUL: no PostgreSQL text holds one, and comparing with it raises."""

    regex = "[^/\x00]+"


register_converter(DailymotionIdConverter, "dmid")

urlpatterns = [
    path("me/videos/", views.my_videos, name="ingestion_my_videos"),
    path("syndication/users.json", views.users_json, name="ingestion_users_json"),
    path("syndication/feeds/<dmid:dailymotion_id>.xml", views.feed, name="ingestion_feed"),
    path("syndication/callback/", views.callback, name="ingestion_callback"),
    path("staff/videos/", views.video_list, name="ingestion_video_list"),
    path("staff/videos/import/", views.catalog_upload, name="ingestion_catalog_upload"),
    path(
        "staff/videos/imports/<int:pk>/",
        views.catalog_import_detail,
        name="ingestion_catalog_import",
    ),
    path(
        "staff/videos/imports/<int:pk>.json",
        views.catalog_import_status,
        name="ingestion_catalog_import_status",
    ),
    path("staff/videos/bulk/", views.video_bulk, name="ingestion_video_bulk"),
    path("staff/videos/<int:pk>/", views.video_detail, name="ingestion_video_detail"),
    path("staff/videos/<int:pk>/upload/", views.video_upload, name="ingestion_video_upload"),
    path("staff/videos/<int:pk>/requeue/", views.video_requeue, name="ingestion_video_requeue"),
    path("staff/callbacks/", views.callback_list, name="ingestion_callback_list"),
    path("staff/crawls/", views.crawl_list, name="ingestion_crawl_list"),
    path(
        "staff/creators/<dmid:dailymotion_id>/syndication/",
        views.creator_syndication,
        name="ingestion_creator_syndication",
    ),
]
