"""Reading a request: what the user asked, which tools exist, what was already called.

Policy: the "task" is the last user turn that carries text; tool calls and results after it
belong to the current task. Context a client injects into that turn is not the task: coding
agents put `<system-reminder>…</system-reminder>` blocks (and other whole-block tagged
context, tag names with a `-` or `_`) before the user's words: tagged elements leading a text
block are dropped; when nothing else is left, the whole text is the task. A tool counts as named when its name appears as a word (or with
`_`/`-` read as spaces: "get weather"), case-insensitively. Custom tools are the ones with an
`input_schema`; server tools are never called. The chain words ("then", "next", "after
that", "afterwards", "followed by", "chain") make named tools run one per turn.
"""

from __future__ import annotations

import re

CHAIN_RE = re.compile(r"\b(then|next|after that|afterwards|followed by|chain|chained)\b", re.IGNORECASE)
# Words never used as string inputs: they are how people ask, not what they ask about.
_NOT_HINTS = frozenset(
    {
        "i", "a", "an", "the", "and", "or", "but", "if", "then", "next", "use", "call", "please",
        "what", "whats", "what's", "how", "why", "when", "where", "who", "which", "can", "could",
        "would", "should", "will", "do", "does", "tell", "give", "get", "show", "find", "make",
        "let", "me", "my", "you", "your", "it", "its", "is", "are", "was", "be", "to", "of", "in",
        "on", "at", "for", "with", "from", "by", "this", "that", "these", "those", "after", "chain",
        "followed", "say", "just"
    }
)


def text_of(content: object) -> str:
    """The text blocks of a message's content (or the string itself), joined by spaces."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    parts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return " ".join(p for p in parts if isinstance(p, str))


# A tagged element as agents wrap injected context in: `<system-reminder>…</system-reminder>`,
# `<command-name>…</command-name>`. Names with a `-` or `_` only, so a user's own HTML
# (`<b>…</b>`) stays part of the task.
_TAGGED = re.compile(r"\s*<([A-Za-z]\w*[-_][\w-]*)(?:\s[^>]*)?>.*?</\1>\s*", re.DOTALL)


def _strip_injected(text: str) -> str:
    """The text without the tagged elements that lead it."""
    rest = text
    while True:
        match = _TAGGED.match(rest)
        if not match:
            return rest
        rest = rest[match.end():]


def user_text(content: object) -> str:
    """What the user wrote in a turn: its text without injected context (see the policy)."""
    if isinstance(content, str):
        blocks = [content]
    elif isinstance(content, list):
        blocks = [b.get("text", "") for b in content
                  if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)]
    else:
        return ""
    own = [kept for block in blocks if (kept := _strip_injected(block)).strip()]
    return " ".join(own) if own else " ".join(blocks)


def _result_text(block: dict) -> str:
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for item in content:
            if isinstance(item, dict):
                if item.get("type") == "text":
                    parts.append(str(item.get("text", "")))
                else:
                    parts.append(f"[{item.get('type', 'block')}]")
        return " ".join(parts)
    return ""


def named_tools(text: str, names: list[str]) -> list[str]:
    """Tools the text names, in the order they first appear."""
    found: list[tuple[int, str]] = []
    for name in names:
        spellings = {name, name.replace("_", " "), name.replace("-", " ")}
        positions = []
        for spelling in spellings:
            pattern = r"(?<![A-Za-z0-9_-])" + re.escape(spelling) + r"(?![A-Za-z0-9_-])"
            match = re.search(pattern, text, re.IGNORECASE)
            if match:
                positions.append(match.start())
        if positions:
            found.append((min(positions), name))
    return [name for _, name in sorted(found)]


def input_hints(text: str, tool_names: list[str]) -> list[str]:
    """Words of the task for string inputs: capitalised ones first, then longer ones."""
    lowered = {n.lower() for n in tool_names}
    words = [w.strip(".,;:!?\"'()[]{}") for w in text[:4000].split()]
    words = [w for w in words if w and w.lower() not in _NOT_HINTS and w.lower() not in lowered]
    capital = [w for w in words if w[0].isupper()]
    other = [w for w in words if not w[0].isupper() and len(w) > 3]
    return list(dict.fromkeys(capital + other))


def custom_tools(body: dict) -> dict[str, dict]:
    """Callable tools by name: the custom ones, with an `input_schema`."""
    tools = body.get("tools")
    out: dict[str, dict] = {}
    if isinstance(tools, list):
        for tool in tools:
            if (
                isinstance(tool, dict)
                and isinstance(tool.get("name"), str)
                and isinstance(tool.get("input_schema"), dict)
                and tool.get("type") in (None, "custom")
            ):
                out[tool["name"]] = tool
    return out


class Conversation:
    """The facts about the request the decisions need."""

    def __init__(self, body: dict) -> None:
        messages = [m for m in body.get("messages") or () if isinstance(m, dict)]
        self.prefill = ""
        if messages and messages[-1].get("role") == "assistant":
            self.prefill = text_of(messages[-1].get("content"))
        self.task_index = -1
        self.task = ""
        for i, message in enumerate(messages):
            if message.get("role") == "user" and text_of(message.get("content")).strip():
                self.task_index, self.task = i, user_text(message.get("content"))
        # Tool calls made since the task, and the results since (and in) the task's own
        # turn, in order: a client may send "continue" next to its tool_result blocks.
        self.called: list[str] = []
        self.searched = False
        self.results: list[tuple[str, str, bool]] = []
        names_by_id: dict[str, str] = {}
        start = max(self.task_index, 0)
        for i, message in enumerate(messages):
            content = message.get("content")
            if not isinstance(content, list):
                continue
            for block in content:
                if not isinstance(block, dict):
                    continue
                kind = block.get("type")
                if kind == "tool_use" and message.get("role") == "assistant":
                    names_by_id[str(block.get("id"))] = str(block.get("name"))
                    if i > self.task_index:
                        self.called.append(str(block.get("name")))
                elif kind == "server_tool_use" and block.get("name") == "web_search" and i > self.task_index:
                    self.searched = True
                elif kind == "tool_result" and i >= start:
                    name = names_by_id.get(str(block.get("tool_use_id")), "the tool")
                    self.results.append((name, _result_text(block), bool(block.get("is_error"))))
        last = messages[-1] if messages else {}
        content = last.get("content")
        # A turn that paused (`pause_turn`) after a server tool call, sent back to go on:
        # (tool id, query) of its unanswered web_search call.
        self.paused_search: tuple[str, str] | None = None
        if last.get("role") == "assistant" and isinstance(content, list) and content:
            tail = content[-1]
            if (isinstance(tail, dict) and tail.get("type") == "server_tool_use"
                    and tail.get("name") == "web_search"):
                query = tail.get("input", {}).get("query") if isinstance(tail.get("input"), dict) else None
                self.paused_search = (str(tail.get("id")), str(query or "the question"))
        # Images and documents in the last user turn, so the answer can acknowledge them.
        self.media: dict[str, int] = {}
        if last.get("role") == "user" and isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") in ("image", "document"):
                    self.media[block["type"]] = self.media.get(block["type"], 0) + 1


def choose_tools(body: dict, convo: Conversation, tools: dict[str, dict]) -> list[str]:
    """The tools to call this turn, in order (empty: answer in text)."""
    if not tools or convo.prefill:
        return []
    choice = body.get("tool_choice") if isinstance(body.get("tool_choice"), dict) else {"type": "auto"}
    kind = choice.get("type", "auto")
    if kind == "none":
        return []
    if kind == "tool":
        return [str(choice.get("name"))]
    named = named_tools(convo.task, list(tools))
    remaining = [n for n in named if n not in convo.called]
    one_at_a_time = bool(choice.get("disable_parallel_tool_use")) or bool(CHAIN_RE.search(convo.task))
    if kind == "any" and not remaining:
        remaining = [named[0] if named else next(iter(tools))]
    if kind not in ("any", "auto"):
        return []
    return remaining[:1] if one_at_a_time else remaining
