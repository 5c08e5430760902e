"""Access check for machine endpoints (Dailymotion's crawler and callback poster)."""

from __future__ import annotations

import base64
import binascii
import hmac
from functools import wraps

from django.conf import settings
from django.http import JsonResponse


def presented_token(request) -> str:
    """The token from ?token= or from HTTP Basic (the password; the user name is ignored)."""
    token = request.GET.get("token", "")
    if token:
        return token
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic" or not credentials:
        return ""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


def token_matches(presented: str, accepted: list[str]) -> bool:
    """Constant-time comparison against every accepted token (a list, for rotation)."""
    ok = False
    for token in accepted:
        if token and hmac.compare_digest(presented.encode(), token.encode()):
            ok = True
    return ok


def token_required(tokens_setting: str, failure_status: int = 401):
    """Refuse with a JSON error (failure_status) unless one of settings.<tokens_setting> is sent."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if token_matches(presented_token(request), getattr(settings, tokens_setting)):
                return view(request, *args, **kwargs)
            response = JsonResponse({"error": "invalid or missing token"}, status=failure_status)
            if failure_status == 401:
                response["WWW-Authenticate"] = 'Basic realm="syndication", charset="UTF-8"'
            return response

        return wrapper

    return decorator
