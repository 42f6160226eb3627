"""Pasting a request body or a curl command fills the form (POST /import)."""

from __future__ import annotations

import json

import pytest

from playground.composer.importer import ImportFailure, parse_pasted
from playground.contract.codegen import to_curl

BODY = {
    "model": "sim-1",
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "it's $(rm -rf /) \"quoted\"\nnew line"}],
}


def test_it_reads_back_what_code_generation_writes():
    command = to_curl(BODY, {"anthropic-beta": "b1,b2", "x-api-key": "sk-ant-secret"})
    imported = parse_pasted(command)
    assert imported["request"] == BODY
    assert imported["headers"] == {"anthropic-beta": "b1,b2", "anthropic-version": "2023-06-01"}


def test_it_reads_a_hand_written_curl_command():
    command = (
        "curl https://api.anthropic.com/v1/messages \\\n"
        '  -H "x-api-key: $ANTHROPIC_API_KEY" -H "Authorization: Bearer sk-secret" \\\n'
        "  -H 'x-sim-delay-ms: 40' -X POST \\\n"
        f"  -d '{json.dumps(BODY).replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}'"
    )
    imported = parse_pasted(command)
    assert imported["request"] == BODY
    assert imported["headers"] == {"x-sim-delay-ms": "40"}
    assert imported["url"] == "https://api.anthropic.com/v1/messages"


def test_it_reads_a_plain_body():
    assert parse_pasted(json.dumps(BODY))["request"] == BODY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "nothing to import"),
        ('{"model": ', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ("curl https://x -d @body.json", "read from a file"),
        ("curl https://x -H 'a: b'", "has no body"),
        ("curl 'unclosed", "cannot read the curl command"),
    ],
)
def test_it_explains_what_it_cannot_import(text, message):
    with pytest.raises(ImportFailure, match=message):
        parse_pasted(text)


def test_the_endpoint_fills_the_form(client, alice):
    client.force_login(alice)
    response = client.post("/import", {"text": to_curl(BODY, {})}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["request"] == BODY


def test_the_endpoint_answers_errors_in_the_api_shape(client, alice):
    client.force_login(alice)
    response = client.post("/import", {"text": "curl -d @x"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    response = client.post("/import", "nope", content_type="application/json")
    assert response.status_code == 400
