"""CSRF on every state-changing browser action, found by walking the URLconf.

Every URL pattern outside admin/ and sandbox/ is resolved with real objects. For a staff user
with every permission, a creator and an anonymous visitor, each URL answers a POST (and a PUT,
PATCH, DELETE) without a CSRF token with 403 and leaves every portal row as it was; with a valid
token the staff user is not refused, which proves the first check can fail. Only the machine
endpoints authenticated by a token are exempt, and the exempt set is pinned: a new exempt view
fails here until someone decides it should be.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import Creator
from accounts.tests.fakes import FakeDailymotion
from adoption.models import AuditEvent, BulkJob, Drift
from ingestion.models import Video
from revenues.models import PollRun

pytestmark = pytest.mark.django_db

EXCLUDED_PREFIXES = ("admin/", "sandbox/")
# Machine endpoints: authenticated by CALLBACK_TOKEN in the query, never by a browser session.
EXPECTED_CSRF_EXEMPT = {"ingestion_callback"}
PORTAL_APPS = ("accounts", "adoption", "ingestion", "revenues", "auth", "sessions")
UNSAFE_METHODS = ("post", "put", "patch", "delete")
CATALOG = (
    b"owner,uid,title,description,video_url,thumbnail_url,channel,tags,published_at\n"
    b"x1pend,csrf-1,Title,,https://cdn.example/v.mp4,,news,,2026-01-01T00:00:00Z\n"
)


def url_patterns() -> list[tuple[str, str | None, object]]:
    """(route, name, view) of every pattern of the portal's URLconf, includes flattened."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.name, pattern.callback

    return [p for p in walk(get_resolver().url_patterns) if not p[0].startswith(EXCLUDED_PREFIXES)]


def is_csrf_exempt(view) -> bool:
    return bool(getattr(view, "csrf_exempt", False))


def snapshot() -> dict[str, list[dict]]:
    """Every row of every portal table, field by field."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in PORTAL_APPS
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture
def world(monkeypatch, settings) -> FakeDailymotion:
    """Dailymotion stand-ins, so the requests that pass CSRF do not leave the process."""
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    # Anything not patched below fails at once instead of waiting on a real server.
    settings.DAILYMOTION_API_URL = "http://127.0.0.1:9/api"
    settings.DAILYMOTION_TOKEN_URL = "http://127.0.0.1:9/oauth/token"
    settings.DAILYMOTION_MAX_RETRIES = 0
    settings.DAILYMOTION_RATE_LIMIT = 0
    fake = FakeDailymotion()
    fake.account("x0mcn01", "mcn-network")
    fake.account("x1pend", "pending-paula")
    fake.account("x2adop", "adopted-adam")
    fake.account("x8new", "newbie")
    return fake.install(monkeypatch)


@pytest.fixture
def objects(staff_user, pending_creator, adopted_creator, parent_credential):
    """One real row for every kind of object a URL names."""
    video = Video.objects.create(
        creator=adopted_creator,
        uid="csrf-video",
        title="A video",
        video_url="https://cdn.example/v.mp4",
        channel="news",
    )
    job = BulkJob.objects.create(
        action=BulkJob.Action.values[0], total=1, creator_ids=[pending_creator.pk]
    )
    drift = Drift.objects.create(kind=Drift.Kind.values[0], dailymotion_id="x9drift", username="d")
    run = PollRun.objects.create(requested_by=staff_user)
    AuditEvent.objects.create(creator=pending_creator, actor=staff_user, action="connected")
    found = {
        "creator": pending_creator,
        "adopted": adopted_creator,
        "video": video,
        "job": job,
        "drift": drift,
        "run": run,
    }
    catalog_import = apps.get_model("ingestion", "CatalogImport")
    found["catalog_import"] = catalog_import.objects.create(filename="c.csv", created_by=staff_user)
    return found


def kwargs_for(name: str, route: str, o: dict) -> dict:
    """Arguments of a URL, from the objects; an unknown parameter fails loudly."""
    today = date.today()
    pk_owner = {
        "adoption_bulk": o["job"],
        "adoption_drift": o["drift"],
        "ingestion_catalog_import": o["catalog_import"],
        "ingestion_video": o["video"],
        "adoption_creator": o["creator"],
    }
    kwargs = {}
    for part in route.split("<")[1:]:
        param = part.split(">")[0].split(":")[-1]
        if param == "pk":
            owner = next((v for k, v in pk_owner.items() if name.startswith(k)), None)
            assert owner is not None, f"tell test_csrf.kwargs_for what <pk> of {name} is"
            kwargs["pk"] = owner.pk
        elif param == "creator_id":
            kwargs[param] = o["creator"].pk
        elif param == "run_id":
            kwargs[param] = o["run"].pk
        elif param == "dailymotion_id":
            kwargs[param] = o["adopted"].dailymotion_id
        elif param in ("year", "month"):
            kwargs[param] = today.year if param == "year" else today.month
        else:
            pytest.fail(f"tell test_csrf.kwargs_for how to fill <{param}> of {name}")
    return kwargs


def payload(name: str, o: dict) -> dict:
    """A POST body that would do something, had the token been there."""
    bodies = {
        "staff_login": {"username": "manager", "password": "manager-pass"},
        "adoption_creator_reject": {"reason": "spam"},
        "adoption_creator_add": {"username": "newbie", "password": "pass-newbie"},
        "adoption_bulk_start": {"action": "approve", "ids": [o["creator"].pk]},
        "adoption_drift_fix": {"fix": Drift.Fix.values[0]},
        "ingestion_video_bulk": {"action": "requeue", "ids": [o["video"].pk]},
        "ingestion_catalog_upload": {"file": SimpleUploadedFile("c.csv", CATALOG)},
        "ingestion_creator_syndication": {"enabled": "0"},
        "revenues_share_set": {"percent": "50", "effective_from": "2026-01-01", "note": "x"},
    }
    return {"next": "/staff/", **bodies.get(name, {})}


def resolved(o: dict) -> list[tuple[str, str, object]]:
    """(name, path, view) of every pattern, with its arguments filled in."""
    found = []
    for route, name, view in url_patterns():
        assert name, f"unnamed URL pattern {route!r}: name it so tests can reach it"
        found.append((name, reverse(name, kwargs=kwargs_for(name, route, o)), view))
    return found


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def token_of(client: Client) -> str:
    """The CSRF token a page of ours would have put in its forms."""
    client.get("/staff/login/")
    return client.cookies["csrftoken"].value


def test_only_the_token_authenticated_machine_endpoints_are_csrf_exempt():
    exempt = {name for _, name, view in url_patterns() if is_csrf_exempt(view)}
    assert exempt == EXPECTED_CSRF_EXEMPT


def test_the_enumeration_sees_every_kind_of_page(objects):
    names = {name for name, _, _ in resolved(objects)}
    # A sample across the apps: if the walk broke, this would shrink.
    assert {
        "staff_login",
        "staff_logout",
        "adoption_creator_approve",
        "adoption_drift_fix",
        "ingestion_video_requeue",
        "revenues_share_set",
        "revenues_poll_start",
        "creator_home",
    } <= names
    assert len(names) >= 40


@pytest.mark.parametrize("who", ["staff", "creator", "anonymous"])
def test_every_unsafe_request_without_a_token_is_refused_and_changes_nothing(
    world, objects, staff_user, who
):
    user = {"staff": staff_user, "creator": objects["creator"].user, "anonymous": None}[who]
    client = csrf_client(user)
    before = snapshot()
    checked = 0
    for name, path, view in resolved(objects):
        if is_csrf_exempt(view):
            continue
        for method in UNSAFE_METHODS:
            response = getattr(client, method)(path, payload(name, objects))
            assert response.status_code == 403, (who, method, name, response.status_code)
            assert b"CSRF" in response.content, (who, method, name)
            checked += 1
        # A token from another session's cookie does not help either.
        response = client.post(
            path, payload(name, objects), HTTP_X_CSRFTOKEN="a" * 32, HTTP_COOKIE=""
        )
        assert response.status_code == 403, (who, "forged-token", name)
    assert checked >= 40 * len(UNSAFE_METHODS)
    assert snapshot() == before


def test_a_valid_token_gets_the_staff_past_the_check(world, objects, staff_user):
    """The other half: the same requests with the token are not refused, so 403 meant CSRF."""
    client = csrf_client(staff_user)
    token = token_of(client)
    statuses = {}
    for name, path, view in resolved(objects):
        if is_csrf_exempt(view) or name == "staff_logout":
            continue
        body = {**payload(name, objects), "csrfmiddlewaretoken": token}
        response = client.post(path, body)
        statuses[name] = response.status_code
        token = client.cookies["csrftoken"].value  # a sign-in rotates it
        assert b"CSRF" not in body_of(response), name
        if not path.startswith("/me/"):  # a creator's own pages refuse staff, by design
            assert response.status_code != 403, name
    # And the state-changing ones really did something (a 302 back, or a page with errors).
    accepting = {name for name, status in statuses.items() if status != 405}
    assert {
        "adoption_creator_approve",
        "adoption_creator_reject",
        "adoption_bulk_start",
        "adoption_drift_fix",
        "ingestion_video_requeue",
        "revenues_share_set",
        "revenues_poll_start",
    } <= accepting


def test_a_valid_token_in_the_header_works_too(world, objects, staff_user):
    client = csrf_client(staff_user)
    token = token_of(client)
    video = objects["video"]
    Video.objects.filter(pk=video.pk).update(state=Video.State.FAILED)
    response = client.post(f"/staff/videos/{video.pk}/requeue/", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.state == Video.State.QUEUED


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "null", "http://testserver.evil.example"]
)
def test_a_valid_token_from_another_origin_is_still_refused(world, objects, staff_user, origin):
    """A page elsewhere that somehow got a token still cannot post: Django checks Origin."""
    creator = objects["creator"]
    client = csrf_client(staff_user)
    token = token_of(client)
    before = snapshot()
    response = client.post(
        f"/staff/creators/{creator.pk}/approve/", {"csrfmiddlewaretoken": token}, HTTP_ORIGIN=origin
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_a_creator_with_a_token_is_not_refused_by_csrf_on_their_pages(world, objects):
    client = csrf_client(objects["creator"].user)
    token = token_of(client)
    for name, path, _view in resolved(objects):
        if not path.startswith("/me/"):
            continue
        response = client.post(path, {"csrfmiddlewaretoken": token})
        assert response.status_code != 403, name


def test_the_machine_callback_needs_its_token_not_a_csrf_one(settings, objects):
    settings.CALLBACK_TOKENS = ["cb-secret"]
    client = csrf_client()
    assert client.post("/syndication/callback/", b"[]", "application/json").status_code == 403
    ok = client.post("/syndication/callback/?token=cb-secret", b"[]", "application/json")
    assert ok.status_code == 200


# --- logout ---------------------------------------------------------------------------------
def test_logout_is_post_only_and_needs_the_token(staff_user):
    client = csrf_client(staff_user)
    assert client.get("/staff/logout/").status_code == 405
    assert client.get("/staff/").status_code == 200
    assert client.post("/staff/logout/").status_code == 403
    assert client.get("/staff/").status_code == 200
    token = token_of(client)
    response = client.post("/staff/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_a_creator_cannot_be_logged_out_by_a_get_either(objects):
    client = csrf_client(objects["creator"].user)
    assert client.get("/staff/logout/").status_code == 405
    assert client.get("/me/").status_code == 200


# --- GET never changes anything -------------------------------------------------------------
def test_no_get_changes_a_row(world, objects, staff_user):
    """A link or an <img> cannot act: every GET leaves the portal tables as they were."""
    client = csrf_client(staff_user)
    client.get("/staff/")  # the session and the CSRF cookie settle first
    before = snapshot()
    for name, path, _ in resolved(objects):
        if name in ("staff_logout", "connect_callback", "ingestion_users_json", "ingestion_feed"):
            continue  # logout is POST-only; the callback is checked by state; feeds by token
        client.get(path)
    after = snapshot()
    before.pop("sessions.Session"), after.pop("sessions.Session")
    assert after == before


def test_an_approve_really_needs_the_token(world, objects, staff_user):
    """The most consequential button, end to end: refused without, done with."""
    creator = objects["creator"]
    client = csrf_client(staff_user)
    client.post(f"/staff/creators/{creator.pk}/approve/")
    creator.refresh_from_db()
    assert creator.status == Creator.Status.PENDING
    token = token_of(client)
    client.post(f"/staff/creators/{creator.pk}/approve/", {"csrfmiddlewaretoken": token})
    creator.refresh_from_db()
    assert creator.status == Creator.Status.ADOPTED
