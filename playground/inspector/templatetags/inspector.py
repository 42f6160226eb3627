"""Template filters of the inspector: markdown, JSON, numbers, durations, costs."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from django import template
from django.utils.safestring import SafeString

from playground.inspector.conversation import anchor_for
from playground.inspector.jsonview import highlight_json
from playground.inspector.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: object) -> SafeString:
    return render_markdown(text)


@register.filter
def json_html(value: object) -> SafeString:
    return highlight_json(value)


@register.filter
def json_compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@register.filter
def ms(value: object) -> str:
    """1234.5 -> "1.23 s", 87.2 -> "87 ms"."""
    if not isinstance(value, int | float):
        return "–"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.0f} ms"


@register.filter
def tokens(value: object) -> str:
    if not isinstance(value, int):
        return "–"
    return f"{value:,}"


@register.filter
def usd(value: object) -> str:
    if not isinstance(value, Decimal | int | float):
        return "–"
    value = Decimal(value)
    if value and abs(value) < Decimal("0.01"):
        return f"${value:.5f}"
    return f"${value:.4f}"


@register.filter
def is_image(media_type: object) -> bool:
    return media_type in ("image/png", "image/jpeg", "image/gif", "image/webp")


_BLOCK_PATH = re.compile(r"^(system\[\d+\]|messages\[\d+\]\.content(?:\[\d+\](?:\.content\[\d+\])?)?)")


@register.filter
def finding_anchor(path: object) -> str:
    """The conversation anchor of the block a finding points into ("" when none)."""
    match = _BLOCK_PATH.match(path) if isinstance(path, str) else None
    return anchor_for(match.group(1)) if match else ""


@register.filter
def opaque(value: object) -> object:
    """Opaque `encrypted_*` strings shortened to their size (the raw views keep them)."""
    if isinstance(value, dict):
        return {k: (f"[{len(v):,} opaque characters]" if k.startswith("encrypted_") and isinstance(v, str)
                    and len(v) > 80 else opaque(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [opaque(v) for v in value]
    return value


@register.filter
def safe_url(value: object) -> str:
    """An http(s) URL from recorded data, or "" (no javascript:, data: or relative links)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return text if re.match(r"(?i)^https?://", text) and not re.search(r"[\x00-\x1f]", text) else ""
