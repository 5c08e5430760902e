from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate

from accounts.models import Creator
from adoption.demo import seed_demo

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_the_demo_seed_makes_staff_logins_and_connected_creators_once(settings):
    from sandbox.services import sandbox_reset

    settings.DAILYMOTION_CLIENT_ID = settings.SANDBOX_CLIENT_ID
    sandbox_reset()
    lines = seed_demo(io.StringIO())
    seed_demo(io.StringIO())
    assert any("reviewer / reviewer-pass" in line for line in lines)
    reviewer = authenticate(username="reviewer", password="reviewer-pass")
    assert reviewer.has_perm("accounts.decide_creator")
    assert not reviewer.has_perm("accounts.see_money")
    assert authenticate(username="manager", password="manager-pass").has_perm("accounts.see_money")
    assert dict(Creator.objects.values_list("username", "status")) == {
        "creator10": "pending",
        "creator11": "pending",
        "creator12": "adopted",
    }
    assert Creator.objects.get(username="creator10").credential.access_token
