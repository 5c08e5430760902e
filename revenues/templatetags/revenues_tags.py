"""Template tags for revenue figures shown outside the revenues app (the creator's /me/ page)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("revenues/_creator_earnings.html")
def creator_earnings(creator) -> dict:
    """The creator's own earnings chart, monthly statements and a link to their CSV history."""
    return {"creator": creator, "statements": [], "chart": ""}
