"""Ingestion activity charts: what Dailymotion's crawler fetched and imported, day by day."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from mcn_portal import charts

CALLBACK_KEYS = ("imported", "failed", "other")
CALLBACK_LABELS = {"imported": "Imported", "failed": "Import failed", "other": "Other events"}
CALLBACK_COLORS = {"imported": "#26a269", "failed": "#c01c28", "other": "#9aa4b1"}

CRAWL_KEYS = ("feed", "users")
CRAWL_LABELS = {"feed": "Feed fetches", "users": "User list fetches"}
CRAWL_COLORS = {"feed": "#2f6fde", "users": "#e5a50a"}


def _counts_chart(series, *, keys, labels, colors, title, unit, key_attr) -> SafeString:
    chart = charts.stacked_bars(
        series, keys=keys, colors=colors, title=title, unit=unit, decimals=0, key_attr=key_attr
    )
    return mark_safe(chart + charts.legend(keys, labels, colors))  # noqa: S308 -- both safe


def callbacks_chart(series) -> SafeString:
    return _counts_chart(
        series,
        keys=CALLBACK_KEYS,
        labels=CALLBACK_LABELS,
        colors=CALLBACK_COLORS,
        title="Callback events per day (UTC)",
        unit="events",
        key_attr="outcome",
    )


def crawls_chart(series) -> SafeString:
    return _counts_chart(
        series,
        keys=CRAWL_KEYS,
        labels=CRAWL_LABELS,
        colors=CRAWL_COLORS,
        title="Crawler fetches per day (UTC)",
        unit="fetches",
        key_attr="endpoint",
    )
