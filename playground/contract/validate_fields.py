"""Top-level request fields: which exist on which endpoint, their types and ranges, and the
rules that tie them together (thinking budget, sampling with thinking, forced tool use,
effort levels, per-model limits from the catalogue).

Policy: a field the endpoint does not know is rejected (`Extra inputs are not permitted`),
and so is a beta field sent without its `anthropic-beta`. `null` is accepted only where the
official SDK's types say the field is nullable (`Optional[...]`: `cache_control`,
`container`, `speed`, ...); elsewhere the API does not treat `null` as absent and answers
with the field's type error. Model-dependent rules apply only when the catalogue knows the
model; where our knowledge is unconfirmed the finding is a warning.
"""

from __future__ import annotations

from playground.contract import catalogue
from playground.contract.validate_base import (
    Ctx,
    check_keys,
    check_literal,
    check_type,
    get_int,
    is_type,
)

MAX_MESSAGES = 100_000
# The SDKs' guard: 3600 * max_tokens / 128000 > 600 seconds without streaming
NON_STREAMING_MAX = 21_333

MESSAGES_FIELDS = frozenset({
    "model", "max_tokens", "messages", "system", "metadata", "stop_sequences", "stream",
    "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "output_config",
    "service_tier", "container", "inference_geo", "cache_control", "speed", "diagnostics",
})
COUNT_TOKENS_FIELDS = frozenset({
    "model", "messages", "system", "tools", "tool_choice", "thinking", "output_config",
    "cache_control", "speed",
})
# field -> prefixes of the anthropic-beta values that enable it (any one), from the names in
# the SDK's `AnthropicBetaParam`
BETA_FIELDS: dict[str, tuple[str, ...]] = {
    "context_management": ("context-management-",),
    "mcp_servers": ("mcp-client-",),
    "output_format": ("structured-outputs-",),
    "fallbacks": ("server-side-fallback-", "fallback-credit-"),
    "fallback_credit_token": ("fallback-credit-", "server-side-fallback-"),
    "billing_policy": ("user-profiles-",),
    "compaction": ("compact-",),
    "thread": ("message-threads-",),
}
# beta fields count_tokens takes (the SDK's beta MessageCountTokensParams)
COUNT_TOKENS_BETA_FIELDS = frozenset({"context_management", "mcp_servers", "billing_policy",
                                      "compaction"})
# Top-level fields that accept an explicit null (Optional in the SDK's request types); every
# other field answers null with its type error, as pydantic does for a non-nullable field.
NULLABLE_FIELDS = frozenset({"cache_control", "container", "diagnostics", "inference_geo",
                             "speed"}) | frozenset(BETA_FIELDS)
_NULL_MESSAGES = {
    "metadata": "Input should be a valid dictionary",
    "output_config": "Input should be a valid dictionary",
    "thinking": "Input should be a valid dictionary or object to extract fields from",
    "tool_choice": "Input should be a valid dictionary or object to extract fields from",
    "tools": "Input should be a valid list",
    "stop_sequences": "Input should be a valid list",
    "system": "Input should be a valid string or a list of text blocks",
    "service_tier": "Input should be 'auto' or 'standard_only'",
    "stream": "Input should be a valid boolean",
    "temperature": "Input should be a valid number",
    "top_p": "Input should be a valid number",
    "top_k": "Input should be a valid integer",
}
THINKING_DISPLAY = ("summarized", "omitted")
THINKING_DISPLAY_BETA = {"updates": "thinking-display-updates-"}

THINKING_KEYS = {
    "enabled": frozenset({"type", "budget_tokens", "display", "block_binding"}),
    "adaptive": frozenset({"type", "display", "block_binding"}),
    "disabled": frozenset({"type"}),
    "between_tools": frozenset({"type"}),
}
TOOL_CHOICE_KEYS = {
    "auto": frozenset({"type", "disable_parallel_tool_use"}),
    "any": frozenset({"type", "disable_parallel_tool_use"}),
    "tool": frozenset({"type", "name", "disable_parallel_tool_use"}),
    "none": frozenset({"type"}),
}
CACHE_CONTROL_KEYS = frozenset({"type", "ttl"})


def present(body: dict, key: str) -> bool:
    return body.get(key) is not None


def check_cache_control(ctx: Ctx, value: object, loc: tuple, api: tuple | None = None) -> None:
    """Shape of one `cache_control`; records it as a breakpoint for the count and TTL order."""
    if value is None:
        return
    api = loc if api is None else api
    if not check_type(ctx, value, "dict", loc, api):
        return
    check_keys(ctx, value, CACHE_CONTROL_KEYS, loc, api, required=("type",))
    if "type" in value:
        check_literal(ctx, value["type"], ("ephemeral",), (*loc, "type"), (*api, "type"))
    ttl = value.get("ttl")
    if ttl is not None and not check_literal(ctx, ttl, ("5m", "1h"), (*loc, "ttl"), (*api, "ttl")):
        ttl = None
    ctx.cache_markers.append((loc, ttl or "5m"))


def check_top(ctx: Ctx, body: dict) -> None:
    count = ctx.endpoint == "count_tokens"
    allowed = COUNT_TOKENS_FIELDS if count else MESSAGES_FIELDS
    for key in body:
        if key in allowed:
            continue
        if (key in BETA_FIELDS and ctx.has_beta(BETA_FIELDS[key])
                and (not count or key in COUNT_TOKENS_BETA_FIELDS)):
            continue
        ctx.unknown((key,), "Extra inputs are not permitted")

    for key, message in _NULL_MESSAGES.items():
        if key in body and body[key] is None and key not in NULLABLE_FIELDS:
            ctx.error((key,), message)

    required = ("model", "messages") if count else ("model", "max_tokens", "messages")
    for key in required:
        if key not in body:
            ctx.error((key,), "Field required")

    model = body.get("model")
    if "model" in body and check_type(ctx, model, "str", ("model",)):
        if not model:
            ctx.error(("model",), "String should have at least 1 character")
        else:
            ctx.model_id = model
            ctx.model = catalogue.model_rules(model)

    _check_max_tokens(ctx, body, count)
    _check_messages_container(ctx, body)
    _check_simple(ctx, body)
    _check_thinking(ctx, body)
    _check_tool_choice(ctx, body)
    _check_output_config(ctx, body)
    _check_sampling(ctx, body)


def _check_max_tokens(ctx: Ctx, body: dict, count: bool) -> None:
    if count or "max_tokens" not in body:
        return
    if not check_type(ctx, body["max_tokens"], "int", ("max_tokens",)):
        return
    value = int(body["max_tokens"])
    ctx.max_tokens = value
    if value < 0:
        ctx.error(("max_tokens",), "Input should be greater than or equal to 0")
        return
    if value > NON_STREAMING_MAX and body.get("stream") is not True:
        # anthropics/anthropic-sdk-python#1698, matt-house-e/accrue#155 (the ~21,333 line)
        ctx.warn(("max_tokens",), f"non-streaming request with max_tokens over "
                 f"{NON_STREAMING_MAX}: the official SDKs refuse to send it without an explicit "
                 "timeout (`Streaming is required for operations that may take longer than 10 "
                 "minutes`); stream it")
    if ctx.model_id is None:
        return
    _, limit = catalogue.model_limits(ctx.model_id)
    if limit is not None and value > limit:
        if ctx.has_beta("output-"):
            ctx.warn(("max_tokens",), f"{value} > {limit}, the model's output limit without the "
                     "output beta you sent; the upstream decides")
        else:
            ctx.error(("max_tokens",), f"{value} > {limit}, which is the maximum allowed number "
                      f"of output tokens for {ctx.model_id}")


def _check_messages_container(ctx: Ctx, body: dict) -> None:
    if "messages" not in body:
        return
    messages = body["messages"]
    if not check_type(ctx, messages, "list", ("messages",)):
        return
    if not messages:
        ctx.error(("messages",), "at least one message is required")
    elif len(messages) > MAX_MESSAGES:
        ctx.error(("messages",), f"List should have at most {MAX_MESSAGES} items after "
                  f"validation, not {len(messages)}")


def _check_simple(ctx: Ctx, body: dict) -> None:
    if present(body, "metadata") and check_type(ctx, body["metadata"], "dict", ("metadata",)):
        meta = body["metadata"]
        check_keys(ctx, meta, frozenset({"user_id"}), ("metadata",))
        user_id = meta.get("user_id")
        if (user_id is not None and check_type(ctx, user_id, "str", ("metadata", "user_id"))
                and "@" in user_id):
            ctx.warn(("metadata", "user_id"), "looks like an email address; the API asks "
                     "for an opaque id (a uuid or hash), never personal data")
    if present(body, "stop_sequences") and check_type(
        ctx, body["stop_sequences"], "list", ("stop_sequences",)
    ):
        for i, seq in enumerate(body["stop_sequences"]):
            # litellm#3286 (whitespace) and MegaGrindStone/mcp-web-ui#5 (empty): both refused
            if check_type(ctx, seq, "str", ("stop_sequences", i)) and not seq.strip():
                ctx.error(("stop_sequences", i), "each stop sequence must contain non-whitespace"
                          if seq else "each stop sequence must be non-empty", "stop_sequences")
    if present(body, "stream"):
        check_type(ctx, body["stream"], "bool", ("stream",))
    if present(body, "service_tier"):
        check_literal(ctx, body["service_tier"], ("auto", "standard_only"), ("service_tier",))
    if present(body, "speed"):
        check_literal(ctx, body["speed"], ("standard", "fast"), ("speed",))
    if present(body, "inference_geo"):
        check_type(ctx, body["inference_geo"], "str", ("inference_geo",))
    if present(body, "container"):
        container = body["container"]
        if isinstance(container, dict):  # {id, skills}: the SDK's ContainerParams
            check_keys(ctx, container, frozenset({"id", "skills"}), ("container",))
        else:
            check_type(ctx, container, "str", ("container",))
    if present(body, "cache_control"):
        # automatic caching: the breakpoint lands on the last cacheable block, so it
        # counts as one marker at the end of the processing order
        check_cache_control(ctx, body["cache_control"], ("cache_control",))


def _check_thinking(ctx: Ctx, body: dict) -> None:
    if not present(body, "thinking"):
        if ctx.model is not None and ctx.model["thinking_default"]:
            ctx.thinking = "adaptive"  # the model thinks unless told otherwise
        return
    thinking = body["thinking"]
    if not check_type(ctx, thinking, "dict", ("thinking",)):
        return
    kind = thinking.get("type")
    if kind is None:
        ctx.error(("thinking",), "Unable to extract tag using discriminator 'type'")
        return
    if not isinstance(kind, str) or kind not in THINKING_KEYS:
        tags = ", ".join(f"'{t}'" for t in THINKING_KEYS)
        (ctx.unknown if isinstance(kind, str) else ctx.error)(("thinking",), f"Input tag '{kind}' found using 'type' does not match any of "
                  f"the expected tags: {tags}")
        return
    api = ("thinking", kind)
    check_keys(ctx, thinking, THINKING_KEYS[kind], ("thinking",), api)
    ctx.thinking = kind
    if "block_binding" in thinking and not ctx.has_beta("thinking-binding-controls-"):
        ctx.unknown(("thinking", "block_binding"), "Extra inputs are not permitted",
                    (*api, "block_binding"))
    display = thinking.get("display")
    displays = THINKING_DISPLAY + tuple(
        value for value, beta in THINKING_DISPLAY_BETA.items() if ctx.has_beta(beta))
    if display is not None and check_literal(
        ctx, display, displays, ("thinking", "display"), (*api, "display")
    ):
        ctx.thinking_display = display
    if kind == "enabled":
        if "budget_tokens" not in thinking:
            ctx.error(("thinking", "budget_tokens"), "Field required", (*api, "budget_tokens"))
        elif check_type(ctx, thinking["budget_tokens"], "int", ("thinking", "budget_tokens"),
                        (*api, "budget_tokens")):
            budget = int(thinking["budget_tokens"])
            ctx.budget_tokens = budget
            if budget < 1024:
                ctx.error(("thinking", "budget_tokens"),
                          "Input should be greater than or equal to 1024", (*api, "budget_tokens"))
            elif ctx.max_tokens is not None and budget >= ctx.max_tokens:
                if ctx.has_beta("interleaved-thinking-"):
                    ctx.warn(("thinking", "budget_tokens"), "budget_tokens is not below "
                             "max_tokens; allowed with interleaved thinking, where the budget "
                             "covers the whole turn")
                else:
                    ctx.error(("thinking", "budget_tokens"), "`max_tokens` must be greater "
                              "than `thinking.budget_tokens`.", "")
    rules = ctx.model
    if rules is None:
        return
    if kind in ("enabled", "adaptive") and kind not in rules["thinking"]:
        if not rules["thinking"]:
            ctx.error(("thinking", "type"), f"thinking is not supported for {ctx.model_id}")
        elif kind == "enabled":
            ctx.error(("thinking", "type"), "`thinking.type.enabled` is not supported for this "
                      "model. Use `thinking.type.adaptive` and `output_config.effort` to "
                      "control thinking behavior.", "")
        else:
            ctx.warn(("thinking", "type"), f"adaptive thinking is not known to be supported "
                     f"by {ctx.model_id}; use `enabled` with a budget")
    elif kind == "disabled" and rules["thinking_always_on"]:
        ctx.warn(("thinking", "type"), f"{ctx.model_id} always thinks; `disabled` may be "
                 "rejected or ignored")


def _check_tool_choice(ctx: Ctx, body: dict) -> None:
    if not present(body, "tool_choice"):
        return
    choice = body["tool_choice"]
    if not check_type(ctx, choice, "dict", ("tool_choice",)):
        return
    kind = choice.get("type")
    if kind is None:
        ctx.error(("tool_choice",), "Unable to extract tag using discriminator 'type'")
        return
    if not isinstance(kind, str) or kind not in TOOL_CHOICE_KEYS:
        tags = ", ".join(f"'{t}'" for t in TOOL_CHOICE_KEYS)
        (ctx.unknown if isinstance(kind, str) else ctx.error)(("tool_choice",), f"Input tag '{kind}' found using 'type' does not match any "
                  f"of the expected tags: {tags}")
        return
    api = ("tool_choice", kind)
    check_keys(ctx, choice, TOOL_CHOICE_KEYS[kind], ("tool_choice",), api,
               required=("name",) if kind == "tool" else ())
    if present(choice, "disable_parallel_tool_use"):
        check_type(ctx, choice["disable_parallel_tool_use"], "bool",
                   ("tool_choice", "disable_parallel_tool_use"), (*api, "disable_parallel_tool_use"))
    if kind == "tool" and "name" in choice:
        check_type(ctx, choice["name"], "str", ("tool_choice", "name"), (*api, "name"))
    if kind in ("any", "tool"):
        ctx.forced_tool = True
        if ctx.thinking in ("enabled", "adaptive"):
            ctx.error(("tool_choice",), "Thinking may not be enabled when tool_choice forces "
                      "tool use.", "")
        if ctx.model is not None and not ctx.model["forced_tool"]:
            ctx.error(("tool_choice", "type"), f"{ctx.model_id} does not support forced tool "
                      "use; use `auto` and say which tool to call in the prompt")


def _check_output_config(ctx: Ctx, body: dict) -> None:
    if not present(body, "output_config"):
        return
    config = body["output_config"]
    if not check_type(ctx, config, "dict", ("output_config",)):
        return
    keys = {"effort", "format"} | ({"task_budget"} if ctx.has_beta("task-budgets-") else set())
    check_keys(ctx, config, keys, ("output_config",))
    budget = config.get("task_budget")
    if "task_budget" in keys and budget is not None and check_type(
        ctx, budget, "dict", ("output_config", "task_budget")
    ):
        loc = ("output_config", "task_budget")
        check_keys(ctx, budget, frozenset({"type", "total", "remaining"}), loc,
                   required=("type", "total"))
        if "type" in budget:
            check_literal(ctx, budget["type"], ("tokens",), (*loc, "type"))
        if "total" in budget:
            check_type(ctx, budget["total"], "int", (*loc, "total"))
    effort = config.get("effort")
    if effort is not None and check_literal(
        ctx, effort, catalogue.EFFORT_LEVELS, ("output_config", "effort")
    ) and ctx.model is not None:
        levels = ctx.model["effort"]
        if levels == ():
            ctx.error(("output_config", "effort"), "This model does not support the effort "
                      "parameter.", "")
        elif levels is not None and effort not in levels:
            ctx.error(("output_config", "effort"), f"This model does not support effort level "
                      f"'{effort}'. Supported levels: {', '.join(sorted(levels))}.", "")
    fmt = config.get("format")
    if fmt is not None and check_type(ctx, fmt, "dict", ("output_config", "format")):
        loc = ("output_config", "format")
        ctx.output_format = True
        if ctx.model is not None and not ctx.model["structured_outputs"]:
            ctx.warn(loc, f"structured outputs are not known to be supported by {ctx.model_id}")
        check_keys(ctx, fmt, frozenset({"type", "schema"}), loc, required=("type", "schema"))
        if "type" in fmt:
            check_literal(ctx, fmt["type"], ("json_schema",), (*loc, "type"))
        if "schema" in fmt and check_type(ctx, fmt["schema"], "dict", (*loc, "schema")):
            from playground.contract.validate_tools import check_schema

            check_schema(ctx, fmt["schema"], (*loc, "schema"), (*loc, "schema"), strict=True)


def _check_sampling(ctx: Ctx, body: dict) -> None:
    ranges = {"temperature": ("number", 0, 1), "top_p": ("number", 0, 1), "top_k": ("int", 0, None)}
    sent = []
    for key, (kind, low, high) in ranges.items():
        if not present(body, key) or not check_type(ctx, body[key], kind, (key,)):
            continue
        value = body[key]
        if value < low:
            ctx.error((key,), f"Input should be greater than or equal to {low}")
            continue
        if high is not None and value > high:
            ctx.error((key,), f"Input should be less than or equal to {high}")
            continue
        sent.append(key)
    rules = ctx.model
    if rules is not None and rules["sampling"] is False:
        for key in sent:
            ctx.error((key,), f"`{key}` is deprecated for this model.", "")
        return
    if rules is not None and rules["sampling_exclusive"] and "temperature" in sent and "top_p" in sent:
        ctx.error(("top_p",), "`temperature` and `top_p` cannot both be specified for this "
                  "model. Please use only one.", "")
    if ctx.thinking in ("enabled", "adaptive"):
        if "temperature" in sent and body["temperature"] != 1:
            ctx.error(("temperature",), "`temperature` may only be set to 1 when thinking is "
                      "enabled or in adaptive mode.", "")
        if "top_k" in sent:
            ctx.error(("top_k",), "`top_k` must be unset when thinking is enabled.", "")
        if "top_p" in sent and body["top_p"] < 0.95:
            ctx.warn(("top_p",), "with thinking on, `top_p` is only accepted between 0.95 and 1")


def check_system(ctx: Ctx, body: dict, check_block) -> None:
    """`system`: a string or a list of text blocks (checked by check_block)."""
    if not present(body, "system"):
        return
    system = body["system"]
    if isinstance(system, str):
        if not system:
            ctx.warn(("system",), "empty system prompt: the API's answer to it is not known to "
                     "this validator; omit the field instead")
        elif not system.strip():
            ctx.error(("system",), "text content blocks must contain non-whitespace text")
        return
    if not is_type(system, "list"):
        ctx.error(("system",), "Input should be a valid string or a list of text blocks")
        return
    for i, block in enumerate(system):
        check_block(ctx, block, "system", ("system", i))


__all__ = ["check_top", "check_system", "check_cache_control", "present", "get_int"]
