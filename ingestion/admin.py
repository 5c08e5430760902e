from __future__ import annotations

from django.contrib import admin

from .models import CallbackDelivery, CallbackEvent, CrawlLog, Video


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
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
