"""A small in-memory Dailymotion for service and view tests (the client is patched with it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from mcn_portal.lib.dailymotion import (
    AuthInfo,
    DailymotionError,
    DailymotionUser,
    NotFound,
    OAuthError,
    TokenSet,
)

ALL_SCOPES = ["email", "userinfo", "delegate_account_management", "read_insights"]


@dataclass
class Account:
    id: str
    username: str
    scopes: list[str] = field(default_factory=lambda: list(ALL_SCOPES))
    followers_total: int = 120
    revenues_total: Decimal | None = Decimal("12.50")


@dataclass
class FakeDailymotion:
    """Accounts by code/token, the parent's children, and a log of every call."""

    accounts: dict[str, Account] = field(default_factory=dict)
    children: set[str] = field(default_factory=set)
    calls: list[tuple] = field(default_factory=list)
    fail: dict[str, DailymotionError] = field(default_factory=dict)  # call name -> error
    codes: dict[str, str] = field(default_factory=dict)  # code -> account id

    def account(self, account_id: str, username: str, **extra) -> Account:
        self.accounts[account_id] = Account(account_id, username, **extra)
        self.codes[f"code-{account_id}"] = account_id
        return self.accounts[account_id]

    def _maybe_fail(self, name: str) -> None:
        if name in self.fail:
            raise self.fail[name]

    # --- the OAuth side -------------------------------------------------------------------
    def install(self, monkeypatch, parent_id: str = "x0mcn01") -> FakeDailymotion:
        """Put this Dailymotion behind every client the portal makes."""
        monkeypatch.setattr("accounts.services.DailymotionOAuth", self.oauth_class())
        monkeypatch.setattr("accounts.services.DailymotionClient", self.client_class())
        monkeypatch.setattr(
            "accounts.tokens.client_for_creator",
            lambda creator: self.client_for(creator.dailymotion_id),
        )
        monkeypatch.setattr("accounts.tokens.client_for_parent", lambda: self.client_for(parent_id))
        return self

    def oauth_class(self):
        world = self

        class FakeOAuth:
            def authorization_url(self, *, redirect_uri, state, scopes):
                return f"https://dm.example/oauth/authorize?state={state}"

            def exchange_code(self, *, code, redirect_uri):
                world.calls.append(("exchange", code, redirect_uri))
                world._maybe_fail("exchange")
                if code not in world.codes:
                    raise OAuthError("invalid_grant", "Invalid authorization code.", status=400)
                return world.token_set(world.codes[code])

            def password_grant(self, *, username, password, scopes):
                world.calls.append(("password", username))
                for account in world.accounts.values():
                    if account.username == username and password == f"pass-{username}":
                        return world.token_set(account.id)
                raise OAuthError("invalid_grant", "Invalid credentials.", status=400)

        return FakeOAuth

    def token_set(self, account_id: str) -> TokenSet:
        account = self.accounts[account_id]
        return TokenSet(
            access_token=f"token-{account_id}",
            refresh_token=f"refresh-{account_id}",
            expires_at=datetime.now(UTC) + timedelta(hours=10),
            scopes=list(account.scopes),
            uid=account_id,
        )

    def client_class(self):
        """Stands in for DailymotionClient(token_source) during a connect."""
        world = self

        class FakeClient:
            def __init__(self, token_source=None, **kw):
                self.owner = token_source.access_token().removeprefix("token-")

            def auth(self):
                world._maybe_fail("auth")
                return world.auth_info(self.owner)

            def me(self, fields=()):
                world.calls.append(("me", self.owner, tuple(fields)))
                account = world.accounts[self.owner]
                revenues = {}
                if account.revenues_total is not None and "revenues_video_total" in fields:
                    revenues["revenues_video_total"] = account.revenues_total
                return DailymotionUser(
                    id=account.id,
                    username=account.username,
                    screenname=account.username.title(),
                    email=f"{account.username}@example.com",
                    followers_total=account.followers_total,
                    videos_total=7,
                    views_total=9000,
                    revenues=revenues,
                )

        return FakeClient

    def auth_info(self, account_id: str) -> AuthInfo:
        account = self.accounts[account_id]
        return AuthInfo(
            id=account.id,
            username=account.username,
            screenname=account.username.title(),
            scopes=list(account.scopes),
            roles=["can-adopt-users"] if account_id.startswith("x0") else [],
        )

    # --- stored-token clients (accounts.tokens.client_for_*) ----------------------------------
    def client_for(self, owner: str) -> FakeStoredClient:
        return FakeStoredClient(self, owner)


class FakeStoredClient:
    def __init__(self, world: FakeDailymotion, owner: str) -> None:
        self.world, self.owner = world, owner

    def _call(self, name: str, *args) -> None:
        self.world.calls.append((name, self.owner, *args))
        self.world._maybe_fail(name)

    def adopt(self, parent_id: str) -> None:
        self._call("adopt", parent_id)
        self.world.children.add(self.owner)

    def remove_child(self, child_id: str) -> None:
        self._call("remove_child", child_id)
        if child_id not in self.world.children:
            raise NotFound("Not a child.", status=404)
        self.world.children.discard(child_id)

    def is_child_of(self, parent_id: str) -> bool:
        self._call("is_child_of", parent_id)
        return self.owner in self.world.children

    def children(self, parent_id: str, fields=("id", "username")):
        self._call("children", parent_id)
        for child in sorted(self.world.children):
            account = self.world.accounts.get(child)
            yield DailymotionUser(id=child, username=account.username if account else child)

    def auth(self) -> AuthInfo:
        self._call("auth")
        return self.world.auth_info(self.owner)
