"""Reading comments for the exchange and thread pages, and what the reader may do there.

Comments sit in the conversation's coordinates (`turn-3-block-2`, `system-block-0`), which
every exchange of a thread shares with the thread page:

* The exchange page shows the exchange's own comments, the thread's comments on turns its
  conversation reaches (and on its system prompt), and the comments made on the pages of
  the exchanges it continues (its parent, their parent, ...), each marked with its step.
* The thread page shows the thread's comments and those made on any of its exchanges'
  pages. A comment sits beside its block when the thread page shows that block; the
  others (the first user message, the system prompt, turns of a retry) are listed under
  the steps, each linking to the block on its exchange's page.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F, Q

from playground.recording.models import Exchange, Thread
from playground.sharing.models import Comment
from playground.sharing.ops import EXPIRY_LABELS, can_delete_comment
from playground.teams.access import membership_for_request

MAX_ANCESTORS = 10_000


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


def _ancestors(team, exchange: Exchange) -> list[int]:
    """Ids of the exchanges this one continues: its parent, the parent's parent, ..."""
    if exchange.thread_id is None or exchange.parent_id is None:
        return []
    parents = dict(
        Exchange.objects.for_team(team).filter(thread_id=exchange.thread_id).values_list("id", "parent_id")
    )
    found: list[int] = []
    current = exchange.parent_id
    while current is not None and current not in found and len(found) < MAX_ANCESTORS:
        found.append(current)
        current = parents.get(current)
    return found


def _where(comment: Comment) -> str:
    if comment.on_system:
        return f"system prompt, block {comment.block}"
    return f"turn {comment.turn}, block {comment.block}"


def _thread_links(view) -> set[str]:
    """The block links the thread page shows (see inspector.thread_steps)."""
    links: set[str] = set()
    for step in view.steps:
        links.update(link for link, _ in step.thinking + step.texts if link)
        links.update(link for pair in step.pairs for link in (pair.link, pair.result_link) if link)
    return links


def _unplaced(comments: list[Comment], view) -> list[Comment]:
    """Comments on blocks the thread page does not show, each with the exchange page
    (and anchor) that shows its block."""
    shown = _thread_links(view)
    steps = [(step.exchange, _turns_in(step.exchange)) for step in view.steps]
    others = []
    for comment in comments:
        if comment.anchor in shown:
            continue
        public_id = comment.exchange_public_id
        if public_id is None:
            reaching = [e for e, turns in steps if comment.on_system or comment.turn < turns]
            public_id = reaching[0].public_id if reaching else None
        comment.page_link = f"/exchanges/{public_id}/#{comment.anchor}" if public_id else ""
        comment.where = _where(comment)
        others.append(comment)
    return others


def page_context(request, *, exchange: Exchange | None = None, thread: Thread | None = None, view=None) -> dict:
    """What the exchange or thread page needs for comments, links and share controls. The
    caller has already read the exchange or thread through the reader's team; the thread
    page passes its ThreadView, so comments on blocks it does not show are listed apart."""
    membership = membership_for_request(request)
    team = membership.team if membership else None
    qs = (
        Comment.objects.for_team(team).select_related("author")
        .annotate(exchange_public_id=F("exchange__public_id"), exchange_step=F("exchange__step"))
        .order_by("created", "id")
    )
    if exchange is not None:
        where = Q(exchange=exchange)
        if exchange.thread_id is not None:
            where |= Q(thread_id=exchange.thread_id, on_system=False, turn__lt=_turns_in(exchange))
            where |= Q(thread_id=exchange.thread_id, on_system=True)
            where |= Q(exchange_id__in=_ancestors(team, exchange), on_system=False)
        qs = qs.filter(where)
    elif thread is not None:
        qs = qs.filter(Q(thread=thread) | Q(exchange__thread=thread))
    else:
        qs = qs.none()
    comments = list(qs)
    return {
        "comments": comments_by_link(comments, membership),
        "other_comments": _unplaced(comments, view) if thread is not None and view is not None else [],
        "can_write": bool(membership and membership.can_write),
        "expiry_choices": EXPIRY_LABELS,
        "comment_target": "exchange" if exchange is not None else "thread",
        "comment_target_id": (exchange or thread).public_id if (exchange or thread) else "",
        "comment_exchange_id": exchange.pk if exchange is not None else None,
    }
