"""POST /compare: each compare column's request, as the run socket sends it, with findings."""

from __future__ import annotations

import json

REQUEST = {
    "model": "sim-1",
    "max_tokens": 2048,
    "system": "Be helpful.",
    "messages": [{"role": "user", "content": "hi"}],
    "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
}


def _columns(client, payload, **headers):
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post("/compare", raw, content_type="application/json", headers=headers)


def test_it_answers_each_columns_request_and_findings(client, alice):
    client.force_login(alice)
    response = _columns(client, {"request": REQUEST, "targets": [
        {"model": "sim-1", "provider": None},
        {"model": "sim-1-fast", "provider": None, "overrides": {"system": "Terse.", "temperature": 0.3, "tools": []}},
    ]})

    assert response.status_code == 200
    first, second = response.json()["columns"]
    assert first["request"] == REQUEST
    assert second["request"]["model"] == "sim-1-fast" and second["request"]["system"] == "Terse."
    assert second["request"]["temperature"] == 0.3 and "tools" not in second["request"]
    assert not [f for f in first["findings"] + second["findings"] if f["severity"] == "error"]


def test_a_column_the_validator_rejects_gets_its_findings(client, alice):
    client.force_login(alice)
    # A thinking budget must be below max_tokens: only the second column breaks that rule.
    response = _columns(client, {"request": REQUEST, "targets": [
        {"model": "sim-1", "provider": None},
        {"model": "sim-1", "provider": None, "overrides": {"thinking": {"type": "enabled", "budget_tokens": 4096}}},
    ]})

    first, second = response.json()["columns"]
    assert not [f for f in first["findings"] if f["severity"] == "error"]
    errors = [f for f in second["findings"] if f["severity"] == "error"]
    assert errors and errors[0]["path"].startswith("thinking")


def test_a_bad_override_is_a_400_naming_its_column(client, alice):
    client.force_login(alice)
    response = _columns(client, {"request": REQUEST, "targets": [
        {"model": "sim-1", "provider": None},
        {"model": "sim-1", "provider": None, "overrides": {"tools": ["web_search"]}},
    ]})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["column"] == 1
    assert error["message"] == "column 2: tools: the request has no tool named 'web_search'"


def test_bad_bodies_are_400s_never_500s(client, alice):
    client.force_login(alice)
    for payload in ["{not json", "[]", json.dumps({"request": REQUEST}), json.dumps({"request": REQUEST, "targets": [{}]}),
                    json.dumps({"request": "x", "targets": []}),
                    json.dumps({"request": REQUEST, "targets": [{"model": "sim-1"}] * 5})]:
        response = _columns(client, payload)
        assert response.status_code == 400, payload
        assert response.json()["type"] == "error"


def test_it_needs_a_signed_in_user(client):
    response = _columns(client, {"request": REQUEST, "targets": []})
    assert response.status_code in (401, 403)
    assert response.json()["type"] == "error"
