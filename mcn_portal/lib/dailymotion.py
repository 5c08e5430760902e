"""The Dailymotion client: the only module in mcn-portal that speaks HTTP to Dailymotion.

INTERFACE STUB: signatures and types are fixed; bodies are being implemented.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol

REVENUE_SOURCES = ("video", "website", "claim", "paidcontent")
REVENUE_PERIODS = ("last_day", "last_week", "last_month", "total")
REVENUE_FIELDS = tuple(f"revenues_{s}_{p}" for s in REVENUE_SOURCES for p in REVENUE_PERIODS)
PROFILE_FIELDS = (
    "id",
    "username",
    "screenname",
    "email",
    "avatar_240_url",
    "followers_total",
    "videos_total",
    "views_total",
    "created_time",
)


# --- Errors: callers branch on meaning; str(exc) is Dailymotion's message for a person ---------
class DailymotionError(Exception):
    """Any failure talking to Dailymotion. .status (HTTP), .error_type, .message."""

    def __init__(self, message: str, *, status: int | None = None, error_type: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.error_type = message, status, error_type


class InvalidToken(DailymotionError): ...  # 401 / invalid_token: refresh and retry once


class ReconnectRequired(DailymotionError): ...  # refresh failed for real: the person must reconnect


class AccessForbidden(DailymotionError): ...  # 403: missing role/scope, quota, refused adoption


class NotFound(DailymotionError): ...  # 404


class InvalidParameter(DailymotionError): ...  # 400 invalid/missing parameter


class RateLimited(DailymotionError):  # 429 after the retries were spent
    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class DailymotionUnavailable(DailymotionError): ...  # 5xx / network errors after retries


class OAuthError(DailymotionError):  # token endpoint: invalid_grant, access_denied...
    def __init__(self, error: str, description: str = "", **kw) -> None:
        super().__init__(description or error, error_type=error, **kw)
        self.error = error


# --- Results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    scopes: list[str]
    uid: str = ""  # the Dailymotion user id that granted access, when the server says


@dataclass(frozen=True)
class AuthInfo:
    id: str
    username: str
    screenname: str
    scopes: list[str]
    roles: list[str]


@dataclass(frozen=True)
class DailymotionUser:
    id: str
    username: str = ""
    screenname: str = ""
    email: str = ""
    avatar_url: str = ""
    followers_total: int | None = None
    videos_total: int | None = None
    views_total: int | None = None
    created_time: datetime | None = None
    # Only the revenue fields Dailymotion actually returned: a missing key means "unavailable", never 0.
    revenues: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedVideo:
    id: str
    title: str = ""
    status: str = ""


class TokenSource(Protocol):
    """Where a client gets its bearer token and how it gets a fresh one."""

    def access_token(self) -> str: ...

    def refresh(self, stale_access_token: str) -> str:
        """Return a fresh access token (raise ReconnectRequired when that is impossible)."""
        ...


class DailymotionOAuth:
    """OAuth 2.0 against DAILYMOTION_AUTHORIZE_URL / DAILYMOTION_TOKEN_URL (requests-oauthlib)."""

    def authorization_url(self, *, redirect_uri: str, state: str, scopes: Iterable[str]) -> str: ...
    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet: ...
    def password_grant(
        self, *, username: str, password: str, scopes: Iterable[str]
    ) -> TokenSet: ...
    def refresh(self, *, refresh_token: str) -> TokenSet: ...


class DailymotionClient:
    """Calls on behalf of one account (token_source), or anonymous calls (token_source=None)."""

    def __init__(
        self, token_source: TokenSource | None = None, *, api_url: str | None = None
    ) -> None: ...
    def me(self, fields: Iterable[str] = PROFILE_FIELDS) -> DailymotionUser: ...
    def auth(self) -> AuthInfo: ...
    def user(self, user_id: str, fields: Iterable[str] = PROFILE_FIELDS) -> DailymotionUser: ...
    def users(
        self, ids: Iterable[str], fields: Iterable[str] = PROFILE_FIELDS
    ) -> Iterator[DailymotionUser]: ...
    def children(
        self, parent_id: str, fields: Iterable[str] = ("id", "username")
    ) -> Iterator[DailymotionUser]: ...
    def parents(self) -> list[DailymotionUser]: ...
    def is_child_of(self, parent_id: str) -> bool: ...
    def adopt(self, parent_id: str) -> None: ...
    def remove_child(self, child_id: str) -> None: ...
    def create_video(
        self,
        owner_id: str,
        *,
        url: str,
        title: str,
        channel: str,
        published: bool = True,
        is_created_for_kids: bool = False,
        description: str = "",
        tags: Iterable[str] = (),
        language: str = "",
    ) -> CreatedVideo: ...
    def logout(self) -> None: ...
    @property
    def calls_made(self) -> int: ...
