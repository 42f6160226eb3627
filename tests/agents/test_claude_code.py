"""The current Claude Code CLI (npm @anthropic-ai/claude-code) in print mode, through the
proxy to the simulator: a plain answer, and a tool loop with its read-only Read tool. Write
and shell tools are disallowed; the working directory and HOME are empty temp dirs."""

from __future__ import annotations

import json
import subprocess

import pytest

from playground.contract.validate import validate_request
from tests.agents.conftest import CLAUDE, require
from tests.proxy.conftest import recorded

pytestmark = pytest.mark.node

DISALLOWED = "Bash,Edit,Write,MultiEdit,NotebookEdit,WebFetch,WebSearch,Task"


def claude(prompt: str, work, env, *tools: str) -> dict:
    require(CLAUDE, "Claude Code (tests/js/node_modules/.bin/claude)")
    args = [str(CLAUDE), "-p", prompt, "--model", "sim-1", "--output-format", "json",
            "--disallowedTools", DISALLOWED, "--max-turns", "4"]
    if tools:
        args += ["--allowedTools", ",".join(tools)]
    done = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    return json.loads(done.stdout)


def test_it_answers_a_plain_prompt(agent_env):
    work, env = agent_env
    result = claude("Name three rivers.", work, env)
    assert result["is_error"] is False
    assert 'You said: "Name three rivers."' in result["result"]
    rows = recorded(1, path="/v1/messages")
    assert rows and all(r.status == 200 for r in rows)


def test_it_runs_a_tool_loop_with_its_read_tool(agent_env):
    work, env = agent_env
    notes = work / "notes.txt"
    notes.write_text("The meeting moved to Thursday.\n")
    result = claude(f"Use Read on {notes}", work, env, "Read")
    assert result["is_error"] is False
    rows = recorded(2, path="/v1/messages")
    calls = [b for r in rows for b in (r.message or {}).get("content", ()) if b.get("type") == "tool_use"]
    assert [c["name"] for c in calls] == ["Read"]
    assert calls[0]["input"]["file_path"] == str(notes)
    # the next request carried the file's text back as the tool result, and the answer quotes it
    assert "Thursday" in result["result"]


def test_the_composer_finds_nothing_in_a_request_claude_code_sent(agent_env):
    work, env = agent_env
    claude("Name three rivers.", work, env)
    rows = recorded(1, path="/v1/messages")
    for row in rows:
        body = row.request_body
        betas = dict(row.request_headers).get("anthropic-beta", "")
        findings = validate_request(body, betas=betas)
        assert findings == [], [f.api_message() for f in findings]
