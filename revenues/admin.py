from __future__ import annotations

from django.contrib import admin

from .models import DailyEarning, PollRun, RevenueShare, RevenueSnapshot


@admin.register(PollRun)
class PollRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "children_done",
        "api_calls",
    ]
    list_filter = ["status", "trigger"]


@admin.register(RevenueSnapshot)
class RevenueSnapshotAdmin(admin.ModelAdmin):
    list_display = ["creator", "taken_at", "status", "restated", "video_total", "website_total"]
    list_filter = ["status", "restated"]
    raw_id_fields = ["creator", "poll"]


@admin.register(DailyEarning)
class DailyEarningAdmin(admin.ModelAdmin):
    list_display = ["creator", "date", "total", "creator_share", "restated"]
    raw_id_fields = ["creator"]


@admin.register(RevenueShare)
class RevenueShareAdmin(admin.ModelAdmin):
    list_display = ["creator", "percent", "effective_from", "set_by", "created_at"]
    raw_id_fields = ["creator"]
