from __future__ import annotations

from django.contrib import admin
from django.db import models

from .models import Creator, DailymotionCredential


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("username", "dailymotion_id", "status", "status_changed_at", "connected_at")
    list_filter = ("status",)
    search_fields = ("username", "screenname", "email", "dailymotion_id")
    readonly_fields = ("user", "decision_claimed_at", "created_at", "updated_at")
    list_select_related = ("user",)


@admin.register(DailymotionCredential)
class DailymotionCredentialAdmin(admin.ModelAdmin):
    list_display = ("username", "dailymotion_id", "kind", "needs_reconnect", "expires_at")
    list_filter = ("kind", "needs_reconnect")
    search_fields = ("username", "dailymotion_id")
    # Tokens never appear on a page, not even an admin one.
    exclude = ("access_token", "refresh_token")
    readonly_fields = ("kind", "creator", "dailymotion_id", "scope", "roles", "refreshed_at")

    def has_add_permission(self, request) -> bool:
        return False
