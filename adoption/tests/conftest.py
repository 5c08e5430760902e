from __future__ import annotations

import pytest

from accounts.tests.fakes import FakeDailymotion


@pytest.fixture
def dailymotion(monkeypatch, settings) -> FakeDailymotion:
    """An in-memory Dailymotion behind every client the portal makes."""
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    world = FakeDailymotion()
    world.account("x0mcn01", "mcn-network")
    return world.install(monkeypatch)


@pytest.fixture
def make_creator_fixture(db):
    from conftest import make_creator

    return make_creator
