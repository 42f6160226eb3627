"""Copy as curl / Python / TypeScript: the code reproduces the request, never the key."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from playground.contract import codegen
from playground.contract.codegen import to_curl, to_python, to_typescript
from tests.conftest import all_captures, load_capture
from tests.inspector.recorded import record_capture

SECRET = "sk-ant-api03-CANARY-never-in-generated-code"
TRICKY = {
    "model": "claude-haiku-4-5",
    "max_tokens": 64,
    "temperature": 0.5,
    "system": "It's $(rm -rf /) `id` \"quoted\" \\ back\nnew line ünïcödé \u2028",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "'; DROP TABLE x; --", "cache_control": {"type": "ephemeral"}}]}],
    "metadata": {"user_id": "u-1"},
}
REPLY = {
    "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
    "content": [{"type": "text", "text": "hi"}], "stop_reason": "end_turn", "stop_sequence": None,
    "usage": {"input_tokens": 1, "output_tokens": 1},
}


def _curl_body(command: str) -> tuple[object, list[str]]:
    words = shlex.split(command)
    assert words[0] == "curl"
    body = json.loads(words[words.index("--data-binary") + 1])
    headers = [words[i + 1] for i, w in enumerate(words) if w == "-H"]
    return body, headers


@pytest.mark.parametrize("name", [n for n in all_captures() if load_capture(n).get("request")])
def test_it_reproduces_every_captured_body_through_shlex(name):
    cap = load_capture(name)
    command = to_curl(cap["request"], cap["request_headers"])
    body, headers = _curl_body(command)
    assert body == cap["request"]
    assert "x-api-key: $ANTHROPIC_API_KEY" in headers
    compile(to_python(cap["request"], cap["request_headers"]), name, "exec")


def test_it_keeps_quotes_and_shell_syntax_as_data():
    command = to_curl(TRICKY, {"anthropic-beta": "a,b", "x-api-key": SECRET, "Authorization": f"Bearer {SECRET}"})
    body, headers = _curl_body(command)
    assert body == TRICKY
    assert "anthropic-beta: a,b" in headers
    assert SECRET not in command
    assert '"x-api-key: $ANTHROPIC_API_KEY"' in command  # double quotes: the shell expands it


class _Upstream(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers["content-length"])
        _Upstream.seen.append((self.path, dict(self.headers), json.loads(self.rfile.read(length))))
        payload = json.dumps(REPLY).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        return


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Upstream.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_it_generates_python_the_sdk_runs_with_the_same_body(upstream, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key-value")
    code = to_python(TRICKY, {"anthropic-beta": "files-api-2025-04-14", "x-api-key": SECRET}, base_url=upstream)
    assert SECRET not in code
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "snippet.py", "exec"), {"__name__": "__main__"})  # noqa: S102
    path, headers, body = _Upstream.seen[-1]
    lowered = {k.lower(): v for k, v in headers.items()}
    assert path == "/v1/messages"
    assert body == TRICKY
    # SDK releases differ in how they send the key: x-api-key or a bearer token.
    assert "env-key-value" in (lowered.get("x-api-key"), lowered.get("authorization", "").removeprefix("Bearer "))
    assert lowered["anthropic-version"] == "2023-06-01"
    assert lowered["anthropic-beta"] == "files-api-2025-04-14"
    assert json.loads(out.getvalue())["id"] == "msg_01"


NODE_MODULES = Path(__file__).resolve().parents[1] / "js" / "node_modules"


@pytest.mark.node
@pytest.mark.skipif(not shutil.which("node") or not (NODE_MODULES / "@anthropic-ai" / "sdk").exists(),
                    reason="node and the TypeScript SDK (scripts/test installs them)")
def test_it_generates_typescript_the_sdk_runs_with_the_same_body(upstream, tmp_path):
    code = to_typescript(TRICKY, {"anthropic-beta": "files-api-2025-04-14", "x-api-key": SECRET}, base_url=upstream)
    assert SECRET not in code
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)
    script = tmp_path / "snippet.mjs"
    script.write_text(code)
    env = {**os.environ, "ANTHROPIC_API_KEY": "env-key-value"}
    run = subprocess.run(["node", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    _, headers, body = _Upstream.seen[-1]
    assert body == TRICKY
    assert {k.lower(): v for k, v in headers.items()}["anthropic-beta"] == "files-api-2025-04-14"


def test_it_serves_the_code_of_a_recorded_exchange_without_its_key(client, alice):
    cap = load_capture("08_stream_tool_result_followup_parallel.json")
    exchange = record_capture(alice, "08_stream_tool_result_followup_parallel.json")
    client.force_login(alice)
    for lang in ("curl", "python", "typescript"):
        response = client.get(f"{exchange.get_absolute_url()}code/{lang}/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert "ANTHROPIC_API_KEY" in response.content.decode()
    body, _ = _curl_body(client.get(f"{exchange.get_absolute_url()}code/curl/").content.decode())
    assert body == cap["request"]
    assert client.get(f"{exchange.get_absolute_url()}code/cobol/").status_code == 404


def test_it_keeps_every_header_the_request_carried_except_keys_and_transport():
    headers = [
        ("anthropic-version", "2023-06-01"), ("anthropic-beta", "a-2025"), ("Anthropic-Beta", "b-2026"),
        ("x-sim-delay-ms", "20"), ("X-Sim-Fault", "stall"), ("x-team-trace", "t-1"),
        ("x-api-key", "sk-ant-secret"), ("authorization", "Bearer sk"), ("x-playground-key", "pgk-secret"),
        ("user-agent", "Anthropic/Python"), ("x-stainless-lang", "python"), ("content-length", "12"),
        ("host", "api.example"), ("x-redacted-by-recorder", "[redacted]"),
    ]
    kept = codegen.kept_headers(headers)
    assert kept == {
        "anthropic-version": "2023-06-01", "anthropic-beta": "a-2025,b-2026", "x-sim-delay-ms": "20",
        "x-sim-fault": "stall", "x-team-trace": "t-1",
    }
    for code in (codegen.to_curl({"model": "m"}, headers), codegen.to_python({"model": "m"}, headers),
                 codegen.to_typescript({"model": "m"}, headers)):
        assert "x-sim-delay-ms" in code and "x-team-trace" in code
        assert "sk-ant-secret" not in code and "pgk-secret" not in code and "x-stainless" not in code
    assert codegen.NOTE in codegen.to_python({"model": "m"}, headers)
    assert codegen.NOTE in codegen.to_typescript({"model": "m"}, headers)
