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
* Assignment runs in the writer at finish, one exchange at a time. Several server
  processes each have a writer, so on PostgreSQL a batch that assigns threads first takes
  a transaction-scoped advisory lock (`lock_assignment`) and holds it until it commits: the
  next process's assignment then sees this one's threads, and two processes never both
  create the thread of one `thread_hint` (or of one conversation). It is the first lock the
  transaction takes, so it never waits for the lock while holding a row another holder may
  need, and it is only taken by a transaction of the recorder's own (never inside a
  caller's longer one). SQLite's writers are already serialized (`BEGIN IMMEDIATE`).
* A request can be written before the one whose reply it resends: the two went to different
  processes, and the parent's finish was still queued in its process when the child's was
  written. The child then starts a thread of its own (or settles for an older turn). Each
  exchange keeps the hash of the history it resends (`parent_hash`), and when the parent
  is written it adopts such early children: they and everything that follows them move
  into its thread, renumbered (`_adopt`). An exchange named by `x-playground-thread` never
  leaves its named thread.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Greatest

from playground.recording.models import Exchange, Thread

# pg_advisory_xact_lock's key for thread assignment (a constant no other code uses).
_ASSIGN_LOCK = 0x7468726561640001
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


@dataclass(frozen=True, slots=True)
class _Link:
    """What assignment reads of a related exchange (never its JSON bodies)."""

    id: int
    parent_id: int | None
    step: int | None
    branch: int
    thread_id: int
    thread_hint: str


# Assignment runs once per finished exchange in the recorder's thread. Its lookups are
# written as SQL: built by the ORM, each cost ten times the query itself, and together they
# were the largest part of the recorder's work per exchange (the target "CPU per relayed
# event with recording on at most half of LiteLLM's", issue 17; bench/bench_proxy.py).
# Each is one seek in an index of models.py (team, hash, started_at, id).
_LINK_COLUMNS = "e.id, e.parent_id, e.step, e.branch, e.thread_id, e.thread_hint"
_FIRST_WITH = (
    f"SELECT {_LINK_COLUMNS} FROM recording_exchange e"
    " WHERE {team} AND e.{column} = %s AND e.thread_id IS NOT NULL AND e.id <> %s"
    " ORDER BY e.started_at {order}, e.id {order} LIMIT 1"
)
# `NOT (parent_hash = '')` repeats the partial index's condition as the migration spells it:
# SQLite uses a partial index only for a query that states its condition in the same
# words (`<> ''` would not do), and would otherwise read every exchange of the team.
# `started_at >=` bounds the seek to the turns sent after this one started (a reply is
# resent only once it exists): the turns that settled under earlier copies of this
# exchange (an agent's test suite against the simulator resends the same conversation,
# with the same replies, on every run) are never read again.
_EARLY_CHILDREN = (
    f"SELECT {_LINK_COLUMNS} FROM recording_exchange e"
    " LEFT JOIN recording_exchange p ON p.id = e.parent_id"
    " WHERE {team} AND e.parent_hash = %s AND NOT (e.parent_hash = '') AND e.started_at >= %s"
    " AND e.retry_of_id IS NULL AND e.thread_id IS NOT NULL AND e.id <> %s"
    " AND (p.id IS NULL OR p.reply_hash <> %s)"
    " ORDER BY e.started_at, e.id"
)
_LAST_BRANCH = "SELECT MAX(branch) FROM recording_exchange WHERE parent_id = %s AND retry_of_id IS NULL{skip}"


def _team(team_id: int | None) -> tuple[str, list]:
    return ("e.team_id IS NULL", []) if team_id is None else ("e.team_id = %s", [team_id])


def _first_with(team_id: int | None, column: str, digest: str, exclude: int, newest: bool) -> _Link | None:
    """The oldest (or newest) threaded exchange of the team whose `column` is `digest`."""
    team, params = _team(team_id)
    sql = _FIRST_WITH.format(team=team, column=column, order="DESC" if newest else "ASC")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, digest, exclude])
        row = cursor.fetchone()
    return _Link(*row) if row else None


def lock_assignment() -> None:
    """Serialize thread assignment across processes until the current transaction ends
    (PostgreSQL; the caller takes it first thing in a transaction of its own)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ASSIGN_LOCK])


def assign_thread(exchange, body: object) -> None:
    """Set thread, parent, retry_of, step and branch on `exchange` (saved by the caller),
    and adopt the exchanges written before it that resend its reply."""
    team_id = exchange.team_id
    hint = exchange.thread_hint
    hinted = None
    if hint:
        hinted = Thread.objects.filter(team_id=team_id, hint=hint).order_by("id").first()

    retry_of = parent = None
    if exchange.prefix_hash:
        retry_of = _first_with(team_id, "prefix_hash", exchange.prefix_hash, exchange.pk, newest=False)
    # The longest resent history wins; among exchanges with that reply, the newest. The
    # first candidate usually matches (an agent's next turn).
    for digest in getattr(exchange, "_parent_candidates", []) if retry_of is None else ():
        parent = _first_with(team_id, "reply_hash", digest, exchange.pk, newest=True)
        if parent is not None:
            break

    early = _early_children(exchange)
    thread_id = None
    if retry_of is not None:
        exchange.retry_of_id = retry_of.id
        exchange.parent_id = retry_of.parent_id
        exchange.step = retry_of.step
        exchange.branch = retry_of.branch
        thread_id = retry_of.thread_id
    elif parent is not None:
        exchange.parent_id = parent.id
        exchange.step = (parent.step or 0) + 1
        exchange.branch = _next_branch(parent.id, [child.id for child in early])
        thread_id = parent.thread_id
    else:
        exchange.step = 0
        exchange.branch = 0

    if hinted is not None:
        thread_id = hinted.pk
    if thread_id is None:
        thread_id = Thread.objects.create(
            team_id=team_id,
            hint=hint,
            title=title_for(body) or hint,
            started_at=exchange.started_at,
            last_at=exchange.started_at,
        ).pk
    exchange.thread_id = thread_id
    Thread.objects.filter(pk=thread_id).update(
        exchange_count=F("exchange_count") + 1,
        last_at=Greatest("last_at", Value(exchange.started_at)),
    )
    for branch, child in enumerate(early):
        _adopt(exchange, child, branch)


def _next_branch(parent_id: int, skip: list[int]) -> int:
    """The branch number after the parent's other continuations (not retries, not `skip`)."""
    sql = _LAST_BRANCH.format(skip=f" AND id NOT IN ({', '.join(['%s'] * len(skip))})" if skip else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [parent_id, *skip])
        (last,) = cursor.fetchone()
    return 0 if last is None else last + 1


def _early_children(exchange) -> list[_Link]:
    """Exchanges of the team that resend `exchange`'s reply but were threaded before it was
    written (no parent, or an older turn), oldest first; retries follow their original.
    Only turns that started after it are candidates: a turn resends a reply that existed
    when it was sent (the servers of one database share a clock to well within a reply)."""
    if not exchange.reply_hash:
        return []
    team, params = _team(exchange.team_id)
    started = connection.ops.adapt_datetimefield_value(exchange.started_at)
    with connection.cursor() as cursor:
        cursor.execute(
            _EARLY_CHILDREN.format(team=team),
            [*params, exchange.reply_hash, started, exchange.pk, exchange.reply_hash],
        )
        return [_Link(*row) for row in cursor.fetchall()]


def _adopt(parent, child, branch: int) -> None:
    """Make `child` (threaded before `parent` was written) a child of `parent`: it, its
    retries and everything after them move into `parent`'s thread, their steps shifted."""
    thread = parent.thread
    if child.thread_hint and child.thread_id != thread.pk:
        return  # a named thread keeps its exchanges
    rows = list(Exchange.objects.filter(thread_id=child.thread_id).values_list("id", "parent_id", "retry_of_id"))
    after: dict[int, list[int]] = {}
    for pk, parent_id, retry_of_id in rows:
        # Retries of an exchange move with it; so do the exchanges that continue it.
        for key in (parent_id, retry_of_id):
            if key is not None:
                after.setdefault(key, []).append(pk)
    moving, todo = set(), [child.id]
    while todo:
        pk = todo.pop()
        if pk not in moving:
            moving.add(pk)
            todo += after.get(pk, [])
    copies = [pk for pk, _parent_id, retry_of_id in rows if retry_of_id == child.id]
    Exchange.objects.filter(pk__in=[child.id, *copies]).update(parent=parent.pk, branch=branch)
    shift = (parent.step or 0) + 1 - (child.step or 0)
    Exchange.objects.filter(pk__in=moving).update(thread=thread.pk, step=F("step") + shift)
    if child.thread_id == thread.pk:
        return
    old = Thread.objects.get(pk=child.thread_id)
    Thread.objects.filter(pk=thread.pk).update(
        exchange_count=F("exchange_count") + len(moving),
        last_at=max(old.last_at, thread.last_at, parent.started_at),
    )
    if old.exchange_count <= len(moving):
        old.delete()
    else:
        Thread.objects.filter(pk=old.pk).update(exchange_count=F("exchange_count") - len(moving))
