"""Every role, end to end, in a browser: connect, approve, import, crawl, poll, report, reject."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from lxml import etree

from .test_onboarding import connect_as

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CREATOR = "creator05"  # a seeded sandbox creator who belongs to no network yet
SOURCES = ("video", "website", "claim", "paidcontent")
UIDS = [f"journey-{n}" for n in range(1, 4)]


def shot(page, name: str) -> None:
    """A full-page screenshot of where the journey is, for people reviewing the run."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"journey-{name}.png"), full_page=True)


def sandbox_totals(handle, account_id: str) -> dict[str, Decimal]:
    """The running revenue totals the sandbox reports for an account, by source."""
    account = handle.account(account_id)
    return {s: getattr(account, f"revenues_{s}_total") for s in SOURCES}


def sandbox_earned(handle, account_id: str, first: date, days: int) -> dict[str, Decimal]:
    """What the sandbox's deterministic daily rates pay the account over days [first, +days)."""
    from sandbox.seed import daily_earning

    account = handle.account(account_id)
    return {
        s: sum(
            (
                daily_earning(
                    account.id, first + timedelta(days=d), s, getattr(account, f"rate_{s}")
                )
                for d in range(days)
            ),
            Decimal(0),
        )
        for s in SOURCES
    }


def catalog_csv(tmp_path: Path, owner: str) -> Path:
    rows = [
        ["owner", "uid", "title", "description", "video_url", "thumbnail_url", "channel", "tags",
         "published_at"],
    ]  # fmt: skip
    for n, uid in enumerate(UIDS, 1):
        rows.append(
            [
                owner,
                uid,
                f"Journey part {n} & more",
                f"Day {n} of the trip,\nwith a second line",
                f"https://cdn.example.com/{uid}.mp4",
                f"https://cdn.example.com/{uid}.jpg",
                "travel",
                "trip, journey",
                f"2024-06-0{n}T09:00:00Z",
            ]
        )
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path / "catalog.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def sign_in_staff(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_a_creator_goes_from_connect_to_earnings_to_rejection(
    new_page, dailymotion_sandbox, tmp_path
):
    from accounts.models import Creator
    from ingestion.models import Video
    from revenues.models import PollRun

    sandbox = dailymotion_sandbox
    base = sandbox.live_url
    child_id = sandbox.account(CREATOR).id

    # 1. The creator connects through the sandbox consent page and waits for review.
    creator_page = new_page()
    connect_as(creator_page, base, CREATOR)
    assert creator_page.locator(".badge[data-status]").inner_text() == "Pending review"
    shot(creator_page, "01-creator-pending")
    creator = Creator.objects.get(dailymotion_id=child_id)
    assert creator.status == Creator.Status.PENDING
    assert child_id not in sandbox.children_ids()

    # 2. A manager signs in and approves: the sandbox lists the creator as a child.
    manager = User.objects.create_user("manager", password="manager-pass", is_staff=True)
    manager.groups.add(Group.objects.get(name="Manager"))
    staff = new_page()
    sign_in_staff(staff, base, "manager", "manager-pass")
    row = staff.locator(f'tr[data-creator="{CREATOR}"]')
    assert row.locator(".badge").inner_text() == "Pending review"
    shot(staff, "02a-staff-home")
    with staff.expect_navigation():
        row.get_by_role("button", name="Approve").click()
    assert f"{CREATOR} approved and adopted" in staff.locator(".messages").inner_text()
    assert staff.locator(f'tr[data-creator="{CREATOR}"] .badge').inner_text() == "Adopted"
    shot(staff, "02b-staff-approved")
    assert child_id in sandbox.children_ids()
    creator_page.reload()
    assert creator_page.locator(".badge[data-status]").inner_text() == "Adopted"

    # 3. The manager imports a catalog of three videos for that creator.
    staff.goto(base + "/staff/videos/import/")
    staff.set_input_files("input[type=file][name=file]", str(catalog_csv(tmp_path, child_id)))
    with staff.expect_navigation():
        staff.get_by_role("button", name="Import").click()
    report = staff.locator("section.card", has=staff.get_by_role("heading", name="Report"))
    stats = {
        label: int(value)
        for value, label in zip(
            report.locator(".stat .value").all_inner_texts(),
            report.locator(".stat .label").all_inner_texts(),
            strict=True,
        )
    }
    assert stats == {"rows read": 3, "videos added": 3, "videos updated": 0, "rows refused": 0}
    shot(staff, "03-staff-import")
    queued = Video.objects.filter(creator=creator).order_by("uid")
    assert [(v.uid, v.state) for v in queued] == [(uid, Video.State.QUEUED) for uid in UIDS]

    # 4. The sandbox crawls our user list and feed and posts the import callbacks.
    summary = sandbox.crawl(fail_share=0.0)
    assert summary["ready"] == 3 and summary["callbacks"] == [200], summary
    remote = {v.guid: v.id for v in sandbox.videos_of(child_id)}
    assert set(remote) == set(UIDS)
    feed_url = f"{base}/syndication/feeds/{child_id}.xml?token={settings.SYNDICATION_TOKENS[0]}"
    feed = staff.request.get(feed_url)
    assert feed.status == 200
    assert etree.fromstring(feed.body()).findall("./channel/item") == []
    staff.goto(base + f"/staff/videos/?creator={child_id}")
    for uid in UIDS:
        video_row = staff.locator("tbody tr", has_text=uid)
        assert video_row.locator(".badge").inner_text() == "Imported"
        assert video_row.get_by_role("link", name=remote[uid]).is_visible()
    shot(staff, "04a-staff-videos")
    first = Video.objects.get(creator=creator, uid=UIDS[0])
    staff.get_by_role("link", name=first.title).click()
    staff.wait_for_url(re.compile(rf"/staff/videos/{first.pk}/$"))
    assert f"on Dailymotion as {remote[UIDS[0]]}" in staff.locator("main, body").first.inner_text()
    shot(staff, "04b-staff-video-detail")
    assert {v.uid: v.remote_id for v in Video.objects.filter(creator=creator)} == remote

    # 5. Revenues are polled from the browser, a month passes on Dailymotion, polled again.
    def poll_now(name: str) -> None:
        staff.goto(base + "/staff/revenues/polls/")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Poll now").click()
        assert re.search(r"Poll #\d+ queued", staff.locator(".messages").inner_text())
        newest = staff.locator("#runs tbody tr").first
        assert newest.locator(".badge").inner_text() == "Succeeded"
        shot(staff, name)

    poll_now("05a-staff-first-poll")
    before = sandbox_totals(sandbox, child_id)
    new_today = sandbox.advance_days(30)
    poll_now("05b-staff-second-poll")
    increase = {s: sandbox_totals(sandbox, child_id)[s] - before[s] for s in SOURCES}
    assert increase == sandbox_earned(sandbox, child_id, new_today - timedelta(days=30), 30)
    gross = sum(increase.values(), Decimal(0))
    assert gross > 0
    assert list(PollRun.objects.values_list("status", flat=True)) == ["succeeded"] * 2

    # 6. The report and its CSV show exactly what the sandbox paid over those 30 days.
    staff.goto(base + "/staff/revenues/")
    report_row = staff.locator(f'#creators tr[data-creator="{child_id}"]')
    assert report_row.locator("td[data-gross]").inner_text() == f"{gross:.2f}"
    assert staff.locator("#total-gross").get_attribute("data-amount") == f"{gross:.2f}"
    for source in SOURCES:
        cell = report_row.locator(f'td[data-source="{source}"]')
        assert cell.inner_text() == f"{increase[source]:.2f}", source
    shot(staff, "06a-staff-revenues")
    with staff.expect_download() as download_info:
        staff.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8")
    rows = {r["dailymotion_id"]: r for r in csv.DictReader(io.StringIO(lines))}
    mine = rows[child_id]
    assert mine["username"] == CREATOR
    assert Decimal(mine["gross_usd"]) == gross
    assert mine["status"] == "adopted" and mine["availability"] == "ok"
    assert {s: Decimal(mine[s]) for s in SOURCES} == increase

    # 7. The creator sees the same figure on their page.
    creator_page.reload()
    earnings = creator_page.locator("#my-earnings")
    gross_stat = earnings.locator(".stat", has_text="Gross this month")
    assert gross_stat.locator(".value").inner_text() == f"{gross:.2f}"
    assert earnings.locator("#my-statements tbody tr").first.locator(
        "td.num"
    ).first.inner_text() == (f"{gross:.2f}")
    share_stat = earnings.locator(".stat", has_text="My share this month")
    assert share_stat.locator(".value").inner_text() == mine["creator_share_usd"]
    shot(creator_page, "07-creator-earnings")

    # 8. The manager rejects the creator: the sandbox no longer lists them as a child.
    staff.goto(base + "/staff/")
    staff.locator(f'tr[data-creator="{CREATOR}"]').get_by_role("link", name="Reject").click()
    staff.wait_for_url(re.compile(r"/staff/creators/\d+/reject/"))
    staff.fill("#id_reason", "Our network is refocusing on music channels.")
    shot(staff, "08a-staff-reject")
    staff.get_by_role("button", name="Reject").click()
    staff.wait_for_url(re.compile(r"/staff/$"))
    assert f"{CREATOR} rejected." in staff.locator(".messages").inner_text()
    assert staff.locator(f'tr[data-creator="{CREATOR}"] .badge').inner_text() == "Rejected"
    shot(staff, "08b-staff-rejected")
    creator.refresh_from_db()
    assert creator.status == Creator.Status.REJECTED
    assert child_id not in sandbox.children_ids()
    assert sandbox.account(child_id).parent_id is None
    creator_page.reload()
    assert creator_page.locator(".badge[data-status]").get_attribute("data-status") == "rejected"
    assert "refocusing on music channels" in creator_page.locator("section.card").first.inner_text()
    shot(creator_page, "08c-creator-rejected")
