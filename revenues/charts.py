"""The revenue charts: earnings stacked by source, and a sparkline per creator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from mcn_portal import charts

from .models import SOURCE_LABELS, SOURCES

COLORS = {"video": "#2f6fde", "website": "#26a269", "claim": "#e5a50a", "paidcontent": "#9141ac"}


def stacked_bars(
    series: Sequence[tuple[date, dict[str, Decimal]]],
    *,
    bucket: str = "day",
    title: str = "Earnings by source",
) -> SafeString:
    """Earnings per bucket stacked by source; each rect carries data-source/data-amount."""
    return charts.stacked_bars(
        series,
        keys=SOURCES,
        colors=COLORS,
        title=title,
        bucket=bucket,
        unit="USD",
        key_attr="source",
    )


def legend() -> SafeString:
    """The colour key of stacked_bars."""
    return charts.legend(SOURCES, SOURCE_LABELS, COLORS)


def sparkline(values: Sequence[Decimal], *, width: int = 120, height: int = 24) -> SafeString:
    """A small line of a creator's earnings over the period; data-total is the sum drawn."""
    total = sum(values, Decimal(0))
    if not values:
        return mark_safe("")
    high, low = max(max(values), Decimal(0)), min(min(values), Decimal(0))
    span = float(high - low) or 1.0
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (float(v - low) / span) * (height - 4):.1f}"
        for i, v in enumerate(values)
    )
    return mark_safe(  # noqa: S308 -- numbers only
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'data-total="{total:.2f}" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
        f'<polyline fill="none" stroke="#2f6fde" stroke-width="1.5" points="{points}"/></svg>'
    )
