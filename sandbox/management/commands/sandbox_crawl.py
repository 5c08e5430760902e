"""Play Dailymotion's crawler once against the portal (user list → feeds → callbacks)."""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from sandbox.services import sandbox_crawl


class Command(BaseCommand):
    help = "Crawl the portal's syndication user list and feeds, import items, POST the callbacks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fail-share", type=float, default=0.1, help="share of items that fail (0-1)"
        )
        parser.add_argument(
            "--user-list-url", default=None, help="default: PUBLIC_BASE_URL's user list"
        )

    def handle(self, *args, fail_share: float, user_list_url: str | None, **options):
        if not 0 <= fail_share <= 1:
            raise CommandError("--fail-share must be between 0 and 1")
        result = sandbox_crawl(
            fail_share=fail_share, user_list_url=user_list_url, progress=self.stdout.write
        )
        for error in result["errors"]:
            self.stderr.write(f"  {error}")
        if not result["available"]:
            raise CommandError(result["message"])
