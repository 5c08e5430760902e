from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Creator
from conftest import make_creator
from mcn_portal.lib.dailymotion import DailymotionUnavailable
from revenues import services
from revenues.models import CreatorRevenueState, DailyEarning, PollRun, RevenueSnapshot
from revenues.tasks import poll_revenues

from .conftest import WorkerKilled, adopt_many, figures

DAY1 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def _earned(creator: Creator) -> Decimal:
    return sum((r.total for r in DailyEarning.objects.filter(creator=creator)), Decimal(0))


@pytest.mark.django_db
def test_it_covers_every_child_past_the_listing_cap(fake_client):
    creators = adopt_many(1200)
    fake_client.accounts = {c.dailymotion_id: figures(video="10.00") for c in creators}
    fake_client.accounts["xnotours"] = figures(video="1")  # a child we never adopted locally

    run = services.revenues_poll(at=DAY1)

    assert run.status == PollRun.Status.SUCCEEDED
    assert run.children_total == run.children_done == 1200
    assert RevenueSnapshot.objects.filter(poll=run).count() == 1200
    assert set(RevenueSnapshot.objects.values_list("creator_id", flat=True)) == {
        c.pk for c in creators
    }
    # 10 listing pages for the first 1000, then 2 batched calls for the 200 the listing missed.
    assert run.api_calls == fake_client.calls_made == 12


@pytest.mark.django_db
def test_it_asks_by_id_for_children_the_listing_misses(fake_client):
    creators = adopt_many(5)
    fake_client.accounts = {c.dailymotion_id: figures(video="5") for c in creators}
    fake_client.hidden = {creators[0].dailymotion_id}
    fake_client.forbidden = {creators[1].dailymotion_id}
    fake_client.hidden.add(creators[1].dailymotion_id)

    run = services.revenues_poll(at=DAY1)

    snapshots = {s.creator_id: s for s in RevenueSnapshot.objects.filter(poll=run)}
    assert len(snapshots) == 5
    assert snapshots[creators[0].pk].status == RevenueSnapshot.Status.OK
    forbidden = snapshots[creators[1].pk]
    assert forbidden.status == RevenueSnapshot.Status.UNAVAILABLE
    assert "forbidden" in forbidden.reason.lower()
    assert run.status == PollRun.Status.PARTIAL
    assert run.children_unavailable == 1


@pytest.mark.django_db
def test_it_records_missing_figures_as_unavailable_never_zero(fake_client):
    missing, zero, partial = adopt_many(3)
    fake_client.accounts = {
        missing.dailymotion_id: None,
        zero.dailymotion_id: figures(),
        partial.dailymotion_id: figures(video="3.50", claim=None),
    }
    services.revenues_poll(at=DAY1)
    fake_client.accounts[missing.dailymotion_id] = None
    fake_client.accounts[zero.dailymotion_id] = figures()
    fake_client.accounts[partial.dailymotion_id] = figures(video="4.00", claim=None)
    services.revenues_poll(at=DAY2)

    latest = {s.creator_id: s for s in RevenueSnapshot.objects.filter(taken_at=DAY2)}
    assert latest[missing.pk].status == RevenueSnapshot.Status.UNAVAILABLE
    assert latest[missing.pk].video_total is None
    assert latest[missing.pk].reason
    assert latest[zero.pk].status == RevenueSnapshot.Status.OK
    assert latest[zero.pk].video_total == Decimal("0.00")
    assert latest[partial.pk].status == RevenueSnapshot.Status.PARTIAL
    assert latest[partial.pk].claim_total is None
    assert "claim" in latest[partial.pk].reason
    assert not DailyEarning.objects.filter(creator=missing).exists()
    assert DailyEarning.objects.get(creator=partial).video == Decimal("0.50")
    assert CreatorRevenueState.objects.get(creator=missing).last_status == "unavailable"


@pytest.mark.django_db
def test_it_turns_total_differences_into_daily_earnings(fake_client):
    (creator,) = adopt_many(1)
    dm = creator.dailymotion_id
    fake_client.accounts = {
        dm: figures(video="100.00", website="50.00", claim="1", paidcontent="0")
    }
    services.revenues_poll(at=DAY1)
    assert not DailyEarning.objects.exists()  # the first reading is only a baseline

    fake_client.accounts[dm] = figures(video="112.35", website="50.10", claim="1", paidcontent="2")
    services.revenues_poll(at=DAY2)

    row = DailyEarning.objects.get(creator=creator)
    assert row.date == DAY2.date()
    assert (row.video, row.website, row.claim, row.paidcontent) == (
        Decimal("12.35"),
        Decimal("0.10"),
        Decimal("0.00"),
        Decimal("2.00"),
    )
    assert row.total == Decimal("14.45")


@pytest.mark.django_db
def test_it_spreads_an_increase_over_the_days_between_polls(fake_client):
    (creator,) = adopt_many(1)
    dm = creator.dailymotion_id
    fake_client.accounts = {dm: figures(video="0")}
    services.revenues_poll(at=DAY1)
    fake_client.accounts[dm] = figures(video="10.00")
    services.revenues_poll(at=DAY1 + timedelta(days=3))

    rows = list(DailyEarning.objects.filter(creator=creator).order_by("date"))
    assert [r.date for r in rows] == [DAY1.date() + timedelta(days=i) for i in (1, 2, 3)]
    assert [r.video for r in rows] == [Decimal("3.33"), Decimal("3.33"), Decimal("3.34")]
    assert _earned(creator) == Decimal("10.00")


@pytest.mark.django_db
def test_it_keeps_and_flags_a_total_that_goes_down(fake_client):
    (creator,) = adopt_many(1)
    dm = creator.dailymotion_id
    fake_client.accounts = {dm: figures(video="100.00")}
    services.revenues_poll(at=DAY1)
    fake_client.accounts[dm] = figures(video="90.00")
    services.revenues_poll(at=DAY2)

    snapshot = RevenueSnapshot.objects.get(taken_at=DAY2)
    assert snapshot.restated
    assert "went down" in snapshot.reason
    row = DailyEarning.objects.get(creator=creator)
    assert row.video == Decimal("-10.00")
    assert row.restated
    assert CreatorRevenueState.objects.get(creator=creator).restatements == 1


@pytest.mark.django_db
def test_it_resumes_a_killed_poll_without_duplicate_snapshots(fake_client):
    creators = adopt_many(450)
    fake_client.accounts = {c.dailymotion_id: figures(video="1.00") for c in creators}
    services.revenues_poll(at=timezone.now() - timedelta(minutes=5))
    fake_client.accounts = {c.dailymotion_id: figures(video="3.00") for c in creators}
    fake_client.yielded = 0
    fake_client.kill_after = 250  # one batch of 200 committed, then the worker dies

    with pytest.raises(WorkerKilled):
        services.revenues_poll(task_id="task-1")

    run = PollRun.objects.get(task_id="task-1")
    assert run.status == PollRun.Status.RUNNING
    assert RevenueSnapshot.objects.filter(poll=run).count() == 200

    fake_client.kill_after = None
    poll_revenues.apply(task_id="task-1")  # the broker redelivers the same task

    run.refresh_from_db()
    assert run.status == PollRun.Status.SUCCEEDED
    assert run.children_done == 450
    assert RevenueSnapshot.objects.filter(poll=run).count() == 450
    assert PollRun.objects.count() == 2
    # Each creator earned 2.00 exactly once.
    assert DailyEarning.objects.count() == 450
    assert {r.total for r in DailyEarning.objects.all()} == {Decimal("2.00")}


@pytest.mark.django_db
def test_it_completes_a_queued_run_given_by_id(fake_client, django_capture_on_commit_callbacks):
    creators = adopt_many(3)
    fake_client.accounts = {c.dailymotion_id: figures(video="1") for c in creators}

    with django_capture_on_commit_callbacks(execute=True):
        run = services.poll_run_start(trigger="staff")

    run.refresh_from_db()
    assert run.status == PollRun.Status.SUCCEEDED
    assert run.children_done == 3


@pytest.mark.django_db
def test_it_runs_one_poll_at_a_time(fake_client):
    adopt_many(2)
    cache.add(services.LOCK_KEY, "someone-else", 60)

    with pytest.raises(services.PollInProgress):
        services.revenues_poll()
    with pytest.raises(CommandError, match="already running"):
        call_command("poll_revenues")
    assert poll_revenues.apply().get() is None
    assert not PollRun.objects.exists()

    cache.delete(services.LOCK_KEY)
    running = PollRun.objects.create(status=PollRun.Status.RUNNING, trigger="beat")
    with pytest.raises(services.PollInProgress):
        services.revenues_poll()
    assert list(PollRun.objects.all()) == [running]


@pytest.mark.django_db
def test_it_skips_a_queued_run_while_another_runs(fake_client):
    PollRun.objects.create(status=PollRun.Status.RUNNING, trigger="beat")
    queued = PollRun.objects.create(trigger="staff")

    poll_revenues.apply(kwargs={"run_id": queued.pk})

    queued.refresh_from_db()
    assert queued.status == PollRun.Status.SKIPPED


@pytest.mark.django_db
def test_it_marks_a_stale_running_run_abandoned(fake_client, settings):
    (creator,) = adopt_many(1)
    fake_client.accounts = {creator.dailymotion_id: figures()}
    stale = PollRun.objects.create(
        status=PollRun.Status.RUNNING,
        heartbeat_at=datetime.now(UTC) - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5),
    )

    run = services.revenues_poll()

    stale.refresh_from_db()
    assert stale.status == PollRun.Status.ABANDONED
    assert run.status == PollRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_it_fails_the_run_when_the_parent_is_not_connected(settings):
    settings.DAILYMOTION_PARENT_USERNAME = settings.DAILYMOTION_PARENT_PASSWORD = ""
    adopt_many(1)
    run = services.revenues_poll()
    assert run.status == PollRun.Status.FAILED
    assert "not connected" in run.errors[0]
    assert cache.get(services.LOCK_KEY) is None


@pytest.mark.django_db
def test_it_falls_back_to_batched_calls_when_the_listing_fails(fake_client):
    creators = adopt_many(150)
    fake_client.accounts = {c.dailymotion_id: figures(video="2") for c in creators}
    fake_client.listing_error = DailymotionUnavailable("Dailymotion is down", status=503)

    run = services.revenues_poll(at=DAY1)

    assert RevenueSnapshot.objects.filter(poll=run).count() == 150
    assert run.status == PollRun.Status.SUCCEEDED
    assert "children listing stopped" in run.errors[0]


@pytest.mark.django_db
def test_it_ignores_creators_who_are_not_adopted(fake_client, pending_creator, adopted_creator):
    fake_client.accounts = {
        pending_creator.dailymotion_id: figures(),
        adopted_creator.dailymotion_id: figures(),
    }
    run = services.revenues_poll()
    assert list(RevenueSnapshot.objects.values_list("creator", flat=True)) == [adopted_creator.pk]
    assert run.children_total == 1


@pytest.mark.django_db
def test_the_command_reports_the_poll(fake_client, capsys):
    creator = make_creator("x9cmd", "cmd", status=Creator.Status.ADOPTED)
    fake_client.accounts = {creator.dailymotion_id: figures(video="1")}
    call_command("poll_revenues")
    out = capsys.readouterr()
    assert "1 of 1 children" in out.out
    assert "Polling revenues" in out.err


@pytest.mark.django_db
@pytest.mark.redis
def test_it_holds_the_lock_in_redis(fake_client, redis_url, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    from django.core.cache import caches

    redis_cache = caches["default"]
    redis_cache.delete(services.LOCK_KEY)
    try:
        redis_cache.add(services.LOCK_KEY, "other-worker", 60)
        with pytest.raises(services.PollInProgress):
            services.revenues_poll()
        redis_cache.delete(services.LOCK_KEY)
        (creator,) = adopt_many(1)
        fake_client.accounts = {creator.dailymotion_id: figures()}
        run = services.revenues_poll()
        assert run.status == PollRun.Status.SUCCEEDED
        assert redis_cache.get(services.LOCK_KEY) is None
    finally:
        redis_cache.delete(services.LOCK_KEY)


def test_spread_keeps_every_cent():
    since = datetime(2025, 1, 1, 10, tzinfo=UTC)
    parts = services._spread(Decimal("-7.01"), since, since + timedelta(days=4))
    assert [d for d, _ in parts] == [
        date(2025, 1, 2),
        date(2025, 1, 3),
        date(2025, 1, 4),
        date(2025, 1, 5),
    ]
    assert sum(a for _, a in parts) == Decimal("-7.01")


@pytest.mark.django_db
def test_it_waits_out_a_429_mid_poll_and_completes(monkeypatch):
    import responses

    from mcn_portal.lib.dailymotion import DailymotionClient, StaticTokenSource
    from mcn_portal.lib.ratelimit import Unlimited

    creators = adopt_many(150)
    sleeps: list[float] = []
    client = DailymotionClient(
        StaticTokenSource("parent-token"),
        api_url="https://api.example.test",
        sleep=sleeps.append,
        rate_limiter=Unlimited(),
    )
    monkeypatch.setattr("accounts.tokens.client_for_parent", lambda: client)

    def page(items, more):
        listed = [
            {
                "id": c.dailymotion_id,
                "created_time": 1_600_000_000 + i,
                **{f: "1.25" for f in services.REVENUE_FIELDS},
            }
            for i, c in enumerate(items)
        ]
        return {"page": 1, "limit": 100, "total": 150, "has_more": more, "list": listed}

    url = f"https://api.example.test/user/{services._parent_id()}/children"
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, url, json=page(creators[:100], True))
        mock.add(responses.GET, url, status=429, headers={"Retry-After": "3"}, json={})
        mock.add(responses.GET, url, json=page(creators[100:], False))
        run = services.revenues_poll(at=DAY1)

    assert sleeps == [3.0]
    assert run.status == PollRun.Status.SUCCEEDED
    assert run.api_calls == 3
    assert RevenueSnapshot.objects.filter(poll=run, video_total=Decimal("1.25")).count() == 150


@pytest.mark.django_db
def test_it_keeps_the_staff_lists_lifetime_revenue_current(fake_client):
    current, unavailable = adopt_many(2)
    Creator.objects.filter(pk__in=[current.pk, unavailable.pk]).update(
        revenues_total=Decimal("7.00")  # read when they connected
    )
    fake_client.accounts = {
        current.dailymotion_id: figures(video="10.00", claim="2.50"),
        unavailable.dailymotion_id: None,
    }
    services.revenues_poll(at=DAY1)
    fake_client.accounts[current.dailymotion_id] = figures(video="12.00", claim="2.50")
    services.revenues_poll(at=DAY2)

    current.refresh_from_db()
    unavailable.refresh_from_db()
    assert current.revenues_total == Decimal("14.50")
    assert unavailable.revenues_total == Decimal("7.00")  # no figures: the last known one stays
