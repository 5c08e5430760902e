"""Staff groups: 'Reviewer' (see and decide on creators) and 'Manager' (everything)."""

from __future__ import annotations

REVIEWER = "Reviewer"
MANAGER = "Manager"
REVIEWER_PERMISSIONS = ("view_creator", "decide_creator")
MANAGER_APPS = ("accounts", "adoption", "ingestion", "revenues")


def groups_sync(group_model, permission_model, using: str = "default") -> None:
    """Create both groups and give them their permissions; safe to run again (idempotent)."""
    groups = group_model.objects.using(using)
    permissions = permission_model.objects.using(using)
    reviewer, _ = groups.get_or_create(name=REVIEWER)
    reviewer.permissions.add(
        *permissions.filter(content_type__app_label="accounts", codename__in=REVIEWER_PERMISSIONS)
    )
    manager, _ = groups.get_or_create(name=MANAGER)
    manager.permissions.add(*permissions.filter(content_type__app_label__in=MANAGER_APPS))


def groups_sync_after_migrate(sender, **kwargs) -> None:
    """post_migrate: the other apps' permissions exist only after their own migrations ran."""
    from django.contrib.auth.models import Group, Permission
    from django.db import router

    using = kwargs.get("using", "default")
    if sender.label not in MANAGER_APPS or not router.allow_migrate_model(using, Group):
        return
    groups_sync(Group, Permission, using)
