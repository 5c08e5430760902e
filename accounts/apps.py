from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Creators and Dailymotion accounts"

    def ready(self) -> None:
        from .groups import groups_sync_after_migrate

        post_migrate.connect(groups_sync_after_migrate, dispatch_uid="accounts_groups_sync")
