"""Tool definitions: names, input schemas checked against the JSON Schema meta-schema,
Anthropic-defined tool types, tool_choice."""

from __future__ import annotations

from playground.contract.validate import validate_request


def tool(name: str = "get_weather", **schema) -> dict:
    return {"name": name, "description": "Weather for a city",
            "input_schema": schema or {"type": "object",
                                       "properties": {"city": {"type": "string"}},
                                       "required": ["city"]}}


def request(tools: list, **fields) -> dict:
    body = {"model": "claude-haiku-4-5", "max_tokens": 1024, "tools": tools,
            "messages": [{"role": "user", "content": "Weather in Paris?"}]}
    body.update(fields)
    return body


def errors(body, **kw) -> list:
    return [f for f in validate_request(body, **kw) if f.severity == "error"]


def test_it_accepts_a_custom_tool():
    closed = tool("other", type="object", properties={"city": {"type": "string"}},
                  additionalProperties=False)
    assert validate_request(request([tool(), {**closed, "type": "custom", "strict": True,
                                              "cache_control": {"type": "ephemeral"}}])) == []


def test_it_rejects_a_bad_tool_name_with_the_apis_pattern():
    [finding] = errors(request([tool("get.weather")]))
    assert finding.api_message() == ("tools.0.custom.name: String should match pattern "
                                     "'^[a-zA-Z0-9_-]{1,128}$'")
    [finding] = errors(request([tool("x" * 129)]))
    assert finding.path == "tools[0].name"


def test_it_refuses_names_longer_than_64():
    # anthropics/claude-code#2326: `tools.51.custom.name: String should have at most 64
    # characters`
    [finding] = errors(request([tool("t" * 65)]))
    assert finding.api_message() == "tools.0.custom.name: String should have at most 64 characters"
    assert errors(request([tool("t" * 64)])) == []


def test_it_requires_an_object_input_schema():
    [finding] = errors(request([tool(properties={})]))
    assert finding.api_message() == "tools.0.custom.input_schema.type: Field required"
    [finding] = errors(request([tool(type="array")]))
    assert finding.api_message() == "tools.0.custom.input_schema.type: Input should be 'object'"
    [finding] = errors(request([{"name": "x"}]))
    assert finding.api_message() == "tools.0.custom.input_schema: Field required"


def test_it_checks_the_schema_against_the_meta_schema():
    bad = tool(type="object", properties={"city": {"type": "strnig"}}, required="city")
    findings = errors(request([bad]))
    paths = sorted(f.path for f in findings)
    assert paths == ["tools[0].input_schema.properties.city.type",
                     "tools[0].input_schema.required"]
    assert all(f.message.startswith("Invalid JSON Schema") for f in findings)


def test_it_checks_the_structured_output_schema_too():
    body = request([tool()], output_config={"format": {"type": "json_schema",
                                                       "schema": {"type": 5}}})
    [finding] = errors(body)
    assert finding.path == "output_config.format.schema.type"


def test_it_warns_about_open_objects_in_strict_schemas():
    schema = {"type": "object", "additionalProperties": False,
              "properties": {"dog": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    body = request([tool()], output_config={"format": {"type": "json_schema", "schema": schema}})
    findings = validate_request(body)
    assert [(f.severity, f.path) for f in findings] == [
        ("warning", "output_config.format.schema.properties.dog")]
    strict_tool = {**tool(), "strict": True}
    findings = validate_request(request([strict_tool]))
    assert [(f.severity, f.path) for f in findings] == [("warning", "tools[0].input_schema")]
    assert validate_request(request([tool()])) == []


def test_it_warns_about_structured_outputs_on_models_without_them():
    fmt = {"format": {"type": "json_schema",
                      "schema": {"type": "object", "additionalProperties": False}}}
    findings = validate_request(request([tool()], model="claude-3-haiku-20240307",
                                        output_config=fmt))
    assert [(f.severity, f.path) for f in findings] == [("warning", "output_config.format")]
    assert validate_request(request([tool()], output_config=fmt)) == []


def test_it_rejects_duplicate_tool_names():
    [finding] = errors(request([tool(), tool()]))
    assert finding.api_message() == "tools: Tool names must be unique."


def test_it_checks_anthropic_defined_tools():
    ok = [{"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
          {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool",
           "max_characters": 10000},
          {"type": "bash_20250124", "name": "bash"}]
    assert validate_request(request(ok)) == []
    [finding] = errors(request([{"type": "text_editor_20250728", "name": "editor"}]))
    assert finding.api_message() == ("tools.0.text_editor_20250728.name: Input should be "
                                     "'str_replace_based_edit_tool'")
    [finding] = errors(request([{"type": "web_search_20250305", "name": "web_search",
                                 "allowed_domains": ["a.com"], "blocked_domains": ["b.com"]}]))
    assert finding.path == "tools[0].blocked_domains"
    [finding] = errors(request([{"type": "web_search_20250305", "name": "web_search",
                                 "max_results": 3}]))
    assert finding.api_message() == ("tools.0.web_search_20250305.max_results: Extra inputs are "
                                     "not permitted")


def test_it_rejects_unknown_tool_types_and_warns_on_unknown_versions():
    [finding] = errors(request([{"type": "teleport_20250101", "name": "teleport"}]))
    assert finding.message.startswith("Input tag 'teleport_20250101' found using 'type'")
    findings = validate_request(request([{"type": "web_search_20991231", "name": "web_search"}]))
    assert [(f.severity, f.path) for f in findings] == [("warning", "tools[0].type")]


def test_it_requires_the_beta_of_beta_tools():
    computer = {"type": "computer_20250124", "name": "computer", "display_width_px": 1024,
                "display_height_px": 768}
    [finding] = errors(request([computer]))
    assert finding.path == "tools[0]"
    assert errors(request([computer]), betas=["computer-use-2025-01-24"]) == []


def test_it_checks_tool_choice():
    [finding] = errors(request([tool()], tool_choice={"type": "tool"}))
    assert finding.api_message() == "tool_choice.tool.name: Field required"
    [finding] = errors(request([tool()], tool_choice={"type": "tool", "name": "get_time"}))
    assert finding.path == "tool_choice.name"
    [finding] = errors(request([tool()], tool_choice={"type": "required"}))
    assert finding.message.startswith("Input tag 'required' found using 'type'")
    [finding] = errors(request([tool()], tool_choice={"type": "none",
                                                      "disable_parallel_tool_use": True}))
    assert finding.api_message() == ("tool_choice.none.disable_parallel_tool_use: Extra inputs "
                                     "are not permitted")
    assert validate_request(request([tool()], tool_choice={"type": "tool", "name": "get_weather",
                                                           "disable_parallel_tool_use": True})) == []


def test_it_rejects_forced_tool_use_on_models_that_refuse_it():
    body = request([tool()], model="claude-opus-5-5", max_tokens=1024,
                   tool_choice={"type": "any"})
    # Opus 5.5 always thinks, which forbids forced tool use as well
    assert sorted(f.path for f in errors(body)) == ["tool_choice", "tool_choice.type"]
    body["model"] = "claude-sonnet-5-5"
    assert [f.path for f in errors(body)] == ["tool_choice.type"]
