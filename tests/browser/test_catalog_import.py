"""A catalog too big for one request: imported by a task while its page shows progress."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from .test_full_journey import sign_in_staff

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

HEADER = "owner,uid,title,description,video_url,thumbnail_url,channel,tags,published_at\n"


@pytest.fixture
def manager_page(new_page, dailymotion_sandbox):
    manager = User.objects.create_user("manager", password="manager-pass", is_staff=True)
    manager.groups.add(Group.objects.get(name="Manager"))
    page = new_page()
    sign_in_staff(page, dailymotion_sandbox.live_url, "manager", "manager-pass")
    return page


def test_a_big_file_goes_to_the_background_and_its_page_shows_the_report(
    manager_page, dailymotion_sandbox, settings, tmp_path
):
    from conftest import make_creator
    from ingestion.models import CatalogImport, Video

    settings.CATALOG_IMPORT_INLINE_MAX_BYTES = 1000
    owner = make_creator("x9big", "big-catalog", status="adopted")
    rows = "".join(
        f"{owner.dailymotion_id},big{i},Big {i},,https://cdn.example.com/{i}.mp4,,news,,\n"
        for i in range(40)
    )
    path = tmp_path / "big.csv"
    path.write_text(HEADER + rows + "nobody,x,T,,https://cdn.example.com/x.mp4,,news,,\n")
    page = manager_page
    page.goto(dailymotion_sandbox.live_url + "/staff/videos/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r"/staff/videos/imports/\d+/$"))

    box = page.locator("#catalog-import")
    assert box.locator('[data-field="status"]').inner_text() == "Finished"
    assert box.locator('[data-field="created"]').inner_text() == "40"
    assert box.locator('[data-field="error_count"]').inner_text() == "1"
    assert "owner 'nobody' is not a creator" in box.inner_text()
    assert page.locator(".progress").get_attribute("aria-valuenow") == "100"
    assert Video.objects.filter(uid__startswith="big").count() == 40
    assert CatalogImport.objects.get().status == "finished"
    page.goto(dailymotion_sandbox.live_url + "/staff/videos/import/")
    assert page.get_by_role("link", name="big.csv").is_visible()


def test_the_progress_bar_follows_a_running_import_then_shows_the_report(
    manager_page, dailymotion_sandbox
):
    from ingestion.models import CatalogImport

    job = CatalogImport.objects.create(filename="huge.csv", total=1000, status="running")
    page = manager_page
    page.goto(f"{dailymotion_sandbox.live_url}/staff/videos/imports/{job.pk}/")
    assert page.locator('[data-field="percent"]').inner_text() == "0"

    CatalogImport.objects.filter(pk=job.pk).update(rows=400)
    page.wait_for_function(
        "document.querySelector('.progress').getAttribute('aria-valuenow') === '40'"
    )
    assert page.locator('[data-field="rows"]').inner_text() == "400"

    CatalogImport.objects.filter(pk=job.pk).update(
        rows=1000, created=990, error_count=10, status="finished"
    )
    page.wait_for_function(
        "document.querySelector('[data-field=status]').textContent.trim() === 'Finished'"
    )
    assert page.locator('[data-field="created"]').inner_text() == "990"
