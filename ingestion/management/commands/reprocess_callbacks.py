"""python manage.py reprocess_callbacks [--failed]: replay stored callback events."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ingestion import services


class Command(BaseCommand):
    help = (
        "Replay stored callback events through the normal processing: by default those that had "
        "no effect (unknown uid, ambiguous, pending); with --failed, the failed imports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true")

    def handle(self, *args, failed: bool, **options):
        totals = {"events": 0, "matched": 0, "unmatched": 0, "failed": 0}
        for summary in services.callbacks_reprocess(failed=failed):
            for key in totals:
                totals[key] += summary.get(key, 0)
        self.stdout.write(
            "{events} events replayed: {matched} matched, {unmatched} unmatched, "
            "{failed} failures".format(**totals)
        )
