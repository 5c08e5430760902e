from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mcn_portal.redirects import redirect_back, safe_next

from . import services
from .decorators import creator_required

DENIED = {
    "access_denied": "You declined the connection on Dailymotion, so nothing was connected.",
}


@require_GET
def connect_start(request):
    """Send the creator to Dailymotion's consent page (CONTRACT §2)."""
    url = services.oauth_start(session=request.session)
    if next_url := safe_next(request, request.GET.get("next")):
        request.session[services.SESSION_KEY]["next"] = next_url
    return redirect(url)


@never_cache
@require_GET
def connect_callback(request):
    """Dailymotion sends the browser back here: state, exchange, profile, sign-in."""
    pending = request.session.get(services.SESSION_KEY) or {}
    try:
        if error := request.GET.get("error"):
            request.session.pop(services.SESSION_KEY, None)
            description = request.GET.get("error_description", error)
            raise services.ConnectError(DENIED.get(error, f"Dailymotion said: {description}"))
        if pending.get("purpose") == services.PARENT:
            return _parent_callback(request)
        result = services.creator_connect(
            code=request.GET.get("code", ""),
            state=request.GET.get("state", ""),
            session=request.session,
        )
    except services.ConnectError as exc:
        return render(request, "accounts/connect_error.html", {"message": str(exc)}, status=400)
    login(request, result.creator.user, backend="django.contrib.auth.backends.ModelBackend")
    if result.missing_scopes:
        return render(request, "accounts/connect_missing_scopes.html", {"result": result})
    return redirect_back(request, pending.get("next"), "creator_home")


def _parent_callback(request):
    user = request.user
    if not (user.is_authenticated and user.is_staff and user.has_perm("accounts.decide_creator")):
        raise PermissionDenied
    services.oauth_state_take(session=request.session, state=request.GET.get("state", ""))
    credential = services.parent_connect(code=request.GET.get("code", ""), by=user)
    messages.success(request, f"Parent account {credential.username} connected.")
    return redirect("staff_home")


@never_cache
@creator_required
def creator_home(request):
    """The creator's own page: status, timeline, reconnect; their videos and earnings."""
    creator = request.user.creator
    events = creator.audit_events.select_related("actor")[:50]
    return render(request, "accounts/creator_home.html", {"creator": creator, "events": events})
