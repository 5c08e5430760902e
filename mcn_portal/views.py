from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def landing(request):
    """The front door: creators connect their Dailymotion account from here."""
    if request.user.is_authenticated and hasattr(request.user, "creator"):
        return redirect("creator_home")
    return render(request, "landing.html")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers; Redis is reported (degraded) but does not fail the check."""
    checks = {}
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    status = "ok"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "1", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "1" else "error"
        except Exception as exc:
            checks["redis"] = type(exc).__name__
        if checks["redis"] != "ok":
            status = "degraded"
    return JsonResponse({"status": status, **checks})
