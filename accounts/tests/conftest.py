from __future__ import annotations

import pytest

from accounts.tests.fakes import FakeDailymotion


@pytest.fixture
def dailymotion(monkeypatch, settings) -> FakeDailymotion:
    """An in-memory Dailymotion behind every client the portal makes."""
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    world = FakeDailymotion()
    world.account("x0mcn01", "mcn-network")
    monkeypatch.setattr("accounts.services.DailymotionOAuth", world.oauth_class())
    monkeypatch.setattr("accounts.services.DailymotionClient", world.client_class())
    monkeypatch.setattr(
        "accounts.tokens.client_for_creator",
        lambda creator: world.client_for(creator.dailymotion_id),
    )
    monkeypatch.setattr("accounts.tokens.client_for_parent", lambda: world.client_for("x0mcn01"))
    return world


@pytest.fixture
def make_creator_fixture(db):
    from conftest import make_creator

    return make_creator
