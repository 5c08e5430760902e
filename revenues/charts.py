"""Server-side SVG charts: no JavaScript library and nothing fetched from the internet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import SOURCE_LABELS, SOURCES

COLORS = {"video": "#2f6fde", "website": "#26a269", "claim": "#e5a50a", "paidcontent": "#9141ac"}


def _label(bucket: date, kind: str) -> str:
    if kind == "month":
        return bucket.strftime("%b %y")
    if kind == "week":
        return f"wk {bucket:%d %b}"
    return bucket.strftime("%d %b")


def stacked_bars(
    series: Sequence[tuple[date, dict[str, Decimal]]],
    *,
    bucket: str = "day",
    title: str = "Earnings by source",
    width: int = 720,
    height: int = 220,
) -> SafeString:
    """Bars per bucket stacked by source; each rect carries data-source/data-bucket/data-amount."""
    left, bottom, top = 56, 28, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    highs = [sum((max(v[s], 0) for s in SOURCES), Decimal(0)) for _, v in series] or [Decimal(0)]
    lows = [sum((min(v[s], 0) for s in SOURCES), Decimal(0)) for _, v in series] or [Decimal(0)]
    high, low = max(max(highs), Decimal(0)), min(min(lows), Decimal(0))
    span = (high - low) or Decimal(1)
    scale = float(plot_h) / float(span)
    zero_y = top + float(high) * scale
    slot = plot_w / max(len(series), 1)
    bar_w = max(slot * 0.75, 1.0)
    every = max(1, -(-len(series) // 8))  # at most 8 labels, so they never overlap
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" x2="{width - 8}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" '
        'stroke="#c8ced6"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{high:,.0f}</text>',
        f'<text x="{left - 4}" y="{zero_y + 4:.1f}" text-anchor="end">0</text>',
    ]
    if low < 0:
        parts.append(f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{low:,.0f}</text>')
    for i, (bucket_date, values) in enumerate(series):
        x = left + i * slot + (slot - bar_w) / 2
        up, down = zero_y, zero_y
        total = sum((values[s] for s in SOURCES), Decimal(0))
        parts.append(
            f'<g class="bar" data-bucket="{bucket_date.isoformat()}" data-total="{total:.2f}">'
            f"<title>{_label(bucket_date, bucket)}: {total:,.2f} USD</title>"
        )
        for source in SOURCES:
            amount = values[source]
            if not amount:
                continue
            h = abs(float(amount)) * scale
            if amount > 0:
                up -= h
                y = up
            else:
                y = down
                down += h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" '
                f'fill="{COLORS[source]}" data-source="{source}" '
                f'data-bucket="{bucket_date.isoformat()}" data-amount="{amount:.2f}"/>'
            )
        parts.append("</g>")
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle">'
                f"{_label(bucket_date, bucket)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every interpolated text is escaped or numeric


def legend() -> SafeString:
    """The colour key of stacked_bars."""
    items = "".join(
        f'<span class="legend-item"><svg width="10" height="10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{COLORS[s]}"/></svg> {SOURCE_LABELS[s]}</span> '
        for s in SOURCES
    )
    return mark_safe(f'<p class="small muted legend">{items}</p>')  # noqa: S308


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
