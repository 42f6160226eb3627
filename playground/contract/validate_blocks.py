"""Messages and content blocks: the message shape, which block types exist, which roles may
carry them, and each block's fields.

Policy: an unknown block `type` is rejected with pydantic's tag wording, as the API does; a
known block in the wrong place (a `tool_use` in a user turn, an image in an assistant turn)
is rejected too. Blocks echoed from responses that this validator only knows by name (beta
`mcp_tool_use`, `compaction`, ...) are accepted as-is, since the rule for history is "send
back exactly what you received". Turn-level rules (pairing, thinking, prefill) live in
`validate_turns`.
"""

from __future__ import annotations

import re

from playground.contract.validate_base import (
    MAX_BLOCKS,
    Ctx,
    StopChecking,
    check_keys,
    check_literal,
    check_type,
)
from playground.contract.validate_fields import check_cache_control
from playground.contract.validate_media import check_document_source, check_image_source

NAME_PATTERN = "^[a-zA-Z0-9_-]{1,128}$"
_NAME_RE = re.compile(r"[a-zA-Z0-9_-]{1,128}")
ID_PATTERN = "^[a-zA-Z0-9_-]+$"
_ID_RE = re.compile(r"[a-zA-Z0-9_-]+")
SERVER_ID_PATTERN = "^srvtoolu_[a-zA-Z0-9_]+$"
_SERVER_ID_RE = re.compile(r"srvtoolu_[a-zA-Z0-9_]+")
SERVER_TOOL_NAMES = (
    "web_search", "web_fetch", "code_execution", "bash_code_execution",
    "text_editor_code_execution", "tool_search_tool_regex", "tool_search_tool_bm25",
)
_RESULT = frozenset({"type", "tool_use_id", "content", "cache_control"})

# type -> (allowed keys or None for "echo as-is", required keys)
BLOCKS: dict[str, tuple[frozenset | None, tuple]] = {
    "text": (frozenset({"type", "text", "cache_control", "citations"}), ("text",)),
    "image": (frozenset({"type", "source", "cache_control", "transformations"}), ("source",)),
    "document": (frozenset({"type", "source", "cache_control", "citations", "context", "title"}),
                 ("source",)),
    "search_result": (frozenset({"type", "source", "title", "content", "cache_control",
                                 "citations"}), ("source", "title", "content")),
    "tool_use": (frozenset({"type", "id", "name", "input", "cache_control", "caller",
                            "toolset_name"}), ("id", "name", "input")),
    "tool_result": (frozenset({"type", "tool_use_id", "content", "is_error", "cache_control",
                               "toolset_name"}), ("tool_use_id",)),
    "thinking": (frozenset({"type", "thinking", "signature"}), ("thinking", "signature")),
    "redacted_thinking": (frozenset({"type", "data"}), ("data",)),
    "server_tool_use": (frozenset({"type", "id", "name", "input", "cache_control", "caller"}),
                        ("id", "name", "input")),
    "web_search_tool_result": (_RESULT | {"caller"}, ("tool_use_id", "content")),
    "web_fetch_tool_result": (_RESULT | {"caller"}, ("tool_use_id", "content")),
    "code_execution_tool_result": (_RESULT, ("tool_use_id", "content")),
    "bash_code_execution_tool_result": (_RESULT, ("tool_use_id", "content")),
    "text_editor_code_execution_tool_result": (_RESULT, ("tool_use_id", "content")),
    "tool_search_tool_result": (_RESULT, ("tool_use_id", "content")),
    "container_upload": (frozenset({"type", "file_id", "cache_control"}), ("file_id",)),
    "tool_reference": (frozenset({"type", "tool_name", "cache_control"}), ("tool_name",)),
    # a browser tool's state, returned in tool_result content
    "browser_state": (frozenset({"type", "tabs", "cache_control", "state_changes"}), ("tabs",)),
    # beta blocks, echoed back from responses
    "mcp_tool_use": (None, ()),
    "mcp_tool_result": (None, ()),
    "compaction": (None, ()),
    "advisor_tool_result": (None, ()),
    "fallback": (None, ()),
    "mcp_tool_listing": (None, ()),
    "tool_addition": (None, ()),
    "tool_removal": (None, ()),
}
# beta blocks -> the betas (any one) a request must send for the API to know them
BLOCK_BETAS: dict[str, tuple[str, ...]] = {
    "mcp_tool_use": ("mcp-client-",),
    "mcp_tool_result": ("mcp-client-",),
    "mcp_tool_listing": ("mcp-client-",),
    "compaction": ("compact-",),
    "advisor_tool_result": ("advisor-tool-",),
    "fallback": ("server-side-fallback-", "fallback-credit-"),
    "tool_addition": ("mid-conversation-tool-changes-",),
    "tool_removal": ("mid-conversation-tool-changes-",),
}
SERVER_RESULTS = frozenset({
    "web_search_tool_result", "web_fetch_tool_result", "code_execution_tool_result",
    "bash_code_execution_tool_result", "text_editor_code_execution_tool_result",
    "tool_search_tool_result", "mcp_tool_result", "advisor_tool_result",
})
# beta blocks whose place in a conversation is not documented: accepted in either role
_EITHER = frozenset({"tool_addition", "tool_removal"})
_ASSISTANT = frozenset({"text", "tool_use", "thinking", "redacted_thinking", "server_tool_use",
                        "mcp_tool_use", "mcp_tool_listing", "compaction",
                        "fallback"}) | SERVER_RESULTS | _EITHER
# where -> block types allowed there
ALLOWED: dict[str, frozenset] = {
    "user": frozenset({"text", "image", "document", "search_result", "tool_result",
                       "container_upload"}) | _EITHER,
    "assistant": _ASSISTANT,
    "system": frozenset({"text"}),
    # a `role: "system"` message (SDK `SystemMessageParam`); tool changes need their beta
    "system_message": frozenset({"text"}) | _EITHER,
    "tool_result": frozenset({"text", "image", "search_result", "document", "tool_reference",
                              "browser_state"}),
    "search_result": frozenset({"text"}),
    "document_source": frozenset({"text", "image"}),
}
_TAGS = ", ".join(f"'{t}'" for t in BLOCKS if BLOCKS[t][0] is not None)
ROLES = ("user", "assistant", "system")
MESSAGE_KEYS = frozenset({"role", "content"})
# system-message fields -> the beta that brings them
SYSTEM_MESSAGE_BETAS = {
    "clear_at": "mid-conversation-system-clear-at-",
    "output_config": "mid-conversation-output-config-",
}


def check_messages(ctx: Ctx, messages: list) -> None:
    for i, msg in enumerate(messages):
        loc = ("messages", i)
        if not check_type(ctx, msg, "dict", loc):
            continue
        role = msg.get("role")
        if role == "system":
            _check_system_message(ctx, msg, loc)
            where = "system_message"
        else:
            check_keys(ctx, msg, MESSAGE_KEYS, loc, required=("role", "content"))
            where = role
            if "role" in msg and not check_literal(ctx, role, ROLES, (*loc, "role")):
                where = None
        content = msg.get("content")
        if "content" not in msg or isinstance(content, str):
            continue
        if not check_type(ctx, content, "list", (*loc, "content")):
            continue
        if where is None:
            continue
        for j, block in enumerate(content):
            check_block(ctx, block, where, (*loc, "content", j))


def _check_system_message(ctx: Ctx, msg: dict, loc: tuple) -> None:
    """A `role: "system"` message: `content` as a string or text blocks; `clear_at` and a
    per-message `output_config` with their betas (SDK `BetaSystemMessageParam`)."""
    allowed = set(MESSAGE_KEYS)
    allowed.update(key for key, beta in SYSTEM_MESSAGE_BETAS.items() if ctx.has_beta(beta))
    has_config = "output_config" in allowed and msg.get("output_config") is not None
    check_keys(ctx, msg, allowed, loc, required=("role",) if has_config else ("role", "content"))
    if "clear_at" in allowed and msg.get("clear_at") is not None:
        check_literal(ctx, msg["clear_at"], ("next_user_message", "never"), (*loc, "clear_at"))
    if has_config and check_type(ctx, msg["output_config"], "dict", (*loc, "output_config")):
        config = msg["output_config"]
        check_keys(ctx, config, frozenset({"effort"}), (*loc, "output_config"))
        if config.get("effort") is not None:
            check_literal(ctx, config["effort"], ("low", "medium", "high", "xhigh", "max"),
                          (*loc, "output_config", "effort"))
    content = msg.get("content")
    if isinstance(content, str) and not content.strip():
        ctx.error((*loc, "content"), "text content blocks must contain non-whitespace text"
                  if content else "text content blocks must be non-empty", "messages")


def check_block(ctx: Ctx, block: object, where: str, loc: tuple, api: tuple | None = None) -> None:
    api = loc if api is None else api
    ctx.blocks += 1
    if ctx.blocks > MAX_BLOCKS:
        raise StopChecking(f"more than {MAX_BLOCKS} content blocks: only the first ones were "
                           "checked")
    if not isinstance(block, dict):
        ctx.error(loc, "Input should be a valid dictionary or object to extract fields from", api)
        return
    kind = block.get("type")
    if where == "system" and kind != "text":
        # `system` holds text blocks only: a plain model, not a tagged union, for the API
        message = "Field required" if kind is None else "Input should be 'text'"
        ctx.error((*loc, "type"), message, (*api, "type"))
        return
    if kind is None:
        ctx.error(loc, "Unable to extract tag using discriminator 'type'", api)
        return
    if not isinstance(kind, str) or kind not in BLOCKS:
        report = ctx.unknown if isinstance(kind, str) else ctx.error
        report(loc, f"Input tag '{kind}' found using 'type' does not match any of the "
               f"expected tags: {_TAGS}", api)
        return
    keys, required = BLOCKS[kind]
    if kind in BLOCK_BETAS and not ctx.has_beta(BLOCK_BETAS[kind]):
        ctx.unknown(loc, f"Input tag '{kind}' found using 'type' does not match any of the "
                    f"expected tags: {_TAGS}", api)
        return
    if kind not in ALLOWED[where]:
        if where in ("user", "assistant") and kind in ALLOWED["user"] | ALLOWED["assistant"]:
            # the API's wording, located at the message: `messages.0: `tool_use` blocks can
            # only be in `assistant` messages`
            other = "assistant" if where == "user" else "user"
            ctx.error((*loc, "type"), f"`{kind}` blocks can only be in `{other}` messages",
                      api[:2])
        else:
            ctx.error((*loc, "type"), _misplaced(kind, where), (*api, "type"))
        return
    if keys is None:
        return
    tapi = (*api, kind)
    check_keys(ctx, block, keys, loc, tapi, required=required)
    check_cache_control(ctx, block.get("cache_control"), (*loc, "cache_control"),
                        (*tapi, "cache_control"))
    handler = _HANDLERS.get(kind)
    if handler is not None:
        handler(ctx, block, where, loc, api, tapi)


def _misplaced(kind: str, where: str) -> str:
    places = {
        "user": "`user` messages", "assistant": "`assistant` messages",
        "system": "`system`", "system_message": "`system` messages",
        "tool_result": "`tool_result` content", "search_result": "`search_result` content",
        "document_source": "document `content` sources",
    }
    return f"`{kind}` blocks are not allowed in {places[where]}"


def _text(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    text = block.get("text")
    if "text" not in block or not check_type(ctx, text, "str", (*loc, "text"), (*tapi, "text")):
        return
    top = "system" if where == "system" else "messages"
    if not text:
        if block.get("cache_control") is not None:
            ctx.error((*loc, "text"), "cache_control cannot be set for empty text blocks",
                      (*api, "text"))
        else:
            ctx.error((*loc, "text"), "text content blocks must be non-empty", top)
    elif not text.strip():
        if where in ("system", "system_message"):
            ctx.error((*loc, "text"), "text content blocks must contain non-whitespace text",
                      top)
        elif where not in ("user", "assistant"):
            ctx.warn((*loc, "text"), "whitespace-only text block: refused in messages and "
                     "system (`text content blocks must contain non-whitespace text`); drop it")
        # in a turn, the verdict depends on the rest of the message: validate_turns
    if block.get("citations") is not None:
        check_type(ctx, block["citations"], "list", (*loc, "citations"), (*tapi, "citations"))


def _id(ctx: Ctx, block: dict, key: str, loc: tuple, tapi: tuple, server: bool = False) -> None:
    value = block.get(key)
    if key not in block or not check_type(ctx, value, "str", (*loc, key), (*tapi, key)):
        return
    pattern, regex = (SERVER_ID_PATTERN, _SERVER_ID_RE) if server else (ID_PATTERN, _ID_RE)
    if not regex.fullmatch(value):
        ctx.error((*loc, key), f"String should match pattern '{pattern}'", (*tapi, key))


def _tool_use(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    server = block["type"] == "server_tool_use"
    _id(ctx, block, "id", loc, tapi, server=server)
    if "name" in block and check_type(ctx, block["name"], "str", (*loc, "name"), (*tapi, "name")):
        if server:
            names = SERVER_TOOL_NAMES + (("advisor",) if ctx.has_beta("advisor-tool-") else ())
            check_literal(ctx, block["name"], names, (*loc, "name"), (*tapi, "name"))
        elif not _NAME_RE.fullmatch(block["name"]):
            # the same rule as tool definitions: names replayed from another provider
            # (dots, colons, slashes) are refused
            ctx.error((*loc, "name"), f"String should match pattern '{NAME_PATTERN}'",
                      (*tapi, "name"))
    if "input" in block:
        check_type(ctx, block["input"], "dict", (*loc, "input"), (*tapi, "input"))
    if block.get("caller") is not None:
        check_type(ctx, block["caller"], "dict", (*loc, "caller"), (*tapi, "caller"))


def _tool_result(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    _id(ctx, block, "tool_use_id", loc, tapi)
    if block.get("is_error") is not None:
        check_type(ctx, block["is_error"], "bool", (*loc, "is_error"), (*tapi, "is_error"))
    content = block.get("content")
    if content is None or isinstance(content, str):
        return
    if check_type(ctx, content, "list", (*loc, "content"), (*tapi, "content")):
        for k, inner in enumerate(content):
            check_block(ctx, inner, "tool_result", (*loc, "content", k), (*tapi, "content", k))


def _server_result(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    _id(ctx, block, "tool_use_id", loc, tapi, server=True)


def _thinking(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    thinking = block.get("thinking")
    signature = block.get("signature")
    if ("thinking" in block and check_type(ctx, thinking, "str", (*loc, "thinking"),
                                           (*tapi, "thinking"))
            and not thinking and ctx.thinking_display != "omitted"):
        if isinstance(signature, str) and signature:
            # a signed block with empty text is what a turn made with display "omitted"
            # returns, and is accepted back (microsoft/vscode#320196); only the signature
            # tells whether its text was removed since, which is not checkable here
            ctx.warn((*loc, "thinking"), "empty thinking text: accepted when the turn was made "
                     'with `display: "omitted"`, refused if its text was removed (`each thinking '
                     "block must contain thinking`)", (*api, "thinking"))
        else:
            ctx.error((*loc, "thinking"), "each thinking block must contain thinking",
                      (*api, "thinking"))
    if "signature" in block and check_type(ctx, signature, "str", (*loc, "signature"),
                                           (*tapi, "signature")) and not signature:
        ctx.error((*loc, "signature"), "Invalid `signature` in `thinking` block", api)


def _redacted(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    data = block.get("data")
    if "data" in block and check_type(ctx, data, "str", (*loc, "data"), (*tapi, "data")) and not data:
        ctx.error((*loc, "data"), "Invalid `data` in `redacted_thinking` block", api)


def _image(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    if "source" in block:
        check_image_source(ctx, block["source"], (*loc, "source"), (*tapi, "source"))


def _document(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    if "source" in block:
        check_document_source(ctx, block["source"], (*loc, "source"), (*tapi, "source"),
                              check_block)
    for key in ("title", "context"):
        if block.get(key) is not None:
            check_type(ctx, block[key], "str", (*loc, key), (*tapi, key))
    _citations_config(ctx, block, loc, tapi)
    citations = block.get("citations")
    ctx.documents.append((loc, isinstance(citations, dict) and citations.get("enabled") is True))


def _citations_config(ctx: Ctx, block: dict, loc: tuple, tapi: tuple) -> None:
    config = block.get("citations")
    if config is None or not check_type(ctx, config, "dict", (*loc, "citations"),
                                        (*tapi, "citations")):
        return
    check_keys(ctx, config, frozenset({"enabled"}), (*loc, "citations"), (*tapi, "citations"))
    if config.get("enabled") is not None:
        check_type(ctx, config["enabled"], "bool", (*loc, "citations", "enabled"),
                   (*tapi, "citations", "enabled"))


def _search_result(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    for key in ("source", "title"):
        if key in block:
            check_type(ctx, block[key], "str", (*loc, key), (*tapi, key))
    _citations_config(ctx, block, loc, tapi)
    content = block.get("content")
    if "content" in block and check_type(ctx, content, "list", (*loc, "content"),
                                         (*tapi, "content")):
        for k, inner in enumerate(content):
            check_block(ctx, inner, "search_result", (*loc, "content", k), (*tapi, "content", k))


def _string_field(key: str):
    def check(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
        if key in block:
            check_type(ctx, block[key], "str", (*loc, key), (*tapi, key))
    return check


def _tool_reference(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    name = block.get("tool_name")
    if ("tool_name" in block and check_type(ctx, name, "str", (*loc, "tool_name"),
                                            (*tapi, "tool_name")) and len(name) > 64):
        # mims-harvard/ToolUniverse#65: `...tool_reference.tool_name: String should have at
        # most 64 characters`
        ctx.error((*loc, "tool_name"), "String should have at most 64 characters",
                  (*tapi, "tool_name"))


def _browser_state(ctx: Ctx, block: dict, where: str, loc: tuple, api: tuple, tapi: tuple) -> None:
    if "tabs" in block:
        check_type(ctx, block["tabs"], "list", (*loc, "tabs"), (*tapi, "tabs"))


_HANDLERS = {
    "text": _text,
    "tool_use": _tool_use,
    "server_tool_use": _tool_use,
    "tool_result": _tool_result,
    "thinking": _thinking,
    "redacted_thinking": _redacted,
    "image": _image,
    "document": _document,
    "search_result": _search_result,
    "container_upload": _string_field("file_id"),
    "tool_reference": _tool_reference,
    "browser_state": _browser_state,
    **{kind: _server_result for kind in SERVER_RESULTS if BLOCKS[kind][0] is not None},
}
