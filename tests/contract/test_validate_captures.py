"""Every request the real API accepted validates clean; the real API's rejections are
reproduced with its exact wording."""

from __future__ import annotations

import json

import pytest

from playground.contract.validate import api_error, parse_body, validate_request
from tests.conftest import all_captures, load_capture

ACCEPTED = [n for n in all_captures() if load_capture(n)["response_status"] == 200]


def _endpoint(capture: dict) -> str:
    return "count_tokens" if "/count_tokens" in capture["request_url"] else "messages"


def _betas(capture: dict) -> list[str]:
    headers = {k.lower(): v for k, v in capture["request_headers"].items()}
    return [headers["anthropic-beta"]] if "anthropic-beta" in headers else []


@pytest.mark.parametrize("name", ACCEPTED)
def test_it_finds_no_error_in_requests_the_api_accepted(name):
    capture = load_capture(name)
    raw = json.dumps(capture["request"]).encode()
    body, findings = parse_body(raw)
    assert findings == []
    findings = validate_request(body, endpoint=_endpoint(capture), betas=_betas(capture))
    assert [f for f in findings if f.severity == "error"] == []


def test_it_has_accepted_captures_to_check():
    # guards the parametrized test above against an empty or misread fixture folder
    assert len(ACCEPTED) >= 15


def test_it_rejects_capture_18_with_the_apis_message():
    capture = load_capture("18_error_400_invalid_request.json")
    findings = validate_request(capture["request"], endpoint=_endpoint(capture))
    status, body = api_error(findings, capture["response_body"]["request_id"])
    assert status == capture["response_status"]
    assert body == capture["response_body"]


def test_it_reproduces_the_orphan_tool_result_of_capture_20():
    capture = load_capture("20_error_400_orphan_tool_result.json")
    # capture 20 stores only the answer: a first user message whose second block is a
    # tool_result for id T1, with no assistant message before it
    request = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Here is the result"},
            {"type": "tool_result", "tool_use_id": "T1", "content": "42"},
        ]}],
    }
    status, body = api_error(validate_request(request), capture["response_body"]["request_id"])
    assert status == 400
    assert body == capture["response_body"]


def test_it_leaves_the_unknown_model_of_capture_19_to_the_upstream():
    capture = load_capture("19_error_404_count_tokens_unknown_model.json")
    findings = validate_request(capture["request"], endpoint="count_tokens")
    assert [f for f in findings if f.severity == "error"] == []
