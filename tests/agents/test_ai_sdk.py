"""The Vercel AI SDK (npm `ai` with `@ai-sdk/anthropic`) through the proxy to the
simulator, changed only in the provider's baseURL and key."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.agents.conftest import JS, require
from tests.proxy.conftest import recorded

pytestmark = pytest.mark.node


def run(scenario: str, env) -> dict:
    require(JS / "node_modules" / "@ai-sdk" / "anthropic", "the AI SDK (tests/js/node_modules)")
    done = subprocess.run(["node", "ai_sdk_check.mjs", scenario], cwd=JS, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip(), done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"], (result, done.stderr)
    return result


def test_it_generates_text(agent_env):
    _work, env = agent_env
    result = run("plain", env)
    assert 'You said: "Say hello from the AI SDK"' in result["text"]
    assert result["finishReason"] == "stop"
    [row] = recorded(1, path="/v1/messages")
    assert row.status == 200 and row.proxy_key_name == "acme-ci"


def test_it_streams_text(agent_env):
    _work, env = agent_env
    result = run("stream", env)
    assert 'You said: "Stream hello from the AI SDK"' in result["text"]
    [row] = recorded(1, path="/v1/messages")
    assert row.stream and row.outcome == "completed"


def test_it_runs_a_tool_loop(agent_env):
    _work, env = agent_env
    result = run("tool_loop", env)
    assert result["calls"] == ["Paris"]
    assert result["steps"] == 2
    assert 'get_weather returned "sunny in Paris"' in result["text"]
    assert len(recorded(2, path="/v1/messages")) == 2
