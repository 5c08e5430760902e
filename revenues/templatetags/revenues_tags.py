"""Template tags for revenue figures shown outside the revenues app (the creator's /me/ page)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from revenues import charts, services
from revenues.models import SOURCES

register = template.Library()

STATEMENTS_SHOWN = 24


@register.inclusion_tag("revenues/_creator_earnings.html")
def creator_earnings(creator) -> dict:
    """The creator's own earnings chart, monthly statements and a link to their CSV history."""
    months = list(services.statement_months(creator=creator)[:STATEMENTS_SHOWN])  # one query
    this_month = services.period_named("this_month")
    period = services.Period(
        this_month.start.replace(year=this_month.start.year - 1), this_month.end
    )
    by_month = {m["month"]: m for m in months}
    empty = dict.fromkeys((*SOURCES, "gross", "creator_share", "network_share"), services.ZERO)
    series = [(b, by_month.get(b, empty)) for b in services._buckets(period, "month")]
    current = by_month.get(this_month.start, empty)
    return {
        "creator": creator,
        "statements": months,
        "chart": charts.stacked_bars(
            series, bucket="month", title="My monthly earnings (gross, USD)"
        )
        if months
        else "",
        "legend": charts.legend(),
        "this_month": current,
        "today": timezone.localdate(),
    }
