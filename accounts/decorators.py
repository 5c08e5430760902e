"""Access checks for browser pages: staff (optionally with a permission) and creators."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_required(permission: str | None = None):
    """Anonymous users go to the staff login; users lacking is_staff or the permission get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff or (permission and not user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def creator_required(view):
    """The view gets request.user.creator; others are sent to the landing page to connect."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url="landing")
        if not hasattr(request.user, "creator"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
