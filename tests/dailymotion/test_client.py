"""The typed calls: what is sent, how answers are parsed, how errors and retries behave."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from responses import matchers

from mcn_portal.lib.dailymotion import (
    PROFILE_FIELDS,
    AccessForbidden,
    DailymotionClient,
    DailymotionError,
    DailymotionUnavailable,
    InvalidParameter,
    InvalidToken,
    NotFound,
    RateLimited,
)

from .conftest import API, add_fixture


def query(call) -> dict[str, list[str]]:
    return parse_qs(urlsplit(call.request.url).query)


def form(call) -> dict[str, list[str]]:
    return parse_qs(call.request.body or "")


def test_it_reads_me_into_a_typed_user(client, rsps):
    add_fixture(rsps, "GET", f"{API}/me", "me")

    me = client.me()

    assert me.id == "x1abc2"
    assert me.username == "cookingwithcarla"
    assert me.screenname == "Cooking with Carla"
    assert me.email == "carla@example.com"
    assert me.avatar_url == "https://s2.dmcdn.net/u/x1abc2/240x240.jpg"
    assert (me.followers_total, me.videos_total, me.views_total) == (15230, 412, 9876543)
    assert me.created_time == datetime(2014, 7, 3, 10, 30, tzinfo=UTC)
    call = rsps.calls[0]
    assert query(call) == {"fields": [",".join(PROFILE_FIELDS)]}
    assert call.request.headers["Authorization"] == "Bearer creator-access-7777"
    assert call.request.headers["User-Agent"] == "mcn-portal/0.1"
    assert call.request.req_kwargs["timeout"] == 7.5


def test_it_keeps_only_the_revenues_returned_as_exact_decimals(client, rsps):
    add_fixture(rsps, "GET", f"{API}/user/x1abc2", "me")

    user = client.user("x1abc2", fields=["id", "revenues_video_total"])

    assert user.revenues == {
        "revenues_video_total": Decimal("8420.5"),
        "revenues_website_total": Decimal("12350.2"),
        "revenues_claim_total": Decimal("513.09"),
        "revenues_video_last_month": Decimal("0.1"),
    }
    assert "revenues_paidcontent_total" not in user.revenues  # null means unavailable, not 0
    assert query(rsps.calls[0]) == {"fields": ["id,revenues_video_total"]}


def test_it_reads_auth_with_scope_as_a_list_or_a_string(client, rsps):
    add_fixture(rsps, "GET", f"{API}/auth", "auth")
    add_fixture(rsps, "GET", f"{API}/auth", "auth_scope_string")

    network, creator = client.auth(), client.auth()

    assert network.id == "x0mcn01"
    assert network.scopes == ["email", "userinfo", "delegate_account_management", "read_insights"]
    assert network.roles == ["can-adopt-users"]
    assert creator.scopes == ["email", "userinfo"]
    assert creator.roles == []


def test_it_asks_users_by_ids_100_at_a_time(client, rsps):
    def answer(request):
        ids = parse_qs(urlsplit(request.url).query)["ids"][0].split(",")
        return 200, {}, __import__("json").dumps({"list": [{"id": i} for i in ids]})

    rsps.add_callback("GET", f"{API}/users", callback=answer)
    ids = [f"x{n}" for n in range(250)]

    users = list(client.users(ids, fields=["id", "revenues_video_total"]))

    assert [u.id for u in users] == ids
    batches = [query(c)["ids"][0].split(",") for c in rsps.calls]
    assert [len(b) for b in batches] == [100, 100, 50]
    assert query(rsps.calls[0])["limit"] == ["100"]
    assert client.calls_made == 3


def test_it_knows_whether_an_account_is_a_child_of_the_network(client, rsps):
    add_fixture(rsps, "GET", f"{API}/me/parents/x0mcn01", "parents_member")
    add_fixture(rsps, "GET", f"{API}/me/parents/x0mcn01", "parents_empty")
    add_fixture(rsps, "GET", f"{API}/me/parents/x0mcn01", "error_not_found")

    assert client.is_child_of("x0mcn01") is True
    assert client.is_child_of("x0mcn01") is False
    assert client.is_child_of("x0mcn01") is False


def test_it_lists_parents(client, rsps):
    add_fixture(rsps, "GET", f"{API}/me/parents", "parents_member")

    assert [p.id for p in client.parents()] == ["x0mcn01"]


def test_it_adopts_with_a_post_and_removes_with_a_delete(client, rsps):
    add_fixture(rsps, "POST", f"{API}/me/parents/x0mcn01", "empty")
    add_fixture(rsps, "DELETE", f"{API}/me/children/x1abc2", "empty")

    client.adopt("x0mcn01")
    client.remove_child("x1abc2")

    assert [c.request.method for c in rsps.calls] == ["POST", "DELETE"]
    assert all(
        c.request.headers["Authorization"] == "Bearer creator-access-7777" for c in rsps.calls
    )


def test_it_creates_a_video_with_form_encoded_fields(client, rsps):
    add_fixture(rsps, "POST", f"{API}/user/x1abc2/videos", "video_created")

    video = client.create_video(
        "x1abc2",
        url="https://cdn.example.com/v/1.mp4",
        title="My Upload",
        channel="fun",
        tags=["cooking", "pasta"],
        description="Carbonara",
    )

    assert (video.id, video.title, video.status) == ("x8vid01", "My Upload", "processing")
    call = rsps.calls[0]
    assert urlsplit(call.request.url).query == ""
    assert form(call) == {
        "url": ["https://cdn.example.com/v/1.mp4"],
        "title": ["My Upload"],
        "channel": ["fun"],
        "published": ["true"],
        "is_created_for_kids": ["false"],
        "description": ["Carbonara"],
        "tags": ["cooking,pasta"],
    }


def test_it_logs_out(client, rsps):
    add_fixture(rsps, "GET", f"{API}/logout", "empty")

    client.logout()

    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("fixture", "exc_type", "message", "error_type"),
    [
        ("error_invalid_token", InvalidToken, "The access token has expired.", "invalid_token"),
        (
            "error_insufficient_scope",
            AccessForbidden,
            "This call requires the delegate_account_management scope.",
            "insufficient_scope",
        ),
        (
            "error_access_forbidden",
            AccessForbidden,
            "Your API key lacks the can-adopt-users role.",
            "access_forbidden",
        ),
        (
            "error_not_found",
            NotFound,
            'Can not find the object "x9nope" of type "user"',
            "not_found",
        ),
        ("error_invalid_parameter", InvalidParameter, "1000 results cap", "invalid_parameter"),
        (
            "error_missing_parameter",
            InvalidParameter,
            "Missing required parameter",
            "missing_required",
        ),
    ],
)
def test_it_turns_error_bodies_into_exceptions_with_dailymotions_message(
    transport, rsps, fixture, exc_type, message, error_type
):
    client = DailymotionClient(None, **transport)  # anonymous: nothing to refresh
    add_fixture(rsps, "GET", f"{API}/user/x9nope", fixture)

    with pytest.raises(exc_type) as caught:
        client.user("x9nope")

    assert message in str(caught.value)
    assert caught.value.error_type.startswith(error_type)
    assert caught.value.status == rsps.calls[0].response.status_code


def test_it_waits_for_retry_after_then_succeeds(client, rsps, sleeps):
    add_fixture(rsps, "GET", f"{API}/me", "error_rate_limited")
    add_fixture(rsps, "GET", f"{API}/me", "me")

    assert client.me().id == "x1abc2"

    assert sleeps == [7.0]
    assert client.calls_made == 2


def test_it_gives_up_on_429_after_the_retries(client, rsps, sleeps):
    for _ in range(4):
        add_fixture(rsps, "GET", f"{API}/me", "error_rate_limited")

    with pytest.raises(RateLimited) as caught:
        client.me()

    assert caught.value.retry_after == 7.0
    assert str(caught.value) == "Rate limit exceeded, retry later."
    assert sleeps == [7.0, 7.0, 7.0]


def test_it_retries_a_post_refused_with_429(client, rsps, sleeps):
    add_fixture(rsps, "POST", f"{API}/me/parents/x0mcn01", "error_rate_limited")
    add_fixture(rsps, "POST", f"{API}/me/parents/x0mcn01", "empty")

    client.adopt("x0mcn01")

    assert sleeps == [7.0]
    assert len(rsps.calls) == 2


def test_it_retries_5xx_with_jittered_exponential_backoff_then_gives_up(client, rsps, sleeps):
    for _ in range(4):
        add_fixture(rsps, "GET", f"{API}/me", "error_server")

    with pytest.raises(DailymotionUnavailable) as caught:
        client.me()

    assert str(caught.value) == "Internal server error."
    assert client.calls_made == 4  # 1 + DAILYMOTION_MAX_RETRIES
    assert len(sleeps) == 3
    for attempt, pause in enumerate(sleeps):
        assert 0 <= pause <= min(4.0, 0.5 * 2**attempt)


def test_it_retries_a_delete_after_a_connection_error(client, rsps, sleeps):
    rsps.add("DELETE", f"{API}/me/children/x1abc2", body=requests.ConnectionError("reset"))
    add_fixture(rsps, "DELETE", f"{API}/me/children/x1abc2", "empty")

    client.remove_child("x1abc2")

    assert len(sleeps) == 1
    assert client.calls_made == 2


def test_it_reports_an_unavailable_dailymotion_even_without_a_json_body(client, rsps):
    for _ in range(4):
        add_fixture(rsps, "GET", f"{API}/me", "error_unavailable")

    with pytest.raises(DailymotionUnavailable, match="HTTP 503 to GET /me"):
        client.me()


def test_it_never_repeats_a_post_after_a_server_error(client, rsps, sleeps):
    add_fixture(rsps, "POST", f"{API}/user/x1abc2/videos", "error_server")

    with pytest.raises(
        DailymotionUnavailable, match="outcome of POST /user/x1abc2/videos is unknown"
    ):
        client.create_video("x1abc2", url="https://cdn.example.com/1.mp4", title="T", channel="fun")

    assert len(rsps.calls) == 1
    assert sleeps == []


def test_it_never_repeats_a_post_after_a_timeout(client, rsps, sleeps):
    rsps.add("POST", f"{API}/me/parents/x0mcn01", body=requests.ReadTimeout("slow"))

    with pytest.raises(DailymotionUnavailable, match="outcome is unknown"):
        client.adopt("x0mcn01")

    assert len(rsps.calls) == 1
    assert sleeps == []


def test_it_sends_get_parameters_in_the_query_and_nothing_in_the_body(client, rsps):
    rsps.add(
        "GET",
        f"{API}/user/x0mcn01/children",
        json={"list": [], "total": 0, "has_more": False},
        match=[
            matchers.query_param_matcher(
                {"fields": "created_time,id,username", "limit": "100", "sort": "old", "page": "1"}
            )
        ],
    )

    assert list(client.children("x0mcn01")) == []
    assert rsps.calls[0].request.body is None


def test_it_is_a_dailymotion_error_for_callers_that_catch_everything(client, rsps):
    add_fixture(rsps, "GET", f"{API}/me", "error_not_found")

    with pytest.raises(DailymotionError):
        client.me()
