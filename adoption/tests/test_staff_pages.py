from __future__ import annotations

import pytest

from accounts.models import Creator, DailymotionCredential
from adoption.models import AuditEvent, BulkJob, Drift
from adoption.services import audit_record
from adoption.tests.bulk_data import creators_bulk_create

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    return [c.username for c in response.context["page"]]


def test_the_list_counts_each_status(client, reviewer_user, pending_creator, adopted_creator):
    client.force_login(reviewer_user)
    response = client.get("/staff/")
    assert ("pending", "Pending review", 1) in response.context["counts"]
    assert ("adopted", "Adopted", 1) in response.context["counts"]
    assert response.context["total"] == 2


def test_pending_rows_show_approve_and_reject_and_the_profile_facts(
    client, reviewer_user, pending_creator, adopted_creator
):
    Creator.objects.filter(pk=pending_creator.pk).update(followers_total=4321, views_total=98765)
    client.force_login(reviewer_user)
    body = client.get("/staff/").content.decode()
    pending_row = body.split('data-creator="pending-paula"')[1].split("</tr>")[0]
    assert ">Approve</button>" in pending_row
    assert ">Reject</a>" in pending_row
    assert "4,321" in pending_row
    assert "98,765" in pending_row
    adopted_row = body.split('data-creator="adopted-adam"')[1].split("</tr>")[0]
    assert "Approve" not in adopted_row
    assert ">Reject</a>" in adopted_row


def test_it_filters_by_status_and_searches(
    client, reviewer_user, pending_creator, adopted_creator, rejected_creator
):
    client.force_login(reviewer_user)
    assert rows(client.get("/staff/", {"status": "adopted"})) == ["adopted-adam"]
    assert rows(client.get("/staff/", {"q": "RITA"})) == ["rejected-rita"]
    assert rows(client.get("/staff/", {"q": "paula@example"})) == ["pending-paula"]
    DailymotionCredential.objects.filter(creator=adopted_creator).update(needs_reconnect=True)
    assert rows(client.get("/staff/", {"status": "reconnect"})) == ["adopted-adam"]


def test_it_sorts(client, reviewer_user, pending_creator, adopted_creator, rejected_creator):
    Creator.objects.filter(pk=adopted_creator.pk).update(followers_total=10)
    Creator.objects.filter(pk=pending_creator.pk).update(followers_total=5)
    client.force_login(reviewer_user)
    assert rows(client.get("/staff/", {"sort": "username"})) == [
        "adopted-adam",
        "pending-paula",
        "rejected-rita",
    ]
    assert rows(client.get("/staff/", {"sort": "followers"}))[:2] == [
        "adopted-adam",
        "pending-paula",
    ]


def test_the_list_costs_the_same_queries_for_any_number_of_creators(
    client, staff_user, django_assert_num_queries, parent_credential
):
    client.force_login(staff_user)
    creators_bulk_create(60)
    client.get("/staff/")  # warm the session and permission caches the same way each time
    with django_assert_num_queries(10) as small:
        client.get("/staff/", {"page": 2})
    creators_bulk_create(500, start=60)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/staff/", {"page": 5, "status": "pending", "sort": "views"})
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 420  # the pending three quarters


def test_approving_from_the_list_says_what_happened(
    client, reviewer_user, pending_creator, dailymotion
):
    client.force_login(reviewer_user)
    response = client.post(
        f"/staff/creators/{pending_creator.pk}/approve/", {"next": "/staff/?status=pending"}
    )
    assert response["Location"] == "/staff/?status=pending"
    body = client.get("/staff/").content.decode()
    assert "pending-paula approved and adopted" in body


def test_a_refused_approval_shows_dailymotions_message_and_can_be_retried(
    client, reviewer_user, pending_creator, dailymotion
):
    from mcn_portal.lib.dailymotion import AccessForbidden

    dailymotion.fail["adopt"] = AccessForbidden("The API key lacks the role", status=403)
    client.force_login(reviewer_user)
    body = client.post(f"/staff/creators/{pending_creator.pk}/approve/", follow=True).content
    assert b"The API key lacks the role" in body
    row = body.decode().split('data-creator="pending-paula"')[1].split("</tr>")[0]
    assert ">Approve</button>" in row
    del dailymotion.fail["adopt"]
    client.post(f"/staff/creators/{pending_creator.pk}/approve/")
    pending_creator.refresh_from_db()
    assert pending_creator.status == "adopted"


def test_an_open_redirect_in_next_is_ignored(client, reviewer_user, pending_creator, dailymotion):
    client.force_login(reviewer_user)
    response = client.post(
        f"/staff/creators/{pending_creator.pk}/approve/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/staff/"


def test_rejecting_asks_for_a_reason_and_keeps_it(client, reviewer_user, pending_creator):
    client.force_login(reviewer_user)
    url = f"/staff/creators/{pending_creator.pk}/reject/"
    form = client.get(url)
    assert b'name="reason"' in form.content
    assert client.post(url, {"reason": ""}).status_code == 400
    pending_creator.refresh_from_db()
    assert pending_creator.status == "pending"
    response = client.post(url, {"reason": "Reposts other people's videos"})
    assert response.status_code == 302
    pending_creator.refresh_from_db()
    assert pending_creator.rejection_reason == "Reposts other people's videos"


def test_the_detail_page_shows_the_full_timeline(client, reviewer_user, pending_creator):
    for n in range(3):
        audit_record(
            creator=pending_creator,
            actor=reviewer_user,
            action=AuditEvent.Action.ADOPT_FAILED,
            response=f"refusal {n}",
        )
    client.force_login(reviewer_user)
    body = client.get(f"/staff/creators/{pending_creator.pk}/").content.decode()
    assert all(f"refusal {n}" in body for n in range(3))
    assert "by reviewer" in body
    assert "Verify now" in body


def test_verify_now_reports_what_dailymotion_says(
    client, reviewer_user, adopted_creator, dailymotion
):
    dailymotion.children.add("x2adop")
    client.force_login(reviewer_user)
    body = client.post(f"/staff/creators/{adopted_creator.pk}/verify/", follow=True).content
    assert b"adopted-adam is a child of the network" in body


def test_bulk_approve_runs_in_the_background_with_progress(
    client,
    reviewer_user,
    pending_creator,
    rejected_creator,
    dailymotion,
    django_capture_on_commit_callbacks,
):
    client.force_login(reviewer_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/bulk/", {"action": "approve", "ids": [pending_creator.pk, rejected_creator.pk]}
        )
    job = BulkJob.objects.get()
    assert response["Location"] == f"/staff/bulk/{job.pk}/"
    assert (job.status, job.total, job.done, job.failed) == ("finished", 2, 1, 1)
    assert job.errors[0]["creator"] == "rejected-rita"
    status = client.get(f"/staff/bulk/{job.pk}.json").json()
    assert (status["percent"], status["done"], status["failed"]) == (100, 1, 1)
    page = client.get(f"/staff/bulk/{job.pk}/").content.decode()
    assert 'class="progress"' in page
    assert "rejected-rita" in page
    assert "adoption-bulk.js" in page


def test_bulk_reject_needs_a_reason(client, reviewer_user, pending_creator):
    client.force_login(reviewer_user)
    client.post("/staff/bulk/", {"action": "reject", "ids": [pending_creator.pk]})
    assert not BulkJob.objects.exists()


def test_bulk_reject_rejects_each_with_the_reason(
    client, reviewer_user, pending_creator, make_creator_fixture, django_capture_on_commit_callbacks
):
    other = make_creator_fixture("x6", "other")
    client.force_login(reviewer_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/staff/bulk/",
            {"action": "reject", "ids": [pending_creator.pk, other.pk], "reason": "Spam"},
        )
    assert set(
        Creator.objects.filter(rejection_reason="Spam").values_list("username", flat=True)
    ) == {
        "pending-paula",
        "other",
    }


def test_the_drift_page_lists_differences_with_fixes(
    client, reviewer_user, adopted_creator, dailymotion
):
    Drift.objects.create(
        kind=Drift.Kind.MISSING_CHILD, dailymotion_id="x2adop", creator=adopted_creator
    )
    client.force_login(reviewer_user)
    body = client.get("/staff/drift/").content.decode()
    assert "Adopted here, not a child on Dailymotion" in body
    assert 'value="readopt"' in body
    assert 'value="mark_removed"' in body
    client.post(f"/staff/drift/{Drift.objects.get().pk}/fix/", {"fix": "mark_removed"})
    adopted_creator.refresh_from_db()
    assert adopted_creator.status == "rejected"


def test_check_now_runs_the_reconciliation(client, reviewer_user, adopted_creator, dailymotion):
    client.force_login(reviewer_user)
    body = client.post("/staff/drift/check/", follow=True).content.decode()
    assert "0 children on Dailymotion, 1 differences" in body
    assert "adopted-adam" in body


def test_the_audit_page_filters_and_paginates(client, reviewer_user, staff_user, pending_creator):
    for _ in range(55):
        audit_record(creator=pending_creator, actor=reviewer_user, action="adopt_failed")
    audit_record(creator=pending_creator, actor=staff_user, action="rejected", note="by manager")
    client.force_login(reviewer_user)
    page = client.get("/staff/audit/").context["page"]
    assert (page.paginator.count, len(page)) == (56, 50)
    assert client.get("/staff/audit/", {"page": 2}).context["page"].paginator.num_pages == 2
    only = client.get("/staff/audit/", {"action": "rejected"}).context["page"]
    assert [e.note for e in only] == ["by manager"]
    assert client.get("/staff/audit/", {"actor": "manager"}).context["page"].paginator.count == 1
    assert client.get("/staff/audit/", {"q": "paula"}).context["page"].paginator.count == 56
