"""Finishing an exchange: everything derived once the response is over, written at once.

Policy: the message is rebuilt from the events (or taken from the JSON body), then the
outcome, usage, cost, tool names, search text, anomalies and the thread are derived and
written in one update, so a reader never sees half a finished row. Runs in the writer's
thread (see `store.py`); known secrets are scrubbed from the message and the error here too.
"""

from __future__ import annotations

import json

from playground.contract.pricing import cost_usd, find_price, usage_counts
from playground.recording import analyze, ops, threads
from playground.recording.models import Exchange
from playground.recording.prices import price_rows
from playground.recording.redact import scrub_json, scrub_text


def _error_fields(error: object) -> tuple[str, str]:
    if isinstance(error, dict):
        inner = error.get("error") if isinstance(error.get("error"), dict) else error
        return str(inner.get("type") or ""), str(inner.get("message") or "")
    if isinstance(error, BaseException):
        return type(error).__name__, str(error)
    if error:
        return "", str(error)
    return "", ""


def finish(op: ops.Finish, state: dict, prices: list[dict] | None) -> tuple[int | None, str]:
    """Derive and write everything a finished exchange holds, in one update."""
    tally = op.tally
    event_count = tally.count if tally is not None else 0
    message = None
    accumulated = None
    anomalies = list(state["anomalies"])
    error_type, error_message = "", ""
    body = state.get("response_body")
    if event_count:
        result = tally.result()
        message, accumulated = result.message, result.outcome
        anomalies += tally.anomalies()
        anomalies += [a for a in result.anomalies if a not in anomalies]
        if result.error:
            error_type, error_message = _error_fields(result.error)
    elif isinstance(body, dict):
        if body.get("type") == "message":
            message = body
        elif body.get("type") == "error":
            error_type, error_message = _error_fields(body)
    status = state.get("status")
    outcome = analyze.decide_outcome(op.outcome, status, state["stream"], accumulated)
    if op.error is not None:
        error_type, error_message = _error_fields(op.error)
    if state["secrets"]:
        # The message was rebuilt from the events as received: scrubbed like their bytes.
        error_message = scrub_text(error_message, state["secrets"])
        message = scrub_json(message, state["secrets"])
    message, changed = analyze.safe_json(message)
    if changed:
        anomalies.append("message_sanitized")

    # The row as created (only what finishing reads), without reading it back.
    exchange = Exchange(id=state["pk"], **state["row"])
    exchange._state.adding = False
    request_body = state["body"]
    usage = usage_counts(message.get("usage") if isinstance(message, dict) else None)
    for field, value in usage.items():
        setattr(exchange, field, value)
    model = exchange.model or (message or {}).get("model") or ""
    if prices is not None and isinstance(message, dict) and isinstance(message.get("usage"), dict):
        price = find_price(message.get("model") or model, prices) or find_price(model, prices)
        exchange.cost_usd = cost_usd(message["usage"], price) if price else None
    exchange.message = message
    exchange.stop_reason = str((message or {}).get("stop_reason") or "")[:60]
    exchange.outcome = outcome
    exchange.error_type = analyze.safe_text(error_type)[:100]
    exchange.error_message = analyze.safe_text(error_message)[:10000]
    exchange.event_count = event_count
    exchange.stored_bytes = (
        state.get("request_bytes_len", 0)
        + _json_size(request_body)
        + _json_size(state.get("response_body"))
        + _json_size(message)
        + (tally.raw_bytes if tally is not None else 0)
    )
    exchange.first_token_ms = tally.first_token_ms if tally is not None else None
    exchange.duration_ms = op.duration_ms
    exchange.finished_at = op.finished_at
    exchange.anomalies = [analyze.safe_text(str(a))[:500] for a in anomalies][:200]
    exchange.tool_names = analyze.tool_names(request_body, message)
    exchange.search_text = analyze.search_text(request_body, message)
    is_messages = exchange.path.rstrip("/").endswith("/messages")
    if is_messages and message is None and outcome == "completed":
        # A 2xx that carries no Message (an HTML page from a gateway, an empty body, JSON
        # of another shape) is the upstream's failure, not a completed exchange.
        exchange.outcome = "upstream_error"
        exchange.error_type = exchange.error_type or "upstream_protocol_error"
        exchange.error_message = exchange.error_message or "the upstream's answer is not a Message"
    if is_messages and message is None and state["stream"] and not event_count and status == 200:
        exchange.anomalies = [*exchange.anomalies, "no_events_in_stream"]
    if is_messages and outcome != "rejected":
        prefix, reply, candidates = threads.conversation_hashes(request_body, message)
        exchange.prefix_hash = prefix
        exchange.reply_hash = reply if outcome == "completed" else ""
        exchange.parent_hash = candidates[0] if candidates else ""
        if prefix:
            exchange._parent_candidates = candidates
            threads.assign_thread(exchange, request_body)
    # The response's start, when it came in the same batch: one update instead of two.
    response = state.pop("response_fields", {})
    for field, value in response.items():
        setattr(exchange, field, value)
    exchange.save(update_fields=[*_FINISH_FIELDS, *response])
    return exchange.team_id, exchange.public_id


ROW_FIELDS = ("public_id", "team_id", "model", "path", "thread_hint", "started_at")
_FINISH_FIELDS = [
    "input_tokens", "output_tokens", "cache_creation_5m", "cache_creation_1h", "cache_read",
    "server_tool_use", "cost_usd", "message", "stop_reason", "outcome", "error_type",
    "error_message", "event_count", "stored_bytes", "first_token_ms", "duration_ms",
    "finished_at", "anomalies", "tool_names", "search_text", "prefix_hash", "reply_hash", "parent_hash",
    "thread", "parent", "retry_of", "step", "branch",
]


def _json_size(value: object) -> int:
    if value is None:
        return 0
    try:
        return len(json.dumps(value, ensure_ascii=False).encode("utf-8", "replace"))
    except (TypeError, ValueError):
        return 0


def load_prices() -> list[dict]:
    return price_rows()
