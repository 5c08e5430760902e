from __future__ import annotations

from django.conf import settings


def portal(request):
    """Facts every page's navigation needs."""
    user = request.user
    return {
        "sandbox_enabled": settings.SANDBOX_ENABLED,
        "is_staff_user": user.is_authenticated and user.is_staff,
        "is_creator_user": user.is_authenticated and hasattr(user, "creator"),
    }
