"""Model output as HTML: markdown rendered with raw HTML off, then sanitized.

Policy (model output is untrusted): markdown-it-py renders with `html` off, so tags in
the text come out escaped; images are never emitted as <img> (an external image would
load on view and can exfiltrate data through its URL), they become plain links; nh3 then
cleans the result with a small allowlist and only the http, https and mailto link
schemes, so `javascript:` and `data:` links lose their href.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "span": {"class"}, "code": {"class"}}
URL_SCHEMES = {"http", "https", "mailto"}

# Past this size a text block is shown as plain text, cut at MAX_SHOWN_CHARS: a page
# stays light whatever the model or the client sent (the raw download has it all).
MAX_MARKDOWN_CHARS = 200_000
MAX_SHOWN_CHARS = 200_000


def _image_as_link(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    label = f"image: {alt}" if alt else "image"
    return f'<a class="external-image" href="{escape(src)}">[{escape(label)}]</a>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.add_render_rule("image", _image_as_link)
    return md


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: object) -> SafeString:
    """Sanitized HTML for a text block; anything that is not a string is shown escaped."""
    if not isinstance(text, str):
        return mark_safe(f"<pre>{escape(repr(text))}</pre>")  # noqa: S308 (escaped)
    if len(text) > MAX_MARKDOWN_CHARS:
        # Too long to be worth formatting: show it as plain, escaped text.
        more = len(text) - MAX_SHOWN_CHARS
        note = f'<span class="muted">… {more:,} more characters</span>' if more > 0 else ""
        return mark_safe(f'<pre class="md-plain">{escape(text[:MAX_SHOWN_CHARS])}{note}</pre>')  # noqa: S308
    return mark_safe(clean_html(_parser().render(text)))  # noqa: S308 (sanitized by nh3)
