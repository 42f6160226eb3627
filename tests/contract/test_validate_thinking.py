"""Thinking: budget rules, incompatible parameters, per-model modes and effort, and
thinking blocks passed back in history."""

from __future__ import annotations

from playground.contract.validate import api_error, validate_request

SIG = "EuYDCmMIDBgCKkC05Zda4P+Cdk/LQKE+Aol4ZY3EY4wLDrf8XcApz2PiqrxiRjS7uY1kGtZ63vVlaVmtuIpdsHbk"
ENABLED = {"type": "enabled", "budget_tokens": 2048}


def request(**fields) -> dict:
    body = {"model": "claude-haiku-4-5", "max_tokens": 4096, "thinking": ENABLED,
            "tools": [{"name": "version", "input_schema": {"type": "object"}}],
            "messages": [{"role": "user", "content": "Think about it"}]}
    body.update(fields)
    return body


def errors(findings) -> list:
    return [f for f in findings if f.severity == "error"]


def tool_loop(assistant_content: list) -> list:
    return [
        {"role": "user", "content": "What version?"},
        {"role": "assistant", "content": assistant_content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": "0.32"}]},
    ]


TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "version", "input": {}}
THINKING = {"type": "thinking", "thinking": "Let me call the tool.", "signature": SIG}


def test_it_accepts_a_valid_thinking_request():
    assert validate_request(request()) == []


def test_it_rejects_a_budget_below_1024():
    [finding] = errors(validate_request(request(thinking={"type": "enabled", "budget_tokens": 512})))
    assert finding.api_message() == ("thinking.enabled.budget_tokens: Input should be greater "
                                     "than or equal to 1024")


def test_it_rejects_a_budget_not_below_max_tokens():
    [finding] = errors(validate_request(request(max_tokens=2048)))
    assert finding.api_message() == "`max_tokens` must be greater than `thinking.budget_tokens`."
    assert finding.path == "thinking.budget_tokens"


def test_it_only_warns_about_the_budget_with_interleaved_thinking():
    findings = validate_request(request(max_tokens=2048),
                                betas=["interleaved-thinking-2025-05-14"])
    assert [f.severity for f in findings] == ["warning"]


def test_it_requires_a_budget_and_knows_the_modes():
    [finding] = errors(validate_request(request(thinking={"type": "enabled"})))
    assert finding.api_message() == "thinking.enabled.budget_tokens: Field required"
    [finding] = errors(validate_request(request(thinking={"type": "deep"})))
    assert finding.message.startswith("Input tag 'deep' found using 'type'")
    [finding] = errors(validate_request(request(thinking={"type": "adaptive", "budget_tokens": 2048},
                                                model="claude-opus-4-6")))
    assert finding.api_message() == "thinking.adaptive.budget_tokens: Extra inputs are not permitted"


def test_it_rejects_enabled_thinking_on_models_that_only_think_adaptively():
    [finding] = errors(validate_request(request(model="claude-opus-4-7")))
    assert finding.message.startswith("`thinking.type.enabled` is not supported for this model.")
    assert validate_request(request(model="claude-opus-4-7", thinking={"type": "adaptive"})) == []


def test_it_rejects_temperature_other_than_1_with_thinking():
    [finding] = errors(validate_request(request(temperature=0.7)))
    assert finding.api_message() == ("`temperature` may only be set to 1 when thinking is "
                                     "enabled or in adaptive mode.")
    assert validate_request(request(temperature=1.0)) == []


def test_it_rejects_top_k_with_thinking():
    [finding] = errors(validate_request(request(top_k=5)))
    assert finding.path == "top_k"


def test_it_rejects_forced_tool_use_with_thinking():
    tools = [{"name": "version", "input_schema": {"type": "object"}}]
    body = request(tools=tools, tool_choice={"type": "any"})
    [finding] = errors(validate_request(body))
    assert finding.api_message() == "Thinking may not be enabled when tool_choice forces tool use."
    assert validate_request(request(tools=tools, tool_choice={"type": "auto"})) == []


def test_it_checks_effort_levels_per_model():
    body = request(model="claude-opus-4-6", thinking={"type": "adaptive"},
                   output_config={"effort": "xhigh"})
    status, error = api_error(validate_request(body), None)
    assert status == 400
    assert error["error"]["message"] == ("This model does not support effort level 'xhigh'. "
                                         "Supported levels: high, low, max, medium.")
    body["output_config"] = {"effort": "max"}
    assert validate_request(body) == []
    body["output_config"] = {"effort": "extreme"}
    [finding] = errors(validate_request(body))
    assert finding.path == "output_config.effort"


def test_it_requires_the_last_assistant_turn_of_a_tool_loop_to_start_with_thinking():
    [finding] = errors(validate_request(request(messages=tool_loop([TOOL_USE]))))
    assert finding.api_message().startswith(
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
        "`tool_use`. When `thinking` is enabled, a final `assistant` message must start with a "
        "thinking block")
    assert validate_request(request(messages=tool_loop([THINKING, TOOL_USE]))) == []
    redacted = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"}
    assert validate_request(request(messages=tool_loop([redacted, TOOL_USE]))) == []


def test_it_only_warns_about_missing_thinking_in_adaptive_mode():
    body = request(model="claude-opus-4-6", thinking={"type": "adaptive"},
                   messages=tool_loop([TOOL_USE]))
    findings = validate_request(body)
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[1].content[0].type")]


def test_it_rejects_thinking_in_a_final_assistant_turn_when_thinking_is_off():
    body = request(messages=[
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [THINKING, {"type": "text", "text": "Sure"}]},
    ])
    del body["thinking"]
    [finding] = errors(validate_request(body))
    assert finding.api_message() == ("messages.1.content.0: When thinking is disabled, an "
                                     "`assistant` message in the final position cannot contain "
                                     "`thinking`.")


def test_it_accepts_thinking_blocks_from_earlier_turns_when_thinking_is_off():
    body = request(thinking={"type": "disabled"}, messages=[
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": [THINKING, {"type": "text", "text": "Hello"}]},
        {"role": "user", "content": "And now?"},
    ])
    assert validate_request(body) == []


def test_it_checks_thinking_blocks_passed_back():
    # a signed block with empty text is what display "omitted" returns and is accepted back
    # (microsoft/vscode#320196): a warning; without a signature it is the API's error
    empty = {"type": "thinking", "thinking": "", "signature": SIG}
    [finding] = validate_request(request(messages=tool_loop([empty, TOOL_USE])))
    assert finding.severity == "warning" and "each thinking block must contain thinking" in finding.message
    unsigned_empty = {"type": "thinking", "thinking": "", "signature": ""}
    assert [f.api_message() for f in errors(validate_request(
        request(messages=tool_loop([unsigned_empty, TOOL_USE]))))][0] == (
        "messages.1.content.0.thinking: each thinking block must contain thinking")
    unsigned = {"type": "thinking", "thinking": "x"}
    [finding] = errors(validate_request(request(messages=tool_loop([unsigned, TOOL_USE]))))
    assert finding.api_message() == "messages.1.content.0.thinking.signature: Field required"
    blank = {"type": "thinking", "thinking": "x", "signature": ""}
    [finding] = errors(validate_request(request(messages=tool_loop([blank, TOOL_USE]))))
    assert finding.api_message() == "messages.1.content.0: Invalid `signature` in `thinking` block"
    cached = {**THINKING, "cache_control": {"type": "ephemeral"}}
    [finding] = errors(validate_request(request(messages=tool_loop([cached, TOOL_USE]))))
    assert finding.api_message() == ("messages.1.content.0.thinking.cache_control: Extra inputs "
                                     "are not permitted")


def test_it_accepts_empty_thinking_text_when_display_is_omitted():
    omitted = {"type": "thinking", "thinking": "", "signature": SIG}
    body = request(thinking={**ENABLED, "display": "omitted"}, messages=tool_loop([omitted, TOOL_USE]))
    assert validate_request(body) == []


def test_it_rejects_thinking_blocks_in_user_turns():
    body = request(messages=[{"role": "user", "content": [THINKING]}])
    [finding] = errors(validate_request(body))
    assert finding.api_message() == ("messages.0: `thinking` blocks can only be in `assistant` "
                                     "messages")
    assert finding.path == "messages[0].content[0].type"


def test_it_treats_models_that_think_by_default_as_thinking():
    history = [{"role": "user", "content": "Hi"},
               {"role": "assistant", "content": [THINKING, {"type": "text", "text": "Sure"}]}]
    body = {"model": "claude-opus-5", "max_tokens": 1024, "messages": history}

    def refused_for_thinking(body: dict) -> bool:
        return any("When thinking is disabled" in f.message for f in validate_request(body))
    # a final assistant turn with thinking is only refused when thinking is off
    assert not refused_for_thinking(body)
    assert refused_for_thinking({**body, "thinking": {"type": "disabled"}})
    assert refused_for_thinking({**body, "model": "claude-sonnet-4-5"})
