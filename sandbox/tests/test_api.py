from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox import services
from sandbox.models import SandboxAccount

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

PARENT = "x0mcn01"


def test_it_answers_me_and_auth_for_the_token_owner(call, token_for):
    token = token_for("creator01")["access_token"]
    me = call("GET", "/me", token, fields="id,username,email,created_time").json()
    assert me["id"] == "x1cr001"
    assert me["username"] == "creator01"
    assert me["email"] == "creator01@creators.example"
    assert isinstance(me["created_time"], int)
    auth = call("GET", "/auth", token).json()
    assert auth["scope"] == ["email", "userinfo", "delegate_account_management", "read_insights"]
    assert auth["roles"] == ["can-adopt-users"]
    assert (
        call(
            "GET", "/auth", token_for("creator01", client_id="sandbox-norole-id")["access_token"]
        ).json()["roles"]
        == []
    )


def test_it_answers_401_with_www_authenticate_for_an_expired_token(call, token_for):
    token = token_for("creator01")["access_token"]
    services.sandbox_expire_token(token)
    response = call("GET", "/me", token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert "expired" in response["WWW-Authenticate"]
    assert response.json()["error"]["code"] == 401


def test_it_answers_401_without_a_token_where_one_is_needed(call, sandbox):
    response = call("GET", "/me")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_it_keeps_refresh_working_after_an_account_tokens_expire(client, call, token_for):
    tokens = token_for("creator05")
    assert services.sandbox_expire_token(SandboxAccount.objects.get(username="creator05")) == 1
    assert call("GET", "/me", tokens["access_token"]).status_code == 401
    refreshed = client.post(
        "/sandbox/oauth/token",
        {
            "grant_type": "refresh_token",
            "client_id": "sandbox-client-id",
            "client_secret": "sandbox-client-secret",
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert call("GET", "/me", refreshed["access_token"]).status_code == 200


def test_it_rejects_unknown_fields(call, sandbox):
    response = call("GET", "/user/x1cr001", fields="id,nope")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_parameter"


def test_it_lists_children_in_dailymotions_envelope_without_a_token(call, sandbox):
    body = call("GET", f"/user/{PARENT}/children", fields="id,username,revenues_video_total").json()
    assert set(body) == {"page", "limit", "explicit", "total", "has_more", "list"}
    assert body["total"] == 3
    assert body["has_more"] is False
    assert {c["id"] for c in body["list"]} == {"x1cr031", "x1cr032", "x1cr033"}
    assert all(c["revenues_video_total"] is None for c in body["list"])


def test_it_returns_revenues_to_the_parents_token_only(call, token_for):
    parent = token_for("mcn-network")["access_token"]
    other = token_for("creator01")["access_token"]
    fields = "id,revenues_video_total,revenues_claim_last_week"
    child = call("GET", "/user/x1cr031", parent, fields=fields).json()
    account = SandboxAccount.objects.get(id="x1cr031")
    assert child["revenues_video_total"] == float(account.revenues_video_total) > 0
    assert call("GET", "/user/x1cr031", other, fields=fields).json()["revenues_video_total"] is None
    listing = call("GET", f"/user/{PARENT}/children", parent, fields=fields).json()
    assert all(c["revenues_video_total"] is not None for c in listing["list"])


def test_it_returns_own_revenues_only_with_read_insights(call, token_for):
    with_scope = token_for("creator01")["access_token"]
    without = token_for("creator01", scopes=["email", "userinfo"])["access_token"]
    assert call("GET", "/me", with_scope, fields="revenues_website_total").json()[
        "revenues_website_total"
    ]
    assert call("GET", "/me", without, fields="revenues_website_total").json() == {
        "revenues_website_total": None
    }


def test_it_never_returns_revenues_of_an_unavailable_account(call, token_for):
    services.account_adopt(
        token=services.token_lookup(token_for("creator36")["access_token"]), parent_id=PARENT
    )
    parent = token_for("mcn-network")["access_token"]
    body = call(
        "GET", "/user/x1cr036", parent, fields="revenues_video_total,revenues_video_last_day"
    ).json()
    assert body == {"revenues_video_total": None, "revenues_video_last_day": None}


def test_it_pages_with_limits_and_the_1000_result_cap(call, sandbox):
    services.sandbox_seed_bulk(1500)
    first = call("GET", f"/user/{PARENT}/children", limit=100, page=1).json()
    assert first["total"] == 1503
    assert first["has_more"] is True
    assert len(first["list"]) == 100
    last = call("GET", f"/user/{PARENT}/children", limit=100, page=10).json()
    assert last["has_more"] is False  # the cap: page 11 does not exist for this listing
    over = call("GET", f"/user/{PARENT}/children", limit=100, page=11)
    assert over.status_code == 400
    assert over.json()["error"]["type"] == "invalid_parameter"
    assert call("GET", f"/user/{PARENT}/children", limit=101).status_code == 400
    assert call("GET", f"/user/{PARENT}/children", limit=0).status_code == 400


def test_it_windows_children_by_created_time(call, sandbox):
    services.sandbox_seed_bulk(300)
    base = int(datetime(2010, 1, 1, tzinfo=UTC).timestamp())
    # Bulk child i is created at base + i * 9377 s: [after, before) holds children 100..199.
    window = {"created_after": base + 100 * 9377, "created_before": base + 200 * 9377}
    ids, page = [], 1
    while True:
        body = call(
            "GET", f"/user/{PARENT}/children", limit=30, page=page, sort="old", **window
        ).json()
        ids += [c["id"] for c in body["list"]]
        if not body["has_more"]:
            break
        page += 1
    assert body["total"] == 100
    assert ids == [f"x2b{i:06d}" for i in range(100, 200)]
    recent = call("GET", f"/user/{PARENT}/children", limit=1, sort="recent", **window).json()
    assert recent["list"][0]["id"] == "x2b000199"
    assert call("GET", f"/user/{PARENT}/children", sort="alpha").status_code == 400


def test_it_lists_users_by_ids_up_to_100(call, sandbox):
    body = call("GET", "/users", ids="x1cr001,x1cr002,nope", fields="id").json()
    assert [u["id"] for u in body["list"]] == ["x1cr001", "x1cr002"]
    too_many = ",".join(f"x{i}" for i in range(101))
    assert call("GET", "/users", ids=too_many).status_code == 400
    assert call("GET", "/users", parent=PARENT, fields="id").json()["total"] == 3


def test_it_adopts_with_the_childs_token_and_a_key_with_the_role(call, token_for):
    token = token_for("creator01")["access_token"]
    assert call("GET", f"/me/parents/{PARENT}", token).json()["list"] == []
    response = call("POST", f"/me/parents/{PARENT}", token)
    assert response.status_code == 200
    assert response.json() == {}
    assert call("POST", f"/me/parents/{PARENT}", token).json() == {}  # idempotent
    assert [p["id"] for p in call("GET", f"/me/parents/{PARENT}", token).json()["list"]] == [PARENT]
    assert [p["id"] for p in call("GET", "/user/x1cr001/parents").json()["list"]] == [PARENT]


def test_it_refuses_adoption_without_the_role(call, token_for):
    token = token_for("creator01", client_id="sandbox-norole-id")["access_token"]
    response = call("POST", f"/me/parents/{PARENT}", token)
    assert response.status_code == 403
    assert response.json()["error"]["type"] == "access_forbidden"
    assert SandboxAccount.objects.get(id="x1cr001").parent_id is None


def test_it_refuses_adoption_into_a_non_parent_or_a_second_network(call, token_for):
    assert (
        call("POST", "/me/parents/x1cr002", token_for("creator01")["access_token"]).status_code
        == 400
    )
    response = call("POST", f"/me/parents/{PARENT}", token_for("creator34")["access_token"])
    assert response.status_code == 403


def test_it_refuses_the_next_adoption_when_told_to(call, token_for):
    services.sandbox_refuse_adoption("x1cr004")
    token = token_for("creator04")["access_token"]
    assert call("POST", f"/me/parents/{PARENT}", token).status_code == 403
    assert call("POST", f"/me/parents/{PARENT}", token).status_code == 200


def test_it_removes_a_child_only_with_the_parents_token(call, token_for):
    child = token_for("creator31")["access_token"]
    assert call("DELETE", "/me/children/x1cr031", child).status_code == 404
    parent = token_for("mcn-network")["access_token"]
    response = call("DELETE", "/me/children/x1cr031", parent)
    assert response.status_code == 200
    assert response.json() == {}
    assert call("DELETE", "/me/children/x1cr031", parent).status_code == 404
    assert SandboxAccount.objects.get(id="x1cr031").parent_id is None


def test_it_creates_videos_for_children_with_the_parents_token(call, token_for):
    parent = token_for("mcn-network")["access_token"]
    params = {
        "url": "http://cdn.test/a.mp4",
        "title": "A",
        "channel": "fun",
        "published": "true",
        "is_created_for_kids": "false",
        "tags": "a,b",
    }
    response = call("POST", "/user/x1cr031/videos", parent, **params)
    assert response.status_code == 200
    body = response.json()
    assert body["id"].startswith("x") and 7 <= len(body["id"]) <= 9
    assert body["owner"] == "x1cr031"
    assert call("GET", f"/video/{body['id']}", fields="id,title,tags,published").json() == {
        "id": body["id"],
        "title": "A",
        "tags": ["a", "b"],
        "published": True,
    }
    assert (
        call("POST", "/user/x1cr001/videos", parent, **params).status_code == 403
    )  # not its child
    assert (
        call("POST", "/user/x1cr031/videos", parent, **{**params, "channel": "cats"}).status_code
        == 400
    )


def test_it_enforces_the_daily_upload_quota(call, token_for):
    token = token_for("creator01")["access_token"]
    params = {"url": "http://cdn.test/a.mp4", "title": "A", "channel": "fun"}
    for _ in range(15):
        assert call("POST", "/user/x1cr001/videos", token, **params).status_code == 200
    response = call("POST", "/user/x1cr001/videos", token, **params)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Upload quota exceeded: 15 videos per 24 hours."


def test_it_fails_the_next_n_calls_with_429_and_retry_after(call, sandbox):
    services.sandbox_fail_next(f"/user/{PARENT}/children", 429, 2, retry_after=3)
    for _ in range(2):
        response = call("GET", f"/user/{PARENT}/children")
        assert response.status_code == 429
        assert response["Retry-After"] == "3"
    assert call("GET", f"/user/{PARENT}/children").status_code == 200
    assert call("GET", "/user/x1cr001").status_code == 200


def test_it_fails_the_token_endpoint_with_500_when_told_to(client, sandbox):
    services.sandbox_fail_next("/oauth/token", 500, 1)
    assert client.post("/sandbox/oauth/token", {}).status_code == 500
    assert client.post("/sandbox/oauth/token", {}).status_code == 400
