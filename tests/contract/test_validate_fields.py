"""Top-level fields: presence, types, ranges, endpoint and beta rules, per-model limits."""

from __future__ import annotations

from playground.contract.validate import api_error, validate_request


def request(**fields) -> dict:
    body = {"model": "claude-haiku-4-5", "max_tokens": 1024,
            "messages": [{"role": "user", "content": "Hello"}]}
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


def only_error(findings) -> object:
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0]


def test_it_accepts_a_minimal_request():
    assert validate_request(request()) == []


def test_it_requires_model_max_tokens_and_messages():
    findings = validate_request({})
    assert [(f.path, f.message) for f in findings] == [
        ("model", "Field required"), ("max_tokens", "Field required"),
        ("messages", "Field required"),
    ]
    assert {f.status for f in findings} == {400}


def test_it_rejects_a_body_that_is_not_an_object():
    finding = only_error(validate_request(["model"]))
    assert finding.message == "Input should be a valid dictionary"


def test_it_checks_types_with_the_apis_wording():
    finding = only_error(validate_request(request(max_tokens="1024")))
    assert (finding.api_path, finding.message) == ("max_tokens", "Input should be a valid integer")
    finding = only_error(validate_request(request(max_tokens=10.5)))
    assert finding.message.endswith("got a number with a fractional part")
    finding = only_error(validate_request(request(messages={"role": "user"})))
    assert (finding.path, finding.message) == ("messages", "Input should be a valid list")
    finding = only_error(validate_request(request(stream="yes")))
    assert (finding.path, finding.message) == ("stream", "Input should be a valid boolean")


def test_it_rejects_max_tokens_above_the_models_limit():
    finding = only_error(validate_request(request(max_tokens=100_000)))
    assert finding.api_message() == ("max_tokens: 100000 > 64000, which is the maximum allowed "
                                     "number of output tokens for claude-haiku-4-5")


def test_it_accepts_max_tokens_zero_and_any_limit_for_unknown_models():
    assert validate_request(request(max_tokens=0)) == []
    assert validate_request(request(model="claude-from-the-future", max_tokens=500_000,
                                    stream=True)) == []


def test_it_warns_about_long_non_streaming_requests_the_sdks_refuse():
    findings = validate_request(request(max_tokens=30_000))
    assert [(f.severity, f.path) for f in findings] == [("warning", "max_tokens")]
    assert "Streaming is required" in findings[0].message
    assert validate_request(request(max_tokens=30_000, stream=True)) == []
    assert validate_request(request(max_tokens=21_333)) == []


def test_it_rejects_negative_max_tokens():
    finding = only_error(validate_request(request(max_tokens=-1)))
    assert finding.message == "Input should be greater than or equal to 0"


def test_it_rejects_unknown_fields():
    finding = only_error(validate_request(request(temprature=0.5)))
    assert finding.api_message() == "temprature: Extra inputs are not permitted"


def test_it_rejects_a_beta_field_sent_without_its_beta():
    edits = {"edits": [{"type": "clear_tool_uses_20250919"}]}
    finding = only_error(validate_request(request(context_management=edits)))
    assert finding.api_message() == "context_management: Extra inputs are not permitted"
    assert validate_request(request(context_management=edits),
                            betas="context-management-2025-06-27") == []


def test_it_takes_beta_fields_only_with_their_beta():
    # the beta names are the SDK's (`AnthropicBetaParam`): fallbacks come with
    # server-side-fallback-*, and an unknown beta makes the unknown field a warning
    findings = validate_request(request(fallbacks=[{"model": "claude-haiku-4-5"}]))
    assert [(f.severity, f.path) for f in findings] == [("error", "fallbacks")]
    assert validate_request(request(fallbacks=[]), betas="server-side-fallback-2026-07-01") == []
    findings = validate_request(request(fallbacks=[]), betas="some-beta-2026-01-01")
    assert [(f.severity, f.path) for f in findings] == [("warning", "fallbacks")]
    findings = validate_request(request(fallbacks=[]), endpoint="count_tokens")
    assert [f.api_message() for f in findings] == [
        "max_tokens: Extra inputs are not permitted", "fallbacks: Extra inputs are not permitted"]


def test_it_reads_betas_from_a_comma_separated_header():
    mcp = [{"type": "url", "url": "https://mcp.example", "name": "x"}]
    findings = validate_request(request(mcp_servers=mcp),
                                betas="files-api-2025-04-14, mcp-client-2025-11-20")
    assert findings == []


def test_it_rejects_create_only_fields_on_count_tokens():
    body = request(stream=True)
    findings = validate_request(body, endpoint="count_tokens")
    assert sorted(f.api_message() for f in findings) == [
        "max_tokens: Extra inputs are not permitted",
        "stream: Extra inputs are not permitted",
    ]
    assert validate_request(request(max_tokens=...), endpoint="count_tokens") == []


def test_it_checks_sampling_ranges():
    finding = only_error(validate_request(request(temperature=1.5)))
    assert finding.api_message() == "temperature: Input should be less than or equal to 1"
    finding = only_error(validate_request(request(top_k=-3)))
    assert finding.api_message() == "top_k: Input should be greater than or equal to 0"


def test_it_rejects_sampling_on_models_that_removed_it():
    finding = only_error(validate_request(request(model="claude-sonnet-5", temperature=0.2)))
    assert finding.api_message() == "`temperature` is deprecated for this model."


def test_it_rejects_temperature_with_top_p_on_45_generation_models():
    finding = only_error(validate_request(request(temperature=0.5, top_p=0.9)))
    assert "`temperature` and `top_p` cannot both be specified for this model" in finding.message
    assert validate_request(request(model="claude-opus-4-6", temperature=0.5, top_p=0.9)) == []


def test_it_checks_metadata_and_warns_about_personal_data():
    finding = only_error(validate_request(request(metadata={"user_id": "1", "name": "x"})))
    assert finding.api_message() == "metadata.name: Extra inputs are not permitted"
    findings = validate_request(request(metadata={"user_id": "alice@example.com"}))
    assert [(f.severity, f.path) for f in findings] == [("warning", "metadata.user_id")]


def test_it_checks_enums():
    finding = only_error(validate_request(request(service_tier="fastest")))
    assert finding.message == "Input should be 'auto' or 'standard_only'"


def test_it_rejects_an_empty_message_list():
    finding = only_error(validate_request(request(messages=[])))
    assert finding.api_message() == "messages: at least one message is required"


def test_it_rejects_a_whitespace_system_prompt_and_warns_on_an_empty_one():
    finding = only_error(validate_request(request(system="  \n")))
    assert finding.api_message() == "system: text content blocks must contain non-whitespace text"
    findings = validate_request(request(system=""))
    assert [f.severity for f in findings] == ["warning"]
    finding = only_error(validate_request(request(system=[{"type": "image", "source": {}}])))
    assert finding.api_message() == "system.0.type: Input should be 'text'"
    finding = only_error(validate_request(request(system=[{"text": "Be brief"}])))
    assert finding.api_message() == "system.0.type: Field required"


def test_it_answers_the_first_error_as_the_api_would():
    status, body = api_error(validate_request(request(max_tokens="x")), "req_1")
    assert status == 400
    assert body == {"type": "error", "error": {"type": "invalid_request_error",
                    "message": "max_tokens: Input should be a valid integer"},
                    "request_id": "req_1"}
    assert api_error(validate_request(request(system="")), "req_2") is None
