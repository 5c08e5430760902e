"""Template tags of the ingestion app: a creator's videos and where each one stands."""

from __future__ import annotations

from django import template
from django.db.models import Count

from ingestion.models import Video

register = template.Library()


@register.inclusion_tag("ingestion/_creator_videos.html")
def creator_videos(creator, limit: int = 10) -> dict:
    """The creator's latest videos with their syndication state, counts per state, a link to all."""
    counts = dict(
        Video.objects.filter(creator=creator)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    videos = list(Video.objects.filter(creator=creator).order_by("-published_at", "-id")[:limit])
    states = [(label, counts.get(value, 0), value) for value, label in Video.State.choices]
    return {
        "creator": creator,
        "videos": videos,
        "states": states,
        "total": sum(counts.values()),
        "limit": limit,
    }


@register.inclusion_tag("ingestion/_syndication_status.html", takes_context=True)
def syndication_status(context, creator) -> dict:
    """For staff pages about a creator: syndication on/off (with its switch), last crawl, counts."""
    from ingestion.services import creator_last_crawl

    counts = dict(
        Video.objects.filter(creator=creator)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return {
        "creator": creator,
        "last_crawl": creator_last_crawl(creator),
        "counts": [(label, counts.get(value, 0)) for value, label in Video.State.choices],
        "perms": context.get("perms"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
