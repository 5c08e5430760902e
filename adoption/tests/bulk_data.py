"""Many creators fast (bulk_create), for list and benchmark tests."""

from __future__ import annotations

from accounts.models import Creator

STATUSES = (Creator.Status.PENDING, Creator.Status.ADOPTED, Creator.Status.REJECTED)


def creators_bulk_create(count: int, *, start: int = 0, batch_size: int = 5000) -> None:
    """count creators, mostly pending, with profile facts; no users or tokens (not needed)."""
    Creator.objects.bulk_create(
        (
            Creator(
                dailymotion_id=f"xb{n:07d}",
                username=f"bulk-{n:07d}",
                screenname=f"Bulk {n}",
                email=f"bulk{n}@example.com",
                status=STATUSES[0] if n % 4 else STATUSES[1 + (n // 4) % 2],
                followers_total=n * 7 % 10_000,
                videos_total=n % 300,
                views_total=n * 13 % 1_000_000,
            )
            for n in range(start, start + count)
        ),
        batch_size=batch_size,
    )
