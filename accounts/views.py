from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from .decorators import creator_required


@require_GET
def connect_start(request):
    """Placeholder until the connect flow lands: says so instead of failing."""
    return render(request, "accounts/connect_unavailable.html", status=503)


@creator_required
def creator_home(request):
    return render(request, "accounts/creator_home.html", {"creator": request.user.creator})
