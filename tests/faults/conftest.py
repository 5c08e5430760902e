"""Fixtures of the fault tests: the sandbox as a live Dailymotion, creators connected to it."""

from __future__ import annotations

import pytest
from django.conf import settings

from accounts.models import Creator, DailymotionCredential
from accounts.tokens import credential_save_tokens
from mcn_portal.lib.dailymotion import DailymotionOAuth


@pytest.fixture
def sandbox(dailymotion_sandbox, settings):
    """The live sandbox, with a client that gives up fast: faults, not waiting, are under test."""
    settings.DAILYMOTION_RATE_LIMIT = 0
    settings.DAILYMOTION_MAX_RETRIES = 3
    settings.DAILYMOTION_TIMEOUT = 5
    return dailymotion_sandbox


def connect_creator(username: str, *, status: str = Creator.Status.PENDING) -> Creator:
    """What the connect flow stores for a sandbox account, with tokens from a real grant."""
    from sandbox.models import SandboxAccount

    account = SandboxAccount.objects.get(username=username)
    tokens = DailymotionOAuth().password_grant(
        username=username, password=account.password, scopes=settings.DAILYMOTION_SCOPES
    )
    creator = Creator.objects.create(
        dailymotion_id=account.id,
        username=username,
        email=f"{username}@creators.example",
        status=status,
        granted_scopes=" ".join(settings.DAILYMOTION_SCOPES),
    )
    credential = DailymotionCredential(
        kind=DailymotionCredential.Kind.CREATOR,
        creator=creator,
        dailymotion_id=account.id,
        username=username,
    )
    credential_save_tokens(credential=credential, tokens=tokens)
    return creator
