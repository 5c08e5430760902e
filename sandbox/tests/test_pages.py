from __future__ import annotations

import pytest

from sandbox import services
from sandbox.models import SandboxAccount

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])


def test_it_shows_accounts_with_passwords_paginated(client, sandbox):
    response = client.get("/sandbox/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Dailymotion sandbox" in body
    assert "network-pass" in body
    assert "pass-creator01" in body
    assert "Page 1 of 2" in body
    assert "pass-creator36" in client.get("/sandbox/?page=2").content.decode()


def test_it_advances_days_and_arms_faults_from_the_page(client, sandbox):
    today = services.sandbox_state().today
    assert client.post("/sandbox/action/", {"action": "advance", "days": "2"}).status_code == 302
    assert (services.sandbox_state().today - today).days == 2
    client.post(
        "/sandbox/action/", {"action": "fail", "path": "/me", "status": "429", "count": "1"}
    )
    assert client.get("/sandbox/api/me").status_code == 429
    client.post("/sandbox/action/", {"action": "refuse", "account": "x1cr002", "value": "1"})
    assert SandboxAccount.objects.get(id="x1cr002").refuse_next_adoption


def test_it_resets_from_the_page(client, sandbox):
    SandboxAccount.objects.filter(id="x1cr031").update(parent=None)
    client.post("/sandbox/action/", {"action": "reset"})
    assert SandboxAccount.objects.get(id="x1cr031").parent_id == "x0mcn01"


def test_it_seeds_the_demo_once_and_leaves_it_alone(sandbox):
    import io

    from sandbox.demo import seed_demo

    today = services.sandbox_advance_days(1)
    lines = seed_demo(io.StringIO())
    assert "creator01 / pass-creator01" in lines[0]
    assert services.sandbox_state().today == today


def test_it_seeds_an_empty_sandbox_for_the_demo(db):
    import io

    from sandbox.demo import seed_demo

    pytest.importorskip("sandbox.demo")
    SandboxAccount.objects.all().delete()
    seed_demo(io.StringIO())
    assert SandboxAccount.objects.filter(username="mcn-network").exists()


@pytest.mark.parametrize("share", ["abc", "nan", "inf", "-1", "7"])
def test_a_crawl_with_a_nonsense_failure_share_uses_the_default(
    client, sandbox, monkeypatch, share
):
    asked = []
    monkeypatch.setattr(
        services, "sandbox_crawl", lambda fail_share: asked.append(fail_share) or _crawled()
    )
    response = client.post("/sandbox/action/", {"action": "crawl", "fail_share": share})
    assert response.status_code == 302
    assert asked == [0.1]


def _crawled() -> dict:
    return {"available": True, "message": "crawled", "errors": []}


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_the_actions_only_return_to_our_own_pages(client, sandbox, target):
    response = client.post("/sandbox/action/", {"action": "clear_faults", "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/sandbox/"


def test_a_next_that_looks_like_a_view_name_is_a_plain_path(client, sandbox):
    response = client.post("/sandbox/action/", {"action": "clear_faults", "next": "0"})
    assert (response.status_code, response["Location"]) == (302, "0")


def test_advancing_is_capped_at_a_year_per_click(client, sandbox):
    today = services.sandbox_state().today
    client.post("/sandbox/action/", {"action": "advance", "days": "999999999"})
    assert (services.sandbox_state().today - today).days == 366
