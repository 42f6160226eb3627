"""JSON for people: media summarized, values highlighted, containers foldable.

Policy: every string from a recording is escaped here (the output is marked safe only
after escaping); base64 media is never put into a page, it is summarized as
`[image/png 1.2 MB sha256:ab12…]`; documents too large to highlight are shown as plain
escaped text, cut at `MAX_HIGHLIGHT_CHARS` with a link to the raw download instead.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_HIGHLIGHT_CHARS = 1_500_000
LONG_STRING = 20_000  # strings longer than this are cut in the highlighted view


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} B"


def decoded_size(b64: str) -> int:
    """Bytes a base64 string decodes to, without decoding it."""
    n = len(b64)
    return max(0, n * 3 // 4 - b64[-2:].count("="))


def media_summary(media_type: object, data: str) -> str:
    digest = hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:4]
    return f"[{media_type or 'base64'} {human_size(decoded_size(data))} sha256:{digest}…]"


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def blob_summary(ref: dict) -> str:
    """`[application/pdf 20.0 MB sha256:ab12…]` for a recorder blob reference."""
    return f"[{ref.get('media_type') or 'blob'} {human_size(_int(ref.get('bytes')))} sha256:{str(ref.get('$blob'))[:4]}…]"


@dataclass
class MediaRef:
    """One base64 source found in a body, by its path, for thumbnails and summaries."""

    path: str
    media_type: str
    size: int
    summary: str


def summarize_media(obj: object, path: str = "", found: list[MediaRef] | None = None) -> object:
    """A copy of `obj` with every base64 source's data replaced by its summary."""
    if isinstance(obj, dict):
        if isinstance(obj.get("$blob"), str):
            # A media reference left by the recorder in place of large base64 data.
            summary = blob_summary(obj)
            if found is not None:
                found.append(MediaRef(path, str(obj.get("media_type") or ""), _int(obj.get("bytes")), summary))
            return summary
        if obj.get("type") == "base64" and isinstance(obj.get("data"), str):
            data = obj["data"]
            summary = media_summary(obj.get("media_type"), data)
            if found is not None:
                found.append(MediaRef(path, str(obj.get("media_type") or ""), decoded_size(data), summary))
            return {**obj, "data": summary}
        return {k: summarize_media(v, f"{path}.{k}" if path else str(k), found) for k, v in obj.items()}
    if isinstance(obj, list):
        return [summarize_media(v, f"{path}[{i}]", found) for i, v in enumerate(obj)]
    return obj


def _string(value: str) -> str:
    if len(value) > LONG_STRING:
        shown = json.dumps(value[:LONG_STRING], ensure_ascii=False)[:-1]
        rest = f"… {len(value) - LONG_STRING} more characters"
        return f'<span class="j-str">{escape(shown)}</span><span class="muted">{rest}</span>"'
    return f'<span class="j-str">{escape(json.dumps(value, ensure_ascii=False))}</span>'


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool):
        return f'<span class="j-lit">{json.dumps(value)}</span>'
    if isinstance(value, int | float):
        return f'<span class="j-num">{escape(json.dumps(value))}</span>'
    return f'<span class="j-str">{escape(json.dumps(str(value)))}</span>'


def _render(value: object, out: list[str], depth: int, trailing: str = "") -> None:
    # `trailing` (a comma) goes inside a container's <details>: browsers lay <details> out
    # as a block, so a comma after it would start a line of its own.
    if isinstance(value, dict | list) and value:
        is_dict = isinstance(value, dict)
        opening, closing = ("{", "}") if is_dict else ("[", "]")
        count = f"{len(value)} {'keys' if is_dict else 'items'}"
        out.append(f'<details class="j-fold"{" open" if depth < 6 else ""}><summary>{opening}'
                   f'<span class="j-count muted"> {count} </span></summary><div class="j-body">')
        items = value.items() if is_dict else enumerate(value)
        last = len(value) - 1
        for i, (key, item) in enumerate(items):
            out.append('<div class="j-row">')
            if is_dict:
                out.append(f'<span class="j-key">{escape(json.dumps(str(key), ensure_ascii=False))}</span>: ')
            _render(item, out, depth + 1, "," if i != last else "")
            out.append("</div>")
        out.append(f"</div>{closing}{trailing}</details>")
        return
    if isinstance(value, dict):
        out.append("{}")
    elif isinstance(value, list):
        out.append("[]")
    else:
        out.append(_scalar(value))
    out.append(trailing)


def _clip(value: object) -> object:
    """A copy with long strings cut, the way the highlighter shows them (for sizing)."""
    if isinstance(value, str):
        return value if len(value) <= LONG_STRING else value[:LONG_STRING] + f"… {len(value) - LONG_STRING} more characters"
    if isinstance(value, dict):
        return {k: _clip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clip(v) for v in value]
    return value


def highlight_json(value: object) -> SafeString:
    """Highlighted, foldable HTML for a JSON value (media summarized, long strings cut)."""
    value = summarize_media(value)
    text = json.dumps(_clip(value), ensure_ascii=False, indent=2)
    if len(text) > MAX_HIGHLIGHT_CHARS:
        cut = escape(text[:MAX_HIGHLIGHT_CHARS])
        more = human_size(len(text) - MAX_HIGHLIGHT_CHARS)
        return mark_safe(f'<pre class="json">{cut}\n<span class="muted">… {more} more</span></pre>')  # noqa: S308
    out: list[str] = ['<div class="json">']
    _render(value, out, 0)
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)

