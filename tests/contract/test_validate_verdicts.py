"""Verdicts the API gives that the validator once got wrong, each with its public source.

Families: `role: "system"` messages, thinking display "updates", explicit null for a field
the API does not treat as optional, empty and whitespace-only stop sequences.
"""

from __future__ import annotations

from playground.contract.validate import validate_request


def request(*messages, **fields) -> dict:
    body = {"model": "sim-1", "max_tokens": 256,
            "messages": list(messages) or [{"role": "user", "content": "hi"}]}
    body.update(fields)
    return body


def errors(body: dict, betas=()) -> list:
    return [f for f in validate_request(body, betas=betas) if f.severity == "error"]


USER = {"role": "user", "content": "What is in notes.txt?"}
SYSTEM = {"role": "system", "content": [{"type": "text", "text": "Reminder: be brief.",
                                         "cache_control": {"type": "ephemeral"}}]}


def test_it_accepts_system_messages_as_claude_code_sends_them():
    # anthropic 2.17 SystemMessageParam: role "system", content a string or text blocks
    # (the TypeScript SDK's changelog: "remove unsupported mid_conv_system content block")
    assert validate_request(request(USER, SYSTEM)) == []
    assert validate_request(request(USER, {"role": "system", "content": "Be brief."})) == []
    assistant = {"role": "assistant", "content": "Sure."}
    assert validate_request(request(USER, SYSTEM, assistant, USER)) == []


def test_it_refuses_a_system_message_that_precedes_a_user_message():
    # anthropics/claude-code#73821: `messages.67: role 'system' must precede an 'assistant'
    # message or end the array`
    [finding] = errors(request(USER, SYSTEM, USER))
    assert finding.api_message() == ("messages.1: role 'system' must precede an 'assistant' "
                                     "message or end the array")


def test_it_refuses_other_blocks_and_blank_text_in_system_messages():
    image = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    [finding] = errors(request(USER, {"role": "system", "content": [image]}))
    assert finding.api_message() == ("messages.1.content.0.type: `image` blocks are not "
                                     "allowed in `system` messages")
    [finding] = errors(request(USER, {"role": "system", "content": "  "}))
    assert finding.message == "text content blocks must contain non-whitespace text"


def test_it_takes_system_message_extras_only_with_their_betas():
    message = {"role": "system", "content": "Be brief.", "clear_at": "next_user_message",
               "output_config": {"effort": "low"}}
    assert [f.path for f in errors(request(USER, message))] == [
        "messages[1].clear_at", "messages[1].output_config"]
    betas = "mid-conversation-system-clear-at-2026-08-21,mid-conversation-output-config-2026-07-01"
    assert errors(request(USER, message), betas=betas) == []


def test_it_accepts_the_thinking_display_the_agent_sdk_sends_with_its_beta():
    # the Agent SDK: thinking {"type": "adaptive", "display": "updates"} with
    # `anthropic-beta: thinking-display-updates-2026-08-18` (BetaThinkingConfigAdaptiveParam)
    body = request(USER, thinking={"type": "adaptive", "display": "updates"})
    assert errors(body, betas="thinking-display-updates-2026-08-18") == []
    [finding] = errors(body)
    assert finding.api_message() == ("thinking.adaptive.display: Input should be 'summarized' "
                                     "or 'omitted'")


def test_it_accepts_the_between_tools_thinking_type():
    assert errors(request(USER, thinking={"type": "between_tools"})) == []


def test_it_refuses_null_for_fields_the_api_does_not_treat_as_optional():
    # The SDK's request types mark nullable fields Optional; the others reject null
    # (x3n0cr4735/celi#91: a null temperature refused, `expected type: Number, found: Null`).
    for field, message in (("temperature", "Input should be a valid number"),
                           ("tools", "Input should be a valid list"),
                           ("metadata", "Input should be a valid dictionary"),
                           ("stop_sequences", "Input should be a valid list")):
        [finding] = errors(request(USER, **{field: None}))
        assert finding.api_message() == f"{field}: {message}"
    for field in ("cache_control", "container", "inference_geo", "speed"):
        assert errors(request(USER, **{field: None})) == [], field


def test_it_refuses_empty_and_whitespace_stop_sequences():
    # MegaGrindStone/mcp-web-ui#5: `stop_sequences: each stop sequence must be non-empty`;
    # BerriAI/litellm#3286: `stop_sequences: each stop sequence must contain non-whitespace`
    [finding] = errors(request(USER, stop_sequences=["", "END"]))
    assert finding.api_message() == "stop_sequences: each stop sequence must be non-empty"
    [finding] = errors(request(USER, stop_sequences=["\n"]))
    assert finding.api_message() == "stop_sequences: each stop sequence must contain non-whitespace"


def test_it_refuses_top_k_with_thinking_in_the_apis_words():
    # quarkiverse/quarkus-langchain4j#1812: "`top_k` must be unset when thinking is enabled."
    body = request(USER, model="claude-sonnet-4-5", max_tokens=4096, top_k=5,
                   thinking={"type": "enabled", "budget_tokens": 2048})
    [finding] = errors(body)
    assert finding.api_message() == "`top_k` must be unset when thinking is enabled."


def test_it_refuses_effort_on_a_model_without_effort():
    # anthropics/claude-code#30795: `API Error: 400 This model does not support the effort
    # parameter.` (Sonnet 4.5): a rejection, not a warning
    [finding] = errors(request(USER, model="claude-sonnet-4-5", output_config={"effort": "low"}))
    assert finding.api_message() == "This model does not support the effort parameter."


def test_it_refuses_temperature_with_top_p_on_sonnet_4_6():
    # Vali-98/ChatterUI#564 and skydiscover-ai/skydiscover#15: Sonnet 4.6 answers
    # "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
    [finding] = errors(request(USER, model="claude-sonnet-4-6", temperature=0.5, top_p=0.9))
    assert finding.message.startswith("`temperature` and `top_p` cannot both be specified")
    assert errors(request(USER, model="claude-sonnet-4-6", temperature=0.5)) == []


def test_it_refuses_a_forced_tool_choice_without_tools():
    # dphnAI/sonar#1143; public client code quotes the API's 400 as "tool_choice may only be
    # specified while providing tools" (it was a warning here)
    [finding] = errors(request(USER, tool_choice={"type": "any"}))
    assert finding.message == "tool_choice may only be specified while providing tools"


def test_it_refuses_two_results_for_one_tool_use():
    # Kilo-Org/kilocode#3772; the API answers `messages.N.content.M: each tool_use must have a
    # single result. Found multiple `tool_result` blocks with id: ...` (it was a warning here)
    call = {"type": "tool_use", "id": "toolu_1", "name": "read", "input": {}}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}
    body = request(USER, {"role": "assistant", "content": [call]},
                   {"role": "user", "content": [result, result]},
                   tools=[{"name": "read", "input_schema": {"type": "object"}}])
    [finding] = errors(body)
    assert finding.api_message() == ("messages.2.content.1: each tool_use must have a single "
                                     "result. Found multiple `tool_result` blocks with id: toolu_1")


def test_it_refuses_forced_tool_use_on_mythos_preview():
    # the tool use guide: "Claude Mythos Preview does not support forced tool use"
    body = request(USER, model="claude-mythos-preview", tool_choice={"type": "any"},
                   tools=[{"name": "read", "input_schema": {"type": "object"}}])
    [finding] = errors(body)
    assert "does not support forced tool use" in finding.message
