from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from adoption.services import children_reconcile


class Command(BaseCommand):
    help = "Reconcile adoption state with the parent's children on Dailymotion (CONTRACT §3)."

    def handle(self, *args, **options) -> None:
        run = children_reconcile()
        if run.error:
            raise CommandError(run.error)
        self.stdout.write(
            f"{run.children_seen} children on Dailymotion; {run.differences} differences "
            "(listed on /staff/drift/)."
        )
