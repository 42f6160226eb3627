"""Team links to a turn or block, and comments on them: team only, writers add, authors or
owners delete, viewers read; every body stored exactly and rendered inert."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from playground.recording.models import Exchange
from playground.sharing.models import Comment
from tests.inspector.loop import record_loop
from tests.sharing.support import record_simple, share_link

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _comment(user, exchange, slot: str, body: str, kind: str = "exchange", target: str | None = None):
    return _client(user).post("/comments/new", {
        "kind": kind, "target": target or exchange.public_id, "slot": slot, "body": body})


def test_every_block_has_a_stable_anchor_and_a_copy_link(alice):
    exchange = record_simple(alice)
    html = _client(alice).get(exchange.get_absolute_url()).content.decode()
    # messages[0].content[0] and the response (turn 1), each with a copyable team link.
    assert 'id="turn-0"' in html and 'id="turn-1"' in html
    for link in ("turn-0-block-0", "turn-1-block-0"):
        assert f'id="{link}"' in html
        assert f'href="#{link}" data-copy-link="{link}"' in html


def test_the_thread_page_anchors_calls_and_results_in_conversation_turns(alice):
    step0, step1, step2 = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    html = _client(alice).get(f"/exchanges/threads/{thread.public_id}/").content.decode()
    # step 0's response is turn 1: [thinking, tool_use A]; A's result is turn 2 block 0;
    # step 1's response is turn 3: [tool_use B]; B's result is turn 4; the answer is turn 5.
    assert re.search(r'<div class="block block-thinking" id="turn-1-block-0">', html)
    assert re.search(r'<div class="block block-tool_use" id="turn-1-block-1">.*?toolu_A', html, re.S)
    assert re.search(r'id="turn-2-block-0">.*?18°C and sunny', html, re.S)
    assert re.search(r'<div class="block block-tool_use" id="turn-3-block-0">.*?toolu_B', html, re.S)
    assert re.search(r'id="turn-4-block-0">.*?unknown city: Atlantis', html, re.S)
    assert re.search(r'<div class="block block-text" id="turn-5-block-0">', html)
    # The same coordinates on the last exchange's own page.
    page = _client(alice).get(step2.get_absolute_url()).content.decode()
    for link in ("turn-1-block-1", "turn-2-block-0", "turn-4-block-0", "turn-5-block-0"):
        assert f'id="{link}"' in page


def test_a_writer_comments_on_a_block_and_the_team_sees_it(alice, dave, carol):
    exchange = record_simple(alice)
    response = _comment(dave, exchange, "turn-1-block-0", "Look at this answer")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{exchange.get_absolute_url()}#turn-1-block-0"
    comment = Comment.objects.get()
    assert (comment.turn, comment.block, comment.author, comment.exchange) == (1, 0, dave, exchange)
    for reader in (alice, carol, dave):
        html = reader and _client(reader).get(exchange.get_absolute_url()).content.decode()
        block = html.split('id="turn-1-block-0"', 1)[1].split('id="turn-', 1)[0]
        assert "Look at this answer" in block and "dave" in block
        assert f'datetime="{comment.created.isoformat()}"'[:30] in block


def test_viewers_read_only(alice, carol):
    exchange = record_simple(alice)
    _comment(alice, exchange, "turn-0-block-0", "first")
    assert _comment(carol, exchange, "turn-0-block-0", "mine").status_code == 403
    comment = Comment.objects.get()
    assert _client(carol).post(f"/comments/{comment.public_id}/delete").status_code == 403
    html = _client(carol).get(exchange.get_absolute_url()).content.decode()
    assert "first" in html and "Add comment" not in html and 'data-testid="comment-delete"' not in html
    assert Comment.objects.count() == 1


def test_authors_and_owners_delete_other_members_do_not(alice, dave):
    exchange = record_simple(alice)
    _comment(alice, exchange, "turn-0-block-0", "by alice")
    _comment(dave, exchange, "turn-0-block-0", "by dave")
    by_alice, by_dave = Comment.objects.order_by("id")
    assert _client(dave).post(f"/comments/{by_alice.public_id}/delete").status_code == 403
    assert _client(dave).post(f"/comments/{by_dave.public_id}/delete").status_code == 302
    _comment(dave, exchange, "turn-0-block-0", "by dave again")
    again = Comment.objects.get(body="by dave again")
    assert _client(alice).post(f"/comments/{again.public_id}/delete").status_code == 302  # alice owns acme
    assert list(Comment.objects.values_list("body", flat=True)) == ["by alice"]


def test_comments_stay_in_their_team(alice, bob):
    exchange = record_simple(alice)
    _comment(alice, exchange, "turn-0-block-0", "acme only")
    comment = Comment.objects.get()
    assert _comment(bob, exchange, "turn-0-block-0", "from globex").status_code == 404
    assert _client(bob).post(f"/comments/{comment.public_id}/delete").status_code == 404
    # bob's own exchange shows nothing of acme's comments.
    own = record_simple(bob)
    assert "acme only" not in _client(bob).get(own.get_absolute_url()).content.decode()
    # nor does the public share of the commented exchange
    path = share_link(alice, "exchange", exchange.public_id)
    assert "acme only" not in Client().get(path).content.decode()
    assert Comment.objects.count() == 1


HOSTILE = ("<script>alert('x')</script><img src=x onerror=alert(1)>\x01\x07\x1b[31m\u202e\u200b"
           "\"'&amp;</textarea>{{ 7|add:7 }}" + "A" * 60_000)


def test_a_hostile_comment_is_stored_exactly_and_rendered_inert(alice):
    exchange = record_simple(alice)
    assert _comment(alice, exchange, "turn-1-block-0", HOSTILE).status_code == 302
    assert Comment.objects.get().body == HOSTILE
    html = _client(alice).get(exchange.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "</textarea>{{" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7|add:7 }}" in html and "14" not in html.split("comment-body", 1)[1][:200]
    assert "A" * 60_000 in html


@pytest.mark.parametrize("slot, body, message", [
    ("turn-0-block-0", "", "needs some text"),
    ("turn-0-block-0", "   \n ", "needs some text"),
    ("turn-0-block-0", "nul \x00 inside", "NUL"),
    ("turn-0-block-0", "x" * 100_001, "at most 100,000 characters"),
    ("turn-9-block-0", "ok", "not in this conversation"),
    ("turn-0-block-7", "ok", "not in this conversation"),
    ("turn-0-block-", "ok", "not in this conversation"),
    ("turn--1-block-0", "ok", "not in this conversation"),
    ("turn-99999999999999-block-0", "ok", "not in this conversation"),
    ("", "ok", "not in this conversation"),
])
def test_bad_comments_are_a_clear_error_and_write_nothing(alice, slot, body, message):
    exchange = record_simple(alice)
    response = _comment(alice, exchange, slot, body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_thread_comment_shows_on_the_thread_and_on_its_exchanges(alice):
    step0, step1, step2 = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    response = _comment(alice, None, "turn-2-block-0", "this tool_result is wrong", kind="thread",
                        target=thread.public_id)
    assert response.headers["Location"] == f"/exchanges/threads/{thread.public_id}/#turn-2-block-0"
    html = _client(alice).get(f"/exchanges/threads/{thread.public_id}/").content.decode()
    assert "this tool_result is wrong" in html.split('id="turn-2-block-0"', 1)[1].split('id="turn-3', 1)[0]
    # step 2's request holds turn 2 (the first result), step 0's conversation does not reach it.
    assert "this tool_result is wrong" in _client(alice).get(step2.get_absolute_url()).content.decode()
    assert "this tool_result is wrong" not in _client(alice).get(step0.get_absolute_url()).content.decode()


def _block_html(html: str, link: str) -> str:
    """The HTML of one block, from its anchor to the next block's."""
    return re.split(r'id="(?:turn|system)-', html.split(f'id="{link}"', 1)[1], maxsplit=1)[0]


def test_exchange_comments_show_on_the_thread_page_with_author_time_and_step(alice, dave):
    step0, step1, step2 = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    # On step 1's page, its response's tool_use B (turn 3), and the first user message on
    # step 0's page (turn 0, which the thread page does not show).
    assert _comment(dave, step1, "turn-3-block-0", "B is the wrong tool").status_code == 302
    assert _comment(alice, step0, "turn-0-block-0", "the question is vague").status_code == 302
    html = _client(alice).get(f"/exchanges/threads/{thread.public_id}/").content.decode()
    block = _block_html(html, "turn-3-block-0")
    on_b = Comment.objects.get(body="B is the wrong tool")
    assert "B is the wrong tool" in block and "dave" in block
    assert f'datetime="{on_b.created.isoformat()}"'[:30] in block
    assert f'href="/exchanges/{step1.public_id}/#turn-3-block-0">step {step1.step}<' in block
    others = html.split('data-testid="other-comments"', 1)[1]
    assert "the question is vague" in others and "alice" in others
    assert f'href="/exchanges/{step0.public_id}/#turn-0-block-0"' in others
    assert "the question is vague" not in html.split('data-testid="other-comments"', 1)[0]


def test_an_exchange_page_shows_comments_made_on_the_exchanges_it_continues(alice):
    step0, step1, step2 = record_loop(alice)
    _comment(alice, step0, "turn-1-block-1", "call A looks right")
    later = _client(alice).get(step2.get_absolute_url()).content.decode()
    block = _block_html(later, "turn-1-block-1")
    assert "call A looks right" in block and f'href="/exchanges/{step0.public_id}/#turn-1-block-1"' in block
    # its own page shows it without a step mark
    own = _block_html(_client(alice).get(step0.get_absolute_url()).content.decode(), "turn-1-block-1")
    assert "call A looks right" in own and "/exchanges/" not in own.split("call A looks right")[0].split("comment-author")[-1]


def test_a_comment_on_the_system_prompt_sits_on_its_block(alice, dave, carol):
    step0, step1, step2 = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    response = _comment(dave, step0, "system-block-0", "the system prompt is too long")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{step0.get_absolute_url()}#system-block-0"
    comment = Comment.objects.get()
    assert (comment.on_system, comment.block, comment.anchor) == (True, 0, "system-block-0")
    html = _client(carol).get(step0.get_absolute_url()).content.decode()
    block = _block_html(html, "system-block-0")
    assert "the system prompt is too long" in block and "dave" in block and "<time datetime=" in block
    assert "turn-0-block-0" not in block  # the system prompt's block, not the first message's
    thread_html = _client(carol).get(f"/exchanges/threads/{thread.public_id}/").content.decode()
    others = thread_html.split('data-testid="other-comments"', 1)[1]
    assert "the system prompt is too long" in others and "system prompt, block 0" in others
    # a thread comment on the system prompt shows on every step's page
    assert _comment(alice, None, "system-block-0", "for the whole thread", kind="thread",
                    target=thread.public_id).status_code == 302
    for step in (step0, step2):
        assert "for the whole thread" in _block_html(
            _client(alice).get(step.get_absolute_url()).content.decode(), "system-block-0")


@pytest.mark.parametrize("slot", ["system-block-1", "system-block-", "system-0-block-0", "systems-block-0"])
def test_a_system_comment_needs_a_system_block(alice, slot):
    step0, _, _ = record_loop(alice)
    assert _comment(alice, step0, slot, "x").status_code == 400
    assert _comment(alice, record_simple(alice), "system-block-0", "no system prompt here").status_code == 400
    assert Comment.objects.count() == 0
