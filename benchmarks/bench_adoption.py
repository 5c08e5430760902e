"""The staff creators list (/staff/) with many creators: time and queries per page."""

from __future__ import annotations

import time

from harness import measure, row, test_database

SIZES = {"small": 2_000, "full": 100_000}


def main(scale: str) -> None:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from adoption.tests.bulk_data import creators_bulk_create

    count = SIZES.get(scale, SIZES["full"])
    with test_database():
        start = time.perf_counter()
        creators_bulk_create(count)
        row(f"seed {count:,} creators", f"{time.perf_counter() - start:.1f} s")
        manager = User.objects.create_user("bench-manager", is_staff=True)
        manager.groups.add(Group.objects.get(name="Manager"))
        client = Client()
        client.force_login(manager)
        client.get("/staff/")  # warm-up: template compilation, session
        row("request", "seconds", "queries")
        last_page = (count * 3 // 4 + 49) // 50
        for label, query in [
            ("/staff/ (page 1)", {}),
            ("/staff/ pending, last page", {"status": "pending", "page": last_page}),
            ("/staff/ sorted by views", {"sort": "views", "page": 10}),
            ("/staff/ search 'bulk-00012'", {"q": "bulk-00012"}),
            ("/staff/ adopted, by followers", {"status": "adopted", "sort": "followers"}),
        ]:
            with measure() as m:
                response = client.get("/staff/", query)
            assert response.status_code == 200, response.status_code
            row(label, f"{m.seconds:.3f}", m.queries)
