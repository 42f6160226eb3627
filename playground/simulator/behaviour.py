"""What the simulator answers: a valid request body in, the whole Message out (pure, no I/O).

Policy, in the order the decisions are made (docs/simulator.md is the user-facing version;
reading the request, what was asked and which tools to call, lives in conversation.py):

* The "task" is the last user turn that carries text. Its first words are quoted in the
  answer and in the thinking, so a reply visibly refers to what was asked.
* Tools (custom tools, the ones with an `input_schema`) are called when `tool_choice` is
  `any` (the tools the task names, else the first tool), when it names a tool, or, on `auto`,
  when the task names tools (`get_weather`, or "get weather"). Named tools already called
  since the task are not called again. Several named tools are called in parallel in one
  turn, unless `disable_parallel_tool_use` is set or the task reads like a chain ("then",
  "next", "after that", "followed by", "chain"): then one per turn, in the order named.
  `tool_choice: none` and an assistant prefill never call tools.
* Tool inputs satisfy the tool's `input_schema` (schema_fill), seeded by the request; when
  the schema lists required properties, only those are sent.
* After `tool_result` blocks and with nothing left to call, the answer quotes each result.
* `thinking` enabled or adaptive: a thinking block first, signed (thinking.py); with
  `display: "omitted"` its text is empty but it still costs tokens. `between_tools` thinks
  only in a turn that follows tool results.
* Server tools on request (controls.py): `x-sim-server-tool: web_search` runs the simulated
  search (search.py) whatever was asked; `x-sim-pause-turn: true` stops that turn with
  `pause_turn` after the `server_tool_use`, and the paused turn sent back (it is the last
  message) is continued with the search's result and the cited answer.
* `output_config.format` json_schema: the answer is JSON valid against the schema.
* A final assistant turn is a prefill: the reply continues it and never repeats it.
* `stop_sequences` cut the text at the first match (stop_reason `stop_sequence`), and
  `max_tokens` cuts text or thinking mid-way, or stops before a tool call that would not fit
  (stop_reason `max_tokens`). Usage counts exactly what was emitted (tokens.py).
* Determinism: ids and choices derive from `seed`, a hash of the request, so the same
  request gives the same message, streamed or not.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re

from playground.simulator import tokens
from playground.simulator.controls import Controls
from playground.simulator.conversation import Conversation, choose_tools, custom_tools, input_hints
from playground.simulator.schema_fill import fill
from playground.simulator.search import search_blocks, wants_search
from playground.simulator.thinking import sign

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_QUOTE_WORDS = 10
# Only the start of a text is read for quotes and snippets: a huge prompt costs no more.
_LOOK = 4000
# Removed from the task to make a search query out of it.
_SEARCH_WORDS = re.compile(r"\b(use|using|with|please|web[_ ]search|search the (web|internet)|search online)\b",
                           re.IGNORECASE)
_SNIPPET_CHARS = 60
_FILLER = (
    "This reply comes from the offline simulator, so no tokens were spent and no network "
    "was used. It has the same shape as a real answer: the same blocks, the same events and "
    "usage that adds up. Name a tool in your message and it will call it with an input that "
    "fits the schema."
)
_FILLER_PIECES = tokens.pieces(" " + _FILLER)
# The default answer pads the quote with the filler's first sentence (about 20 tokens).
_DEFAULT_FILLER_TOKENS = next(i + 1 for i, p in enumerate(_FILLER_PIECES) if p.endswith(".") and i >= 12)


def id_from(seed: str, prefix: str, salt: str = "") -> str:
    """A `msg_01...`/`toolu_01...` id derived from the seed (base58, 22 characters)."""
    number = int.from_bytes(hashlib.sha256(f"{seed}:{salt}".encode()).digest(), "big")
    chars = []
    for _ in range(22):
        number, rest = divmod(number, 58)
        chars.append(_BASE58[rest])
    return prefix + "".join(chars)


def _one_line(text: str) -> str:
    return " ".join(text[:_LOOK].split())


def _quote(text: str) -> str:
    words = text[:_LOOK].split()
    quote = " ".join(words[:_QUOTE_WORDS])
    return quote + ("…" if len(words) > _QUOTE_WORDS else "")


def _snippet(text: str) -> str:
    text = _one_line(text)
    return text if len(text) <= _SNIPPET_CHARS else text[: _SNIPPET_CHARS - 1] + "…"


def _filler(n: int) -> str:
    return "".join(itertools.islice(itertools.cycle(_FILLER_PIECES), n))


def _sized(text: str, n: int | None) -> str:
    """`text` padded with filler (or cut) to exactly `n` tokens; default padding when None."""
    parts = tokens.pieces(text)
    if n is None:
        n = len(parts) + _DEFAULT_FILLER_TOKENS
    if n <= len(parts):
        return "".join(parts[:n])
    if text and text[-1].isspace():
        # The filler starts with a space; keep the token boundary clean.
        text = text.rstrip()
        parts = tokens.pieces(text)
    return text + _filler(n - len(parts))


def _answer(convo: Conversation) -> str:
    quote = _quote(convo.task)
    if convo.results:
        parts = []
        for name, text, failed in convo.results:
            verb = "failed with" if failed else "returned"
            parts.append(f'{name} {verb} "{_snippet(text)}"')
        return f'For "{quote}": ' + "; ".join(parts) + "."
    media = " and ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(convo.media.items()))
    if quote and media:
        return f'You sent {media} and said: "{quote}".'
    if quote:
        return f'You said: "{quote}".'
    if media:
        return f"You sent {media}."
    return "Hello from the offline simulator."


def _thinking_text(convo: Conversation, calls: list[str], search: bool) -> str:
    quote = _quote(convo.task)
    opening = f'The user wrote: "{quote}".' if quote else "There is no question yet."
    if search:
        plan = "I should search the web first and cite what I find."
    elif calls:
        plan = f"I should call {', '.join(calls)} and wait for the result."
    elif convo.results:
        plan = "The tool results are in, so I can answer with them."
    else:
        plan = "I can answer this directly and briefly."
    return f"{opening} {plan}"


def _structured_schema(body: dict) -> dict | None:
    for holder in (body.get("output_config"), body):
        if not isinstance(holder, dict):
            continue
        fmt = holder.get("format") if holder is not body else body.get("output_format")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and isinstance(fmt.get("schema"), dict):
            return fmt["schema"]
    return None


def _first_stop(text: str, stops: list[str]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for stop in stops:
        at = text.find(stop) if stop else -1
        if at >= 0 and (best is None or at < best[0]):
            best = (at, stop)
    return best


def plan_message(body: dict, *, seed: str, output_tokens: int | None = None,
                 controls: Controls | None = None) -> dict:
    """The Message the simulator sends for a valid create body (`stream` does not matter)."""
    controls = controls or Controls(output_tokens=output_tokens)
    output_tokens = controls.output_tokens
    convo = Conversation(body)
    if convo.paused_search is not None:
        return _message(body, seed, _continue_search(convo, seed), thinking_on=False,
                        hidden=False)
    budget = body.get("max_tokens")
    if output_tokens is not None and isinstance(budget, int) and not isinstance(budget, bool):
        # Never write more than max_tokens can show; one token over still reads as a cut.
        output_tokens = min(output_tokens, max(budget, 0) + 1)
    tools = custom_tools(body)
    # `tool_choice` may name the web_search server tool: that is a search, not a tool_use.
    calls = [name for name in choose_tools(body, convo, tools) if name in tools]
    search = wants_search(body, convo, forced=controls.server_tool == "web_search"
                          or controls.pause_turn)
    hints = input_hints(convo.task, list(tools))
    thinking_cfg = body.get("thinking") if isinstance(body.get("thinking"), dict) else {}
    thinking_on = thinking_cfg.get("type") in ("enabled", "adaptive") or (
        thinking_cfg.get("type") == "between_tools" and bool(convo.results))

    planned: list[dict] = []
    if thinking_on:
        planned.append({"type": "thinking", "thinking": _thinking_text(convo, calls, search)})
    if search:
        query = " ".join(_SEARCH_WORDS.sub(" ", convo.task[:_LOOK]).split()[:8]).strip(" .,;:!?")
        query = re.sub(r"^(for|about|on|up)\s+", "", query, flags=re.IGNORECASE) or "the question"
        blocks = search_blocks(query, id_from(seed, "srvtoolu_01", "search"), seed)
        if controls.pause_turn:
            # the turn pauses once the search is called: its result comes on continuation
            planned += blocks[:2]
            return _message(body, seed, planned, thinking_on=thinking_on,
                            hidden=thinking_cfg.get("display") == "omitted", pause=True)
        planned += blocks

    schema = _structured_schema(body)
    forced = isinstance(body.get("tool_choice"), dict) and body["tool_choice"].get("type") in ("any", "tool")
    if calls:
        if not forced:
            planned.append({"type": "text", "text": f"I'll call {' and '.join(calls)} for that."})
    elif search:
        pass  # the cited search answer is the reply
    elif schema is not None:
        planned.append({"type": "text", "text": json.dumps(fill(schema, seed=seed, hints=hints), ensure_ascii=False)})
    else:
        text = _answer(convo)
        choice = body.get("tool_choice") if isinstance(body.get("tool_choice"), dict) else {}
        if tools and not convo.results and not convo.prefill and choice.get("type") != "none":
            # A new user with tools but no call: say how to get one.
            text += f" To see a tool call, name a tool in your message, for example {next(iter(tools))}."
        if convo.prefill:
            # Continue the prefill; an open code fence gets code and its closing fence.
            if convo.prefill.count("```") % 2 == 1:
                text = f"\n# {text}\n```" if output_tokens is None else "\n# " + text
            else:
                text = " " + text
        planned.append({"type": "text", "text": _sized(text, output_tokens)})
    for i, name in enumerate(calls):
        schema_for = tools.get(name, {}).get("input_schema", {})
        planned.append(
            {
                "type": "tool_use",
                "id": id_from(seed, "toolu_01", f"tool:{i}:{name}"),
                "name": name,
                "input": _tool_input(schema_for, f"{seed}:{name}", hints),
                "caller": {"type": "direct"},
            }
        )
    return _message(body, seed, planned, thinking_on=thinking_on,
                    hidden=thinking_cfg.get("display") == "omitted")


def _tool_input(schema: dict, seed: str, hints: list[str]) -> dict:
    """A tool's input: its schema filled, keeping only the required properties when the
    schema names some, as a model does (agents' tools have optional knobs such as Claude
    Code's `Read` `offset`/`limit`/`pages`, which random values would break)."""
    value = fill(schema, seed=seed, hints=hints)
    required = schema.get("required") if isinstance(schema, dict) else None
    if isinstance(value, dict) and isinstance(required, list) and required:
        value = {k: v for k, v in value.items() if k in required}
    return value


def _continue_search(convo: Conversation, seed: str) -> list[dict]:
    """The rest of a paused search turn: the result of its call and the cited answer."""
    tool_id, query = convo.paused_search
    return search_blocks(query, tool_id, seed)[2:]


def _message(body: dict, seed: str, planned: list[dict], *, thinking_on: bool, hidden: bool,
             pause: bool = False) -> dict:
    content, stop_reason, stop_sequence, spent, thinking_spent = _fit(planned, body, hidden=hidden)
    if pause and stop_reason == "end_turn":
        stop_reason = "pause_turn"
    usage: dict = {
        "input_tokens": tokens.input_tokens(body),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": spent,
        "service_tier": "standard",
        "inference_geo": body.get("inference_geo") if isinstance(body.get("inference_geo"), str) else "not_available",
    }
    searches = sum(1 for b in content if b["type"] == "server_tool_use")
    if searches:
        usage["server_tool_use"] = {"web_search_requests": searches}
    if thinking_on:
        usage["output_tokens_details"] = {"thinking_tokens": thinking_spent}
    return {
        "model": body.get("model"),
        "id": id_from(seed, "msg_01", "message"),
        "type": "message",
        "role": "assistant",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": stop_sequence,
        "stop_details": None,
        "usage": usage,
    }


def _fit(planned: list[dict], body: dict, *, hidden: bool) -> tuple[list[dict], str, str | None, int, int]:
    """Apply stop sequences and max_tokens: (content, stop_reason, stop_sequence, spent, thinking)."""
    budget = body.get("max_tokens")
    budget = budget if isinstance(budget, int) and not isinstance(budget, bool) else 1 << 30
    stops = [s for s in body.get("stop_sequences") or () if isinstance(s, str)]
    content: list[dict] = []
    spent = thinking_spent = 0
    stop_reason: str | None = None
    stop_sequence: str | None = None
    for block in planned:
        left = budget - spent
        if block["type"] == "thinking":
            text = block["thinking"]
            cost = tokens.count(text)
            if cost > left:
                text, cost, stop_reason = tokens.truncate(text, left), left, "max_tokens"
            if cost or not stop_reason:
                shown = "" if hidden else text
                content.append({"type": "thinking", "thinking": shown, "signature": sign(shown)})
            spent += cost
            thinking_spent += cost
        elif block["type"] == "text":
            text = block["text"]
            hit = _first_stop(text, stops)
            if hit:
                text, stop_reason, stop_sequence = text[: hit[0]], "stop_sequence", hit[1]
            cost = tokens.count(text)
            if cost > left:
                text, cost, stop_reason, stop_sequence = tokens.truncate(text, left), left, "max_tokens", None
            if text:
                content.append({**block, "text": text})  # keeps citations
            spent += cost
        elif block["type"] in ("tool_use", "server_tool_use"):
            cost = tokens.count(block["name"]) + tokens.count(json.dumps(block["input"], ensure_ascii=False))
            if cost > left:
                stop_reason = "max_tokens"
            else:
                content.append(block)
                spent += cost
        else:
            # Server tool results arrive whole and are not generated output.
            content.append(block)
        if stop_reason:
            break
    if stop_reason is None:
        stop_reason = "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"
    return content, stop_reason, stop_sequence, spent, thinking_spent
