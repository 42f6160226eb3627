"""Threads: grouping stateless requests into conversations by the history they resend.

Policy:

* A request continues an earlier exchange when its messages begin with that exchange's
  messages followed by its assistant reply. We keep a rolling hash over canonical messages:
  `prefix_hash` covers all of a request's messages, `reply_hash` covers them plus the reply.
  A new request looks up, for every position k holding an assistant message, the hash of
  messages[:k+1] among earlier `reply_hash` values; the longest match is the parent.
* Canonical form, so what clients resend matches what we recorded: string content becomes
  `[{"type": "text", "text": ...}]`; `cache_control`, `citations`, `caller` and null fields
  are dropped; whitespace-only text blocks are dropped (the API refuses empty ones, and
  clients strip them); media references hash by content.
* A request with the same `prefix_hash` as an earlier one in the team is a retry: same
  thread, parent and step, marked `retry_of`. Two different continuations of one parent are
  branches (numbered 0, 1, ... in arrival order). `x-playground-thread` (the `thread_hint`)
  names the thread outright.
* Assignment runs in the writer at finish, one exchange at a time, so two requests never
  race to create the same thread.
"""

from __future__ import annotations

import hashlib
import json

from django.db.models import F

_DROP_KEYS = frozenset({"cache_control", "citations", "caller"})


def canonical_block(block: object) -> object:
    if not isinstance(block, dict):
        return block
    out = {}
    for key, value in block.items():
        if key in _DROP_KEYS or value is None:
            continue
        if key == "content" and isinstance(value, list | str):
            value = canonical_content(value)
        out[key] = value
    return out


def canonical_content(content: object) -> object:
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    if not isinstance(content, list):
        return content
    blocks = []
    for block in content:
        if isinstance(block, str):
            block = {"type": "text", "text": block}
        if (
            isinstance(block, dict)
            and block.get("type") == "text"
            and isinstance(block.get("text"), str)
            and not block["text"].strip()
        ):
            continue
        blocks.append(canonical_block(block))
    return blocks


def canonical_message(message: object) -> bytes:
    if not isinstance(message, dict):
        return json.dumps(message, sort_keys=True, separators=(",", ":")).encode()
    value = {"role": message.get("role"), "content": canonical_content(message.get("content"))}
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8", "surrogatepass")


def rolling_hashes(messages: list) -> list[str]:
    """hashes[k] identifies messages[:k+1]; each builds on the one before."""
    hashes = []
    previous = b""
    for message in messages:
        digest = hashlib.sha256(previous + canonical_message(message)).hexdigest()
        hashes.append(digest)
        previous = digest.encode()
    return hashes


def extend_hash(previous: str, message: dict) -> str:
    return hashlib.sha256(previous.encode() + canonical_message(message)).hexdigest()


def conversation_hashes(body: object, reply: dict | None) -> tuple[str, str, list[str]]:
    """(prefix_hash, reply_hash, candidate parent hashes longest first) for a request."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list) or not messages:
        return "", "", []
    hashes = rolling_hashes(messages)
    prefix = hashes[-1]
    reply_hash = ""
    if isinstance(reply, dict) and reply.get("content") is not None:
        reply_message = {"role": "assistant", "content": reply.get("content")}
        last = messages[-1]
        if isinstance(last, dict) and last.get("role") == "assistant":
            # A prefill (or a paused turn resent): the reply continues the last message, so
            # the client's next request carries both merged into one assistant turn.
            merged = _merge(last.get("content"), reply.get("content"))
            base = hashes[-2] if len(hashes) > 1 else ""
            reply_hash = extend_hash(base, {"role": "assistant", "content": merged})
        else:
            reply_hash = extend_hash(prefix, reply_message)
    candidates = [
        hashes[k]
        for k in range(len(messages) - 1, -1, -1)
        if isinstance(messages[k], dict) and messages[k].get("role") == "assistant"
    ]
    return prefix, reply_hash, candidates


def _merge(prefill: object, content: object) -> list:
    first = canonical_content(prefill) if prefill is not None else []
    second = canonical_content(content) if content is not None else []
    first = list(first) if isinstance(first, list) else []
    second = list(second) if isinstance(second, list) else []
    if (
        first
        and second
        and first[-1].get("type") == "text"
        and second[0].get("type") == "text"
    ):
        joined = dict(first[-1])
        joined["text"] = first[-1].get("text", "") + second[0].get("text", "")
        return first[:-1] + [joined] + second[1:]
    return first + second


def title_for(body: object) -> str:
    """The first user text of the conversation, for thread lists."""
    messages = body.get("messages") if isinstance(body, dict) else None
    for message in messages or []:
        if isinstance(message, dict) and message.get("role") == "user":
            content = canonical_content(message.get("content"))
            for block in content if isinstance(content, list) else []:
                if isinstance(block, dict) and block.get("type") == "text":
                    return " ".join(str(block.get("text", "")).split())[:200]
    return ""


# What linking reads of a related exchange (never its JSON bodies).
_LINK_FIELDS = ("id", "parent", "step", "branch", "started_at", "thread__id", "thread__last_at")


def assign_thread(exchange, body: object, now) -> None:
    """Set thread, parent, retry_of, step and branch on `exchange` (saved by the caller)."""
    from playground.recording.models import Exchange, Thread

    team_id = exchange.team_id
    siblings = Exchange.objects.filter(team_id=team_id).exclude(pk=exchange.pk)
    hint = exchange.thread_hint
    hinted = None
    if hint:
        hinted = Thread.objects.filter(team_id=team_id, hint=hint).order_by("id").first()

    parent = retry_of = None
    if exchange.prefix_hash:
        retry_of = (
            siblings.filter(prefix_hash=exchange.prefix_hash, thread__isnull=False)
            .select_related("thread")
            .only(*_LINK_FIELDS)
            .order_by("started_at", "id")
            .first()
        )
    candidates = getattr(exchange, "_parent_candidates", [])
    if retry_of is None and candidates:
        found = {
            e.reply_hash: e
            for e in siblings.filter(reply_hash__in=candidates, thread__isnull=False)
            .select_related("thread")
            .only("reply_hash", *_LINK_FIELDS)
            .order_by("-started_at", "-id")
        }
        # Prefer the longest resent history; among equal ones the earliest-listed (newest).
        for digest in candidates:
            if digest in found:
                parent = found[digest]
                break

    if retry_of is not None:
        exchange.retry_of = retry_of
        exchange.parent_id = retry_of.parent_id
        exchange.step = retry_of.step
        exchange.branch = retry_of.branch
        thread = retry_of.thread
    elif parent is not None:
        exchange.parent = parent
        exchange.step = (parent.step or 0) + 1
        branches = (
            siblings.filter(parent=parent, retry_of__isnull=True)
            .values_list("branch", flat=True)
            .order_by("-branch")
            .first()
        )
        exchange.branch = 0 if branches is None else branches + 1
        thread = parent.thread
    else:
        exchange.step = 0
        exchange.branch = 0
        thread = None

    if hinted is not None:
        thread = hinted
    if thread is None:
        thread = Thread.objects.create(
            team_id=team_id,
            hint=hint,
            title=title_for(body) or hint,
            started_at=exchange.started_at,
            last_at=exchange.started_at,
        )
    exchange.thread = thread
    Thread.objects.filter(pk=thread.pk).update(
        exchange_count=F("exchange_count") + 1,
        last_at=max(thread.last_at, exchange.started_at),
    )
