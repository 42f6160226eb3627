"""Reading comments for the exchange and thread pages, and what the reader may do there.

A comment on a thread sits on a turn of the thread's conversation, so it also shows on
the page of every exchange of that thread whose conversation reaches that turn.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from playground.recording.models import Exchange, Thread
from playground.sharing.models import Comment
from playground.sharing.ops import EXPIRY_LABELS, can_delete_comment
from playground.teams.access import membership_for_request


def _turns_in(exchange: Exchange) -> int:
    """Turns of the exchange's conversation: its messages and the response."""
    body = exchange.request_body
    messages = body.get("messages") if isinstance(body, dict) else None
    return (len(messages) if isinstance(messages, list) else 0) + 1


def comments_by_link(comments, membership) -> dict[str, list[Comment]]:
    found: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        comment.deletable = can_delete_comment(comment, membership)
        found[comment.anchor].append(comment)
    return dict(found)


def page_context(request, *, exchange: Exchange | None = None, thread: Thread | None = None) -> dict:
    """What the exchange or thread page needs for comments, links and share controls. The
    caller has already read the exchange or thread through the reader's team."""
    membership = membership_for_request(request)
    team = membership.team if membership else None
    qs = Comment.objects.for_team(team).select_related("author").order_by("created", "id")
    if exchange is not None:
        where = Q(exchange=exchange)
        if exchange.thread_id is not None:
            where |= Q(thread_id=exchange.thread_id, turn__lt=_turns_in(exchange))
        qs = qs.filter(where)
    elif thread is not None:
        qs = qs.filter(thread=thread)
    else:
        qs = qs.none()
    return {
        "comments": comments_by_link(qs, membership),
        "can_write": bool(membership and membership.can_write),
        "expiry_choices": EXPIRY_LABELS,
        "comment_target": "exchange" if exchange is not None else "thread",
        "comment_target_id": (exchange or thread).public_id if (exchange or thread) else "",
    }
