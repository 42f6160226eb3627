"""POST /validate: the shared validator's findings for the page, with paths it can place."""

from __future__ import annotations

import json


def _validate(client, body, **headers):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/validate", raw, content_type="application/json", headers=headers)


def test_it_places_an_orphan_tool_result_on_its_block(client, alice):
    client.force_login(alice)
    body = {
        "model": "sim-1",
        "max_tokens": 10,
        "messages": [
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_gone", "content": "x"}]}
        ],
    }
    response = _validate(client, body)
    assert response.status_code == 200
    findings = response.json()["findings"]
    orphan = [f for f in findings if "toolu_gone" in f["message"]]
    assert orphan and orphan[0]["path"].startswith("messages[0].content[0]")
    assert orphan[0]["severity"] == "error" and orphan[0]["status"] == 400
    assert set(orphan[0]) == {"path", "api_path", "message", "severity", "error_type", "status"}


def test_a_valid_request_has_no_error(client, alice):
    client.force_login(alice)
    body = {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    findings = _validate(client, body).json()["findings"]
    assert not [f for f in findings if f["severity"] == "error"]


def test_it_flags_an_invalid_tool_schema(client, alice):
    client.force_login(alice)
    body = {
        "model": "sim-1",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
        "tools": [{"name": "t", "input_schema": {"type": "object", "properties": {"a": {"type": 12}}}}],
    }
    findings = _validate(client, body).json()["findings"]
    assert any(f["path"].startswith("tools[0].input_schema") and f["severity"] == "error" for f in findings)


def test_malformed_json_is_a_finding_not_a_500(client, alice):
    client.force_login(alice)
    response = _validate(client, '{"model": "sim-1",')
    assert response.status_code == 200
    findings = response.json()["findings"]
    assert findings and findings[0]["severity"] == "error"


def test_betas_are_read_from_the_header(client, alice):
    client.force_login(alice)
    body = {
        "model": "sim-1",
        "max_tokens": 10,
        "messages": [{"role": "user", "content": "hi"}],
        "context_management": {"edits": []},
    }
    without = _validate(client, body).json()["findings"]
    with_beta = _validate(client, body, **{"anthropic-beta": "context-management-2025-06-27"}).json()["findings"]
    assert any(f["path"].startswith("context_management") for f in without)
    assert not any(f["path"].startswith("context_management") and f["severity"] == "error" for f in with_beta)


def test_a_body_over_the_upload_limit_is_a_413_in_the_api_shape(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(alice)
    body = {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "x" * 2000}]}
    response = _validate(client, body)
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "request_too_large"
    from playground.composer.workcopies import current_copy
    from playground.teams.models import Team

    copy = current_copy(alice, Team.objects.get(name="acme"))
    response = client.post(f"/copies/{copy.public_id}/state", {"request": body}, content_type="application/json")
    assert response.status_code == 413
