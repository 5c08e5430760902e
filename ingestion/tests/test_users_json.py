from __future__ import annotations

import base64
import json

import pytest

from accounts.models import Creator
from conftest import make_creator
from ingestion.models import CrawlLog

pytestmark = pytest.mark.usefixtures("tokens")


def get(client, **kwargs):
    response = client.get("/syndication/users.json", **kwargs)
    if response.streaming:
        response.content_bytes = b"".join(response.streaming_content)
    return response


def test_it_lists_adopted_creators_with_syndication_on(
    client, adopted_creator, pending_creator, rejected_creator
):
    make_creator("x9off", "quiet-quinn", status=Creator.Status.ADOPTED, syndication_enabled=False)
    response = get(client, data={"token": "feed-new"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content_bytes) == [
        {
            "id": "x2adop",
            "feed_url": "https://portal.example.com/syndication/feeds/x2adop.xml?token=feed-new",
        }
    ]
    assert CrawlLog.objects.get(endpoint="users").items == 1


def test_it_accepts_every_rotated_token_but_writes_the_first(client, adopted_creator):
    response = get(client, data={"token": "feed-old"})
    assert "token=feed-new" in json.loads(response.content_bytes)[0]["feed_url"]


def test_it_accepts_http_basic_with_the_token_as_password(client, adopted_creator):
    basic = base64.b64encode(b"anyone:feed-old").decode()
    assert get(client, HTTP_AUTHORIZATION=f"Basic {basic}").status_code == 200


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"data": {"token": "wrong"}},
        {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"feed-new:nope").decode()},
        {"HTTP_AUTHORIZATION": "Basic !!!"},
        {"HTTP_AUTHORIZATION": "Bearer feed-new"},
    ],
)
def test_it_refuses_anything_else_with_401(client, adopted_creator, kwargs):
    response = get(client, **kwargs)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid or missing token"}
    assert response["WWW-Authenticate"].startswith("Basic")


def test_it_serves_an_empty_list(client, db):
    assert json.loads(get(client, data={"token": "feed-new"}).content_bytes) == []


@pytest.mark.parametrize("count", [1, 25])
def test_it_uses_one_query_plus_the_log(client, db, django_assert_num_queries, count):
    for n in range(count):
        make_creator(f"x{n}z", f"user{n}", status=Creator.Status.ADOPTED)
    with django_assert_num_queries(2):
        data = get(client, data={"token": "feed-new"}).content_bytes
    assert len(json.loads(data)) == count
