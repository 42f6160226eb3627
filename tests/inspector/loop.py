"""A three-step tool loop recorded through the capture API (shared by thread tests)."""

from __future__ import annotations

from tests.inspector.recorded import record

TOOLS = [{"name": "get_weather", "description": "Weather for a city",
          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
SYSTEM = [{"type": "text", "text": "You are a weather bot. " * 200, "cache_control": {"type": "ephemeral"}}]
USER = {"role": "user", "content": "What's the weather in Paris and Atlantis?"}


def _reply(content, stop, usage):
    return {"id": "msg_x", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": content, "stop_reason": stop, "stop_sequence": None, "usage": usage}


def record_loop(user, *, change_system_at_last_step: bool = True):
    use_a = {"type": "tool_use", "id": "toolu_A", "name": "get_weather", "input": {"city": "Paris"}}
    use_b = {"type": "tool_use", "id": "toolu_B", "name": "get_weather", "input": {"city": "Atlantis"}}
    thinking = {"type": "thinking", "thinking": "I should call the weather tool.", "signature": "sig=="}
    base = {"model": "claude-haiku-4-5", "max_tokens": 500, "tools": TOOLS, "system": SYSTEM}

    step0_body = {**base, "messages": [USER]}
    step0_reply = _reply([thinking, use_a], "tool_use",
                         {"input_tokens": 20, "output_tokens": 30, "cache_creation_input_tokens": 1500,
                          "cache_read_input_tokens": 0})
    step0 = record(user, step0_body, response=step0_reply)

    result_a = {"type": "tool_result", "tool_use_id": "toolu_A", "content": "18°C and sunny"}
    step1_msgs = [USER, {"role": "assistant", "content": [thinking, use_a]}, {"role": "user", "content": [result_a]}]
    step1_reply = _reply([use_b], "tool_use", {"input_tokens": 40, "output_tokens": 25,
                                               "cache_creation_input_tokens": 0, "cache_read_input_tokens": 1500})
    step1 = record(user, {**base, "messages": step1_msgs}, response=step1_reply)

    result_b = {"type": "tool_result", "tool_use_id": "toolu_B", "content": "unknown city: Atlantis",
                "is_error": True}
    step2_msgs = [*step1_msgs, {"role": "assistant", "content": [use_b]}, {"role": "user", "content": [result_b]}]
    system2 = [{**SYSTEM[0], "text": "You are a weather bot, be brief. " * 200}] if change_system_at_last_step else SYSTEM
    step2_reply = _reply([{"type": "text", "text": "Paris: 18°C. Atlantis is not a real city."}], "end_turn",
                         {"input_tokens": 60, "output_tokens": 20, "cache_creation_input_tokens": 1600,
                          "cache_read_input_tokens": 0})
    step2 = record(user, {**base, "system": system2, "messages": step2_msgs}, response=step2_reply)
    return step0, step1, step2
