from __future__ import annotations

from django.contrib import admin

from .models import AuditEvent, BulkJob, Drift, ReconcileRun


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "creator", "action", "from_status", "to_status")
    list_filter = ("action",)
    search_fields = ("creator__username", "actor__username", "note")
    list_select_related = ("actor", "creator")

    # The audit trail is append-only.
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(BulkJob)
admin.site.register(ReconcileRun)
admin.site.register(Drift)
