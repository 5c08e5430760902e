"""Let N days pass in the sandbox: every account earns, revenue periods move on."""

from __future__ import annotations

from django.core.management import BaseCommand

from sandbox.services import sandbox_advance_days


class Command(BaseCommand):
    help = "Advance the sandbox clock by N days of earnings."

    def add_arguments(self, parser):
        parser.add_argument("days", type=int, nargs="?", default=1)

    def handle(self, *args, days: int, **options):
        self.stdout.write(f"The sandbox's today is now {sandbox_advance_days(days)}.")
