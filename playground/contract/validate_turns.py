"""Conversation-level rules: turn order, empty turns, prefill, the tool_use/tool_result
protocol, thinking blocks passed back, and cache breakpoints.

Policy: the tool protocol is checked on turns as the API sees them, i.e. after merging
consecutive same-role messages, but findings point at the message and block the user wrote.
Messages reproduce the API's wording (MESSAGES_API.md §3.2, §3.5, §4.5, §5.3, capture 20).
With adaptive thinking the "final assistant message must start with a thinking block" rule
is a warning: the model may not have thought at all in that turn.
"""

from __future__ import annotations

from playground.contract.validate_base import Ctx
from playground.contract.validate_blocks import SERVER_RESULTS

MAX_BREAKPOINTS = 4
_MISSING = ("`tool_use` ids were found without `tool_result` blocks immediately after: {ids}. "
            "Each `tool_use` block must have a corresponding `tool_result` block in the next "
            "message.")
_ORPHAN = ("unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` "
           "block must have a corresponding `tool_use` block in the previous message.")
_NOT_FIRST = ("Did not find {n} tool_result block(s) at the beginning of this message. Messages "
              "following tool_use blocks must begin with a matching number of tool_result blocks.")
_THINKING_FIRST = (
    "Expected `thinking` or `redacted_thinking`, but found `{found}`. When `thinking` is "
    "enabled, a final `assistant` message must start with a thinking block (preceeding the "
    "lastmost set of `tool_use` and `tool_result` blocks). We recommend you include thinking "
    "blocks from previous turns. To avoid this requirement, disable `thinking`. Please consult "
    "our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
)
_PREFILL = ("Your API request included an `assistant` message in the final position, which "
            "would pre-fill the `assistant` response. When using {when}, pre-filling the "
            "`assistant` response is not supported.")
_CONTINUATION = frozenset({"server_tool_use", "mcp_tool_use", "compaction"}) | SERVER_RESULTS
_THINKING_TYPES = ("thinking", "redacted_thinking")


def _entries(messages: list) -> list[tuple[int, str, object, list]]:
    """(index, role, raw content, blocks) for each well-formed user/assistant message."""
    out = []
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            continue
        role = msg.get("role")
        if role not in ("user", "assistant"):
            continue
        content = msg.get("content")
        if isinstance(content, str):
            blocks = [{"type": "text", "text": content}]
        elif isinstance(content, list):
            blocks = content
        else:
            continue
        out.append((i, role, content, blocks))
    return out


def _btype(block: object) -> str | None:
    kind = block.get("type") if isinstance(block, dict) else None
    return kind if isinstance(kind, str) else None


def check_conversation(ctx: Ctx, messages: list) -> None:
    entries = _entries(messages)
    if not entries:
        return
    last_index = len(messages) - 1
    if entries[0][1] == "assistant":
        # lobehub/lobehub#1601: `messages: first message must use the "user" role`
        ctx.warn(("messages", entries[0][0], "role"), 'first message must use the "user" role '
                 "(enforced by older API versions and some gateways)")
    prev_role = None
    for i, role, content, _blocks in entries:
        if role == prev_role:
            # lobehub/lobehub#1496: `roles must alternate between "user" and "assistant", but
            # found multiple "assistant" roles in a row`; the SDK's docs now say they merge
            ctx.warn(("messages", i), f"consecutive `{role}` messages: the API merges them into "
                     'one turn; older versions reject them ("roles must alternate between '
                     '"user" and "assistant"")')
        prev_role = role
        if not content and not (role == "assistant" and i == last_index):
            ctx.error(("messages", i), "all messages must have non-empty content except for "
                      "the optional final assistant message")
        if not (role == "assistant" and i == last_index):  # a prefill has its own rule
            _check_blank_text(ctx, i, content, _blocks)
    _check_system_messages(ctx, messages)

    turns: list[tuple[str, list]] = []  # (role, [(index, blocks)]) after merging
    for i, role, _content, blocks in entries:
        if turns and turns[-1][0] == role:
            turns[-1][1].append((i, blocks))
        else:
            turns.append((role, [(i, blocks)]))

    _check_final(ctx, entries, last_index)
    _check_tools(ctx, turns, last_index)
    if not ctx.tool_names and not ctx.has_tools:
        for i, _role, _content, blocks in entries:
            kinds = [_btype(b) for b in blocks]
            if "tool_use" in kinds or "tool_result" in kinds:
                # anthropics/anthropic-sdk-python#494 (2024): `Requests which include
                # tool_use or tool_result blocks must define tools.`; Bedrock still refuses
                # (aws-samples/bedrock-access-gateway#239)
                ctx.warn(("messages", i), "the history has `tool_use`/`tool_result` blocks but "
                         "`tools` is not defined: older API versions and Bedrock reject this "
                         "(`Requests which include tool_use or tool_result blocks must define "
                         "tools.`)")
                break
    _check_thinking_first(ctx, turns, last_index)


def _is_blank_text(block: object) -> bool:
    text = block.get("text") if isinstance(block, dict) and block.get("type") == "text" else None
    return isinstance(text, str) and bool(text) and not text.strip()


def _check_blank_text(ctx: Ctx, i: int, content: object, blocks: list) -> None:
    """Whitespace-only text is refused when it is all the message says: an assistant's
    "\n\n" sent back (nick1udwig/kibitz#78, anomalyco/opencode#31259), a user's "  "
    (aaif-goose/goose#1556), `messages: text content blocks must contain non-whitespace
    text` (anthropics/claude-code#23440). Beside other blocks it is accepted: capture 08 has
    an assistant `" "` text block before its tool_use blocks."""
    blank = [j for j, block in enumerate(blocks) if _is_blank_text(block)]
    if not blank:
        return
    loc = ("messages", i, "content") if isinstance(content, str) else (
        "messages", i, "content", blank[0], "text")
    if len(blank) == len(blocks):
        ctx.error(loc, "text content blocks must contain non-whitespace text", "messages")
    else:
        ctx.warn(loc, "whitespace-only text block: accepted beside other blocks, refused when "
                 "it is all a message says (`text content blocks must contain non-whitespace "
                 "text`); drop it")


def _check_system_messages(ctx: Ctx, messages: list) -> None:
    """A `role: "system"` message must be followed by an assistant message or end the array
    (anthropics/claude-code#73821: `messages.67: role 'system' must precede an 'assistant'
    message or end the array`)."""
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") != "system" or i == len(messages) - 1:
            continue
        following = messages[i + 1]
        if not (isinstance(following, dict) and following.get("role") in ("assistant", "system")):
            ctx.error(("messages", i), "role 'system' must precede an 'assistant' message or "
                      "end the array")


def _check_final(ctx: Ctx, entries: list, last_index: int) -> None:
    i, role, content, blocks = entries[-1]
    if role != "assistant" or i != last_index:
        return
    types = [_btype(b) for b in blocks]
    if ctx.thinking not in ("enabled", "adaptive"):
        for j, kind in enumerate(types):
            if kind in _THINKING_TYPES:
                ctx.error(("messages", i, "content", j), "When thinking is disabled, an "
                          "`assistant` message in the final position cannot contain `thinking`.")
                break
    if blocks and types[-1] == "text":
        text = blocks[-1].get("text")
        if isinstance(text, str) and text and text != text.rstrip():
            loc = ("messages", i, "content") if isinstance(content, str) else (
                "messages", i, "content", len(blocks) - 1, "text")
            ctx.error(loc, "final assistant content cannot end with trailing whitespace",
                      "messages")
    continuation = any(k in _CONTINUATION or k == "tool_use" for k in types)
    if not content or continuation:
        return
    if ctx.model is not None and not ctx.model["prefill"]:
        ctx.error(("messages", i), "This model does not support assistant message prefill. "
                  "The conversation must end with a user message.", "")
    elif ctx.output_format:
        ctx.error(("messages", i), _PREFILL.format(when="output format"), "")
    elif ctx.forced_tool:
        ctx.error(("messages", i), _PREFILL.format(when="tools"), "")
    elif ctx.has_tools:
        ctx.warn(("messages", i), _PREFILL.format(when="tools") + " (model-dependent: "
                 "some models accept a prefill with tools offered, none with tool use forced)")


def _check_tools(ctx: Ctx, turns: list, last_index: int) -> None:
    seen_ids: set[str] = set()
    prev_ids: dict[str, tuple[int, int]] = {}  # tool_use ids of the previous assistant turn
    for t, (role, msgs) in enumerate(turns):
        if role == "assistant":
            prev_ids = {}
            server: dict[str, tuple[int, int]] = {}
            answered: set = set()
            for i, blocks in msgs:
                for j, block in enumerate(blocks):
                    kind = _btype(block)
                    block_id = block.get("id") if isinstance(block, dict) else None
                    if kind in ("tool_use", "server_tool_use") and isinstance(block_id, str):
                        if block_id in seen_ids:
                            ctx.error(("messages", i, "content", j, "id"),
                                      "`tool_use` ids must be unique", ("messages", i, "content", j))
                        seen_ids.add(block_id)
                        (prev_ids if kind == "tool_use" else server)[block_id] = (i, j)
                    elif kind in SERVER_RESULTS and isinstance(block.get("tool_use_id"), str):
                        answered.add(block["tool_use_id"])
            _check_server_pairs(ctx, msgs, server, answered, t == len(turns) - 1)
            next_turn = turns[t + 1] if t + 1 < len(turns) else None
            if prev_ids and next_turn is None and msgs[-1][0] == last_index:
                first = min(prev_ids.values())
                ctx.error(("messages", first[0]), _MISSING.format(ids=", ".join(prev_ids)))
            continue
        # user turn: results must answer the previous assistant turn, come first, and all
        # be in its first message: results split over consecutive user messages leave the
        # later ones unanswered "immediately after" (MoonshotAI/kosong#45,
        # rowboatlabs/rowboat#378: 400 `tool_use ids were found without tool_result blocks
        # immediately after`)
        found: dict[str, bool] = {}  # id -> at the beginning of the (merged) turn
        leading = True
        for m, (i, blocks) in enumerate(msgs):
            for j, block in enumerate(blocks):
                if _btype(block) != "tool_result":
                    leading = False
                    continue
                tool_use_id = block.get("tool_use_id")
                if not isinstance(tool_use_id, str):
                    continue
                if tool_use_id not in prev_ids:
                    ctx.error(("messages", i, "content", j), _ORPHAN.format(id=tool_use_id))
                elif m > 0:
                    continue  # counted as missing below
                elif tool_use_id in found:
                    ctx.error(("messages", i, "content", j), "each tool_use must have a single "
                              f"result. Found multiple `tool_result` blocks with id: {tool_use_id}")
                else:
                    found[tool_use_id] = leading
        missing = [tid for tid in prev_ids if tid not in found]
        if missing:
            first = min(prev_ids[tid] for tid in missing)
            ctx.error(("messages", first[0]), _MISSING.format(ids=", ".join(missing)))
        elif prev_ids and not all(found[tid] for tid in prev_ids):
            ctx.error(("messages", msgs[0][0]), _NOT_FIRST.format(n=len(prev_ids)))
        prev_ids = {}


def _check_server_pairs(ctx: Ctx, msgs: list, server: dict, answered: set, last: bool) -> None:
    final_i, final_blocks = msgs[-1]
    for server_id, (i, j) in server.items():
        if server_id in answered:
            continue
        # a pause_turn response ends with an unfinished server_tool_use: resent as-is
        if last and i == final_i and j == len(final_blocks) - 1:
            continue
        ctx.error(("messages", i), _MISSING.format(ids=server_id))


def _check_thinking_first(ctx: Ctx, turns: list, last_index: int) -> None:
    if ctx.thinking not in ("enabled", "adaptive"):
        return
    if turns[-1][0] == "assistant":
        target = turns[-1]
    elif len(turns) >= 2 and any(
        _btype(b) == "tool_result" for _, blocks in turns[-1][1] for b in blocks
    ):
        target = turns[-2]
    else:
        return
    i, blocks = target[1][0]
    if not blocks:
        return
    kind = _btype(blocks[0])
    if kind in _THINKING_TYPES:
        return
    loc = ("messages", i, "content", 0, "type")
    message = _THINKING_FIRST.format(found=kind)
    if ctx.thinking == "enabled":
        ctx.error(loc, message)
    else:
        ctx.warn(loc, "adaptive thinking: " + message)


def check_cache(ctx: Ctx, message_count: int) -> None:
    markers = ctx.cache_markers
    if len(markers) > MAX_BREAKPOINTS:
        ctx.error(markers[MAX_BREAKPOINTS][0], "A maximum of 4 blocks with cache_control may be "
                  f"provided. Found {len(markers)}.", "")
    elif len(markers) >= MAX_BREAKPOINTS - 1:
        for loc, _ in markers:
            if loc[0] == "messages" and loc[1] < message_count - 2:
                ctx.warn(loc, f"cache_control kept on an old turn ({len(markers)} of 4 "
                         "breakpoints used): strip markers from old turns before the next "
                         "one pushes the request over the limit")
    seen_5m = False
    for loc, ttl in markers:
        if ttl == "5m":
            seen_5m = True
        elif seen_5m:
            ctx.error((*loc, "ttl"), "a ttl='1h' cache_control block must not come after a "
                      "ttl='5m' cache_control block. Note that blocks are processed in the "
                      "following order: `tools`, `system`, `messages`.")
