"""Restore the sandbox to its deterministic seed (optionally with bulk children)."""

from __future__ import annotations

from django.core.management import BaseCommand

from sandbox.services import sandbox_reset, sandbox_seed_bulk


class Command(BaseCommand):
    help = "Reset the Dailymotion sandbox to its seed; --bulk N adds N children of the parent."

    def add_arguments(self, parser):
        parser.add_argument("--bulk", type=int, default=0, help="extra child accounts (benchmarks)")

    def handle(self, *args, bulk: int, **options):
        sandbox_reset()
        self.stdout.write("The sandbox is back to its seed.")
        if bulk:
            self.stdout.write(f"Added {sandbox_seed_bulk(bulk)} bulk children of the parent.")
