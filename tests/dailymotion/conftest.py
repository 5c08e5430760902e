"""Dailymotion client test fixtures: JSON files, fixed URLs, a client that never sleeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from mcn_portal.lib.dailymotion import DailymotionClient, DailymotionOAuth, StaticTokenSource
from mcn_portal.lib.ratelimit import Unlimited

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dailymotion"
API = "https://api.dailymotion.test"
TOKEN_URL = "https://api.dailymotion.test/oauth/token"
AUTHORIZE_URL = "https://www.dailymotion.test/oauth/authorize"
CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-9f8e7d"
PARENT_PASSWORD = "parent-password-5a4b3c"


def load(name: str):
    """A JSON fixture by name (without .json)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


def add_fixture(rsps: responses.RequestsMock, method: str, url: str, name: str, **kw) -> None:
    """Register an answer from a fixture: an error fixture carries status, headers and body."""
    data = load(name)
    if isinstance(data, dict) and {"status", "body"} <= data.keys():
        body = data["body"]
        rsps.add(
            method,
            url,
            status=data["status"],
            headers=data.get("headers") or {},
            **({"json": body} if not isinstance(body, str) else {"body": body}),
            **kw,
        )
    else:
        rsps.add(method, url, json=data, **kw)


@pytest.fixture(autouse=True)
def dailymotion_settings(settings):
    settings.DAILYMOTION_API_URL = API
    settings.DAILYMOTION_TOKEN_URL = TOKEN_URL
    settings.DAILYMOTION_AUTHORIZE_URL = AUTHORIZE_URL
    settings.DAILYMOTION_CLIENT_ID = CLIENT_ID
    settings.DAILYMOTION_CLIENT_SECRET = CLIENT_SECRET
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    settings.DAILYMOTION_PARENT_USERNAME = ""
    settings.DAILYMOTION_PARENT_PASSWORD = ""
    settings.DAILYMOTION_MAX_RETRIES = 3
    settings.DAILYMOTION_BACKOFF_BASE = 0.5
    settings.DAILYMOTION_BACKOFF_MAX = 4.0
    settings.DAILYMOTION_TIMEOUT = 7.5
    settings.REDIS_URL = ""
    return settings


@pytest.fixture
def sleeps() -> list[float]:
    """Every pause the client asked for, instead of sleeping."""
    return []


@pytest.fixture
def transport(sleeps) -> dict:
    """Keyword arguments for a client that records its sleeps and is not rate limited."""
    return {"sleep": sleeps.append, "rate_limiter": Unlimited()}


@pytest.fixture
def client(transport) -> DailymotionClient:
    return DailymotionClient(StaticTokenSource("creator-access-7777"), **transport)


@pytest.fixture
def oauth(transport) -> DailymotionOAuth:
    return DailymotionOAuth(**transport)


@pytest.fixture
def rsps():
    with responses.RequestsMock() as mock:
        yield mock
