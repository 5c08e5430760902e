from __future__ import annotations

from django.contrib import admin

from .models import SandboxAccount, SandboxApiKey, SandboxCrawl, SandboxFault, SandboxVideo


@admin.register(SandboxAccount)
class SandboxAccountAdmin(admin.ModelAdmin):
    list_display = ("id", "username", "screenname", "parent", "is_parent", "revenues_unavailable")
    list_filter = ("is_parent", "revenues_unavailable", "bulk")
    search_fields = ("id", "username", "email")
    raw_id_fields = ("parent",)


@admin.register(SandboxApiKey)
class SandboxApiKeyAdmin(admin.ModelAdmin):
    list_display = ("client_id", "name", "roles")


@admin.register(SandboxVideo)
class SandboxVideoAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "owner", "channel", "via", "created_at")
    list_filter = ("via", "channel")
    raw_id_fields = ("owner",)


@admin.register(SandboxFault)
class SandboxFaultAdmin(admin.ModelAdmin):
    list_display = ("kind", "path_prefix", "status", "remaining", "latency_ms", "hits")


@admin.register(SandboxCrawl)
class SandboxCrawlAdmin(admin.ModelAdmin):
    list_display = ("started_at", "users", "items", "ready", "failed", "callback_status")
