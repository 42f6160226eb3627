"""A thread as steps: each tool_use beside the tool_result that answered it, and the end.

The grouping (thread, parent, step, branch, retry_of) is the recorder's; this module only
reads it. A tool_result is matched to its tool_use by id across requests: the first
later request in the thread whose messages carry a result for that id answers it.

Blocks carry links in the conversation's coordinates (`turn-3-block-2`: content[2] of
messages[3], the response of a step being the turn after its request's messages), the
same anchors as the exchange page. A fork or retry repeats turns an earlier step already
holds: only the first step to reach a turn gets its links.
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


def slot_link(turn: int, block: int) -> str:
    return f"turn-{turn}-block-{block}"


@dataclass
class ToolPair:
    use: dict
    result: dict | None = None
    answered_in: Exchange | None = None
    link: str = ""  # the tool_use's anchor
    result_link: str = ""  # the tool_result's anchor

    @property
    def result_text(self) -> str | None:
        content = self.result.get("content") if self.result else None
        return content if isinstance(content, str) else None


@dataclass
class Step:
    exchange: Exchange
    texts: list[tuple[str, dict]] = field(default_factory=list)  # (link, block)
    thinking: list[tuple[str, dict]] = field(default_factory=list)
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


def _turn_count(body: object) -> int:
    messages = body.get("messages") if isinstance(body, dict) else None
    return len(messages) if isinstance(messages, list) else 0


def _results_in(body: object) -> dict[str, tuple[dict, int, int]]:
    """tool_use_id -> (tool_result block, its turn, its block index)."""
    found: dict[str, tuple[dict, int, int]] = {}
    if not isinstance(body, dict):
        return found
    messages = body.get("messages")
    for turn, message in enumerate(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and isinstance(message.get("content"), list):
            for index, block in enumerate(message["content"]):
                if isinstance(block, dict) and block.get("type") == "tool_result":
                    found.setdefault(str(block.get("tool_use_id")), (block, turn, index))
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
    linked: set[int] = set()  # turns whose links an earlier step holds
    result_links: set[str] = set()
    for e in exchanges:
        step = Step(e, next=by_parent.get(e.id), is_fork=e.branch > 0, is_retry=e.retry_of_id is not None)
        turn = _turn_count(e.request_body)
        owns_turn = turn not in linked
        linked.add(turn)
        message = _message(e) or {}
        content = message.get("content")
        for index, block in enumerate(content if isinstance(content, list) else []):
            if not isinstance(block, dict):
                continue
            link = slot_link(turn, index) if owns_turn else ""
            kind = block.get("type")
            if kind in ("thinking", "redacted_thinking"):
                step.thinking.append((link, block))
            elif kind == "tool_use":
                pair = ToolPair(block, link=link)
                for later, found in results:
                    if later.started_at >= e.started_at and later.id != e.id and str(block.get("id")) in found:
                        pair.result, result_turn, result_index = found[str(block.get("id"))]
                        pair.answered_in = later
                        result_link = slot_link(result_turn, result_index)
                        if result_turn not in linked and result_link not in result_links:
                            pair.result_link = result_link
                            result_links.add(result_link)
                        break
                step.pairs.append(pair)
            else:
                step.texts.append((link, block))
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
