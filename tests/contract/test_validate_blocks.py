"""Messages and content blocks: block types, roles, text rules, empty turns, prefill."""

from __future__ import annotations

from playground.contract.validate import validate_request


def request(*messages, **fields) -> dict:
    body = {"model": "claude-haiku-4-5", "max_tokens": 1024, "messages": list(messages)}
    body.update(fields)
    return body


def user(*blocks) -> dict:
    return {"role": "user", "content": list(blocks)}


def text(value: str, **extra) -> dict:
    return {"type": "text", "text": value, **extra}


def errors(body) -> list:
    return [f for f in validate_request(body) if f.severity == "error"]


def test_it_rejects_an_unknown_block_type():
    [finding] = errors(request(user({"type": "txt", "text": "hi"})))
    assert finding.api_path == "messages.0.content.0"
    assert finding.message.startswith("Input tag 'txt' found using 'type' does not match any of "
                                      "the expected tags: 'text', 'image'")


def test_it_rejects_a_block_without_a_type_and_a_block_that_is_not_an_object():
    [finding] = errors(request(user({"text": "hi"})))
    assert finding.message == "Unable to extract tag using discriminator 'type'"
    [finding] = errors(request(user("hi")))
    assert finding.message == "Input should be a valid dictionary or object to extract fields from"


def test_it_rejects_unknown_fields_on_blocks():
    [finding] = errors(request(user(text("hi", parsed_output={"a": 1}))))
    assert finding.api_message() == ("messages.0.content.0.text.parsed_output: Extra inputs are "
                                     "not permitted")


def test_it_rejects_bad_roles():
    [finding] = errors(request({"role": "human", "content": "hi"}))
    assert finding.api_message() == "messages.0.role: Input should be 'user', 'assistant' or 'system'"
    [finding] = errors(request({"role": "user"}))
    assert finding.api_message() == "messages.0.content: Field required"


def test_it_rejects_empty_text_blocks():
    [finding] = errors(request(user(text(""))))
    assert finding.api_message() == "messages: text content blocks must be non-empty"
    assert finding.path == "messages[0].content[0].text"


def test_it_rejects_cache_control_on_an_empty_text_block():
    [finding] = errors(request(user(text("ok"), text("", cache_control={"type": "ephemeral"}))))
    assert finding.api_message() == ("messages.0.content.1.text: cache_control cannot be set for "
                                     "empty text blocks")


def test_it_warns_about_whitespace_only_text_blocks_beside_other_content():
    # capture 08: the API accepted an assistant " " text block before two tool_use blocks
    findings = validate_request(request(user(text("hello"), text("  "))))
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[0].content[1].text")]


def test_it_rejects_a_message_that_is_only_whitespace():
    # anthropics/claude-code#23440, nick1udwig/kibitz#78 (an assistant "\n\n" sent back),
    # aaif-goose/goose#1556 (a user's "  "): `messages: text content blocks must contain
    # non-whitespace text`
    for body in (request(user(text("  "))),
                 request(user(text("hi")), {"role": "assistant", "content": [text("\n\n")]},
                         user(text("go on"))),
                 request(user(text("hi")), {"role": "assistant", "content": "\n\n"},
                         user(text("go on")))):
        assert [f.api_message() for f in errors(body)] == [
            "messages: text content blocks must contain non-whitespace text"]


def test_it_rejects_empty_turns_except_a_final_assistant_one():
    body = request(user(), {"role": "assistant", "content": ""})
    [finding] = errors(body)
    assert finding.api_message() == ("messages.0: all messages must have non-empty content "
                                     "except for the optional final assistant message")


def test_it_accepts_a_prefill_on_a_model_that_allows_it():
    body = request(user(text("Write a haiku")), {"role": "assistant", "content": "```python"})
    assert validate_request(body) == []


def test_it_rejects_a_prefill_ending_in_whitespace():
    body = request(user(text("Write")), {"role": "assistant", "content": [text("Sure:\n")]})
    [finding] = errors(body)
    assert finding.api_message() == "messages: final assistant content cannot end with trailing whitespace"
    assert finding.path == "messages[1].content[0].text"


def test_it_rejects_a_prefill_on_models_that_do_not_support_it():
    body = request(user(text("Write")), {"role": "assistant", "content": "{"},
                   model="claude-opus-4-6")
    [finding] = errors(body)
    assert finding.api_message() == ("This model does not support assistant message prefill. "
                                     "The conversation must end with a user message.")
    assert finding.path == "messages[1]"


def test_it_warns_when_the_conversation_starts_with_the_assistant():
    body = request({"role": "assistant", "content": "Hello!"}, user(text("Hi")))
    findings = validate_request(body)
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[0].role")]


def test_it_checks_tool_result_content_blocks():
    body = request(
        user(text("go")),
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "t",
                                           "input": {}}]},
        user({"type": "tool_result", "tool_use_id": "toolu_1", "is_error": "no",
              "content": [text("fine"), {"type": "tool_use", "id": "x", "name": "t", "input": {}}]}),
    )
    found = sorted((f.path, f.message) for f in errors(body))
    assert found == [
        ("messages[2].content[0].content[1].type",
         "`tool_use` blocks are not allowed in `tool_result` content"),
        ("messages[2].content[0].is_error", "Input should be a valid boolean"),
    ]


def test_it_accepts_search_results_documents_and_citations():
    body = request(user(
        {"type": "search_result", "source": "https://example.com", "title": "Example",
         "content": [text("Example text")], "citations": {"enabled": True}},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                        "data": "Plain text"}, "title": "Doc",
         "citations": {"enabled": True}},
        {"type": "document", "source": {"type": "content", "content": [text("chunk")]},
         "citations": {"enabled": True}},
        text("Summarise"),
    ))
    assert validate_request(body) == []


def test_it_wants_citations_on_all_documents_or_none():
    # "Currently, citations must be enabled on all or none of the documents within a
    # request" (the citations guide, quoted in UKGovernmentBEIS/inspect_ai#4527)
    doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                          "data": "Plain text"}}
    cited = {**doc, "citations": {"enabled": True}}
    assert validate_request(request(user(doc, doc, text("Summarise")))) == []
    assert validate_request(request(user(cited, cited, text("Summarise")))) == []
    [finding] = errors(request(user(cited, doc, text("Summarise"))))
    assert finding.path == "messages[0].content[1]"
    assert "all or none of the documents" in finding.message


def test_it_refuses_citations_with_structured_outputs():
    # a 400 (agno-agi/agno#7513; the structured outputs guide, anthropics/claude-code#19417)
    cited = {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                            "data": "Plain text"}, "citations": {"enabled": True}}
    body = request(user(cited, text("Summarise")))
    body["output_config"] = {"format": {"type": "json_schema", "schema": {
        "type": "object", "properties": {}, "additionalProperties": False}}}
    [finding] = errors(body)
    assert finding.path == "messages[0].content[0].citations"


def test_it_rejects_text_blocks_with_a_wrong_type_of_text():
    [finding] = errors(request(user({"type": "text", "text": 5})))
    assert finding.api_message() == "messages.0.content.0.text.text: Input should be a valid string"


def test_it_rejects_assistant_blocks_in_user_turns_with_the_apis_wording():
    block = {"type": "tool_use", "id": "toolu_1", "name": "t", "input": {}}
    [finding] = errors(request(user(block)))
    assert finding.api_message() == "messages.0: `tool_use` blocks can only be in `assistant` messages"
    assert finding.path == "messages[0].content[0].type"


def test_it_rejects_a_prefill_with_structured_outputs_or_forced_tool_use():
    prefill = [user(text("Invent a dog")), {"role": "assistant", "content": "{"}]
    fmt = {"format": {"type": "json_schema",
                      "schema": {"type": "object", "additionalProperties": False}}}
    [finding] = errors(request(*prefill, output_config=fmt))
    assert finding.api_message() == (
        "Your API request included an `assistant` message in the final position, which would "
        "pre-fill the `assistant` response. When using output format, pre-filling the "
        "`assistant` response is not supported.")
    tools = [{"name": "make_dog", "input_schema": {"type": "object"}}]
    [finding] = errors(request(*prefill, tools=tools, tool_choice={"type": "any"}))
    assert finding.message.endswith("When using tools, pre-filling the `assistant` response is "
                                    "not supported.")
    findings = validate_request(request(*prefill, tools=tools))
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[1]")]
