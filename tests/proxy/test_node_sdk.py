"""The official TypeScript SDK (npm @anthropic-ai/sdk, run with node) through the proxy,
changed only in its base URL and key (both from the environment)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from playground.recording.events import iter_events
from tests.proxy.conftest import recorded

pytestmark = pytest.mark.node

JS = Path(__file__).resolve().parent.parent / "js"


def _run(scenario: str, proxy_url: str, key: str) -> dict:
    if shutil.which("node") is None or not (JS / "node_modules" / "@anthropic-ai" / "sdk").exists():
        pytest.fail("node and tests/js/node_modules are required (scripts/test runs npm install)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update({"ANTHROPIC_BASE_URL": proxy_url, "ANTHROPIC_API_KEY": key})
    done = subprocess.run(
        ["node", "sdk_check.mjs", scenario], cwd=JS, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip(), done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], (result, done.stderr)
    return result


def test_it_creates_a_message(proxy_url, acme_key):
    result = _run("create", proxy_url, acme_key)
    assert result["type"] == "message" and result["stop_reason"] == "end_turn"
    assert "Say hello from node" in result["text"]
    [ex] = recorded(1)
    assert ex.source == "proxy" and ex.proxy_key_name == "acme-ci" and ex.message["id"] == result["id"]
    assert dict(ex.request_headers).get("x-stainless-lang") == "js"


def test_it_streams(proxy_url, acme_key):
    result = _run("stream", proxy_url, acme_key)
    assert result["text"] and result["text"] == result["final_text"]
    assert result["events"] >= 5
    [ex] = recorded(1)
    assert ex.stream and ex.outcome == "completed"
    # The SDK's streamEvent skips pings; the record keeps every event.
    assert ex.event_count == result["events"] + sum(e.event == "ping" for e in iter_events(ex))


def test_it_runs_a_tool_loop(proxy_url, acme_key):
    result = _run("tool_loop", proxy_url, acme_key)
    assert result["steps"].count("tool_use") >= 3 and result["steps"][-1] == "end_turn"
    rows = recorded(result["requests"])
    assert len(rows) == result["requests"]
    assert len({r.thread_id for r in rows}) == 1


def test_it_counts_tokens(proxy_url, acme_key):
    assert _run("count_tokens", proxy_url, acme_key)["input_tokens"] > 0


def test_it_raises_the_sdks_authentication_error_for_a_bad_key(proxy_url, acme_key):
    result = _run("bad_key", proxy_url, acme_key)
    assert result["error"] == "AuthenticationError" and result["status"] == 401
