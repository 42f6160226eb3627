"""Small server-rendered SVG charts (no script, no remote asset, CSP-safe).

Inputs are numbers only; labels are escaped. Series are downsampled to at most
`MAX_POINTS` points so a 100,000-event stream draws as fast as a short one.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_POINTS = 400
W, H, PAD = 640, 160, 28


def downsample(points: list[tuple[float, float]], limit: int = MAX_POINTS) -> list[tuple[float, float]]:
    """Every n-th point plus the last one (a cumulative series keeps its shape)."""
    if len(points) <= limit:
        return points
    step = len(points) / (limit - 1)
    picked = [points[int(i * step)] for i in range(limit - 1)]
    picked.append(points[-1])
    return picked


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def line_chart(points: list[tuple[float, float]], *, x_label: str = "s", y_label: str = "tokens",
               title: str = "") -> SafeString:
    """A step line of a cumulative series, e.g. output tokens over seconds."""
    if not points:
        return mark_safe('<p class="muted">No data to chart.</p>')
    pts = downsample(points)
    max_x = max(p[0] for p in pts) or 1.0
    max_y = max(p[1] for p in pts) or 1.0
    sx = (W - 2 * PAD) / max_x
    sy = (H - 2 * PAD) / max_y
    coords = " ".join(f"{_fmt(PAD + x * sx)},{_fmt(H - PAD - y * sy)}" for x, y in pts)
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title or y_label)}">',
        f'<line class="axis" x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}"/>',
        f'<line class="axis" x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}"/>',
        f'<polyline class="series" fill="none" points="{coords}"/>',
        f'<text x="{PAD}" y="{PAD - 8}" class="label">{escape(f"{max_y:,.0f} {y_label}")}</text>',
        f'<text x="{W - PAD}" y="{H - 8}" text-anchor="end" class="label">{escape(f"{max_x:.2f} {x_label}")}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 (numbers and escaped labels)


SEGMENT_CLASSES = ("seg-read", "seg-write", "seg-uncached", "seg-output")


def stacked_bars(rows: list[tuple[str, list[int]]], *, legend: tuple[str, ...] = (
        "cache read", "cache write", "uncached input", "output")) -> SafeString:
    """One bar per step, stacked segments (e.g. cache read, write, uncached, output)."""
    if not rows:
        return mark_safe('<p class="muted">No steps to chart.</p>')
    total_max = max(sum(v) for _, v in rows) or 1
    bar_w = max(6.0, min(48.0, (W - 2 * PAD) / len(rows) - 4))
    scale = (H - 2 * PAD) / total_max
    parts = [f'<svg class="chart" viewBox="0 0 {W} {H + 18}" role="img" aria-label="context growth">',
             f'<line class="axis" x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}"/>']
    for i, (label, values) in enumerate(rows):
        x = PAD + 2 + i * (bar_w + 4)
        y = H - PAD
        for cls, v in zip(SEGMENT_CLASSES, values, strict=False):
            h = v * scale
            y -= h
            parts.append(f'<rect class="{cls}" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" '
                         f'height="{_fmt(h)}"><title>{escape(label)}: {v:,}</title></rect>')
        parts.append(f'<text x="{_fmt(x + bar_w / 2)}" y="{H - PAD + 12}" text-anchor="middle" '
                     f'class="label">{escape(label)}</text>')
    parts.append(f'<text x="{PAD}" y="{PAD - 8}" class="label">{total_max:,} tokens</text>')
    lx = PAD
    for cls, name in zip(SEGMENT_CLASSES, legend, strict=False):
        parts.append(f'<rect class="{cls}" x="{lx}" y="{H + 4}" width="10" height="10"/>'
                     f'<text x="{lx + 14}" y="{H + 13}" class="label">{escape(name)}</text>')
        lx += 24 + 7 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (numbers and escaped labels)
