"""The Claude Agent SDK for Python (`claude-agent-sdk`, with the Claude Code it bundles)
through the proxy to the simulator: a plain answer and a tool loop with the read-only Read
tool, in an empty working directory and HOME, write and shell tools disallowed."""

from __future__ import annotations

import anyio
from claude_agent_sdk import (
    AssistantMessage,
    ClaudeAgentOptions,
    ResultMessage,
    ToolUseBlock,
    query,
)

from playground.contract.validate import validate_request
from tests.agents.test_claude_code import DISALLOWED
from tests.proxy.conftest import recorded


def run(prompt: str, work, env, *tools: str) -> tuple[ResultMessage, list]:
    options = ClaudeAgentOptions(
        model="sim-1", cwd=str(work), env=env, max_turns=4, setting_sources=[],
        allowed_tools=list(tools), disallowed_tools=DISALLOWED.split(","),
    )

    async def collect() -> tuple[ResultMessage, list]:
        result, messages = None, []
        async for message in query(prompt=prompt, options=options):
            messages.append(message)
            if isinstance(message, ResultMessage):
                result = message
        return result, messages

    result, messages = anyio.run(collect)
    assert result is not None
    return result, messages


def test_it_answers_a_plain_prompt(agent_env):
    work, env = agent_env
    result, _ = run("Name three rivers.", work, env)
    assert result.is_error is False
    assert 'You said: "Name three rivers."' in result.result
    for row in recorded(1, path="/v1/messages"):
        assert row.status == 200
        betas = dict(row.request_headers).get("anthropic-beta", "")
        assert validate_request(row.request_body, betas=betas) == []


def test_it_runs_a_tool_loop_with_the_read_tool(agent_env):
    work, env = agent_env
    notes = work / "notes.txt"
    notes.write_text("The meeting moved to Thursday.\n")
    result, messages = run(f"Use Read on {notes}", work, env, "Read")
    calls = [b for m in messages if isinstance(m, AssistantMessage)
             for b in m.content if isinstance(b, ToolUseBlock)]
    assert [(c.name, c.input["file_path"]) for c in calls] == [("Read", str(notes))]
    assert result.is_error is False
    assert "Thursday" in result.result
