"""Get code: the composed request as curl, Python and TypeScript, never with a secret."""

from __future__ import annotations

import json
import shlex


def test_it_generates_runnable_code_for_this_server(client, alice):
    client.force_login(alice)
    request = {"model": "sim-1", "max_tokens": 20, "messages": [{"role": "user", "content": "Hi 'there'"}]}
    response = client.post(
        "/code",
        {"request": request, "headers": {"anthropic-beta": "b1", "x-api-key": "sk-ant-leak"}},
        content_type="application/json",
    )
    assert response.status_code == 200
    snippets = response.json()
    words = shlex.split(snippets["curl"].replace("\\\n", " "))
    body = json.loads(words[words.index("--data-binary") + 1])
    assert body == {**request, "stream": True}
    assert "http://testserver/v1/messages" in snippets["curl"]
    assert "anthropic" in snippets["python"] and "@anthropic-ai/sdk" in snippets["typescript"]
    assert all("sk-ant-leak" not in s for s in snippets.values())


def test_it_rejects_a_missing_request(client, alice):
    client.force_login(alice)
    response = client.post("/code", {"headers": {}}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
