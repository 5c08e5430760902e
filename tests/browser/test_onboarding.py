"""The two journeys of issue 4, in a real browser against the sandbox Dailymotion."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases="__all__"),
]


def connect_as(page, base_url: str, username: str) -> None:
    """From the landing page through the sandbox consent page, as a seeded creator."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Connect Dailymotion").click()
    page.wait_for_url(re.compile(r"/sandbox/oauth/authorize"))
    page.fill("#username", username)
    page.fill("#password", f"pass-{username}")
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(r"/me/$"))


def test_a_creator_connects_and_lands_on_their_page_as_pending(new_page, dailymotion_sandbox):
    page = new_page()
    connect_as(page, dailymotion_sandbox.live_url, "creator01")
    assert page.locator("h1").first.inner_text()
    assert page.locator(".badge[data-status]").inner_text() == "Pending review"
    assert page.get_by_text("Connected Dailymotion").is_visible()
    from accounts.models import Creator

    creator = Creator.objects.get(username="creator01")
    assert creator.status == "pending"
    assert creator.dailymotion_id == dailymotion_sandbox.account("creator01").id


def test_staff_approve_and_the_creator_and_the_sandbox_agree(new_page, dailymotion_sandbox):
    base = dailymotion_sandbox.live_url
    creator_page = new_page()
    connect_as(creator_page, base, "creator02")

    reviewer = User.objects.create_user("reviewer", password="reviewer-pass", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewer"))
    staff_page = new_page()
    staff_page.goto(base + "/staff/login/")
    staff_page.fill("#id_username", "reviewer")
    staff_page.fill("#id_password", "reviewer-pass")
    staff_page.get_by_role("button", name="Sign in").click()
    staff_page.wait_for_url(re.compile(r"/staff/$"))
    row = staff_page.locator('tr[data-creator="creator02"]')
    row.get_by_role("button", name="Approve").click()
    staff_page.wait_for_load_state()
    assert "creator02 approved and adopted" in staff_page.locator(".messages").inner_text()
    assert staff_page.locator('tr[data-creator="creator02"] .badge').inner_text() == "Adopted"

    creator_page.reload()
    assert creator_page.locator(".badge[data-status]").inner_text() == "Adopted"
    assert creator_page.get_by_text("Approved (adopted)").is_visible()
    child_id = dailymotion_sandbox.account("creator02").id
    assert child_id in dailymotion_sandbox.children_ids()
