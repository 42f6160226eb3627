"""The simulator's token estimate: deterministic, cheap, and the same everywhere.

Policy: real tokenization is not needed, consistency is. A "token" is a run of whitespace
followed by at most six other characters (`TOKEN_RE`), so "hello world" is two tokens and a
long word is cut every six characters. The same rule counts the prompt for `count_tokens`,
for `message_start` and for non-streaming usage, and counts every generated text, so usage
agrees between streaming, non-streaming and `count_tokens` for the same request.

Splitting a text into its tokens and joining any prefix of them back gives a text whose
count is exactly the prefix length, which is how `max_tokens` truncation stays exact.
"""

from __future__ import annotations

import json
import re

# Whitespace then up to six other characters; a trailing whitespace run is its own token.
# Together the matches cover every character of any string, in order.
TOKEN_RE = re.compile(r"\s*\S{1,6}|\s+")

# Fixed costs, loosely shaped like the API's own overheads.
_REQUEST_OVERHEAD = 3
_MESSAGE_OVERHEAD = 4
_TOOLS_OVERHEAD = 40
_IMAGE_TOKENS = 1_600
_BIG_TEXT = 256 * 1024


def pieces(text: str) -> list[str]:
    """The tokens of `text`; `"".join(pieces(text)) == text`."""
    return TOKEN_RE.findall(text)


def count(text: str) -> int:
    if len(text) > _BIG_TEXT:
        # Same speed, constant memory: a 32 MB prompt must not build millions of strings.
        return sum(1 for _ in TOKEN_RE.finditer(text))
    return len(TOKEN_RE.findall(text)) if text else 0


def truncate(text: str, limit: int) -> str:
    """The longest prefix of `text` holding at most `limit` tokens."""
    if limit <= 0:
        return ""
    parts = TOKEN_RE.findall(text)
    if len(parts) <= limit:
        return text
    return "".join(parts[:limit])


def _json_tokens(value: object) -> int:
    return count(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _block_tokens(block: object) -> int:
    if isinstance(block, str):
        return count(block)
    if not isinstance(block, dict):
        return _json_tokens(block)
    kind = block.get("type")
    if kind == "text":
        return count(str(block.get("text", "")))
    if kind == "thinking":
        return count(str(block.get("thinking", "")))
    if kind == "image":
        return _IMAGE_TOKENS
    if kind == "document":
        source = block.get("source")
        if isinstance(source, dict) and isinstance(source.get("data"), str) and source.get("type") == "base64":
            # Roughly a page per 3 KB of PDF, a few hundred tokens a page.
            return 200 + len(source["data"]) // 10
        return _json_tokens(source)
    if kind == "tool_use":
        return count(str(block.get("name", ""))) + _json_tokens(block.get("input", {}))
    if kind == "tool_result":
        content = block.get("content")
        if isinstance(content, list):
            return 2 + sum(_block_tokens(b) for b in content)
        return 2 + (count(content) if isinstance(content, str) else 0)
    trimmed = {k: v for k, v in block.items() if k != "cache_control"}
    return _json_tokens(trimmed)


def _content_tokens(content: object) -> int:
    if isinstance(content, str):
        return count(content)
    if isinstance(content, list):
        return sum(_block_tokens(b) for b in content)
    return 0


def input_tokens(body: dict) -> int:
    """The prompt size of a create or count_tokens body (both count the same fields)."""
    total = _REQUEST_OVERHEAD
    total += _content_tokens(body.get("system"))
    for message in body.get("messages") or ():
        if isinstance(message, dict):
            total += _MESSAGE_OVERHEAD + _content_tokens(message.get("content"))
    tools = body.get("tools")
    if isinstance(tools, list) and tools:
        total += _TOOLS_OVERHEAD
        for tool in tools:
            if isinstance(tool, dict):
                total += _json_tokens({k: v for k, v in tool.items() if k != "cache_control"})
    return total
