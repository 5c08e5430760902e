from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from accounts.models import Creator
from conftest import make_creator
from revenues import services
from revenues.models import SOURCES, DailyEarning, PollRun

TODAY = timezone.localdate()
START = TODAY - timedelta(days=9)
CUSTOM = f"?period=custom&start={START}&end={TODAY}"


def earn(creator: Creator, day: date, **amounts: str) -> None:
    """Put earnings in the ledger the way a poll does (shares applied)."""
    values = dict.fromkeys(SOURCES, Decimal(0))
    values.update({k: Decimal(v) for k, v in amounts.items()})
    services._ledger_add({(creator.pk, day): values}, set())


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


@pytest.fixture
def earners(db):
    a = make_creator("x5ann", "ann", status=Creator.Status.ADOPTED)
    b = make_creator("x5bob", "bob", status=Creator.Status.ADOPTED)
    c = make_creator("x5cat", "cat", status=Creator.Status.ADOPTED)
    for i in range(10):
        day = START + timedelta(days=i)
        earn(a, day, video="10.10", website="0.33", claim="0.01")
        earn(b, day, video="1.07", paidcontent="2.22")
    earn(a, START - timedelta(days=3), video="5.00")  # previous period
    return a, b, c


STAFF_URLS = [
    "/staff/revenues/",
    "/staff/revenues.csv",
    "/staff/revenues/polls/",
]


@pytest.mark.django_db
def test_it_lets_only_staff_who_see_money_in(
    client, earners, adopted_creator, reviewer_user, bare_staff_user, staff_user
):
    run = PollRun.objects.create()
    urls = [
        *STAFF_URLS,
        f"/staff/revenues/creators/{earners[0].pk}/",
        f"/staff/revenues/creators/{earners[0].pk}/statements/{TODAY.year}-{TODAY.month}.csv",
        f"/staff/revenues/polls/{run.pk}/progress.json",
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url
    client.force_login(adopted_creator.user)
    assert all(client.get(url).status_code == 403 for url in urls)
    for user in (reviewer_user, bare_staff_user):
        client.force_login(user)
        assert all(client.get(url).status_code == 403 for url in urls)
        assert client.post("/staff/revenues/polls/start/").status_code == 403
        assert client.post(f"/staff/revenues/creators/{earners[0].pk}/share/").status_code == 403
    client.force_login(staff_user)
    assert all(client.get(url).status_code == 200 for url in urls)


@pytest.mark.django_db
def test_chart_table_and_csv_agree_to_the_cent(client, staff_user, earners):
    client.force_login(staff_user)
    html = client.get("/staff/revenues/" + CUSTOM).content.decode()

    bars: dict[str, Decimal] = dict.fromkeys(SOURCES, Decimal(0))
    for source, amount in re.findall(
        r'data-source="(\w+)" data-bucket="[\d-]+" data-amount="([-\d.]+)"', html
    ):
        bars[source] += Decimal(amount)
    table = {
        s: Decimal(a)
        for s, a in re.findall(
            r'<tr data-source="(\w+)"><td>[^<]+</td><td class="num" data-amount="([-\d.]+)"', html
        )
    }
    expected = {
        "video": Decimal("111.70"),
        "website": Decimal("3.30"),
        "claim": Decimal("0.10"),
        "paidcontent": Decimal("22.20"),
    }
    assert bars == table == expected
    gross = Decimal(re.search(r'id="total-gross" data-amount="([\d.]+)"', html).group(1))
    assert gross == sum(expected.values()) == Decimal("137.30")

    rows = csv_rows(client.get("/staff/revenues.csv" + CUSTOM))
    assert [r["username"] for r in rows] == ["ann", "bob", "cat"]
    assert all(re.fullmatch(r"-?\d+\.\d\d", r["gross_usd"]) for r in rows)
    assert sum(Decimal(r["gross_usd"]) for r in rows) == gross
    for source in SOURCES:
        assert sum(Decimal(r[source]) for r in rows) == expected[source]
    assert rows[0]["previous_gross_usd"] == "5.00"
    assert rows[2]["gross_usd"] == "0.00"  # adopted, earned nothing: listed, not skipped
    assert rows[2]["availability"] == "never polled"
    share = sum(Decimal(r["creator_share_usd"]) for r in rows)
    network = sum(Decimal(r["network_share_usd"]) for r in rows)
    assert share + network == gross
    # 70% by default, rounded per creator and day: 10 x 7.31 (of 10.44) + 10 x 2.30 (of 3.29).
    assert share == Decimal("96.10")


@pytest.mark.django_db
def test_the_table_sorts_and_carries_sparklines(client, staff_user, earners):
    client.force_login(staff_user)
    html = client.get("/staff/revenues/" + CUSTOM + "&sort=username").content.decode()
    assert re.findall(r'<tr data-creator="(\w+)">', html) == ["x5ann", "x5bob", "x5cat"]
    html = client.get("/staff/revenues/" + CUSTOM + "&sort=-paidcontent").content.decode()
    assert re.findall(r'<tr data-creator="(\w+)">', html)[0] == "x5bob"
    sparks = re.findall(r'class="sparkline"[^>]*data-total="([\d.]+)"', html)
    assert sorted(Decimal(s) for s in sparks) == [
        Decimal("0.00"),
        Decimal("32.90"),
        Decimal("104.40"),
    ]


@pytest.mark.django_db
def test_the_report_runs_in_a_fixed_number_of_queries(
    client, staff_user, earners, django_assert_num_queries
):
    client.force_login(staff_user)
    client.get("/staff/revenues/")  # warm the session and permission caches of the test client
    with django_assert_num_queries(13):
        client.get("/staff/revenues/" + CUSTOM)
    for i in range(20):
        extra = make_creator(f"x6n{i:02d}", f"n{i:02d}", status=Creator.Status.ADOPTED)
        earn(extra, TODAY, video="1")
    with django_assert_num_queries(13):
        assert client.get("/staff/revenues/" + CUSTOM).status_code == 200
    with django_assert_num_queries(8):
        rows = csv_rows(client.get("/staff/revenues.csv" + CUSTOM))
    assert len(rows) == 23


@pytest.mark.django_db
def test_a_share_change_mid_month_applies_from_its_effective_date(client, staff_user):
    creator = make_creator("x7mid", "mid", status=Creator.Status.ADOPTED)
    for day in range(1, 32):
        earn(creator, date(2025, 3, day), video="10.00")

    client.force_login(staff_user)
    response = client.post(
        f"/staff/revenues/creators/{creator.pk}/share/",
        {"percent": "50", "effective_from": "2025-03-16", "note": "renegotiated"},
    )
    assert response.status_code == 302

    statement = services.statement_for(creator=creator, year=2025, month=3)
    assert statement.totals["gross"] == Decimal("310.00")
    assert statement.totals["creator_share"] == Decimal("185.00")  # 15 x 7.00 + 16 x 5.00
    assert statement.totals["network_share"] == Decimal("125.00")
    rows = csv_rows(client.get(f"/staff/revenues/creators/{creator.pk}/statements/2025-3.csv"))
    assert rows[-1]["date"] == "total"
    assert rows[-1]["creator_share_usd"] == "185.00"
    assert sum(Decimal(r["creator_share_usd"]) for r in rows[:-1]) == Decimal("185.00")
    assert {r["share_percent"] for r in rows[:15]} == {"70.00"}
    assert {r["share_percent"] for r in rows[15:-1]} == {"50.00"}
    page = client.get(f"/staff/revenues/creators/{creator.pk}/").content.decode()
    assert "renegotiated" in page
    assert "185.00" in page
    # Earnings polled later in the month also use the new share.
    earn(creator, date(2025, 3, 31), video="2.00")
    assert DailyEarning.objects.get(
        creator=creator, date=date(2025, 3, 31)
    ).creator_share == Decimal("6.00")


@pytest.mark.django_db
def test_it_refuses_a_share_out_of_range(client, staff_user, adopted_creator):
    client.force_login(staff_user)
    response = client.post(
        f"/staff/revenues/creators/{adopted_creator.pk}/share/",
        {"percent": "120", "effective_from": "2025-03-16"},
    )
    assert response.status_code == 400
    assert not adopted_creator.revenue_shares.exists()


@pytest.mark.django_db
def test_staff_queue_a_poll_and_follow_its_progress(
    client, staff_user, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        "revenues.tasks.poll_revenues.apply_async",
        lambda args=(), kwargs=None, **options: queued.append(kwargs),
    )
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/revenues/polls/start/")
    assert response.status_code == 302
    run = PollRun.objects.get()
    assert queued == [{"run_id": run.pk}]
    assert run.status == PollRun.Status.QUEUED

    page = client.get("/staff/revenues/polls/").content.decode()
    assert "revenues-progress.js" in page
    assert f"/staff/revenues/polls/{run.pk}/progress.json" in page
    client.post("/staff/revenues/polls/start/")
    assert PollRun.objects.count() == 1  # one at a time

    PollRun.objects.filter(pk=run.pk).update(
        status=PollRun.Status.RUNNING, children_total=200, children_done=50
    )
    data = client.get(f"/staff/revenues/polls/{run.pk}/progress.json").json()
    assert data["percent"] == 25
    assert data["active"] is True


@pytest.mark.django_db
def test_a_creator_downloads_only_their_own_history(client, earners, staff_user):
    ann = earners[0]
    client.force_login(ann.user)
    rows = csv_rows(client.get("/me/revenues.csv"))
    assert len(rows) == 11
    assert sum(Decimal(r["gross_usd"]) for r in rows) == Decimal("109.40")
    assert sum(Decimal(r["my_share_usd"]) for r in rows) == Decimal("76.60")  # 10 x 7.31 + 3.50
    statement = csv_rows(client.get(f"/me/revenues/{TODAY.year}-{TODAY.month}.csv"))
    assert statement[-1]["date"] == "total"

    client.logout()
    assert client.get("/me/revenues.csv").status_code == 302
    client.force_login(staff_user)
    assert client.get("/me/revenues.csv").status_code == 403


@pytest.mark.django_db
def test_the_creator_earnings_tag_shows_chart_statements_and_download(earners):
    ann = earners[0]
    html = Template("{% load revenues_tags %}{% creator_earnings creator %}").render(
        Context({"creator": ann})
    )
    assert "/me/revenues.csv" in html
    assert "<svg" in html
    assert f"/me/revenues/{TODAY.year}-{TODAY.month}.csv" in html
    amounts = re.findall(r'data-amount="([-\d.]+)"', html)
    assert sum(Decimal(a) for a in amounts) == Decimal("109.40")

    empty = Template("{% load revenues_tags %}{% creator_earnings creator %}").render(
        Context({"creator": earners[2]})
    )
    assert "No earnings recorded yet" in empty


@pytest.mark.django_db
def test_it_lists_a_former_creator_who_earned_but_not_one_who_did_not(client, staff_user, earners):
    gone = make_creator("x8gone", "gone", status=Creator.Status.REJECTED)
    make_creator("x8never", "never", status=Creator.Status.REJECTED)
    earn(gone, TODAY, claim="4.00")
    client.force_login(staff_user)
    rows = {r["username"]: r for r in csv_rows(client.get("/staff/revenues.csv" + CUSTOM))}
    assert set(rows) == {"ann", "bob", "cat", "gone"}
    assert rows["gone"]["claim"] == "4.00"


@pytest.mark.django_db
def test_the_csv_never_hands_a_spreadsheet_a_formula(client, staff_user):
    creator = make_creator("x5evil", "=HYPERLINK(1)", status=Creator.Status.ADOPTED)
    creator.screenname = "@SUM(A1)"
    creator.save()
    earn(creator, TODAY, video="-1.50")  # a claw-back: negative numbers stay numbers
    client.force_login(staff_user)
    rows = csv_rows(client.get("/staff/revenues.csv" + CUSTOM))
    row = next(r for r in rows if r["dailymotion_id"] == "x5evil")
    assert row["username"] == "'=HYPERLINK(1)"
    assert not any(str(value).startswith(("=", "@", "+")) for value in row.values())
    assert row["video"] == "-1.50"
