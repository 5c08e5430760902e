"""python manage.py poll_revenues: one synchronous revenue poll of every child, with progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from revenues.services import PollInProgress, revenues_poll


class Command(BaseCommand):
    help = "Poll the revenue figures of every adopted child once (synchronously)."

    def handle(self, *args, **options) -> None:
        bar: tqdm | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="child", desc="Polling revenues", file=self.stderr)
            bar.total = total
            bar.update(done - bar.n)

        try:
            run = revenues_poll(progress=progress, trigger="command")
        except PollInProgress as exc:
            raise CommandError(f"{exc} Nothing done.") from exc
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            f"Poll #{run.pk} {run.get_status_display().lower()}: {run.children_done} of "
            f"{run.children_total} children, {run.children_unavailable} unavailable, "
            f"{run.api_calls} API calls."
        )
        for error in run.errors:
            self.stdout.write(f"  ! {error}")
        if run.status == run.Status.FAILED:
            raise CommandError("The poll failed.")
