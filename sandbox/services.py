"""What the sandbox does: seed and reset, OAuth, time, faults, adoption, uploads, the crawler."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.db import connections, transaction
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.fields import AutoFieldMixin
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from lxml import etree

from . import seed
from .models import (
    SandboxAccount,
    SandboxApiKey,
    SandboxAuthCode,
    SandboxCrawl,
    SandboxEarning,
    SandboxFault,
    SandboxImport,
    SandboxState,
    SandboxToken,
    SandboxVideo,
)
from .routers import SANDBOX_DB

ADOPT_ROLE = "can-adopt-users"
CODE_LIFETIME = timedelta(minutes=10)
UPLOAD_QUOTA = 15
KNOWN_SCOPES = frozenset(
    [
        "email",
        "userinfo",
        "manage_videos",
        "manage_playlists",
        "manage_players",
        "manage_subtitles",
        "manage_likes",
        "manage_subscriptions",
        "manage_podcasts",
        "manage_comments",
        "manage_analytics",
        "read_insights",
        "delegate_account_management",
        "manage_user_settings",
        "feed",
        "read",
        "write",
        "delete",
    ]
)
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def sandbox_state() -> SandboxState:
    """The singleton clock/knobs row (made on first use)."""
    state, _ = SandboxState.objects.get_or_create(pk=1, defaults={"today": timezone.now().date()})
    return state


def sandbox_is_seeded() -> bool:
    return SandboxAccount.objects.filter(id=seed.PARENT["id"]).exists()


# --- Seed, reset, bulk ----------------------------------------------------------------------
def _account(row: dict, today: date) -> SandboxAccount:
    fields = {k: v for k, v in row.items() if k not in ("rates", "past_days")}
    account = SandboxAccount(internal_id=seed.internal_id(row["id"]), **fields)
    for source, rate in row.get("rates", {}).items():
        setattr(account, f"rate_{source}", rate)
        # Earnings from before the kept history: deterministic, a bit under rate x age.
        setattr(
            account,
            f"revenues_{source}_total",
            (rate * row["past_days"] * Decimal("0.8")).quantize(seed.CENT),
        )
    return account


@transaction.atomic(using=SANDBOX_DB)
def sandbox_reset() -> None:
    """Wipe the sandbox and restore the deterministic seed (keys, parent, 36 creators, 30 days)."""
    for model in (
        SandboxImport,
        SandboxCrawl,
        SandboxFault,
        SandboxVideo,
        SandboxAuthCode,
        SandboxToken,
        SandboxEarning,
        SandboxAccount,
        SandboxApiKey,
        SandboxState,
    ):
        # A plain DELETE per table (children first): the ORM's collector would fetch every row.
        model.objects.all()._raw_delete(SANDBOX_DB)

    today = timezone.now().date()
    SandboxState.objects.create(pk=1, today=today)
    SandboxApiKey.objects.bulk_create(SandboxApiKey(**key) for key in seed.API_KEYS)
    epoch = datetime(2011, 6, 1, 9, 0, tzinfo=UTC)
    parent = _account({**seed.PARENT, "created_time": epoch}, today)
    other = _account({**seed.OTHER_PARENT, "created_time": epoch + timedelta(days=40)}, today)
    creators = [_account(row, today) for row in seed.creator_rows(today)]
    for creator in creators:
        if creator.username in seed.CHILDREN_OF_PARENT:
            creator.parent = parent
        elif creator.username in seed.CHILDREN_OF_OTHER:
            creator.parent = other
    history = []
    for creator in creators:
        rows = [
            _earning(creator, today - timedelta(days=back))
            for back in range(seed.HISTORY_DAYS, 0, -1)
        ]
        _apply_history(creator, rows, today)
        history += rows
    SandboxAccount.objects.bulk_create([parent, other, *creators])
    _fast_insert(history)


def _apply_history(account: SandboxAccount, rows: list[SandboxEarning], today: date) -> None:
    """Add the history to the totals and set the period fields from it (in Python: exact)."""
    for source in seed.SOURCES:
        amounts = {row.day: getattr(row, source) for row in rows}
        total = f"revenues_{source}_total"
        setattr(account, total, getattr(account, total) + sum(amounts.values(), Decimal(0)))
        windows = {"last_day": 1, "last_week": 7, "last_month": 30}
        for period, days in windows.items():
            window = [
                amounts.get(today - timedelta(days=d), Decimal(0)) for d in range(1, days + 1)
            ]
            setattr(account, f"revenues_{source}_{period}", sum(window, Decimal(0)))


def _earning(account: SandboxAccount, day: date) -> SandboxEarning:
    amounts = {
        s: seed.daily_earning(account.id, day, s, getattr(account, f"rate_{s}"))
        for s in seed.SOURCES
    }
    return SandboxEarning(account=account, day=day, **amounts)


@transaction.atomic(using=SANDBOX_DB)
def sandbox_seed_bulk(n_children: int, *, parent_id: str = seed.PARENT["id"]) -> int:
    """Add n child accounts of the parent in bulk (for the 10,000-children benchmarks)."""
    start = SandboxAccount.objects.filter(bulk=True).count()
    base = datetime(2010, 1, 1, tzinfo=UTC)
    accounts = []
    for i in range(start, start + n_children):
        account_id = f"x2b{i:06d}"
        rate = Decimal(100 + (i * 37) % 4900) / 100
        account = SandboxAccount(
            id=account_id,
            internal_id=seed.internal_id(account_id),
            username=f"bulk{i:06d}",
            password="bulk-pass",
            screenname=f"Bulk Creator {i}",
            email=f"bulk{i:06d}@creators.example",
            # Distinct seconds ~2.6 h apart, so created_after/before windows cut cleanly.
            created_time=base + timedelta(seconds=i * 9377),
            parent_id=parent_id,
            bulk=True,
            rate_video=rate,
            rate_website=(rate / 3).quantize(seed.CENT),
            revenues_video_last_day=rate,
            revenues_video_last_week=rate * 7,
            revenues_video_last_month=rate * 30,
            revenues_video_total=rate * 400,
            revenues_website_last_day=(rate / 3).quantize(seed.CENT),
            revenues_website_last_week=(rate * 7 / 3).quantize(seed.CENT),
            revenues_website_last_month=(rate * 10).quantize(seed.CENT),
            revenues_website_total=(rate * 400 / 3).quantize(seed.CENT),
        )
        accounts.append(account)
    _fast_insert(accounts)
    return len(accounts)


# --- Time -----------------------------------------------------------------------------------
def _fast_insert(objs: list) -> None:
    """INSERT rows with one executemany (bulk_create spends seconds building SQL for 10k rows)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[SANDBOX_DB]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    quote_name = connection.ops.quote_name
    # Only names from the model's own metadata, quoted: no outside input reaches this SQL.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote_name(model._meta.db_table),
        ", ".join(quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    # Preparing a Decimal for the database is slow and most values repeat (zeros, rates): memoise.
    prepared: dict = {}

    def prep(field, value):
        try:
            key = (field.attname, type(value), value)
            if key not in prepared:
                prepared[key] = field.get_db_prep_save(value, connection)
            return prepared[key]
        except TypeError:  # unhashable (e.g. JSON): prepare it every time
            return field.get_db_prep_save(value, connection)

    rows = [[prep(f, f.pre_save(obj, True)) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _window_sum(source: str, start: date, end: date):
    """SQL: this account's earnings from one source on days [start, end), rounded to the cent."""
    earned = (
        SandboxEarning.objects.filter(account_id=OuterRef("pk"), day__gte=start, day__lt=end)
        .order_by()
        .values("account_id")
        .annotate(total=Sum(source))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    return Round(
        Coalesce(Subquery(earned, output_field=money), Value(Decimal(0)), output_field=money), 2
    )


def _recompute_periods(today: date) -> None:
    """Set last_day (yesterday), last_week (7 days), last_month (30 days) from the history."""
    windows = {"last_day": 1, "last_week": 7, "last_month": 30}
    SandboxAccount.objects.update(
        **{
            f"revenues_{s}_{period}": _window_sum(s, today - timedelta(days=days), today)
            for s in seed.SOURCES
            for period, days in windows.items()
        }
    )


@transaction.atomic(using=SANDBOX_DB)
def sandbox_advance_days(n: int) -> date:
    """Let n days pass: every account earns each day (deterministically); returns the new today."""
    if n < 1:
        raise ValueError("n must be at least 1")
    state = SandboxState.objects.select_for_update().get(pk=1)
    accounts = list(SandboxAccount.objects.only("id", *[f"rate_{s}" for s in seed.SOURCES]))
    first, new_today = state.today, state.today + timedelta(days=n)
    # In slices of at most the kept history, so a year's advance never holds a year of rows.
    for offset in range(0, n, seed.HISTORY_DAYS):
        start = first + timedelta(days=offset)
        end = min(start + timedelta(days=seed.HISTORY_DAYS), new_today)
        days = [start + timedelta(days=d) for d in range((end - start).days)]
        _fast_insert([_earning(account, day) for day in days for account in accounts])
        SandboxAccount.objects.update(
            **{
                f"revenues_{s}_total": F(f"revenues_{s}_total") + _window_sum(s, start, end)
                for s in seed.SOURCES
            }
        )
        stale = SandboxEarning.objects.filter(day__lt=end - timedelta(days=seed.HISTORY_DAYS))
        stale._raw_delete(SANDBOX_DB)
    state.today = new_today
    state.save(update_fields=["today", "updated_at"])
    _recompute_periods(new_today)
    return new_today


def sandbox_set_token_lifetime(seconds: int) -> None:
    """expires_in of tokens issued from now on."""
    sandbox_state()
    SandboxState.objects.filter(pk=1).update(token_lifetime=max(int(seconds), 1))


# --- Faults ---------------------------------------------------------------------------------
def _normalise_path(path: str) -> str:
    path = "/" + path.strip().lstrip("/")
    return path.removeprefix("/sandbox/api") or "/"


def sandbox_fail_next(
    path_prefix: str, status: int, count: int, retry_after: int | None = None
) -> SandboxFault:
    """The next `count` calls under path_prefix answer `status` (429 carries Retry-After)."""
    if status == 429 and retry_after is None:
        retry_after = 1
    return SandboxFault.objects.create(
        kind=SandboxFault.Kind.FAIL,
        path_prefix=_normalise_path(path_prefix),
        status=status,
        remaining=count,
        retry_after=retry_after,
    )


def sandbox_set_latency(path_prefix: str, ms: int, count: int | None = None) -> SandboxFault | None:
    """Delay calls under path_prefix by ms (until cleared, or for `count` calls); 0 clears it."""
    prefix = _normalise_path(path_prefix)
    SandboxFault.objects.filter(kind=SandboxFault.Kind.LATENCY, path_prefix=prefix).delete()
    if ms <= 0:
        return None
    return SandboxFault.objects.create(
        kind=SandboxFault.Kind.LATENCY, path_prefix=prefix, latency_ms=ms, remaining=count
    )


def sandbox_clear_faults() -> None:
    SandboxFault.objects.all().delete()


def _consume(fault: SandboxFault) -> bool:
    """Take one use of a fault; an UPDATE guarded by remaining>0 makes it safe under concurrency."""
    if fault.remaining is None:
        SandboxFault.objects.filter(pk=fault.pk).update(hits=F("hits") + 1)
        return True
    taken = SandboxFault.objects.filter(pk=fault.pk, remaining__gt=0).update(
        remaining=F("remaining") - 1, hits=F("hits") + 1
    )
    return bool(taken)


def fault_for(path: str) -> SandboxFault | None:
    """Apply latency for this call, then return the failure to answer with, if any."""
    path = _normalise_path(path)
    faults = [
        f
        for f in SandboxFault.objects.filter(Q(remaining__isnull=True) | Q(remaining__gt=0))
        if path.startswith(f.path_prefix)
    ]
    for fault in faults:
        if fault.kind == SandboxFault.Kind.LATENCY and _consume(fault):
            time.sleep(fault.latency_ms / 1000)
    for fault in faults:
        if fault.kind == SandboxFault.Kind.FAIL and _consume(fault):
            return fault
    return None


def sandbox_expire_token(token_or_account: str | SandboxAccount) -> int:
    """Expire one access token (by value) or all of an account's; refresh tokens still work."""
    past = timezone.now() - timedelta(seconds=1)
    if isinstance(token_or_account, SandboxAccount):
        tokens = SandboxToken.objects.filter(account=token_or_account)
    else:
        value = token_or_account
        tokens = SandboxToken.objects.filter(
            Q(access_hash=_hash(value)) | Q(account_id=value) | Q(account__username=value)
        )
    return tokens.filter(expires_at__gt=past).update(expires_at=past)


def sandbox_refuse_adoption(account_id: str, refuse: bool = True) -> None:
    """The next adoption of this account answers 403 access_forbidden."""
    SandboxAccount.objects.filter(Q(id=account_id) | Q(username=account_id)).update(
        refuse_next_adoption=refuse
    )


def sandbox_set_revenues_unavailable(account_id: str, unavailable: bool = True) -> None:
    SandboxAccount.objects.filter(id=account_id).update(revenues_unavailable=unavailable)


# --- OAuth ----------------------------------------------------------------------------------
class OAuthFailure(Exception):
    """A token-endpoint error: {"error", "error_description"} with an HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


class AuthorizeFailure(Exception):
    """The authorize request is unusable; nothing may be redirected to (shown as a page)."""


@dataclass
class AuthorizeRequest:
    api_key: SandboxApiKey
    redirect_uri: str
    scopes: list[str]
    state: str
    error: str = ""  # an error that is redirected back (unsupported_response_type, invalid_scope)


def authorize_parse(params) -> AuthorizeRequest:
    """Validate an authorize request (client_id, http(s) redirect_uri, response_type, scopes)."""
    api_key = SandboxApiKey.objects.filter(client_id=params.get("client_id", "")).first()
    if api_key is None:
        raise AuthorizeFailure("Unknown client_id: this API key does not exist.")
    redirect_uri = params.get("redirect_uri", "")
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AuthorizeFailure("redirect_uri must be an absolute http(s) URL.")
    scopes = params.get("scope", "").split()
    request = AuthorizeRequest(api_key, redirect_uri, scopes, params.get("state", ""))
    if params.get("response_type") != "code":
        request.error = "unsupported_response_type"
    elif unknown := [s for s in scopes if s not in KNOWN_SCOPES]:
        request.error = "invalid_scope"
        request.scopes = unknown
    return request


def _redirect(redirect_uri: str, params: dict) -> str:
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [
        (k, v) for k, v in params.items() if v
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def authorize_refuse(request: AuthorizeRequest) -> str:
    """Where the browser goes when the person refuses (state returned untouched)."""
    return _redirect(
        request.redirect_uri,
        {
            "error": "access_denied",
            "error_description": "The user denied access to your application",
            "state": request.state,
        },
    )


def authorize_error_redirect(request: AuthorizeRequest) -> str:
    description = {
        "unsupported_response_type": "Only response_type=code is supported.",
        "invalid_scope": f"Unknown scope: {' '.join(request.scopes)}",
    }[request.error]
    return _redirect(
        request.redirect_uri,
        {"error": request.error, "error_description": description, "state": request.state},
    )


def authorize_accept(
    request: AuthorizeRequest, *, account: SandboxAccount, scopes: Iterable[str]
) -> str:
    """Issue a single-use code for the scopes the person kept; returns the redirect URL."""
    granted = [s for s in request.scopes if s in set(scopes)]
    code = secrets.token_urlsafe(24)
    SandboxAuthCode.objects.create(
        code_hash=_hash(code),
        account=account,
        api_key=request.api_key,
        redirect_uri=request.redirect_uri,
        scope=" ".join(granted),
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    return _redirect(request.redirect_uri, {"code": code, "state": request.state})


def account_login(username: str, password: str) -> SandboxAccount | None:
    account = SandboxAccount.objects.filter(username=username).first()
    if account and secrets.compare_digest(account.password, password):
        return account
    return None


def token_issue(
    *, account: SandboxAccount, api_key: SandboxApiKey, scopes: Iterable[str], grant: str
) -> dict:
    """Make an access/refresh token pair; returns the token endpoint's JSON body."""
    lifetime = sandbox_state().token_lifetime
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    scope = " ".join(scopes)
    SandboxToken.objects.create(
        access_hash=_hash(access),
        refresh_hash=_hash(refresh),
        account=account,
        api_key=api_key,
        scope=scope,
        grant=grant,
        expires_at=timezone.now() + timedelta(seconds=lifetime),
    )
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "refresh_token": refresh,
        "scope": scope,
        "uid": account.id,
    }


def _client(data, authorization: str) -> SandboxApiKey:
    client_id, secret = data.get("client_id", ""), data.get("client_secret", "")
    if authorization.startswith("Basic "):
        try:
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        except ValueError:
            raise OAuthFailure("invalid_client", "Malformed Basic authorization.", 401) from None
    api_key = SandboxApiKey.objects.filter(client_id=client_id).first()
    if api_key is None or not secrets.compare_digest(api_key.client_secret, secret):
        raise OAuthFailure("invalid_client", "Invalid client_id or client_secret.", 401)
    return api_key


def _requested_scopes(data) -> list[str]:
    scopes = data.get("scope", "").split()
    if unknown := [s for s in scopes if s not in KNOWN_SCOPES]:
        raise OAuthFailure("invalid_scope", f"Unknown scope: {' '.join(unknown)}")
    return scopes


def oauth_token(data, *, authorization: str = "") -> dict:
    """The token endpoint: authorization_code, password and refresh_token grants."""
    grant = data.get("grant_type", "")
    if not grant:
        raise OAuthFailure("invalid_request", "Missing grant_type parameter.")
    api_key = _client(data, authorization)
    if grant == "authorization_code":
        return _grant_code(data, api_key)
    if grant == "password":
        if not data.get("username") or not data.get("password"):
            raise OAuthFailure("invalid_request", "Missing username or password parameter.")
        scopes = _requested_scopes(data)
        account = account_login(data["username"], data["password"])
        if account is None:
            raise OAuthFailure("invalid_grant", "Invalid credentials.")
        return token_issue(account=account, api_key=api_key, scopes=scopes, grant="password")
    if grant == "refresh_token":
        return _grant_refresh(data, api_key)
    raise OAuthFailure("unsupported_grant_type", f"Grant type {grant!r} is not supported.")


def _grant_code(data, api_key: SandboxApiKey) -> dict:
    if not data.get("code"):
        raise OAuthFailure("invalid_request", "Missing code parameter.")
    code = SandboxAuthCode.objects.filter(code_hash=_hash(data["code"]), api_key=api_key).first()
    if code is None or code.expires_at <= timezone.now():
        raise OAuthFailure("invalid_grant", "Invalid authorization code.")
    if data.get("redirect_uri", "") != code.redirect_uri:
        raise OAuthFailure(
            "invalid_grant", "redirect_uri does not match the authorization request."
        )
    # Single use even when two exchanges race: only one UPDATE finds used=False.
    if not SandboxAuthCode.objects.filter(pk=code.pk, used=False).update(used=True):
        raise OAuthFailure("invalid_grant", "Invalid authorization code.")
    return token_issue(
        account=code.account, api_key=api_key, scopes=code.scope.split(), grant="authorization_code"
    )


def _grant_refresh(data, api_key: SandboxApiKey) -> dict:
    if not data.get("refresh_token"):
        raise OAuthFailure("invalid_request", "Missing refresh_token parameter.")
    old = (
        SandboxToken.objects.select_related("account")
        .filter(refresh_hash=_hash(data["refresh_token"]), api_key=api_key, revoked=False)
        .first()
    )
    # Rotation: a refresh token works once; the UPDATE makes concurrent refreshes race safely.
    if old is None or not SandboxToken.objects.filter(pk=old.pk, refresh_used=False).update(
        refresh_used=True
    ):
        raise OAuthFailure("invalid_grant", "Invalid refresh token.")
    return token_issue(
        account=old.account, api_key=api_key, scopes=old.scope_list(), grant="refresh_token"
    )


class TokenProblem(Exception):
    """A bearer token that cannot be used (401 invalid_token)."""


def token_lookup(raw: str) -> SandboxToken:
    token = (
        SandboxToken.objects.select_related("account", "api_key")
        .filter(access_hash=_hash(raw))
        .first()
    )
    if token is None:
        raise TokenProblem("Invalid access token.")
    if token.revoked:
        raise TokenProblem("The access token has been revoked.")
    if token.expires_at <= timezone.now():
        raise TokenProblem("The access token has expired.")
    return token


def token_revoke(token: SandboxToken) -> None:
    """GET /logout: the access token and its refresh token stop working."""
    SandboxToken.objects.filter(pk=token.pk).update(revoked=True)


# --- Adoption, uploads ----------------------------------------------------------------------
class ApiFailure(Exception):
    """A legacy API error: {"error": {"code", "message", "type"}}."""

    def __init__(
        self, status: int, message: str, error_type: str, headers: dict | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.error_type = status, message, error_type
        self.headers = headers or {}


def account_adopt(*, token: SandboxToken, parent_id: str) -> None:
    """POST /me/parents/<parent_id> with the child's token and a key holding can-adopt-users."""
    if ADOPT_ROLE not in token.api_key.role_list():
        raise ApiFailure(
            403,
            f"This API key lacks the `{ADOPT_ROLE}` role needed to adopt users.",
            "access_forbidden",
        )
    if "delegate_account_management" not in token.scope_list():
        raise ApiFailure(
            403,
            "Missing required scope `delegate_account_management` to join a network.",
            "access_forbidden",
        )
    parent = SandboxAccount.objects.filter(id=parent_id).first()
    if parent is None:
        raise ApiFailure(404, f"User not found: {parent_id}", "not_found")
    if not parent.is_parent:
        raise ApiFailure(400, f"User {parent_id} is not a parent account.", "invalid_parameter")
    with transaction.atomic(using=SANDBOX_DB):
        child = SandboxAccount.objects.select_for_update().get(pk=token.account_id)
        if child.id == parent.id:
            raise ApiFailure(400, "An account cannot adopt itself.", "invalid_parameter")
        if child.parent_id == parent.id:
            return
        if child.refuse_next_adoption:
            child.refuse_next_adoption = False
            child.save(update_fields=["refuse_next_adoption"])
            refused = True
        else:
            refused = False
            if child.parent_id:
                raise ApiFailure(
                    403, "This account already belongs to another network.", "access_forbidden"
                )
            child.parent = parent
            child.save(update_fields=["parent"])
    if refused:
        raise ApiFailure(
            403, "Adoption refused by Dailymotion for this account.", "access_forbidden"
        )


def account_remove_child(*, token: SandboxToken, child_id: str) -> None:
    """DELETE /me/children/<child_id> with the parent's token."""
    if ADOPT_ROLE not in token.api_key.role_list():
        raise ApiFailure(
            403,
            f"This API key lacks the `{ADOPT_ROLE}` role needed to remove users.",
            "access_forbidden",
        )
    removed = SandboxAccount.objects.filter(id=child_id, parent_id=token.account_id).update(
        parent=None
    )
    if not removed:
        raise ApiFailure(404, f"User {child_id} is not a child of this account.", "not_found")


def new_video_id() -> str:
    while True:
        candidate = "x" + "".join(secrets.choice(BASE36) for _ in range(7))
        if not SandboxVideo.objects.filter(id=candidate).exists():
            return candidate


def _bool(value, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ApiFailure(400, f"Invalid boolean value: {value!r}", "invalid_parameter")


def video_create(*, token: SandboxToken, owner_id: str, params: dict) -> SandboxVideo:
    """POST /user/<id>/videos: the owner's own token, or its parent's; 15 per 24 h."""
    owner = SandboxAccount.objects.filter(id=owner_id).first()
    if owner is None:
        raise ApiFailure(404, f"User not found: {owner_id}", "not_found")
    if token.account_id not in (owner.id, owner.parent_id):
        raise ApiFailure(
            403, "You may only upload to your own account or your children's.", "access_forbidden"
        )
    for name in ("url", "title", "channel"):
        if not params.get(name):
            raise ApiFailure(
                400, f"Missing required parameter `{name}`.", "missing_required_parameter"
            )
    if urlsplit(params["url"]).scheme not in ("http", "https"):
        raise ApiFailure(400, "`url` must be an http(s) URL.", "invalid_parameter")
    if params["channel"] not in seed.CHANNELS:
        raise ApiFailure(400, f"Invalid channel `{params['channel']}`.", "invalid_parameter")
    if len(params["title"]) > 255:
        raise ApiFailure(400, "`title` is longer than 255 characters.", "invalid_parameter")
    tags = params.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    with transaction.atomic(using=SANDBOX_DB):
        SandboxAccount.objects.select_for_update().filter(pk=owner.pk).first()
        recent = SandboxVideo.objects.filter(
            owner=owner,
            via=SandboxVideo.Via.API,
            created_at__gt=timezone.now() - timedelta(hours=24),
        ).count()
        if recent >= UPLOAD_QUOTA:
            raise ApiFailure(
                403,
                f"Upload quota exceeded: {UPLOAD_QUOTA} videos per 24 hours.",
                "access_forbidden",
            )
        video = SandboxVideo.objects.create(
            id=new_video_id(),
            owner=owner,
            title=params["title"],
            channel=params["channel"],
            url=params["url"],
            description=params.get("description") or "",
            tags=list(tags),
            language=params.get("language") or "",
            published=_bool(params.get("published")),
            is_created_for_kids=_bool(params.get("is_created_for_kids")),
            uploaded_by=token.account_id,
        )
        SandboxAccount.objects.filter(pk=owner.pk).update(videos_total=F("videos_total") + 1)
    return video


# --- The crawler ----------------------------------------------------------------------------
NOT_AVAILABLE = "the portal's ingestion endpoints are not available yet"
MRSS_NS = {"media": "http://search.yahoo.com/mrss/"}


class PortalUnreachable(Exception):
    pass


def _http(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One HTTP call with urllib (the sandbox never imports requests)."""
    headers = {"User-Agent": "DailymotionSandboxCrawler/1.0", "Accept": "*/*"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if urlsplit(url).scheme not in ("http", "https"):
        raise PortalUnreachable(f"not an http(s) URL: {redact(url)}")
    request = Request(url, data=body, method=method, headers=headers)  # noqa: S310 (checked above)
    try:
        with urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, exc.read()
    except (URLError, OSError) as exc:
        raise PortalUnreachable(str(getattr(exc, "reason", exc))) from exc


def redact(url: str) -> str:
    """Hide token values in a URL before it is shown or stored."""
    return re.sub(r"(token=)[^&]+", r"\1***", url)


def parse_feed(xml: bytes) -> list[dict]:
    """The MRSS items: guid, title, media:content url, category."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    items = []
    for item in root.iter("item"):
        content = item.find("media:content", MRSS_NS)
        if content is None:
            content = item.find(".//media:group/media:content", MRSS_NS)
        category = item.findtext("media:category", default="", namespaces=MRSS_NS) or item.findtext(
            "category", default=""
        )
        items.append(
            {
                "guid": (item.findtext("guid") or "").strip(),
                "title": (item.findtext("title") or "").strip(),
                "url": content.get("url", "") if content is not None else "",
                "description": (item.findtext("description") or "").strip(),
                "channel": category.strip().lower(),
            }
        )
    return items


@dataclass
class CrawlSummary:
    users: int = 0
    items: int = 0
    ready: int = 0
    failed: int = 0
    skipped: int = 0
    unknown_users: int = 0
    callbacks: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    message: str = ""
    available: bool = True


def _import_item(account: SandboxAccount, item: dict, fail_share: float) -> dict | None:
    """Import one feed item; the callback event for it, or None when it was imported before."""
    guid = item["guid"][:255]
    with transaction.atomic(using=SANDBOX_DB):
        record, _ = SandboxImport.objects.select_for_update().get_or_create(
            account=account,
            guid=guid,
            defaults={"status": "new", "item_id": seed.hex24("item", account.id, guid)},
        )
        if record.status == "ready":
            return None
        record.attempts += 1
        data = {
            "user_id": account.internal_id,
            "uid": guid,
            "feed_id": seed.hex24("feed", account.id),
            "item_id": record.item_id,
        }
        error = ""
        if not item["url"]:
            error = "No media:content url in the item"
        elif seed._unit("crawl-fail", account.id, guid, record.attempts) < fail_share:
            error = "Media file could not be downloaded (HTTP 404)"
        if error:
            record.status = "failed"
            record.save()
            event_data = {"status": "failed", **data, "error": error}
            return {
                "timestamp": int(time.time() * 1000),
                "type": "injector.item.failed",
                "data": event_data,
            }
        channel = item["channel"] if item["channel"] in seed.CHANNELS else "news"
        video = SandboxVideo.objects.create(
            id=new_video_id(),
            owner=account,
            title=(item["title"] or guid)[:255],
            channel=channel,
            url=item["url"][:2000],
            description=item["description"],
            published=True,
            via=SandboxVideo.Via.CRAWLER,
            guid=guid,
        )
        SandboxAccount.objects.filter(pk=account.pk).update(videos_total=F("videos_total") + 1)
        record.status, record.video = "ready", video
        record.save()
    event_data = {
        "status": "ready",
        "user_id": data["user_id"],
        "uid": guid,
        "remote_id": video.id,
        "feed_id": data["feed_id"],
        "item_id": data["item_id"],
    }
    return {"timestamp": int(time.time() * 1000), "type": "injector.item.ready", "data": event_data}


def sandbox_crawl(
    *,
    fail_share: float = 0.1,
    user_list_url: str | None = None,
    callback_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Play Dailymotion's crawler: user list → feeds → import → callbacks, over HTTP."""
    say = progress or (lambda line: None)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    user_list_url = user_list_url or (
        f"{base}/syndication/users.json?token={quote(settings.SYNDICATION_TOKENS[0], safe='')}"
    )
    callback_url = callback_url or (
        f"{base}/syndication/callback/?token={quote(settings.CALLBACK_TOKENS[0], safe='')}"
    )
    crawl = SandboxCrawl.objects.create(user_list_url=redact(user_list_url))
    summary = CrawlSummary()
    try:
        _crawl(summary, user_list_url, callback_url, fail_share, say)
    finally:
        crawl.users, crawl.items, crawl.ready = summary.users, summary.items, summary.ready
        crawl.failed, crawl.skipped = summary.failed, summary.skipped
        crawl.callback_status = ", ".join(str(c) for c in summary.callbacks)[:200]
        crawl.message = summary.message or "; ".join(summary.errors)[:2000]
        crawl.finished_at = timezone.now()
        crawl.save()
    result = {k: v for k, v in summary.__dict__.items()}
    result["crawl_id"] = crawl.pk
    return result


def _crawl(
    summary: CrawlSummary, user_list_url: str, callback_url: str, fail_share: float, say
) -> None:
    say(f"Fetching the user list {redact(user_list_url)}")
    try:
        status, body = _http("GET", user_list_url)
    except PortalUnreachable as exc:
        summary.available = False
        summary.message = f"{NOT_AVAILABLE} (could not connect: {exc})."
        say(summary.message)
        return
    if status == 404:
        summary.available = False
        summary.message = f"{NOT_AVAILABLE} (the user list answered HTTP 404)."
        say(summary.message)
        return
    if status != 200:
        summary.message = f"The user list answered HTTP {status}; nothing was crawled."
        say(summary.message)
        return
    try:
        users = json.loads(body)
        users = [u for u in users if isinstance(u, dict) and u.get("id") and u.get("feed_url")]
    except (ValueError, TypeError, AttributeError):
        summary.message = (
            "The user list is not a JSON array of {id, feed_url}; nothing was crawled."
        )
        say(summary.message)
        return
    accounts = SandboxAccount.objects.in_bulk([u["id"] for u in users])
    say(f"{len(users)} users in the list")
    for number, user in enumerate(users, 1):
        account = accounts.get(user["id"])
        if account is None:
            summary.unknown_users += 1
            summary.errors.append(f"unknown Dailymotion user {user['id']}")
            continue
        summary.users += 1
        try:
            status, feed = _http("GET", user["feed_url"])
        except PortalUnreachable as exc:
            summary.errors.append(f"feed of {account.id}: {exc}")
            continue
        if status != 200:
            summary.errors.append(f"feed of {account.id}: HTTP {status}")
            continue
        try:
            items = parse_feed(feed)
        except etree.XMLSyntaxError as exc:
            summary.errors.append(f"feed of {account.id}: not XML ({exc})")
            continue
        events = []
        for item in items:
            if not item["guid"]:
                summary.skipped += 1
                continue
            summary.items += 1
            event = _import_item(account, item, fail_share)
            if event is None:
                summary.skipped += 1
            elif event["type"] == "injector.item.ready":
                summary.ready += 1
                events.append(event)
            else:
                summary.failed += 1
                events.append(event)
        if events:
            try:
                cb_status, _ = _http("POST", callback_url, json.dumps(events).encode())
            except PortalUnreachable as exc:
                cb_status = f"unreachable ({exc})"
            summary.callbacks.append(cb_status)
            if cb_status == 404:
                summary.errors.append(f"callback: {NOT_AVAILABLE} (HTTP 404)")
        say(
            f"[{number}/{len(users)}] {account.username}: "
            f"{len(items)} items, {len(events)} events posted"
        )
    summary.message = (
        f"Crawled {summary.users} users: {summary.items} items, {summary.ready} ready, "
        f"{summary.failed} failed, {summary.skipped} already imported or skipped."
    )
    say(summary.message)
