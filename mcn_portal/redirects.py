"""Going back to where a person came from, without ever leaving the site."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url: str | None) -> str | None:
    """`url` if it stays on this site (over https when the request is), else None."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else None


def redirect_back(request, url: str | None, default: str) -> HttpResponseRedirect:
    """To `url` if it is ours, else to `default` (a path or a view name)."""
    if target := safe_next(request, url):
        # Not redirect(): it would read a `next` like "0" or "staff_home" as a view name.
        return HttpResponseRedirect(target)
    return redirect(default)
