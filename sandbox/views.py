"""HTTP glue for the sandbox: the staff page, OAuth pages, token endpoint and REST API."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mcn_portal.redirects import redirect_back

from . import api, seed, services
from .models import (
    SandboxAccount,
    SandboxCrawl,
    SandboxEarning,
    SandboxFault,
    SandboxToken,
    SandboxVideo,
)

MAX_ADVANCE = 366  # a year of simulated earnings per click; each day writes a row per account


def _error(status: int, message: str, error_type: str, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse(
        {"error": {"code": status, "message": message, "type": error_type}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        description = message.replace('"', "'")
        response["WWW-Authenticate"] = (
            f'Bearer error="invalid_token", error_description="{description}"'
        )
    return response


def _fault_response(fault: SandboxFault) -> JsonResponse:
    if fault.status == 429:
        return _error(
            429,
            "Too many requests: rate limit exceeded.",
            "rate_limit_exceeded",
            {"Retry-After": str(fault.retry_after or 1)},
        )
    return _error(fault.status, f"Sandbox fault: HTTP {fault.status}.", "server_error")


@csrf_exempt
def api_call(request: HttpRequest, path: str) -> JsonResponse:
    if fault := services.fault_for("/" + path):
        return _fault_response(fault)
    try:
        return JsonResponse(api.dispatch(request, path))
    except services.ApiFailure as exc:
        return _error(exc.status, exc.message, exc.error_type, exc.headers)


@csrf_exempt
@require_POST
def oauth_token(request: HttpRequest) -> JsonResponse:
    if fault := services.fault_for("/oauth/token"):
        return _fault_response(fault)
    try:
        body = services.oauth_token(
            request.POST, authorization=request.headers.get("Authorization", "")
        )
    except services.OAuthFailure as exc:
        return JsonResponse(exc.body(), status=exc.status)
    return JsonResponse(body, headers={"Cache-Control": "no-store"})


@require_http_methods(["GET", "POST"])
def oauth_authorize(request: HttpRequest) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    try:
        auth = services.authorize_parse(params)
    except services.AuthorizeFailure as exc:
        return render(request, "sandbox/authorize_error.html", {"message": str(exc)}, status=400)
    if auth.error:
        return redirect(services.authorize_error_redirect(auth))
    if request.method == "POST":
        if "refuse" in request.POST:
            return redirect(services.authorize_refuse(auth))
        account = _consenting_account(request)
        if account is not None:
            kept = request.POST.getlist("granted")
            return redirect(services.authorize_accept(auth, account=account, scopes=kept))
        messages.error(request, "Pick an account, or give a correct username and password.")
    accounts = SandboxAccount.objects.filter(bulk=False).order_by("is_parent", "username")
    context = {"auth": auth, "accounts": accounts, "params": params}
    return render(
        request, "sandbox/authorize.html", context, status=200 if request.method == "GET" else 400
    )


def _consenting_account(request: HttpRequest) -> SandboxAccount | None:
    if request.POST.get("username"):
        return services.account_login(request.POST["username"], request.POST.get("password", ""))
    return SandboxAccount.objects.filter(id=request.POST.get("account", "")).first()


@require_GET
def avatar(request: HttpRequest, account_id: str) -> HttpResponse:
    hue = int(hashlib.sha1(account_id.encode(), usedforsecurity=False).hexdigest()[:4], 16) % 360
    letter = escape((account_id[-1:] or "?").upper())
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">'
        f'<rect width="240" height="240" fill="hsl({hue},60%,45%)"/>'
        '<text x="120" y="150" font-size="96" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{letter}</text></svg>'
    )
    return HttpResponse(svg, content_type="image/svg+xml")


def _chart(today) -> dict:
    """The network's daily earnings over the kept history, as SVG bar geometry."""
    rows = list(
        SandboxEarning.objects.values("day")
        .annotate(total=Sum("video") + Sum("website") + Sum("claim") + Sum("paidcontent"))
        .order_by("day")
    )
    peak = max((r["total"] or Decimal(0) for r in rows), default=Decimal(0)) or Decimal(1)
    bars = []
    for i, row in enumerate(rows):
        height = float((row["total"] or 0) / peak) * 100
        bars.append(
            {
                "x": i * 20 + 2,
                "y": 110 - height,
                "h": height,
                "day": row["day"],
                "total": row["total"],
            }
        )
    return {"bars": bars, "width": max(len(rows) * 20, 20), "peak": peak}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not services.sandbox_is_seeded():
        return render(request, "sandbox/home.html", {"seeded": False})
    state = services.sandbox_state()
    accounts = SandboxAccount.objects.select_related("parent").order_by("-is_parent", "bulk", "id")
    if q := request.GET.get("q", "").strip():
        accounts = accounts.filter(username__icontains=q) | accounts.filter(id__icontains=q)
    page = Paginator(accounts, 25).get_page(request.GET.get("page"))
    for account in page:
        account.money_total = sum(getattr(account, f"revenues_{s}_total") for s in seed.SOURCES)
        account.money_month = sum(
            getattr(account, f"revenues_{s}_last_month") for s in seed.SOURCES
        )
    context = {
        "seeded": True,
        "state": state,
        "page": page,
        "q": q,
        "parent": SandboxAccount.objects.get(id=seed.PARENT["id"]),
        "children_count": SandboxAccount.objects.filter(parent_id=seed.PARENT["id"]).count(),
        "accounts_count": SandboxAccount.objects.count(),
        "faults": SandboxFault.objects.all(),
        "crawls": SandboxCrawl.objects.all()[:10],
        "videos": SandboxVideo.objects.select_related("owner")[:10],
        "videos_count": SandboxVideo.objects.count(),
        "tokens_count": SandboxToken.objects.filter(revoked=False).count(),
        "chart": _chart(state.today),
        "api_keys": seed.API_KEYS,
        "channels": seed.CHANNELS,
    }
    return render(request, "sandbox/home.html", context)


def _int(request: HttpRequest, name: str, default: int | None = None) -> int | None:
    try:
        return int(request.POST.get(name) or default)
    except (TypeError, ValueError):
        return default


def _share(request: HttpRequest, name: str, default: float) -> float:
    """A fraction in [0, 1]; anything else (text, nan, inf) is the default."""
    try:
        value = float(request.POST.get(name) or default)
    except ValueError:
        return default
    return value if 0.0 <= value <= 1.0 else default


@require_POST
def action(request: HttpRequest) -> HttpResponse:
    """Every button of the staff page (the sandbox has no login: it only exists when enabled)."""
    name = request.POST.get("action", "")
    account_id = request.POST.get("account", "")
    if name == "reset":
        services.sandbox_reset()
        messages.success(request, "The sandbox is back to its seed.")
    elif name == "advance":
        today = services.sandbox_advance_days(min(max(_int(request, "days", 1), 1), MAX_ADVANCE))
        messages.success(request, f"Time advanced; the sandbox's today is now {today}.")
    elif name == "fail":
        services.sandbox_fail_next(
            request.POST.get("path", "/"),
            _int(request, "status", 429),
            max(_int(request, "count", 1), 1),
            retry_after=_int(request, "retry_after"),
        )
        messages.success(request, "Fault armed.")
    elif name == "latency":
        services.sandbox_set_latency(request.POST.get("path", "/"), _int(request, "ms", 0))
        messages.success(request, "Latency set.")
    elif name == "clear_faults":
        services.sandbox_clear_faults()
        messages.success(request, "Faults cleared.")
    elif name == "lifetime":
        services.sandbox_set_token_lifetime(_int(request, "seconds", 36000))
        messages.success(request, "Token lifetime changed for new tokens.")
    elif name == "expire":
        count = services.sandbox_expire_token(account_id)
        messages.success(request, f"Expired {count} access token(s) of {account_id}.")
    elif name == "refuse":
        services.sandbox_refuse_adoption(account_id, request.POST.get("value") != "0")
        messages.success(request, f"Adoption refusal for {account_id} updated.")
    elif name == "revenues":
        services.sandbox_set_revenues_unavailable(account_id, request.POST.get("value") != "0")
        messages.success(request, f"Revenue availability of {account_id} updated.")
    elif name == "crawl":
        result = services.sandbox_crawl(fail_share=_share(request, "fail_share", 0.1))
        level = messages.SUCCESS if result["available"] else messages.WARNING
        messages.add_message(request, level, result["message"] or "; ".join(result["errors"]))
    else:
        messages.error(request, f"Unknown action {name!r}.")
    return redirect_back(request, request.POST.get("next"), "sandbox_home")
