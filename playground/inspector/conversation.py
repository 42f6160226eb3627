"""The conversation of one exchange as turns of normalized blocks, ready to render.

A request's `system` and `messages` plus the response Message become a list of turns.
String content becomes one text block, every tool_result learns the name of the
tool_use it answers (matched by id anywhere earlier in the conversation) and every block
gets a stable anchor, so a result links back to its call. Top-level blocks of the
messages also get a team link, `turn-3-block-2` (content[2] of messages[3]; the response
is the turn after the last message), the coordinates comments and the thread page use;
blocks of the system prompt get `system-block-0`, …
Blocks are passed through as recorded (unknown types included): the template shows what
it does not know as JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playground.inspector.jsonview import blob_summary, media_summary

SERVER_RESULT_SUFFIX = "_tool_result"
INLINE_THUMB_CHARS = 200_000  # base64 images up to ~150 KB render as data: thumbnails


@dataclass
class Block:
    type: str
    data: dict
    anchor: str
    kind: str  # css family: text, tool_use, tool_result, thinking, image, document, server, other
    tool_name: str = ""
    answers: str = ""  # anchor of the tool_use a tool_result answers
    answered_by: str = ""  # anchor of the first tool_result answering a tool_use
    path: str = ""  # our JSON path, as in contract findings: messages[1].content[0]
    media: str = ""  # summary of base64 media
    media_type: str = ""
    blob: str = ""  # sha256 of the media in the blob store (thumbnail URL)
    inline_data: str = ""  # small base64 images kept inline: shown as a data: thumbnail
    children: list[Block] = field(default_factory=list)
    link: str = ""  # turn-3-block-2, for top-level blocks of messages and the response


@dataclass
class Turn:
    role: str
    blocks: list[Block]
    source: str  # "system" | "request" | "response"
    index: int = 0


def _kind(block_type: str) -> str:
    if block_type in ("text", "tool_use", "tool_result", "thinking", "image", "document"):
        return block_type
    if block_type == "redacted_thinking":
        return "thinking"
    if block_type == "server_tool_use" or block_type.endswith(SERVER_RESULT_SUFFIX) or block_type.startswith("mcp_"):
        return "server"
    return "other"


def _as_blocks(content: object) -> list[dict]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return [b if isinstance(b, dict) else {"type": "unknown", "value": b} for b in content]
    if content is None:
        return []
    return [{"type": "unknown", "value": content}]


def anchor_for(path: str) -> str:
    """An HTML id for a block path: `messages[1].content[0]` -> `b-messages-1-content-0`."""
    return "b-" + re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")


class _Builder:
    def __init__(self) -> None:
        self.tool_uses: dict[str, tuple[str, str]] = {}  # id -> (anchor, name)
        self.uses: dict[str, Block] = {}

    def block(self, raw: dict, path: str) -> Block:
        btype = str(raw.get("type") or "unknown")
        block = Block(btype, raw, anchor_for(path), _kind(btype))
        block.path = path
        if btype in ("tool_use", "server_tool_use", "mcp_tool_use") and isinstance(raw.get("id"), str):
            self.tool_uses[raw["id"]] = (block.anchor, str(raw.get("name") or ""))
            self.uses[raw["id"]] = block
            block.tool_name = str(raw.get("name") or "")
        use_id = raw.get("tool_use_id")
        if isinstance(use_id, str) and use_id in self.tool_uses:
            block.answers, block.tool_name = self.tool_uses[use_id]
            if not self.uses[use_id].answered_by:
                self.uses[use_id].answered_by = block.anchor
        source = raw.get("source")
        if isinstance(source, dict):
            data = source.get("data")
            block.media_type = str(source.get("media_type") or "")
            if isinstance(data, dict) and isinstance(data.get("$blob"), str):
                block.media = blob_summary({"media_type": block.media_type, **data})
                block.blob = data["$blob"]
            elif source.get("type") == "base64" and isinstance(data, str):
                block.media = media_summary(source.get("media_type"), data)
                block.inline_data = data if len(data) <= INLINE_THUMB_CHARS else ""
        if btype == "tool_result" and isinstance(raw.get("content"), list):
            block.children = [self.block(c, f"{path}.content[{i}]") for i, c in enumerate(_as_blocks(raw["content"]))]
        return block


def _blocks_of(builder: _Builder, content: object, path: str) -> list[Block]:
    if isinstance(content, str):
        return [builder.block({"type": "text", "text": content}, path)]
    return [builder.block(b, f"{path}[{i}]") for i, b in enumerate(_as_blocks(content))]


def _linked(blocks: list[Block], turn: int) -> list[Block]:
    for index, block in enumerate(blocks):
        block.link = f"turn-{turn}-block-{index}"
    return blocks


def build_turns(body: object, response: object) -> list[Turn]:
    """Turns for the system prompt, each request message, then the response message."""
    body = body if isinstance(body, dict) else {}
    builder = _Builder()
    turns: list[Turn] = []
    system = body.get("system")
    if system:
        blocks = _blocks_of(builder, system, "system")
        for index, block in enumerate(blocks):
            block.link = f"system-block-{index}"  # comments on the system prompt sit here
        turns.append(Turn("system", blocks, "system"))
    messages = body.get("messages") if isinstance(body.get("messages"), list) else []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        blocks = _linked(_blocks_of(builder, message.get("content"), f"messages[{i}].content"), i)
        turns.append(Turn(str(message.get("role") or "?"), blocks, "request", i))
    if isinstance(response, dict) and response.get("type") == "message":
        blocks = _linked(_blocks_of(builder, response.get("content"), "response.content"), len(messages))
        turns.append(Turn("assistant", blocks, "response", len(messages)))
    return turns


def tools_used(response: object) -> list[str]:
    """Names of the tools a response called, in order, without repeats."""
    if not isinstance(response, dict):
        return []
    names = [b.get("name") for b in _as_blocks(response.get("content"))
             if isinstance(b, dict) and b.get("type") in ("tool_use", "server_tool_use")]
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))


def response_text(response: object) -> str:
    """The text blocks of a response joined, for diffs and snippets."""
    if not isinstance(response, dict):
        return ""
    parts = []
    for block in _as_blocks(response.get("content")):
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text") or ""))
        elif isinstance(block, dict) and block.get("type") == "tool_use":
            parts.append(f"[tool_use {block.get('name')}]")
    return "\n".join(parts)
