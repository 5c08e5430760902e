"""The dailymotion_sandbox fixture over real HTTP, as the portal's client will use it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def post(url: str, data: dict) -> dict:
    with urlopen(Request(url, data=urlencode(data).encode(), method="POST")) as response:
        return json.loads(response.read())


def test_it_serves_the_code_flow_and_api_over_http(dailymotion_sandbox, settings):
    authorize = (
        settings.DAILYMOTION_AUTHORIZE_URL
        + "?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": settings.DAILYMOTION_CLIENT_ID,
                "redirect_uri": "http://portal.test/cb/",
                "scope": "email read_insights",
                "state": "abc",
            }
        )
    )
    location = dailymotion_sandbox.authorize(authorize, "creator05")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["abc"]
    tokens = post(
        settings.DAILYMOTION_TOKEN_URL,
        {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": "http://portal.test/cb/",
            "client_id": settings.DAILYMOTION_CLIENT_ID,
            "client_secret": settings.DAILYMOTION_CLIENT_SECRET,
        },
    )
    request = Request(
        settings.DAILYMOTION_API_URL + "/me?fields=id,revenues_video_total",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    with urlopen(request) as response:
        me = json.loads(response.read())
    assert me["id"] == "x1cr005"
    assert me["revenues_video_total"] == float(
        dailymotion_sandbox.account("creator05").revenues_video_total
    )


def test_it_refuses_through_the_handle_with_state_untouched(dailymotion_sandbox, settings):
    url = (
        settings.DAILYMOTION_AUTHORIZE_URL
        + "?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": "sandbox-client-id",
                "redirect_uri": "http://portal.test/cb/",
                "scope": "email",
                "state": "s t",
            }
        )
    )
    query = parse_qs(urlsplit(dailymotion_sandbox.authorize(url, "creator01", accept=False)).query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s t"]


def test_it_reports_the_seeded_children(dailymotion_sandbox):
    assert dailymotion_sandbox.children_ids() == {"x1cr031", "x1cr032", "x1cr033"}
