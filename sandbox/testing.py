"""pytest fixtures that run the sandbox as a live Dailymotion for end-to-end tests.

Registered by the root conftest (pytest_plugins). Nothing Django-model related is imported at
module level: pytest loads plugins before Django is set up.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest


class SandboxHandle:
    """The test's remote control of the sandbox (state changes go straight to its database)."""

    def __init__(self, live_url: str) -> None:
        self.live_url = live_url
        self.url = f"{live_url}/sandbox"
        self.api_url = f"{self.url}/api"

    # --- reading state
    def account(self, username_or_id: str):
        """The SandboxAccount with this username or id (fresh from the database)."""
        from django.db.models import Q

        from .models import SandboxAccount

        return SandboxAccount.objects.get(Q(id=username_or_id) | Q(username=username_or_id))

    def children_ids(self, parent_id: str | None = None) -> set[str]:
        """Ids of the parent's children (the seeded parent by default)."""
        from .models import SandboxAccount
        from .seed import PARENT

        return set(
            SandboxAccount.objects.filter(parent_id=parent_id or PARENT["id"]).values_list(
                "id", flat=True
            )
        )

    def videos_of(self, account_id: str) -> list:
        """SandboxVideo rows owned by that account (uploads and crawler imports), newest first."""
        from .models import SandboxVideo

        return list(SandboxVideo.objects.filter(owner=self.account(account_id)))

    # --- changing state
    def advance_days(self, n: int):
        from .services import sandbox_advance_days

        return sandbox_advance_days(n)

    def fail_next(
        self, path_prefix: str, status: int, count: int = 1, retry_after: int | None = None
    ):
        """The next `count` calls under path_prefix (e.g. "/me/parents", "/oauth/token") fail."""
        from .services import sandbox_fail_next

        return sandbox_fail_next(path_prefix, status, count, retry_after)

    def set_latency(self, path_prefix: str, ms: int, count: int | None = None):
        from .services import sandbox_set_latency

        return sandbox_set_latency(path_prefix, ms, count)

    def expire_token(self, access_token_or_account) -> int:
        """Expire one access token (its value), or all of an account's (id, username or row)."""
        from .services import sandbox_expire_token

        return sandbox_expire_token(access_token_or_account)

    def refuse_adoption(self, account_id: str, refuse: bool = True) -> None:
        from .services import sandbox_refuse_adoption

        sandbox_refuse_adoption(account_id, refuse)

    def set_revenues_unavailable(self, account_id: str, unavailable: bool = True) -> None:
        from .services import sandbox_set_revenues_unavailable

        sandbox_set_revenues_unavailable(account_id, unavailable)

    def set_token_lifetime(self, seconds: int) -> None:
        from .services import sandbox_set_token_lifetime

        sandbox_set_token_lifetime(seconds)

    def make_child(self, account_id: str, parent_id: str | None = None) -> None:
        """Set the parent/child link directly (no API call), e.g. to prepare drift."""
        from .models import SandboxAccount
        from .seed import PARENT

        SandboxAccount.objects.filter(id=self.account(account_id).id).update(
            parent_id=parent_id or PARENT["id"]
        )

    def seed_bulk(self, n_children: int) -> int:
        from .services import sandbox_seed_bulk

        return sandbox_seed_bulk(n_children)

    def crawl(self, fail_share: float = 0.0, **kwargs) -> dict:
        """Run the crawler now against the live portal; returns its summary dict."""
        from .services import sandbox_crawl

        return sandbox_crawl(fail_share=fail_share, **kwargs)

    # --- OAuth shortcuts
    def authorize(
        self, authorize_url: str, account: str, *, accept: bool = True, scopes=None
    ) -> str:
        """Play the person on the consent page; returns the redirect URL (code or error + state)."""
        from . import services

        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        request = services.authorize_parse(query)
        if request.error:
            return services.authorize_error_redirect(request)
        if not accept:
            return services.authorize_refuse(request)
        kept = request.scopes if scopes is None else scopes
        return services.authorize_accept(request, account=self.account(account), scopes=kept)

    def token_for(self, account: str, scopes=None, client_id: str = "sandbox-client-id") -> dict:
        """A fresh token endpoint body (access_token, refresh_token, ...) for an account."""
        from . import services
        from .models import SandboxApiKey

        if scopes is None:
            scopes = ["email", "userinfo", "delegate_account_management", "read_insights"]
        return services.token_issue(
            account=self.account(account),
            api_key=SandboxApiKey.objects.get(client_id=client_id),
            scopes=scopes,
            grant="password",
        )


@pytest.fixture
def dailymotion_sandbox(live_server, settings) -> SandboxHandle:
    """A live, freshly seeded sandbox that the portal's settings point at.

    Tests using it need `@pytest.mark.django_db(transaction=True, databases="__all__")`
    (the live server runs in another thread, and the sandbox has its own database alias).
    Overrides DAILYMOTION_API_URL / AUTHORIZE / TOKEN URLs, CLIENT_ID/SECRET, PARENT_ID/USERNAME/
    PASSWORD and PUBLIC_BASE_URL (so the crawler and feed_url point at the live server too).
    """
    from .services import sandbox_reset

    base = live_server.url
    settings.PUBLIC_BASE_URL = base
    settings.SANDBOX_BASE_URL = f"{base}/sandbox"
    settings.DAILYMOTION_API_URL = f"{base}/sandbox/api"
    settings.DAILYMOTION_AUTHORIZE_URL = f"{base}/sandbox/oauth/authorize"
    settings.DAILYMOTION_TOKEN_URL = f"{base}/sandbox/oauth/token"
    settings.DAILYMOTION_CLIENT_ID = "sandbox-client-id"
    settings.DAILYMOTION_CLIENT_SECRET = "sandbox-client-secret"
    settings.DAILYMOTION_PARENT_ID = "x0mcn01"
    settings.DAILYMOTION_PARENT_USERNAME = "mcn-network"
    settings.DAILYMOTION_PARENT_PASSWORD = "network-pass"
    # Fast retries, so fault-injection tests do not sleep for real backoff.
    settings.DAILYMOTION_BACKOFF_BASE = 0.01
    settings.DAILYMOTION_BACKOFF_MAX = 0.05
    sandbox_reset()
    return SandboxHandle(base)
