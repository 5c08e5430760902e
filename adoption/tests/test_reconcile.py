from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Creator
from adoption.models import AuditEvent, Drift
from adoption.services import DecisionFailed, children_reconcile, drift_fix
from mcn_portal.lib.dailymotion import DailymotionUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(dailymotion, pending_creator, adopted_creator, rejected_creator, make_creator_fixture):
    """adopted-adam is not a child any more; rejected-rita and pending-paula still are; x9ghost
    is a child nobody here knows; agreed-ann agrees."""
    make_creator_fixture("x4ok", "agreed-ann", status=Creator.Status.ADOPTED)
    dailymotion.account("x9ghost", "ghost")
    dailymotion.children.update({"x1pend", "x3rej", "x9ghost", "x4ok"})
    return dailymotion


def kinds() -> dict[str, str]:
    return dict(
        Drift.objects.filter(resolved_at__isnull=True).values_list("dailymotion_id", "kind")
    )


def test_it_finds_every_kind_of_difference(world):
    run = children_reconcile()
    assert (run.children_seen, run.differences, run.error) == (4, 4, "")
    assert kinds() == {
        "x2adop": Drift.Kind.MISSING_CHILD,
        "x1pend": Drift.Kind.NOT_ADOPTED_HERE,
        "x3rej": Drift.Kind.REJECTED_STILL_CHILD,
        "x9ghost": Drift.Kind.UNKNOWN_CHILD,
    }
    assert ("children", "x0mcn01", "x0mcn01") in world.calls


def test_running_again_keeps_one_open_difference_per_account_and_closes_vanished_ones(world):
    children_reconcile()
    world.children.discard("x3rej")
    children_reconcile()
    assert Drift.objects.filter(dailymotion_id="x9ghost").count() == 1
    assert "x3rej" not in kinds()
    assert Drift.objects.get(dailymotion_id="x3rej").resolution == "gone"


def test_it_reads_networks_past_the_listing_cap(dailymotion, make_creator_fixture):
    for n in range(2500):
        dailymotion.children.add(f"x{n:05d}")
    run = children_reconcile()
    assert run.children_seen == 2500
    assert Drift.objects.filter(kind=Drift.Kind.UNKNOWN_CHILD).count() == 2500


def test_a_failure_is_recorded_and_changes_nothing(world):
    world.fail["children"] = DailymotionUnavailable("down", status=503)
    run = children_reconcile()
    assert "not answering" in run.error
    assert not Drift.objects.exists()


@pytest.mark.parametrize(
    ("account", "fix", "status", "call"),
    [
        ("x2adop", Drift.Fix.READOPT, "adopted", ("adopt", "x2adop", "x0mcn01")),
        ("x2adop", Drift.Fix.MARK_REMOVED, "rejected", None),
        ("x1pend", Drift.Fix.MARK_ADOPTED, "adopted", None),
        ("x3rej", Drift.Fix.REMOVE_CHILD, "rejected", ("remove_child", "x0mcn01", "x3rej")),
        ("x9ghost", Drift.Fix.IMPORT, "adopted", None),
    ],
)
def test_each_fix_is_applied_and_audited(world, staff_user, account, fix, status, call):
    children_reconcile()
    drift = Drift.objects.get(dailymotion_id=account)
    world.calls.clear()
    drift_fix(drift=drift, fix=fix, by=staff_user)
    assert Creator.objects.get(dailymotion_id=account).status == status
    if call:
        assert call in world.calls
    drift.refresh_from_db()
    assert (drift.resolution, drift.resolved_by) == (fix, staff_user)
    event = AuditEvent.objects.filter(actor=staff_user).get()
    assert event.creator.dailymotion_id == account
    assert event.to_status == status
    children_reconcile()
    assert account not in kinds()


def test_a_fix_that_does_not_apply_is_refused(world, staff_user):
    children_reconcile()
    with pytest.raises(DecisionFailed):
        drift_fix(
            drift=Drift.objects.get(dailymotion_id="x9ghost"), fix=Drift.Fix.READOPT, by=staff_user
        )


def test_a_failed_fix_stays_open_with_the_reason(world, staff_user):
    children_reconcile()
    world.fail["adopt"] = DailymotionUnavailable("down", status=503)
    drift = Drift.objects.get(dailymotion_id="x2adop")
    with pytest.raises(DecisionFailed):
        drift_fix(drift=drift, fix=Drift.Fix.READOPT, by=staff_user)
    drift.refresh_from_db()
    assert drift.resolved_at is None
    assert "not answering" in drift.last_error


def test_the_command_reports_the_differences(world, capsys):
    call_command("sync_children")
    assert "4 children on Dailymotion; 4 differences" in capsys.readouterr().out


def test_the_command_fails_loudly_when_dailymotion_is_down(world):
    world.fail["children"] = DailymotionUnavailable("down", status=503)
    with pytest.raises(CommandError):
        call_command("sync_children")


def test_the_beat_schedule_names_the_task_that_exists(world):
    from adoption import tasks

    assert settings.CELERY_BEAT_SCHEDULE["sync-children"]["task"] == tasks.sync_children.name
    assert tasks.sync_children.name == "adoption.tasks.sync_children"
    tasks.sync_children.delay()
    assert len(kinds()) == 4
