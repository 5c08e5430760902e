from __future__ import annotations

from django.contrib import admin
from django.db import models

from .models import CallbackDelivery, CallbackEvent, CatalogImport, CrawlLog, Video


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "uid", "creator", "state", "remote_id", "crawl_count", "updated_at"]
    list_filter = ["state", "channel"]
    search_fields = ["title", "uid", "remote_id"]
    raw_id_fields = ["creator"]


@admin.register(CallbackEvent)
class CallbackEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "event_type", "uid", "outcome", "video"]
    list_filter = ["outcome"]
    search_fields = ["uid", "remote_id"]
    raw_id_fields = ["delivery", "video"]


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "status", "body_bytes", "error"]
    list_filter = ["status"]


@admin.register(CrawlLog)
class CrawlLogAdmin(admin.ModelAdmin):
    list_display = ["at", "endpoint", "creator", "status", "items"]
    list_filter = ["endpoint", "status"]
    raw_id_fields = ["creator"]


@admin.register(CatalogImport)
class CatalogImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "status", "rows", "created", "updated", "error_count"]
    list_filter = ["status"]
    exclude = ["content"]
    raw_id_fields = ["created_by"]
