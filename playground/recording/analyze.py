"""What the recorder derives from a request and its response: pure functions, no database.

Policy:

* Outcome: an explicit outcome from the caller wins (`client_cancelled`, `timeout`,
  `rejected`, ...); otherwise a non-2xx status is `upstream_error`, and a stream maps the
  accumulator's result: completed -> `completed`, error -> `error_mid_stream`, incomplete ->
  `incomplete`.
* Values are made safe for both databases before storing: NUL characters and lone UTF-16
  surrogates (which PostgreSQL's jsonb/text and SQLite's UTF-8 encoder refuse) become U+FFFD,
  and the change is flagged in `anomalies`. The raw bytes are kept unchanged elsewhere.
* `search_text` holds message text, tool inputs and tool results, newest first, capped at
  `SEARCH_CAP` characters, so the list search stays bounded whatever the request size.
"""

from __future__ import annotations

import json

SEARCH_CAP = 4000
_EXPLICIT = frozenset(
    {
        "completed",
        "upstream_error",
        "error_mid_stream",
        "incomplete",
        "client_cancelled",
        "timeout",
        "rejected",
        "interrupted",
    }
)


def decide_outcome(
    explicit: str | None, status: int | None, stream: bool, accumulated: str | None
) -> str:
    if explicit in _EXPLICIT:
        return explicit
    if status is None:
        return "incomplete"
    if not 200 <= status < 300:
        return "upstream_error"
    if stream or accumulated is not None:
        return {"completed": "completed", "error": "error_mid_stream"}.get(
            accumulated or "", "incomplete"
        )
    return "completed"


# -- safety ------------------------------------------------------------------------------


def safe_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _needs_cleaning(value: object) -> bool:
    try:
        dumped = json.dumps(value, ensure_ascii=False)
        dumped.encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError):
        return True
    return "\\u0000" in dumped


def safe_json(value: object) -> tuple[object, bool]:
    """(value storable as JSON in both databases, whether anything had to change)."""
    if not _needs_cleaning(value):
        return value, False

    def walk(node: object) -> object:
        if isinstance(node, str):
            return safe_text(node)
        if isinstance(node, dict):
            return {safe_text(str(k)): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, float) and node != node:  # NaN is not JSON
            return None
        return node

    return walk(value), True


# -- request facts -----------------------------------------------------------------------


def request_facts(body: object) -> dict:
    if not isinstance(body, dict):
        return {"model": "", "stream": False}
    model = body.get("model")
    return {
        "model": model[:200] if isinstance(model, str) else "",
        "stream": body.get("stream") is True,
    }


def _blocks(content: object) -> list:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return content if isinstance(content, list) else []


def tool_names(body: object, message: dict | None) -> str:
    """Names of tools used (tool_use / server_tool_use blocks), as " a b " for filtering."""
    names: list[str] = []
    contents = []
    if isinstance(body, dict) and isinstance(body.get("messages"), list):
        contents += [m.get("content") for m in body["messages"] if isinstance(m, dict)]
    if isinstance(message, dict):
        contents.append(message.get("content"))
    for content in contents:
        for block in _blocks(content):
            if (
                isinstance(block, dict)
                and block.get("type") in ("tool_use", "server_tool_use", "mcp_tool_use")
                and isinstance(block.get("name"), str)
                and block["name"] not in names
            ):
                names.append(block["name"])
    joined = " ".join(n.replace(" ", "_")[:100] for n in names)
    return f" {joined} "[:1000] if joined else ""


def _block_text(block: object) -> str:
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return ""
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "thinking":
        return str(block.get("thinking", ""))
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return f"{block.get('name', '')} {json.dumps(block.get('input'), ensure_ascii=False)}"
    if isinstance(kind, str) and (kind == "tool_result" or kind.endswith("_tool_result")):
        content = block.get("content")
        if isinstance(content, list):
            return " ".join(_block_text(b) for b in content)
        return str(content) if isinstance(content, str) else ""
    return ""


def search_text(body: object, message: dict | None, cap: int = SEARCH_CAP) -> str:
    """Searchable text: the reply, then messages newest first, then system, capped."""
    pieces: list[str] = []
    if isinstance(message, dict):
        pieces += [_block_text(b) for b in _blocks(message.get("content"))]
    if isinstance(body, dict):
        messages = body.get("messages") if isinstance(body.get("messages"), list) else []
        for m in reversed(messages):
            if isinstance(m, dict):
                pieces += [_block_text(b) for b in _blocks(m.get("content"))]
        system = body.get("system")
        pieces += [_block_text(b) for b in _blocks(system)]
    out: list[str] = []
    size = 0
    for piece in pieces:
        piece = " ".join(piece.split())
        if not piece:
            continue
        out.append(piece[: cap - size])
        size += len(out[-1]) + 1
        if size >= cap:
            break
    return safe_text("\n".join(out)[:cap])
