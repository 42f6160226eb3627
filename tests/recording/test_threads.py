"""Requests that resend the history group into threads, with no extra header."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from playground import recording
from playground.recording import threads
from playground.recording.models import Exchange, Thread
from playground.recording.threads import canonical_message
from tests.conftest import load_capture
from tests.recording.helpers import record, record_capture, team_of

MODEL = "claude-haiku-4-5"


def _reply(*blocks) -> dict:
    return {"type": "message", "role": "assistant", "model": MODEL, "content": list(blocks),
            "stop_reason": "end_turn", "usage": {"input_tokens": 5, "output_tokens": 5}}


def _text(text: str) -> dict:
    return {"type": "text", "text": text}


def _ask(team, messages, reply, **kwargs) -> Exchange:
    rec = record({"model": MODEL, "max_tokens": 64, "messages": messages}, response=reply,
                 team=team, **kwargs)
    return Exchange.objects.get(public_id=rec.public_id)


def test_it_chains_a_conversation_and_ignores_cosmetic_differences(alice):
    team = team_of(alice)
    one = _ask(team, [{"role": "user", "content": "What is 2+2?"}], _reply(_text("4")))
    # The client resends the history with block-form content and a cache marker.
    two = _ask(team, [
        {"role": "user", "content": [{"type": "text", "text": "What is 2+2?",
                                       "cache_control": {"type": "ephemeral"}}]},
        {"role": "assistant", "content": "4"},
        {"role": "user", "content": "And 3+3?"},
    ], _reply(_text("6")))
    three = _ask(team, [
        {"role": "user", "content": "What is 2+2?"},
        {"role": "assistant", "content": [_text("4")]},
        {"role": "user", "content": "And 3+3?"},
        {"role": "assistant", "content": [{"type": "text", "text": "6", "citations": None}]},
        {"role": "user", "content": "Thanks"},
    ], _reply(_text("You're welcome")))
    assert one.thread_id == two.thread_id == three.thread_id
    assert (one.step, two.step, three.step) == (0, 1, 2)
    assert two.parent == one and three.parent == two
    thread = Thread.objects.get(pk=one.thread_id)
    assert thread.exchange_count == 3
    assert thread.title == "What is 2+2?"


def test_it_treats_a_resent_request_as_a_retry(alice):
    team = team_of(alice)
    messages = [{"role": "user", "content": "Tell me a joke"}]
    first = _ask(team, messages, _reply(_text("A joke.")))
    again = _ask(team, messages, _reply(_text("Another joke.")))
    assert again.retry_of == first
    assert again.thread_id == first.thread_id and again.step == first.step == 0


def test_it_numbers_branches_of_one_turn(alice):
    team = team_of(alice)
    root = _ask(team, [{"role": "user", "content": "Pick a colour"}], _reply(_text("Blue")))
    history = [{"role": "user", "content": "Pick a colour"}, {"role": "assistant", "content": "Blue"}]
    left = _ask(team, [*history, {"role": "user", "content": "Why?"}], _reply(_text("Calm")))
    right = _ask(team, [*history, {"role": "user", "content": "Another?"}], _reply(_text("Red")))
    assert left.parent == root and right.parent == root
    assert (left.branch, right.branch) == (0, 1)
    assert left.thread_id == right.thread_id == root.thread_id
    assert left.step == right.step == 1


def test_it_continues_after_parallel_tool_calls(alice):
    team = team_of(alice)
    name = "08_stream_tool_result_followup_parallel.json"
    messages = load_capture(name)["request"]["messages"]
    # The turn that asked for both tools at once, as the API answered it (with `caller`,
    # which clients drop when they resend the turn).
    called = [
        {**block, "caller": {"type": "direct"}} if block["type"] == "tool_use" else block
        for block in messages[1]["content"]
    ]
    tools_turn = _ask(team, messages[:1], {**_reply(*called), "stop_reason": "tool_use"})
    follow = Exchange.objects.get(public_id=record_capture(name, team=team).public_id)
    assert follow.parent == tools_turn
    assert follow.thread_id == tools_turn.thread_id
    assert follow.step == 1
    assert follow.tool_names == " pelican_name_generator "


def test_it_keeps_teams_apart(alice, bob):
    messages = [{"role": "user", "content": "Same question"}]
    mine = _ask(team_of(alice), messages, _reply(_text("Same answer")))
    theirs = _ask(team_of(bob), messages, _reply(_text("Same answer")))
    assert mine.thread_id != theirs.thread_id
    assert theirs.retry_of is None


def test_it_follows_the_thread_header(alice):
    team = team_of(alice)
    a = _ask(team, [{"role": "user", "content": "first topic"}], _reply(_text("ok")),
             headers={"x-playground-thread": "research-42"})
    b = _ask(team, [{"role": "user", "content": "unrelated topic"}], _reply(_text("ok")),
             headers={"x-playground-thread": "research-42"})
    assert a.thread_id == b.thread_id
    assert Thread.objects.get(pk=a.thread_id).hint == "research-42"


def test_it_matches_string_and_block_content():
    assert canonical_message({"role": "user", "content": "abc"}) == canonical_message(
        {"role": "user", "content": [{"type": "text", "text": "abc",
                                      "cache_control": {"type": "ephemeral", "ttl": "1h"}}]}
    )
    assert canonical_message({"role": "user", "content": "abc"}) != canonical_message(
        {"role": "user", "content": "abd"}
    )


def test_it_follows_a_prefilled_turn(alice):
    team = team_of(alice)
    first = _ask(team, [{"role": "user", "content": "List three fruits"},
                        {"role": "assistant", "content": "1."}], _reply(_text(" Apple 2. Pear 3. Fig")))
    # The client keeps the prefill and the reply as one assistant turn.
    follow = _ask(team, [{"role": "user", "content": "List three fruits"},
                         {"role": "assistant", "content": "1. Apple 2. Pear 3. Fig"},
                         {"role": "user", "content": "And vegetables?"}], _reply(_text("Leek")))
    assert follow.parent == first and follow.thread_id == first.thread_id


def test_it_does_not_continue_from_a_failed_exchange(alice):
    team = team_of(alice)
    failed = _ask(team, [{"role": "user", "content": "Hi"}],
                  {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
                  status=529)
    assert failed.outcome == "upstream_error" and failed.reply_hash == ""
    ok = _ask(team, [{"role": "user", "content": "Hi"}], _reply(_text("Hello")))
    assert ok.retry_of == failed and ok.thread_id == failed.thread_id


# Written out of order: with several server processes, a turn sent to one process can be
# written before the turn it continues, still queued in another. Turns are sent in
# conversation order (a turn resends a reply that exists); only their writing is reordered.
CONVERSATION = [{"role": "user", "content": "Plan a trip"}, {"role": "assistant", "content": "Where to?"},
                {"role": "user", "content": "Lisbon"}, {"role": "assistant", "content": "When?"},
                {"role": "user", "content": "May"}]
REPLIES = ["Where to?", "When?", "Booked."]


def _send(team, n: int, **headers):
    """Turn `n` sent: its exchange is created, its answer not written yet."""
    body = {"model": MODEL, "max_tokens": 64, "messages": CONVERSATION[: 2 * n + 1]}
    rec = recording.start_exchange(
        source="proxy", request_body=json.dumps(body).encode(), team_id=team.id,
        request_headers={"content-type": "application/json", **headers},
    )
    rec.response_started(200, {"request-id": "req_test"})
    return rec, n


def _written(sent) -> Exchange:
    rec, n = sent
    rec.body(json.dumps(_reply(_text(REPLIES[n]))).encode())
    rec.finish()
    return Exchange.objects.get(public_id=rec.public_id)


def _turn(team, n: int) -> Exchange:
    return _written(_send(team, n))


def _fresh(*exchanges) -> list[Exchange]:
    return [Exchange.objects.get(pk=e.pk) for e in exchanges]


def test_a_turn_written_before_its_parent_is_adopted_into_the_parents_thread(alice):
    team = team_of(alice)
    sent_first, sent_second = _send(team, 0), _send(team, 1)
    second = _written(sent_second)  # its parent not written yet: a thread of its own for now
    assert second.parent is None and second.step == 0
    early_thread = second.thread_id
    first = _written(sent_first)
    first, second = _fresh(first, second)
    assert second.parent == first and second.thread_id == first.thread_id
    assert (first.step, second.step, second.branch) == (0, 1, 0)
    assert not Thread.objects.filter(pk=early_thread).exists()
    assert Thread.objects.get(pk=first.thread_id).exchange_count == 2


def test_a_whole_conversation_written_backwards_ends_in_one_thread(alice):
    team = team_of(alice)
    sent = [_send(team, 0), _send(team, 1), _send(team, 2), _send(team, 2)]  # the client retried the last turn
    third, retry, second, first = (_written(sent[i]) for i in (2, 3, 1, 0))
    first, second, third, retry = _fresh(first, second, third, retry)
    assert len({first.thread_id, second.thread_id, third.thread_id, retry.thread_id}) == 1
    assert (first.step, second.step, third.step, retry.step) == (0, 1, 2, 2)
    assert second.parent == first and third.parent == second and retry.parent == second
    assert retry.retry_of == third
    assert Thread.objects.filter(team=team).count() == 1
    assert Thread.objects.get(pk=first.thread_id).exchange_count == 4


def test_a_turn_that_settled_for_an_older_parent_moves_under_the_late_one(alice):
    team = team_of(alice)
    first = _turn(team, 0)
    sent_second, sent_third = _send(team, 1), _send(team, 2)
    third = _written(sent_third)  # the second turn is not written: it continues the first for now
    assert third.parent == first and third.step == 1
    second = _written(sent_second)
    first, second, third = _fresh(first, second, third)
    assert second.parent == first and third.parent == second
    assert (second.step, third.step) == (1, 2)
    assert (second.branch, third.branch) == (0, 0)
    assert Thread.objects.get(pk=first.thread_id).exchange_count == 3


def test_a_named_thread_keeps_an_early_turn(alice):
    team = team_of(alice)
    sent_first = _send(team, 0)
    second = _written(_send(team, 1, **{"x-playground-thread": "trip"}))
    first = _written(sent_first)
    first, second = _fresh(first, second)
    assert second.thread_id != first.thread_id
    assert Thread.objects.get(pk=second.thread_id).hint == "trip"


def test_a_turn_of_an_earlier_run_is_not_adopted_by_a_later_copy_of_its_parent(alice):
    # An agent's test suite against the simulator resends the same conversation, and gets
    # the same replies, on every run: each run's second turn stays under its own first turn.
    team = team_of(alice)
    first_run = [_turn(team, 0), _turn(team, 1)]
    second_run = [_turn(team, 0), _turn(team, 1)]
    first_run, second_run = _fresh(*first_run), _fresh(*second_run)
    assert first_run[1].parent == first_run[0]
    assert second_run[0].retry_of == first_run[0]
    assert second_run[1].retry_of == first_run[1]
    assert Thread.objects.filter(team=team).count() == 1


@pytest.mark.parametrize("team_id", [None, 7])
def test_each_assignment_lookup_seeks_its_index(db, team_id):
    # A lookup that scans the team's exchanges makes the recorder slower with every exchange
    # recorded (an agent's test suite resends one request thousands of times). SQLite only
    # takes a partial index when the query states its condition in the index's own words.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's planner picks by table statistics; the SQL is the same")
    team, params = threads._team(team_id)
    lookups = {
        "exch_team_prefix_time ": (threads._FIRST_WITH.format(team=team, column="prefix_hash", order="ASC"),
                                  [*params, "h", 1]),
        "exch_team_reply_time ": (threads._FIRST_WITH.format(team=team, column="reply_hash", order="DESC"),
                                 [*params, "h", 1]),
        # Bounded by the time too: earlier runs' turns under the same reply are not read.
        "exch_team_parent_time (team_id=? AND parent_hash=? AND started_at>?)": (
            threads._EARLY_CHILDREN.format(team=team), [*params, "h", "2026-01-01", 1, "h"]),
    }
    for index, (sql, args) in lookups.items():
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, args)
            plan = [row[-1] for row in cursor.fetchall()]
        assert any(f"SEARCH e USING INDEX {index}" in step for step in plan), (index, plan)
