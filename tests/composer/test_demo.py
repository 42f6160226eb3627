"""load_demo: the first page is not empty, a real finished tool loop is recorded and drafted."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def demo_state():
    from django.contrib.auth import get_user_model

    from playground.composer.workcopies import copies_for
    from playground.recording.models import Exchange
    from playground.teams.ops import current_team

    user = get_user_model().objects.get(username="demo")
    team = current_team(user)
    exchanges = list(Exchange.objects.for_team(team).order_by("started_at", "id"))
    copy = copies_for(user, team).last()
    return user, team, exchanges, copy.state if copy else None


def test_it_records_a_finished_two_step_tool_loop_and_drafts_it_once():
    out = io.StringIO()
    call_command("load_demo", "--url", "http://127.0.0.1:8123", stdout=out)
    user, team, exchanges, draft = demo_state()
    # It prints the pages to open, as links.
    thread = exchanges[0].thread.public_id
    assert "  The playground: http://127.0.0.1:8123/\n" in out.getvalue()
    assert f"  The recorded tool loop: http://127.0.0.1:8123/exchanges/threads/{thread}/\n" in out.getvalue()

    assert len(exchanges) >= 3
    assert all(e.outcome == "completed" and e.user_id == user.pk for e in exchanges)
    assert [e.stop_reason for e in exchanges] == ["tool_use"] * (len(exchanges) - 1) + ["end_turn"]
    assert len({e.thread_id for e in exchanges}) == 1 and exchanges[0].thread_id is not None
    tools_called = [
        b["name"] for e in exchanges for b in e.message["content"] if b["type"] == "tool_use"
    ]
    assert tools_called == ["get_weather", "find_restaurants"]

    messages = draft["request"]["messages"]
    # The whole conversation: the last request's messages, the final answer, and an empty
    # user turn: ready for the next question, not ending in an assistant turn (a prefill).
    assert messages[:-2] == exchanges[-1].request_body["messages"]
    assert messages[-2] == {"role": "assistant", "content": exchanges[-1].message["content"]}
    assert messages[-1] == {"role": "user", "content": [{"type": "text", "text": ""}]}
    results = [b for m in messages if m["role"] == "user" and isinstance(m["content"], list)
               for b in m["content"] if b["type"] == "tool_result"]
    assert len(results) == 2
    assert '"temp_c": 19' in results[0]["content"]
    assert set(draft["mocks"]) == {"get_weather", "find_restaurants"}
    assert "stream" not in draft["request"]

    # The draft is a valid request to continue from.
    from playground.contract.validate import validate_request

    follow_up = {**draft["request"]}
    follow_up["messages"] = [*messages[:-1], {"role": "user", "content": "And tomorrow?"}]
    assert [f for f in validate_request(follow_up) if f.severity == "error"] == []

    # Idempotent: a second load changes nothing.
    call_command("load_demo", stdout=io.StringIO())
    _, _, again, draft_again = demo_state()
    assert [e.pk for e in again] == [e.pk for e in exchanges]
    assert draft_again == draft

    # A cleared draft comes back from the recorded loop, without running it again.
    from playground.composer.workcopies import close, copies_for

    for copy in copies_for(user, team):
        close(copy)
    call_command("load_demo", stdout=io.StringIO())
    _, _, after, restored = demo_state()
    assert [e.pk for e in after] == [e.pk for e in exchanges]
    assert restored == draft
