"""Invalid requests are answered exactly as the API answers them (captures 18, 19, 20)."""

from __future__ import annotations

import anthropic
import httpx
import pytest

from tests.conftest import load_capture


def _post(sim_url: str, path: str, **kwargs) -> httpx.Response:
    with httpx.Client(base_url=sim_url, timeout=30) as http:
        return http.post(path, **kwargs)


def _same_shape(response: httpx.Response, capture: dict) -> None:
    """Status, error type, message and the request id in both body and header."""
    body = response.json()
    expected = capture["response_body"]
    assert response.status_code == capture["response_status"]
    assert body["type"] == "error"
    assert body["error"] == expected["error"]
    assert body["request_id"] == response.headers["request-id"]
    assert body["request_id"].startswith("req_011C")
    assert sorted(body) == sorted(expected)


def test_it_404s_an_unknown_model_on_count_tokens_like_capture_19(sim_url):
    capture = load_capture("19_error_404_count_tokens_unknown_model.json")
    response = _post(sim_url, "/v1/messages/count_tokens?beta=true", json=capture["request"])
    _same_shape(response, capture)


def test_it_rejects_an_orphan_tool_result_like_capture_20(sim_url):
    capture = load_capture("20_error_400_orphan_tool_result.json")
    request = {
        "model": "sim-1",
        "max_tokens": 100,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Here is the result"},
                    {"type": "tool_result", "tool_use_id": "T1", "content": "42"},
                ],
            }
        ],
    }
    response = _post(sim_url, "/v1/messages", json=request)
    _same_shape(response, capture)


def test_it_rejects_a_bad_field_in_capture_18s_shape(sim_url):
    capture = load_capture("18_error_400_invalid_request.json")
    request = {**capture["request"], "model": "sim-1", "output_config": {"effort": "extreme"}}
    response = _post(sim_url, "/v1/messages?beta=true", json=request)
    body = response.json()
    assert response.status_code == 400
    assert sorted(body) == sorted(capture["response_body"])
    assert body["error"]["type"] == "invalid_request_error"
    assert "effort" in body["error"]["message"]
    assert body["request_id"] == response.headers["request-id"]


def test_it_raises_the_sdk_errors_for_invalid_requests(client):
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="sim-1", max_tokens=10, messages=[{"role": "user", "content": ""}])
    assert caught.value.status_code == 400
    assert caught.value.request_id == caught.value.body["request_id"]
    with pytest.raises(anthropic.NotFoundError) as missing:
        client.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert missing.value.body["error"]["message"] == "model: claude-haiku-4-5"


def test_it_rejects_a_missing_field_and_broken_json(sim_url):
    missing = _post(sim_url, "/v1/messages", json={"model": "sim-1", "messages": [{"role": "user", "content": "x"}]})
    assert missing.status_code == 400
    assert missing.json()["error"]["message"] == "max_tokens: Field required"
    broken = _post(sim_url, "/v1/messages", content=b'{"model": "sim-1",', headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["error"]["type"] == "invalid_request_error"


def test_it_answers_413_for_a_body_over_32_mb(sim_url):
    response = _post(sim_url, "/v1/messages", content=b"x" * (32 * 1024 * 1024 + 10))
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "request_too_large"


def test_it_answers_unknown_paths_and_methods_in_the_error_shape(sim_url):
    with httpx.Client(base_url=sim_url) as http:
        nowhere = http.get("/v1/nowhere")
        wrong = http.get("/v1/messages")
    assert nowhere.status_code == 404 and nowhere.json()["error"]["type"] == "not_found_error"
    assert wrong.status_code == 405 and wrong.json()["type"] == "error"
