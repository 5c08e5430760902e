"""The sandbox's REST API: Dailymotion's legacy endpoints that the portal's client uses.

Each handler takes a Call and returns a JSON-able dict, or raises ApiFailure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from . import seed
from .models import SandboxAccount, SandboxToken, SandboxVideo
from .services import (
    ApiFailure,
    TokenProblem,
    account_adopt,
    account_remove_child,
    token_lookup,
    token_revoke,
    video_create,
)

MAX_LIMIT = 100
MAX_RESULTS = 1000
MAX_IDS = 100
DEFAULT_USER_FIELDS = ("id", "username", "screenname")
DEFAULT_VIDEO_FIELDS = ("id", "title", "channel", "owner")


@dataclass
class Call:
    request: HttpRequest
    params: dict
    token: SandboxToken | None

    @property
    def viewer_id(self) -> str | None:
        return self.token.account_id if self.token else None

    def require_token(self) -> SandboxToken:
        if self.token is None:
            raise ApiFailure(401, "This call requires an access token.", "invalid_token")
        return self.token

    def scopes(self) -> list[str]:
        return self.token.scope_list() if self.token else []


# --- Serialising ----------------------------------------------------------------------------
def _money(call: Call, account: SandboxAccount, name: str):
    if account.revenues_unavailable or call.token is None:
        return None
    own = call.viewer_id == account.id and "read_insights" in call.scopes()
    if own or (account.parent_id and account.parent_id == call.viewer_id):
        return float(getattr(account, name))
    return None


def _email(call: Call, account: SandboxAccount):
    own = call.viewer_id == account.id and "email" in call.scopes()
    if own or (account.parent_id and account.parent_id == call.viewer_id):
        return account.email
    return None


def _avatar(account: SandboxAccount) -> str:
    return f"{settings.PUBLIC_BASE_URL}/sandbox/avatar/{account.id}.svg"


USER_FIELDS: dict[str, Callable[[Call, SandboxAccount], object]] = {
    "id": lambda c, a: a.id,
    "item_type": lambda c, a: "user",
    "username": lambda c, a: a.username,
    "screenname": lambda c, a: a.screenname,
    "email": _email,
    "url": lambda c, a: f"https://www.dailymotion.com/{a.username}",
    "avatar_60_url": lambda c, a: _avatar(a),
    "avatar_120_url": lambda c, a: _avatar(a),
    "avatar_240_url": lambda c, a: _avatar(a),
    "avatar_480_url": lambda c, a: _avatar(a),
    "created_time": lambda c, a: int(a.created_time.timestamp()),
    "followers_total": lambda c, a: a.followers_total,
    "videos_total": lambda c, a: a.videos_total,
    "views_total": lambda c, a: a.views_total,
    "status": lambda c, a: "active",
    "active": lambda c, a: True,
    "partner": lambda c, a: True,
    "verified": lambda c, a: a.is_parent,
    "parent": lambda c, a: a.parent_id,
    "children_total": lambda c, a: getattr(a, "children_count", None),
    "language": lambda c, a: "en",
    "country": lambda c, a: "FR",
}
for _name in seed.REVENUE_FIELDS:
    USER_FIELDS[_name] = lambda c, a, n=_name: _money(c, a, n)

VIDEO_FIELDS: dict[str, Callable[[Call, SandboxVideo], object]] = {
    "id": lambda c, v: v.id,
    "item_type": lambda c, v: "video",
    "title": lambda c, v: v.title,
    "channel": lambda c, v: v.channel,
    "owner": lambda c, v: v.owner_id,
    "description": lambda c, v: v.description,
    "tags": lambda c, v: v.tags,
    "language": lambda c, v: v.language,
    "published": lambda c, v: v.published,
    "is_created_for_kids": lambda c, v: v.is_created_for_kids,
    "created_time": lambda c, v: int(v.created_at.timestamp()),
    "status": lambda c, v: "ready",
    "url": lambda c, v: f"https://www.dailymotion.com/video/{v.id}",
}


def _fields(call: Call, known: dict, default: tuple[str, ...]) -> list[str]:
    raw = call.params.get("fields", "")
    names = [f.strip() for f in raw.split(",") if f.strip()] if raw else list(default)
    if unknown := [n for n in names if n not in known]:
        raise ApiFailure(400, f"Unknown field(s): {', '.join(unknown)}.", "invalid_parameter")
    return names


def _user(call: Call, account: SandboxAccount, names: list[str]) -> dict:
    return {n: USER_FIELDS[n](call, account) for n in names}


def _video(call: Call, video: SandboxVideo, names: list[str]) -> dict:
    return {n: VIDEO_FIELDS[n](call, video) for n in names}


def _int_param(call: Call, name: str, default: int | None = None) -> int | None:
    value = call.params.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiFailure(400, f"`{name}` must be an integer.", "invalid_parameter") from None


def _page(call: Call, queryset: QuerySet, serialise: Callable) -> dict:
    """Dailymotion's list envelope; at most 100 per page and 1000 results per listing."""
    page, limit = _int_param(call, "page", 1), _int_param(call, "limit", 10)
    if page < 1:
        raise ApiFailure(400, "`page` must be 1 or more.", "invalid_parameter")
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiFailure(400, f"`limit` must be between 1 and {MAX_LIMIT}.", "invalid_parameter")
    if page * limit > MAX_RESULTS:
        raise ApiFailure(
            400,
            f"No listing returns more than {MAX_RESULTS} results (page x limit = {page * limit}); "
            "narrow it with created_after / created_before.",
            "invalid_parameter",
        )
    total = queryset.count()
    rows = list(queryset[(page - 1) * limit : page * limit])
    return {
        "page": page,
        "limit": limit,
        "explicit": False,
        "total": total,
        "has_more": page * limit < min(total, MAX_RESULTS),
        "list": [serialise(row) for row in rows],
    }


def _accounts(call: Call, queryset: QuerySet, names: list[str]) -> QuerySet:
    if "children_total" in names:
        queryset = queryset.annotate(children_count=Count("children"))
    return queryset


def _user_list(call: Call, queryset: QuerySet) -> dict:
    names = _fields(call, USER_FIELDS, DEFAULT_USER_FIELDS)
    return _page(call, _accounts(call, queryset, names), lambda a: _user(call, a, names))


def _get_account(user_id: str) -> SandboxAccount:
    account = SandboxAccount.objects.filter(id=user_id).first()
    if account is None:
        raise ApiFailure(404, f"User not found: {user_id}", "not_found")
    return account


def _windowed_children(call: Call, parent_id: str) -> QuerySet:
    """Children, with created_after (inclusive) / created_before (exclusive) in Unix seconds."""
    children = SandboxAccount.objects.filter(parent_id=parent_id)
    for name, lookup in (
        ("created_after", "created_time__gte"),
        ("created_before", "created_time__lt"),
    ):
        value = _int_param(call, name)
        if value is not None:
            children = children.filter(**{lookup: datetime.fromtimestamp(value, UTC)})
    sort = call.params.get("sort") or "recent"
    if sort not in ("recent", "old"):
        raise ApiFailure(400, "`sort` must be one of: recent, old.", "invalid_parameter")
    order = ("created_time", "id") if sort == "old" else ("-created_time", "-id")
    return children.order_by(*order)


# --- Handlers -------------------------------------------------------------------------------
def me(call: Call) -> dict:
    token = call.require_token()
    return _user(call, token.account, _fields(call, USER_FIELDS, DEFAULT_USER_FIELDS))


def auth(call: Call) -> dict:
    token = call.require_token()
    account = token.account
    return {
        "id": account.id,
        "username": account.username,
        "screenname": account.screenname,
        "language": "en",
        "scope": token.scope_list(),
        "roles": token.api_key.role_list(),
    }


def logout(call: Call) -> dict:
    token_revoke(call.require_token())
    return {}


def user(call: Call, user_id: str) -> dict:
    if user_id == "me":
        return me(call)
    names = _fields(call, USER_FIELDS, DEFAULT_USER_FIELDS)
    account = _accounts(call, SandboxAccount.objects.filter(id=user_id), names).first()
    if account is None:
        raise ApiFailure(404, f"User not found: {user_id}", "not_found")
    return _user(call, account, names)


def users(call: Call) -> dict:
    queryset = SandboxAccount.objects.all()
    if ids := call.params.get("ids"):
        id_list = [i.strip() for i in ids.split(",") if i.strip()]
        if len(id_list) > MAX_IDS:
            raise ApiFailure(400, f"`ids` accepts at most {MAX_IDS} ids.", "invalid_parameter")
        queryset = queryset.filter(id__in=id_list)
    if usernames := call.params.get("usernames"):
        queryset = queryset.filter(username__in=usernames.split(","))
    if parent := call.params.get("parent"):
        return _user_list(call, _windowed_children(call, parent))
    return _user_list(call, queryset.order_by("id"))


def children(call: Call, user_id: str) -> dict:
    _get_account(user_id)
    return _user_list(call, _windowed_children(call, user_id))


def me_children(call: Call) -> dict:
    return _user_list(call, _windowed_children(call, call.require_token().account_id))


def _parents(user_id: str, parent_id: str | None = None) -> QuerySet:
    account = _get_account(user_id)
    parents = SandboxAccount.objects.filter(id=account.parent_id or "")
    if parent_id is not None:
        parents = parents.filter(id=parent_id)
    return parents


def parents(call: Call, user_id: str, parent_id: str | None = None) -> dict:
    return _user_list(call, _parents(user_id, parent_id))


def me_parents(call: Call, parent_id: str | None = None) -> dict:
    return _user_list(call, _parents(call.require_token().account_id, parent_id))


def me_adopt(call: Call, parent_id: str) -> dict:
    account_adopt(token=call.require_token(), parent_id=parent_id)
    return {}


def me_remove_child(call: Call, child_id: str) -> dict:
    account_remove_child(token=call.require_token(), child_id=child_id)
    return {}


def videos_create(call: Call, user_id: str) -> dict:
    token = call.require_token()
    owner_id = token.account_id if user_id == "me" else user_id
    created = video_create(token=token, owner_id=owner_id, params=call.params)
    return _video(call, created, ["id", "title", "channel", "owner"])


def videos_list(call: Call, user_id: str) -> dict:
    _get_account(user_id)
    names = _fields(call, VIDEO_FIELDS, DEFAULT_VIDEO_FIELDS)
    queryset = SandboxVideo.objects.filter(owner_id=user_id).order_by("-created_at", "id")
    return _page(call, queryset, lambda v: _video(call, v, names))


def video(call: Call, video_id: str) -> dict:
    names = _fields(call, VIDEO_FIELDS, DEFAULT_VIDEO_FIELDS)
    found = SandboxVideo.objects.filter(id=video_id).first()
    if found is None:
        raise ApiFailure(404, f"Video not found: {video_id}", "not_found")
    return _video(call, found, names)


ID = r"([A-Za-z0-9_-]+)"
ROUTES: list[tuple[str, re.Pattern, Callable]] = [
    (method, re.compile(f"^{pattern}$"), handler)
    for method, pattern, handler in [
        ("GET", "me", me),
        ("GET", "auth", auth),
        ("GET", "logout", logout),
        ("POST", "logout", logout),
        ("GET", "users", users),
        ("GET", f"user/{ID}", user),
        ("GET", f"user/{ID}/children", children),
        ("GET", "me/children", me_children),
        ("GET", f"user/{ID}/parents", parents),
        ("GET", f"user/{ID}/parents/{ID}", parents),
        ("GET", "me/parents", me_parents),
        ("GET", f"me/parents/{ID}", me_parents),
        ("POST", f"me/parents/{ID}", me_adopt),
        ("DELETE", f"me/children/{ID}", me_remove_child),
        ("POST", f"user/{ID}/videos", videos_create),
        ("POST", "me/videos", lambda call: videos_create(call, "me")),
        ("GET", f"user/{ID}/videos", videos_list),
        ("GET", f"video/{ID}", video),
    ]
]


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not value.strip():
            raise ApiFailure(400, "Invalid Authorization header format.", "invalid_parameter")
        return value.strip()
    return request.GET.get("access_token") or request.POST.get("access_token") or None


def _params(request: HttpRequest) -> dict:
    params = {k: v for k, v in request.GET.items()}
    if request.content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except ValueError:
            raise ApiFailure(400, "The body is not valid JSON.", "invalid_parameter") from None
        if isinstance(body, dict):
            params.update({k: v for k, v in body.items()})
    else:
        post = request.POST
        params.update({k: (post.getlist(k) if len(post.getlist(k)) > 1 else post[k]) for k in post})
    params.pop("access_token", None)
    return params


def dispatch(request: HttpRequest, path: str) -> dict:
    """Route one API call; raises ApiFailure for every error answer."""
    path = path.strip("/")
    methods = [(m, p, h) for m, p, h in ROUTES if p.match(path)]
    if not methods:
        raise ApiFailure(404, f"Unknown endpoint: /{path}", "not_found")
    match = [(p, h) for m, p, h in methods if m == request.method]
    if not match:
        raise ApiFailure(
            400, f"Method {request.method} is not allowed on /{path}.", "invalid_method"
        )
    pattern, handler = match[0]
    token = None
    if raw := _bearer(request):
        try:
            token = token_lookup(raw)
        except TokenProblem as exc:
            raise ApiFailure(401, str(exc), "invalid_token") from None
    call = Call(request=request, params=_params(request), token=token)
    return handler(call, *pattern.match(path).groups())
