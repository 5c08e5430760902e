"""Server-side SVG charts: no JavaScript library and nothing fetched from the internet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

Number = Decimal | int


def bucket_label(bucket: date, kind: str) -> str:
    if kind == "month":
        return bucket.strftime("%b %y")
    if kind == "week":
        return f"wk {bucket:%d %b}"
    return bucket.strftime("%d %b")


def _fmt(value: Number, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def stacked_bars(
    series: Sequence[tuple[date, Mapping[str, Number]]],
    *,
    keys: Sequence[str],
    colors: Mapping[str, str],
    title: str,
    bucket: str = "day",
    unit: str = "",
    decimals: int = 2,
    key_attr: str = "key",
    width: int = 720,
    height: int = 220,
) -> SafeString:
    """Bars per bucket stacked by key; each rect carries data-<key_attr>/data-bucket/data-amount."""
    left, bottom, top = 56, 28, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    highs = [sum((max(v.get(k, 0), 0) for k in keys), Decimal(0)) for _, v in series]
    lows = [sum((min(v.get(k, 0), 0) for k in keys), Decimal(0)) for _, v in series]
    high = max([*highs, Decimal(0)])
    low = min([*lows, Decimal(0)])
    span = (high - low) or Decimal(1)
    scale = float(plot_h) / float(span)
    zero_y = top + float(high) * scale
    slot = plot_w / max(len(series), 1)
    bar_w = max(slot * 0.75, 1.0)
    every = max(1, -(-len(series) // 8))  # at most 8 labels, so they never overlap
    suffix = f" {unit}" if unit else ""
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
        total = sum((values.get(k, 0) for k in keys), Decimal(0))
        parts.append(
            f'<g class="bar" data-bucket="{bucket_date.isoformat()}" '
            f'data-total="{total:.{decimals}f}">'
            f"<title>{bucket_label(bucket_date, bucket)}: {_fmt(total, decimals)}"
            f"{escape(suffix)}</title>"
        )
        for key in keys:
            amount = values.get(key, 0)
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
                f'fill="{colors[key]}" data-{key_attr}="{escape(key)}" '
                f'data-bucket="{bucket_date.isoformat()}" data-amount="{amount:.{decimals}f}"/>'
            )
        parts.append("</g>")
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle">'
                f"{bucket_label(bucket_date, bucket)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every interpolated text is escaped or numeric


def legend(keys: Sequence[str], labels: Mapping[str, str], colors: Mapping[str, str]) -> SafeString:
    """The colour key of a stacked_bars chart."""
    items = "".join(
        f'<span class="legend-item"><svg width="10" height="10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="{colors[k]}"/></svg> {escape(labels[k])}</span> '
        for k in keys
    )
    return mark_safe(f'<p class="small muted legend">{items}</p>')  # noqa: S308 -- escaped
