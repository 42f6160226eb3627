"""A thread as steps: each tool_use beside the tool_result that answered it, and the end.

The grouping (thread, parent, step, branch, retry_of) is the recorder's; this module only
reads it. A tool_result is matched to its tool_use by id across requests: the first
later request in the thread whose messages carry a result for that id answers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playground.inspector.charts import stacked_bars
from playground.recording.models import Exchange, Thread

END_REASONS = {
    "end_turn": "the model finished its turn (end_turn)",
    "max_tokens": "the reply hit max_tokens and was cut off",
    "stop_sequence": "a stop sequence matched",
    "pause_turn": "the server paused a long server-tool turn (pause_turn) and it was not resumed",
    "refusal": "the model refused (refusal)",
    "model_context_window_exceeded": "the context window filled up",
}


@dataclass
class ToolPair:
    use: dict
    result: dict | None = None
    answered_in: Exchange | None = None

    @property
    def result_text(self) -> str | None:
        content = self.result.get("content") if self.result else None
        return content if isinstance(content, str) else None


@dataclass
class Step:
    exchange: Exchange
    texts: list[dict] = field(default_factory=list)
    thinking: list[dict] = field(default_factory=list)
    pairs: list[ToolPair] = field(default_factory=list)
    next: Exchange | None = None
    is_fork: bool = False
    is_retry: bool = False


@dataclass
class ThreadView:
    steps: list[Step]
    end: str
    chart: str
    totals: dict


def _message(e: Exchange) -> dict | None:
    if isinstance(e.message, dict):
        return e.message
    if isinstance(e.response_body, dict) and e.response_body.get("type") == "message":
        return e.response_body
    return None


def _results_in(body: object) -> dict[str, dict]:
    found: dict[str, dict] = {}
    if not isinstance(body, dict):
        return found
    messages = body.get("messages")
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, dict) and isinstance(message.get("content"), list):
            for block in message["content"]:
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    found.setdefault(str(block.get("tool_use_id")), block)
    return found


def end_of(last: Exchange, pending_tools: bool) -> str:
    if last.outcome == "streaming":
        return "still running"
    if last.outcome != "completed":
        detail = f": {last.error_type} {last.error_message[:200]}" if last.error_type else ""
        return f"the last step ended as {last.get_outcome_display()}{detail}"
    if last.stop_reason == "tool_use":
        return ("the model asked for tools (tool_use) and no later request sent their results"
                if pending_tools else "the model asked for tools (tool_use)")
    return END_REASONS.get(last.stop_reason, f"stop_reason {last.stop_reason or 'unknown'}")


def build_thread(thread: Thread) -> ThreadView:
    exchanges = list(
        Exchange.objects.filter(thread=thread, team_id=thread.team_id)
        .order_by("step", "branch", "started_at", "id")
    )
    by_parent: dict[int, Exchange] = {}
    for e in exchanges:
        if e.parent_id and e.retry_of_id is None and e.parent_id not in by_parent:
            by_parent[e.parent_id] = e
    results = [(e, _results_in(e.request_body)) for e in exchanges]
    steps: list[Step] = []
    for e in exchanges:
        step = Step(e, next=by_parent.get(e.id), is_fork=e.branch > 0, is_retry=e.retry_of_id is not None)
        message = _message(e) or {}
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind in ("thinking", "redacted_thinking"):
                step.thinking.append(block)
            elif kind == "tool_use":
                pair = ToolPair(block)
                for later, found in results:
                    if later.started_at >= e.started_at and later.id != e.id and str(block.get("id")) in found:
                        pair.result, pair.answered_in = found[str(block.get("id"))], later
                        break
                step.pairs.append(pair)
            else:
                step.texts.append(block)
        steps.append(step)
    main = [s for s in steps if not s.is_fork and not s.is_retry]
    last = (main or steps)[-1] if steps else None
    end = end_of(last.exchange, any(p.result is None for p in last.pairs)) if last else "no steps"
    rows = [
        (f"{s.exchange.step if s.exchange.step is not None else '?'}{'′' if s.is_fork else ''}",
         [s.exchange.cache_read or 0, s.exchange.cache_write_tokens, s.exchange.input_tokens or 0,
          s.exchange.output_tokens or 0])
        for s in steps if not s.is_retry
    ]
    totals = {
        "input": sum(e.input_tokens or 0 for e in exchanges),
        "cache_read": sum(e.cache_read or 0 for e in exchanges),
        "cache_write": sum(e.cache_write_tokens for e in exchanges),
        "output": sum(e.output_tokens or 0 for e in exchanges),
        "cost": sum((e.cost_usd for e in exchanges if e.cost_usd is not None), start=0),
        "duration_ms": sum(e.duration_ms or 0 for e in exchanges),
    }
    return ThreadView(steps, end, stacked_bars(rows), totals)
