"""The Dailymotion client: the only module in mcn-portal that speaks HTTP to Dailymotion.

Two classes: `DailymotionOAuth` (the token endpoint: authorization URL, code exchange, password
grant, refresh) and `DailymotionClient` (the legacy REST API on behalf of one account). Both read
their base URLs from settings (CONTRACT §1), so the sandbox swap needs no code. Every call has a
timeout, goes through the shared rate limiter, is counted and logged as method, path, status and
duration, and never with a token in the line.
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

import requests
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import LegacyApplicationClient, WebApplicationClient

from mcn_portal.lib.redact import redact

log = logging.getLogger("mcn_portal.dailymotion")

USER_AGENT = "mcn-portal/0.1"

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

# Dailymotion listings: at most 100 items a page and never more than 1000 results (guide §4.1).
PAGE_LIMIT = 100
LISTING_CAP = 1000
# When a created_time window holds more than the cap, it is cut into parts expected to hold about
# this many children each: comfortably under the cap, so skew rarely forces a second cut.
WINDOW_TARGET = 800


# --- Errors: callers branch on meaning; str(exc) is Dailymotion's message for a person ---------
class DailymotionError(Exception):
    """Any failure talking to Dailymotion. .status (HTTP), .error_type, .message."""

    def __init__(self, message: str, *, status: int | None = None, error_type: str = "") -> None:
        super().__init__(message)
        self.message, self.status, self.error_type = message, status, error_type


class InvalidToken(DailymotionError):
    """401 / invalid_token: refresh and retry once."""


class ReconnectRequired(DailymotionError):
    """The refresh failed for real: the person must connect again."""


class AccessForbidden(DailymotionError):
    """403: missing role/scope, quota, refused adoption."""


class NotFound(DailymotionError):
    """404."""


class InvalidParameter(DailymotionError):
    """400 invalid/missing parameter."""


class RateLimited(DailymotionError):
    """429 after the retries were spent."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class DailymotionUnavailable(DailymotionError):
    """5xx / network errors after retries (or a POST whose outcome is unknown)."""


class OAuthError(DailymotionError):
    """The token endpoint refused: invalid_grant, access_denied..."""

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

    @classmethod
    def from_json(cls, data: dict[str, Any], *, now: datetime | None = None) -> TokenSet:
        """Parse a token endpoint answer (guide §1.4): expires_in → expires_at, scope → list."""
        expires_in = data.get("expires_in")
        expires_at = None
        if expires_in not in (None, ""):
            expires_at = (now or datetime.now(UTC)) + timedelta(seconds=int(expires_in))
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data.get("refresh_token") or ""),
            expires_at=expires_at,
            scopes=_scope_list(data.get("scope")),
            uid=str(data.get("uid") or ""),
        )

    def __repr__(self) -> str:  # a TokenSet printed in a traceback must not show the tokens
        return f"TokenSet(expires_at={self.expires_at!r}, scopes={self.scopes!r}, uid={self.uid!r})"


@dataclass(frozen=True)
class AuthInfo:
    id: str
    username: str
    screenname: str
    scopes: list[str]
    roles: list[str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuthInfo:
        """Parse GET /auth (guide §1.8): `scope` may be a list or a space-separated string."""
        roles = data.get("roles") or []
        return cls(
            id=str(data.get("id") or ""),
            username=str(data.get("username") or ""),
            screenname=str(data.get("screenname") or ""),
            scopes=_scope_list(data.get("scope")),
            roles=roles.split() if isinstance(roles, str) else [str(r) for r in roles],
        )


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
    # Only the revenue fields Dailymotion returned: a missing key means "unavailable", never 0.
    revenues: dict[str, Decimal] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DailymotionUser:
        """Parse a legacy user object (guide §5)."""
        revenues = {}
        for name in REVENUE_FIELDS:
            value = data.get(name)
            if value is None:
                continue
            try:
                revenues[name] = Decimal(str(value))
            except InvalidOperation:
                log.warning("dailymotion: ignored non-numeric %s for user %s", name, data.get("id"))
        created = data.get("created_time")
        return cls(
            id=str(data.get("id") or ""),
            username=str(data.get("username") or ""),
            screenname=str(data.get("screenname") or ""),
            email=str(data.get("email") or ""),
            avatar_url=str(data.get("avatar_240_url") or ""),
            followers_total=_int_or_none(data.get("followers_total")),
            videos_total=_int_or_none(data.get("videos_total")),
            views_total=_int_or_none(data.get("views_total")),
            created_time=datetime.fromtimestamp(int(created), UTC) if created else None,
            revenues=revenues,
        )


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


class StaticTokenSource:
    """A token held in memory that cannot be refreshed (right after a code exchange, in tests)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refresh(self, stale_access_token: str) -> str:
        raise ReconnectRequired(
            "Dailymotion refused the access token and there is no way to refresh it."
        )

    def __repr__(self) -> str:
        return "StaticTokenSource([redacted])"


def _scope_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    return [str(s) for s in value]


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _settings():
    from django.conf import settings

    return settings


# --- Error parsing ------------------------------------------------------------------------------
_WWW_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_www_authenticate(header: str) -> dict[str, str]:
    """`Bearer error="invalid_token", error_description="..."` → a dict (guide §2.2)."""
    return dict(_WWW_AUTH_PARAM.findall(header or ""))


def error_from_response(response: requests.Response, *, what: str) -> DailymotionError:
    """The domain exception for a failed API answer, carrying Dailymotion's own message."""
    status = response.status_code
    message, error_type = "", ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # legacy REST: {"error": {"code", "message", "type"}}
            message = str(error.get("message") or "")
            error_type = str(error.get("type") or "")
        elif isinstance(error, str):  # OAuth style: {"error": "...", "error_description": "..."}
            error_type = error
            message = str(body.get("error_description") or "")
    challenge = parse_www_authenticate(response.headers.get("WWW-Authenticate", ""))
    if challenge.get("error"):
        error_type = challenge["error"]
        message = challenge.get("error_description") or message
    message = redact(message) or f"Dailymotion answered HTTP {status} to {what}."
    kw = {"status": status, "error_type": error_type}
    if error_type == "invalid_token" or status == 401:
        return InvalidToken(message, **kw)
    if status == 429 or error_type in ("rate_limit_exceeded", "rate_limited"):
        return RateLimited(message, retry_after=_retry_after(response), **kw)
    if status == 403 or error_type in ("insufficient_scope", "access_forbidden"):
        return AccessForbidden(message, **kw)
    if status == 404 or error_type == "not_found":
        return NotFound(message, **kw)
    if status == 400:
        return InvalidParameter(message, **kw)
    if status >= 500:
        return DailymotionUnavailable(message, **kw)
    return DailymotionError(message, **kw)


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (Dailymotion sends seconds; an HTTP date is not honoured)."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _encode(params: dict[str, Any] | None) -> dict[str, str]:
    """Legacy API encoding: booleans as true/false, lists comma-separated, None dropped."""
    out = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = str(value)
    return out


def _with(fields: Iterable[str], *required: str) -> list[str]:
    fields = list(fields)
    return [*[r for r in required if r not in fields], *fields]


# --- HTTP: one session, timeout, retries, rate limit, logging ------------------------------------
class _Transport:
    """What every request shares: session, timeout, limiter, retries, counting, logging."""

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        rate_limiter: Any = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff_base: float | None = None,
        backoff_max: float | None = None,
    ) -> None:
        s = _settings()
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.sleep = sleep or time.sleep
        if rate_limiter is None:
            from mcn_portal.lib.ratelimit import shared_rate_limiter

            rate_limiter = shared_rate_limiter()
        self.rate_limiter = rate_limiter
        self.timeout = s.DAILYMOTION_TIMEOUT if timeout is None else timeout
        self.max_retries = s.DAILYMOTION_MAX_RETRIES if max_retries is None else max_retries
        self.backoff_base = s.DAILYMOTION_BACKOFF_BASE if backoff_base is None else backoff_base
        self.backoff_max = s.DAILYMOTION_BACKOFF_MAX if backoff_max is None else backoff_max
        self.calls_made = 0

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform(0, min(max, base * 2**attempt))."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))

    def send(
        self,
        method: str,
        url: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send with retries: GET/DELETE on 429/5xx/network errors, POST only on 429."""
        idempotent = method in ("GET", "DELETE", "HEAD")
        what = f"{method} {path}"
        attempt = 0
        while True:
            self.rate_limiter.acquire()
            self.calls_made += 1
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                elapsed = (time.monotonic() - started) * 1000
                log.warning(
                    "dailymotion %s %s -> %s in %.0f ms", method, path, type(exc).__name__, elapsed
                )
                if not idempotent:
                    raise DailymotionUnavailable(
                        f"Dailymotion did not answer {what} ({type(exc).__name__}); the outcome is "
                        "unknown: check on Dailymotion before trying again."
                    ) from None
                if attempt >= self.max_retries:
                    raise DailymotionUnavailable(
                        f"Dailymotion did not answer {what} after {attempt + 1} tries "
                        f"({type(exc).__name__})."
                    ) from None
                self.sleep(self.backoff(attempt))
                attempt += 1
                continue
            elapsed = (time.monotonic() - started) * 1000
            status = response.status_code
            log.info("dailymotion %s %s -> %s in %.0f ms", method, path, status, elapsed)
            retryable = status == 429 or (status >= 500 and idempotent)
            if not retryable or attempt >= self.max_retries:
                if status >= 500 and not idempotent:
                    error = error_from_response(response, what=what)
                    raise DailymotionUnavailable(
                        f"{error.message} The outcome of {what} is unknown: check on Dailymotion "
                        "before trying again.",
                        status=status,
                        error_type=error.error_type,
                    )
                return response
            wait = _retry_after(response) if status == 429 else None
            self.sleep(wait if wait is not None else self.backoff(attempt))
            attempt += 1


class DailymotionOAuth:
    """OAuth 2.0 against DAILYMOTION_AUTHORIZE_URL / DAILYMOTION_TOKEN_URL (guide §1).

    oauthlib's clients (the engine of requests-oauthlib) build the request bodies;
    requests-oauthlib's OAuth2Session is not used to send them, for three reasons: it refuses
    plain-http endpoints (the sandbox in development), it logs request headers and bodies (tokens,
    the client secret) at DEBUG level, and it treats a narrowed scope as an error, while
    Dailymotion lets the person untick scopes on the consent page and we must store what was
    actually granted.
    """

    def __init__(
        self,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        authorize_url: str | None = None,
        token_url: str | None = None,
        **transport: Any,
    ) -> None:
        s = _settings()
        self.client_id = s.DAILYMOTION_CLIENT_ID if client_id is None else client_id
        self._client_secret = (
            s.DAILYMOTION_CLIENT_SECRET if client_secret is None else client_secret
        )
        self.authorize_url = authorize_url or s.DAILYMOTION_AUTHORIZE_URL
        self.token_url = token_url or s.DAILYMOTION_TOKEN_URL
        self._transport = _Transport(**transport)

    def __repr__(self) -> str:
        return f"DailymotionOAuth(client_id={self.client_id!r}, token_url={self.token_url!r})"

    @property
    def calls_made(self) -> int:
        return self._transport.calls_made

    def authorization_url(self, *, redirect_uri: str, state: str, scopes: Iterable[str]) -> str:
        """The URL that sends a creator to Dailymotion's consent page (guide §1.3)."""
        return add_params_to_uri(
            self.authorize_url,
            [
                ("response_type", "code"),
                ("client_id", self.client_id),
                ("redirect_uri", redirect_uri),
                ("scope", " ".join(scopes)),
                ("state", state),
            ],
        )

    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet:
        """authorization_code grant: trade the code from the callback for tokens (guide §1.4)."""
        body = WebApplicationClient(self.client_id).prepare_request_body(
            code=code,
            redirect_uri=redirect_uri,
            client_secret=self._client_secret,
            include_client_id=True,
        )
        return self._token_request(body)

    def password_grant(self, *, username: str, password: str, scopes: Iterable[str]) -> TokenSet:
        """password grant (guide §1.2): only for accounts we control, e.g. the network's parent."""
        body = LegacyApplicationClient(self.client_id).prepare_request_body(
            username=username,
            password=password,
            scope=" ".join(scopes),
            client_id=self.client_id,
            client_secret=self._client_secret,
            include_client_id=True,
        )
        return self._token_request(body)

    def refresh(self, *, refresh_token: str) -> TokenSet:
        """refresh_token grant (guide §1.5): a new access token (usually a new refresh token)."""
        body = WebApplicationClient(self.client_id).prepare_refresh_body(
            refresh_token=refresh_token,
            client_id=self.client_id,
            client_secret=self._client_secret,
        )
        return self._token_request(body)

    def _token_request(self, body: str) -> TokenSet:
        path = "/oauth/token"
        response = self._transport.send(
            "POST",
            self.token_url,
            path,
            data=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code == 200 and isinstance(data, dict) and data.get("access_token"):
            return TokenSet.from_json(data)
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            raise OAuthError(
                data["error"],
                redact(str(data.get("error_description") or "")),
                status=response.status_code,
            )
        error = error_from_response(response, what=f"POST {path}")
        if isinstance(error, DailymotionUnavailable | RateLimited):
            raise error
        raise OAuthError(error.error_type or "invalid_response", error.message, status=error.status)


class DailymotionClient:
    """Calls on behalf of one account (token_source), or anonymous calls (token_source=None)."""

    def __init__(
        self,
        token_source: TokenSource | None = None,
        *,
        api_url: str | None = None,
        **transport: Any,
    ) -> None:
        self.token_source = token_source
        self.api_url = (api_url or _settings().DAILYMOTION_API_URL).rstrip("/")
        self._transport = _Transport(**transport)

    def __repr__(self) -> str:
        return f"DailymotionClient(api_url={self.api_url!r})"

    @property
    def calls_made(self) -> int:
        """HTTP requests sent by this client, retries included."""
        return self._transport.calls_made

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    # --- the calls the product makes ---------------------------------------------------------
    def me(self, fields: Iterable[str] = PROFILE_FIELDS) -> DailymotionUser:
        """GET /me: the profile of the account whose token this is (guide §5)."""
        return DailymotionUser.from_json(self._call("GET", "/me", {"fields": _with(fields, "id")}))

    def auth(self) -> AuthInfo:
        """GET /auth: who the token belongs to, granted scopes and the key's roles (guide §1.8)."""
        return AuthInfo.from_json(self._call("GET", "/auth"))

    def user(self, user_id: str, fields: Iterable[str] = PROFILE_FIELDS) -> DailymotionUser:
        """GET /user/<id>: one user's fields; private ones need the user's or the parent's token."""
        data = self._call("GET", f"/user/{user_id}", {"fields": _with(fields, "id")})
        return DailymotionUser.from_json(data)

    def users(
        self, ids: Iterable[str], fields: Iterable[str] = PROFILE_FIELDS
    ) -> Iterator[DailymotionUser]:
        """GET /users?ids=…: many users, 100 ids a call (the page size cap, guide §4.1)."""
        ids = list(dict.fromkeys(ids))
        fields = _with(fields, "id")
        for start in range(0, len(ids), PAGE_LIMIT):
            batch = ids[start : start + PAGE_LIMIT]
            data = self._call(
                "GET", "/users", {"ids": batch, "fields": fields, "limit": PAGE_LIMIT}
            )
            for item in data.get("list") or []:
                yield DailymotionUser.from_json(item)

    def children(
        self, parent_id: str, fields: Iterable[str] = ("id", "username")
    ) -> Iterator[DailymotionUser]:
        """GET /user/<parent>/children: every child, past the 1000-result cap (guide §4.1, §6.2).

        A listing never returns more than 1000 results, so a big network is read in windows of
        `created_time` (the official workaround for big catalogs; `created_after`/`created_before`
        with `sort=old`), which need no list of ids up front, unlike the `ids` filter on /users.
        The first page of a window costs one call and tells its accurate `total`: a window of at
        most 1000 is paged through (its first page is used, not wasted); a bigger one is cut into
        ceil(total/800) equal time slices, so a 10,000-child network costs about total/100 + 2%
        calls. Bounds are passed one second wide on each side so that inclusive or exclusive
        filters both cover every second; the overlap is removed by deduplicating ids. Each child
        is yielded once.
        """
        path = f"/user/{parent_id}/children"
        fields = _with(fields, "id", "created_time")
        seen: set[str] = set()
        # (first second included, last second included); None = unbounded.
        windows: list[tuple[int | None, int | None]] = [(None, None)]
        while windows:
            lo, hi = windows.pop(0)
            params: dict[str, Any] = {"fields": fields, "limit": PAGE_LIMIT, "sort": "old"}
            if lo is not None:
                params["created_after"] = lo - 1
            if hi is not None:
                params["created_before"] = hi + 1
            page = 1
            data = self._call("GET", path, {**params, "page": page})
            items = data.get("list") or []
            total = data.get("total")
            if isinstance(total, int) and total > LISTING_CAP:
                split = self._split_window(lo, hi, items, total)
                if split:
                    # An unbounded first window is only a probe, but its (oldest) items are real.
                    yield from self._fresh(items, seen)
                    windows[:0] = split
                    continue
                log.warning(
                    "dailymotion: %s children created in one second under %s; only %s are listed",
                    total,
                    parent_id,
                    LISTING_CAP,
                )
            yield from self._fresh(items, seen)
            while data.get("has_more") and page * PAGE_LIMIT < LISTING_CAP:
                page += 1
                data = self._call("GET", path, {**params, "page": page})
                yield from self._fresh(data.get("list") or [], seen)
            at_cap = page * PAGE_LIMIT >= LISTING_CAP and len(data.get("list") or []) == PAGE_LIMIT
            if (data.get("has_more") or at_cap) and not isinstance(total, int):
                # No total to plan with and the cap was reached: cut the window, read it again.
                split = self._split_window(lo, hi, items, 2 * LISTING_CAP)
                windows[:0] = split

    @staticmethod
    def _split_window(
        lo: int | None, hi: int | None, first_page: list[dict], total: int
    ) -> list[tuple[int, int]]:
        if lo is None:
            created = [int(i["created_time"]) for i in first_page if i.get("created_time")]
            if not created:
                return []
            lo = min(created)  # sort=old: the oldest child opens the first window
        if hi is None:
            hi = int(time.time()) + 1
        span = hi - lo + 1
        parts = min(span, math.ceil(total / WINDOW_TARGET))
        if parts < 2:
            return []
        bounds = [lo + (span * k) // parts for k in range(parts + 1)]
        return [(bounds[k], bounds[k + 1] - 1) for k in range(parts)]

    @staticmethod
    def _fresh(items: list[dict], seen: set[str]) -> Iterator[DailymotionUser]:
        for item in items:
            user_id = str(item.get("id") or "")
            if user_id and user_id not in seen:
                seen.add(user_id)
                yield DailymotionUser.from_json(item)

    def parents(self) -> list[DailymotionUser]:
        """GET /me/parents: the networks this account belongs to (guide §6.2)."""
        found, page = [], 1
        while True:
            data = self._call(
                "GET",
                "/me/parents",
                {"fields": ["id", "username"], "limit": PAGE_LIMIT, "page": page},
            )
            found += [DailymotionUser.from_json(i) for i in data.get("list") or []]
            if not data.get("has_more") or page * PAGE_LIMIT >= LISTING_CAP:
                return found
            page += 1

    def is_child_of(self, parent_id: str) -> bool:
        """GET /me/parents/<parent> with the child's token: is this account in that network?"""
        try:
            data = self._call("GET", f"/me/parents/{parent_id}")
        except NotFound:
            return False
        if isinstance(data.get("list"), list):
            return any(item.get("id", parent_id) == parent_id for item in data["list"])
        return bool(data) and data.get("id", parent_id) == parent_id

    def adopt(self, parent_id: str) -> None:
        """POST /me/parents/<parent> with the child's token: join the network (MCN guide)."""
        self._call("POST", f"/me/parents/{parent_id}")

    def remove_child(self, child_id: str) -> None:
        """DELETE /me/children/<child> with the parent's token (MCN guide, rejection)."""
        self._call("DELETE", f"/me/children/{child_id}")

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
    ) -> CreatedVideo:
        """POST /user/<owner>/videos: create a video from a URL on a child's behalf (guide §7.1)."""
        params: dict[str, Any] = {
            "url": url,
            "title": title,
            "channel": channel,
            "published": published,
            "is_created_for_kids": is_created_for_kids,
        }
        if description:
            params["description"] = description
        tags = list(tags)
        if tags:
            params["tags"] = tags
        if language:
            params["language"] = language
        data = self._call("POST", f"/user/{owner_id}/videos", params)
        return CreatedVideo(
            id=str(data.get("id") or ""),
            title=str(data.get("title") or title),
            status=str(data.get("status") or ""),
        )

    def logout(self) -> None:
        """GET /logout: revoke this session's access and refresh tokens (guide §1.7)."""
        self._call("GET", "/logout")

    # --- plumbing -------------------------------------------------------------------------------
    def _call(self, method: str, path: str, params: dict[str, Any] | None = None) -> dict:
        """One API call: bearer token, refresh-and-retry once on invalid_token, errors raised."""
        encoded = _encode(params)
        token = self.token_source.access_token() if self.token_source else None
        refreshed = False
        while True:
            headers = {"Accept": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            response = self._transport.send(
                method,
                self.api_url + path,
                path,
                params=encoded if method == "GET" else None,
                data=encoded if method != "GET" else None,
                headers=headers,
            )
            if response.status_code < 400:
                if not response.content.strip():
                    return {}
                try:
                    data = response.json()
                except ValueError:
                    raise DailymotionError(
                        f"Dailymotion answered {method} {path} with something that is not JSON.",
                        status=response.status_code,
                    ) from None
                return data if isinstance(data, dict) else {"list": data}
            error = error_from_response(response, what=f"{method} {path}")
            if isinstance(error, InvalidToken) and self.token_source and token and not refreshed:
                token = self.token_source.refresh(token)
                refreshed = True
                continue
            raise error
