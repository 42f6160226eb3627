"""The simulator answers coding agents sensibly: injected context is not the question, server
tools and `pause_turn` on request, and the thinking shapes the current SDK knows."""

from __future__ import annotations

import anthropic
import pytest

from tests.simulator.conftest import create_and_stream

REMINDER = ("<system-reminder>\nAs you answer the user's questions, you can use the following "
            "context:\n# claudeMd\nNo special rules.\n</system-reminder>")


def test_it_answers_the_users_text_not_the_system_reminders_before_it(client):
    # Claude Code's first user turn: reminder blocks, then the prompt (and a system message)
    message = create_and_stream(client, model="sim-1", max_tokens=256, messages=[
        {"role": "user", "content": [{"type": "text", "text": REMINDER},
                                     {"type": "text", "text": f"{REMINDER}\nName three rivers."}]},
        {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
    ])
    text = "".join(b.text for b in message.content if b.type == "text")
    assert 'You said: "Name three rivers."' in text
    assert "system-reminder" not in text


def test_it_keeps_a_users_own_markup_as_the_question(client):
    message = client.messages.create(model="sim-1", max_tokens=256, messages=[
        {"role": "user", "content": "<b>bold</b> means what?"}])
    assert '"<b>bold</b> means what?"' in message.content[0].text


def test_it_searches_the_web_when_the_control_asks_even_without_the_tool(client):
    message = create_and_stream(client, model="sim-1", max_tokens=512,
                                messages=[{"role": "user", "content": "Tallest mountain?"}],
                                extra_headers={"x-sim-server-tool": "web_search"})
    kinds = [b.type for b in message.content]
    assert kinds[:3] == ["text", "server_tool_use", "web_search_tool_result"]
    assert message.stop_reason == "end_turn"
    assert message.usage.server_tool_use.web_search_requests == 1


def test_a_paused_turn_sent_back_is_continued(client):
    messages = [{"role": "user", "content": "Tallest mountain?"}]
    paused = create_and_stream(client, model="sim-1", max_tokens=512, messages=messages,
                               extra_headers={"x-sim-pause-turn": "true"})
    assert paused.stop_reason == "pause_turn"
    assert [b.type for b in paused.content] == ["text", "server_tool_use"]
    # the client resends the paused turn as the last message, as the API asks
    messages.append({"role": "assistant", "content": [b.model_dump(exclude_none=True)
                                                      for b in paused.content]})
    rest = create_and_stream(client, model="sim-1", max_tokens=512, messages=messages)
    assert rest.stop_reason == "end_turn"
    assert rest.content[0].type == "web_search_tool_result"
    assert rest.content[0].tool_use_id == paused.content[1].id
    assert any(b.type == "text" and b.citations for b in rest.content)


def test_it_refuses_a_bad_server_tool_control(client):
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="sim-1", max_tokens=64,
                               messages=[{"role": "user", "content": "hi"}],
                               extra_headers={"x-sim-server-tool": "time_travel"})
    assert "x-sim-server-tool" in caught.value.message


def test_between_tools_thinks_only_after_tool_results(client):
    tools = [{"name": "lookup", "description": "Look up", "input_schema": {"type": "object"}}]
    first = client.messages.create(model="sim-1", max_tokens=1024, tools=tools,
                                   thinking={"type": "between_tools"},
                                   messages=[{"role": "user", "content": "Use lookup please"}])
    assert [b.type for b in first.content] == ["text", "tool_use"]
    call = first.content[1]
    second = client.messages.create(model="sim-1", max_tokens=1024, tools=tools,
                                    thinking={"type": "between_tools"}, messages=[
        {"role": "user", "content": "Use lookup please"},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id,
                                      "content": "42"}]}])
    assert second.content[0].type == "thinking"


def test_it_accepts_the_agent_sdks_thinking_display_with_its_beta(client):
    message = client.beta.messages.create(
        model="sim-1", max_tokens=1024, betas=["thinking-display-updates-2026-08-18"],
        thinking={"type": "adaptive", "display": "updates"},
        messages=[{"role": "user", "content": "hi"}])
    assert message.content[0].type == "thinking"
