"""Tool definitions (`tools`) and JSON Schemas (`input_schema`, `output_config.format.schema`).

Policy: custom tools need a name matching `^[a-zA-Z0-9_-]{1,128}$` and at most 64
characters long (the API's `String should have at most 64 characters`) and an `input_schema` whose `type`
is `"object"`; the schema itself is checked against the JSON Schema meta-schema (draft
2020-12 unless it names another draft in `$schema`) with `jsonschema`, cached by content so a
tool loop re-sending the same tools pays once. Anthropic-defined tools must carry their fixed
`name`; beta tool types need their beta. An unknown dated version of a known tool family is
a warning (newer than our table), any other unknown `type` an error, as the API answers.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from playground.contract.validate_base import (
    Ctx,
    check_keys,
    check_literal,
    check_type,
    format_api_path,
)
from playground.contract.validate_fields import check_cache_control

NAME_PATTERN = "^[a-zA-Z0-9_-]{1,128}$"
_NAME_RE = re.compile(r"[a-zA-Z0-9_-]{1,128}")
_VERSIONED = re.compile(r"([a-z_]+?)_(\d{8})")

CUSTOM_KEYS = frozenset({
    "type", "name", "description", "input_schema", "cache_control", "strict",
    "input_examples", "defer_loading", "allowed_callers", "eager_input_streaming",
})
_BASE = frozenset({"type", "name", "cache_control", "allowed_callers", "defer_loading", "strict"})
_SEARCH = _BASE | {"allowed_domains", "blocked_domains", "max_uses", "user_location"}
_FETCH = _BASE | {"allowed_domains", "blocked_domains", "citations", "max_content_tokens",
                  "max_uses", "url_sources"}
_COMPUTER = _BASE | {"display_width_px", "display_height_px", "display_number", "enable_zoom",
                     "input_examples"}
_TOOLSET = frozenset({"type", "cache_control", "configs", "default_config"})

# type -> (fixed name or None, allowed keys, beta prefix or None)
SERVER_TOOLS: dict[str, tuple[str | None, frozenset, str | None]] = {
    "bash_20250124": ("bash", _BASE | {"input_examples"}, None),
    "bash_20241022": ("bash", _BASE | {"input_examples"}, "computer-use-"),
    "code_execution_20250522": ("code_execution", _BASE, None),
    "code_execution_20250825": ("code_execution", _BASE, None),
    "code_execution_20260120": ("code_execution", _BASE, None),
    "code_execution_20260521": ("code_execution", _BASE, None),
    "memory_20250818": ("memory", _BASE | {"input_examples"}, None),
    "text_editor_20241022": ("str_replace_editor", _BASE | {"input_examples"}, "computer-use-"),
    "text_editor_20250124": ("str_replace_editor", _BASE | {"input_examples"}, None),
    "text_editor_20250429": ("str_replace_based_edit_tool", _BASE | {"input_examples"}, None),
    "text_editor_20250728": ("str_replace_based_edit_tool",
                             _BASE | {"input_examples", "max_characters"}, None),
    "web_search_20250305": ("web_search", _SEARCH, None),
    "web_search_20260209": ("web_search", _SEARCH, None),
    "web_search_20260318": ("web_search", _SEARCH | {"response_inclusion"}, None),
    "web_fetch_20250910": ("web_fetch", _FETCH, None),
    "web_fetch_20260209": ("web_fetch", _FETCH, None),
    "web_fetch_20260309": ("web_fetch", _FETCH | {"use_cache"}, None),
    "web_fetch_20260318": ("web_fetch", _FETCH | {"use_cache", "response_inclusion"}, None),
    "tool_search_tool_bm25_20251119": ("tool_search_tool_bm25", _BASE, None),
    "tool_search_tool_bm25": ("tool_search_tool_bm25", _BASE, None),
    "tool_search_tool_regex_20251119": ("tool_search_tool_regex", _BASE, None),
    "tool_search_tool_regex": ("tool_search_tool_regex", _BASE, None),
    "computer_20241022": ("computer", _COMPUTER, "computer-use-"),
    "computer_20250124": ("computer", _COMPUTER, "computer-use-"),
    "computer_20251124": ("computer", _COMPUTER, "computer-use-"),
    "browser_toolset_20260801": (None, _TOOLSET, None),
    "computer_toolset_20260801": (None, _TOOLSET, None),
    "advisor_20260301": ("advisor", _BASE | {"model", "max_uses", "max_tokens", "caching"},
                         "advisor-tool-"),
    "mcp_toolset": (None, _TOOLSET | {"mcp_server_name", "tools"}, "mcp-client-"),
}
_FAMILIES = {m.group(1) for t in SERVER_TOOLS if (m := _VERSIONED.fullmatch(t))}


def check_tools(ctx: Ctx, tools: object) -> None:
    if tools is None or not check_type(ctx, tools, "list", ("tools",)):
        return
    ctx.has_tools = bool(tools)
    seen: set[str] = set()
    for i, tool in enumerate(tools):
        loc = ("tools", i)
        if not check_type(ctx, tool, "dict", loc):
            continue
        kind = tool.get("type")
        if kind is None or kind == "custom":
            name = _check_custom(ctx, tool, loc)
        else:
            name = _check_builtin(ctx, tool, kind, loc)
        if isinstance(name, str):
            if name in seen:
                ctx.error((*loc, "name"), "Tool names must be unique.", ("tools",))
            seen.add(name)
    ctx.tool_names = seen


def check_tool_choice_target(ctx: Ctx, body: dict) -> None:
    choice = body.get("tool_choice")
    if not isinstance(choice, dict) or choice.get("type") not in ("any", "tool"):
        return
    tools = body.get("tools")
    if not tools:
        # the API refuses a forced choice with nothing to choose from (dphnAI/sonar#1143)
        ctx.error(("tool_choice",), "tool_choice may only be specified while providing tools",
                  ("tool_choice", choice.get("type")))
        return
    name = choice.get("name")
    if choice.get("type") == "tool" and isinstance(name, str) and name not in ctx.tool_names:
        ctx.error(("tool_choice", "name"), f"Tool '{name}' not found in `tools`",
                  ("tool_choice", "tool", "name"))


def _check_custom(ctx: Ctx, tool: dict, loc: tuple) -> object:
    api = (*loc, "custom")
    check_keys(ctx, tool, CUSTOM_KEYS, loc, api, required=("name", "input_schema"))
    name = tool.get("name")
    if "name" in tool and check_type(ctx, name, "str", (*loc, "name"), (*api, "name")):
        if not _NAME_RE.fullmatch(name):
            ctx.error((*loc, "name"), f"String should match pattern '{NAME_PATTERN}'",
                      (*api, "name"))
        elif len(name) > 64:
            # the API answers `tools.51.custom.name: String should have at most 64
            # characters` (anthropics/claude-code#2326), though its pattern allows 128
            ctx.error((*loc, "name"), "String should have at most 64 characters",
                      (*api, "name"))
    if tool.get("description") is not None:
        check_type(ctx, tool["description"], "str", (*loc, "description"), (*api, "description"))
    for key in ("strict", "defer_loading", "eager_input_streaming"):
        if tool.get(key) is not None:
            check_type(ctx, tool[key], "bool", (*loc, key), (*api, key))
    if tool.get("input_examples") is not None and check_type(
        ctx, tool["input_examples"], "list", (*loc, "input_examples"), (*api, "input_examples")
    ):
        for j, example in enumerate(tool["input_examples"]):
            check_type(ctx, example, "dict", (*loc, "input_examples", j),
                       (*api, "input_examples", j))
    check_cache_control(ctx, tool.get("cache_control"), (*loc, "cache_control"),
                        (*api, "cache_control"))
    schema = tool.get("input_schema")
    sloc, sapi = (*loc, "input_schema"), (*api, "input_schema")
    if "input_schema" in tool and check_type(ctx, schema, "dict", sloc, sapi):
        if "type" not in schema:
            ctx.error((*sloc, "type"), "Field required", (*sapi, "type"))
        elif schema["type"] != "object":
            ctx.error((*sloc, "type"), "Input should be 'object'", (*sapi, "type"))
        else:
            check_schema(ctx, schema, sloc, sapi, strict=tool.get("strict") is True)
    return name


def _check_builtin(ctx: Ctx, tool: dict, kind: object, loc: tuple) -> object:
    spec = SERVER_TOOLS.get(kind) if isinstance(kind, str) else None
    if spec is None or (spec[2] is not None and not ctx.has_beta(spec[2])):
        family = _VERSIONED.fullmatch(kind) if isinstance(kind, str) else None
        if spec is None and family and family.group(1) in _FAMILIES:
            ctx.warn((*loc, "type"), f"unknown version '{kind}' of the {family.group(1)} tool; "
                     "newer than this validator, the upstream decides")
            return tool.get("name")
        tags = [t for t, s in SERVER_TOOLS.items() if s[2] is None or ctx.has_beta(s[2])]
        (ctx.unknown if isinstance(kind, str) else ctx.error)(loc, f"Input tag '{kind}' found using 'type' does not match any of the "
                  f"expected tags: 'custom', {', '.join(repr(t) for t in tags)}")
        return tool.get("name")
    fixed, keys, _ = spec
    api = (*loc, kind)
    check_keys(ctx, tool, keys, loc, api, required=("name",) if fixed else ())
    name = tool.get("name")
    if fixed and "name" in tool:
        check_literal(ctx, name, (fixed,), (*loc, "name"), (*api, "name"))
    check_cache_control(ctx, tool.get("cache_control"), (*loc, "cache_control"),
                        (*api, "cache_control"))
    if tool.get("max_uses") is not None and check_type(
        ctx, tool["max_uses"], "int", (*loc, "max_uses"), (*api, "max_uses")
    ) and tool["max_uses"] <= 0:
        ctx.error((*loc, "max_uses"), "Input should be greater than 0", (*api, "max_uses"))
    if tool.get("allowed_domains") is not None and tool.get("blocked_domains") is not None:
        ctx.error((*loc, "blocked_domains"), "Only one of `allowed_domains` and "
                  "`blocked_domains` may be set", (*api, "blocked_domains"))
    if kind == "mcp_toolset" and tool.get("mcp_server_name") is None:
        ctx.error((*loc, "mcp_server_name"), "Field required", (*api, "mcp_server_name"))
    return name


# -- JSON Schema meta-validation -------------------------------------------------------

def check_schema(ctx: Ctx, schema: dict, loc: tuple, api: tuple, strict: bool = False) -> None:
    """Check a JSON Schema against its meta-schema; one finding per problem (max 5).

    strict: the schema constrains decoding (structured outputs, `strict` tools), where every
    object must close itself with `additionalProperties: false`."""
    try:
        key = json.dumps(schema, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        ctx.error(loc, "Input should be a valid JSON Schema", api)
        return
    problems = _schema_problems(key)
    for rel, message in problems:
        ctx.error((*loc, *rel), message, (*api, *rel))
    if strict and not problems:
        for rel in _open_objects(key):
            ctx.warn((*loc, *rel), "structured outputs need `additionalProperties: false` on "
                     "every object schema; this one is open")


@lru_cache(maxsize=512)
def _open_objects(key: str) -> tuple[tuple, ...]:
    """Locations of object schemas that do not set `additionalProperties: false` (max 5)."""
    out: list[tuple] = []
    stack: list[tuple[object, tuple]] = [(json.loads(key), ())]
    while stack and len(out) < 5:
        node, loc = stack.pop()
        if isinstance(node, dict):
            is_object = node.get("type") == "object" or (
                isinstance(node.get("type"), list) and "object" in node["type"]
            ) or "properties" in node
            if is_object and node.get("additionalProperties") is not False:
                out.append(loc)
            stack.extend((v, (*loc, k)) for k, v in node.items()
                         if isinstance(v, (dict, list)) and k not in ("enum", "const", "default",
                                                                      "examples"))
        elif isinstance(node, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(node) if isinstance(v, (dict, list)))
    return tuple(sorted(out, key=lambda loc: [str(p) for p in loc]))


@lru_cache(maxsize=512)
def _schema_problems(key: str) -> tuple[tuple[tuple, str], ...]:
    from jsonschema import validators

    schema = json.loads(key)
    try:
        cls = validators.validator_for(schema, default=validators.Draft202012Validator)
        meta = cls(cls.META_SCHEMA)
        errors = sorted(meta.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path])
        out = []
        for err in errors[:5]:
            rel = tuple(err.absolute_path)
            out.append((rel, f"Invalid JSON Schema at {format_api_path(rel) or '(root)'}: "
                             f"{err.message[:200]}"))
        return tuple(out)
    except RecursionError:
        return (((), "JSON Schema nested too deeply to check"),)
    except Exception as exc:  # a $ref the library cannot resolve, an unknown draft, ...
        return (((), f"JSON Schema could not be checked: {type(exc).__name__}"),)
