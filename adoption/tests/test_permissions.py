"""Every staff URL of accounts/adoption: anonymous, creator, staff without and with permission."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

from adoption.models import BulkJob, Drift

pytestmark = pytest.mark.django_db

VIEW, DECIDE = "view_creator", "decide_creator"


@pytest.fixture
def objects(pending_creator, staff_user):
    job = BulkJob.objects.create(action="approve", total=0, created_by=staff_user)
    drift = Drift.objects.create(kind=Drift.Kind.UNKNOWN_CHILD, dailymotion_id="x9", username="g")
    return {"creator": pending_creator.pk, "job": job.pk, "drift": drift.pk}


def urls(o):
    """(method, url, permission needed)."""
    return [
        ("get", "/staff/", VIEW),
        ("get", f"/staff/creators/{o['creator']}/", VIEW),
        ("post", f"/staff/creators/{o['creator']}/approve/", DECIDE),
        ("get", f"/staff/creators/{o['creator']}/reject/", DECIDE),
        ("post", f"/staff/creators/{o['creator']}/reject/", DECIDE),
        ("post", f"/staff/creators/{o['creator']}/verify/", DECIDE),
        ("get", "/staff/creators/add/", DECIDE),
        ("post", "/staff/bulk/", DECIDE),
        ("get", f"/staff/bulk/{o['job']}/", VIEW),
        ("get", f"/staff/bulk/{o['job']}.json", VIEW),
        ("get", "/staff/drift/", VIEW),
        ("post", "/staff/drift/check/", DECIDE),
        ("post", f"/staff/drift/{o['drift']}/fix/", DECIDE),
        ("get", "/staff/audit/", VIEW),
        ("get", "/staff/parent/connect/", DECIDE),
        ("post", "/staff/parent/password/", DECIDE),
        ("post", "/staff/parent/check/", DECIDE),
    ]


def staff_with(*codenames: str) -> User:
    user = User.objects.create_user("-".join(codenames) or "none", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_anonymous_visitors_are_sent_to_the_staff_login(client, objects):
    for method, url, _ in urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/login/?next="), url


def test_creators_and_staff_without_permission_are_refused(
    client, objects, pending_creator, bare_staff_user, outsider
):
    for user in (pending_creator.user, bare_staff_user, outsider):
        client.force_login(user)
        for method, url, _ in urls(objects):
            assert getattr(client, method)(url).status_code == 403, (user, url)


def test_viewing_does_not_allow_deciding(client, objects, dailymotion):
    client.force_login(staff_with(VIEW))
    for method, url, needed in urls(objects):
        status = getattr(client, method)(url).status_code
        if needed == DECIDE:
            assert status == 403, url
        else:
            assert status == 200, url


def test_deciding_staff_reach_every_page(client, objects, dailymotion, parent_credential):
    client.force_login(staff_with(VIEW, DECIDE))
    for method, url, _ in urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code in (200, 302, 400), url
        if response.status_code == 302:
            assert not response["Location"].startswith("/staff/login"), url


def test_money_is_shown_only_to_staff_who_may_see_it(client, pending_creator):
    client.force_login(staff_with(VIEW, DECIDE))
    assert b"Revenue (USD)" not in client.get("/staff/").content
    assert (
        b"Revenue since the beginning"
        not in client.get(f"/staff/creators/{pending_creator.pk}/").content
    )
    client.force_login(staff_with(VIEW, DECIDE, "see_money"))
    assert b"Revenue (USD)" in client.get("/staff/").content
