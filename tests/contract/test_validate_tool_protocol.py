"""The tool loop protocol: every tool_use answered first thing in the next user message,
no orphan results, unique ids, server tools paired within their turn."""

from __future__ import annotations

from playground.contract.validate import validate_request

TOOLS = [{"name": "lookup", "input_schema": {"type": "object", "properties": {}}}]


def use(tool_id: str) -> dict:
    return {"type": "tool_use", "id": tool_id, "name": "lookup", "input": {}}


def result(tool_id: str, content: str = "ok") -> dict:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content}


def request(*messages) -> dict:
    return {"model": "claude-sonnet-4-5", "max_tokens": 1024, "tools": TOOLS,
            "messages": [{"role": "user", "content": "Go"}, *messages]}


def assistant(*blocks) -> dict:
    return {"role": "assistant", "content": list(blocks)}


def user(*blocks) -> dict:
    return {"role": "user", "content": list(blocks)}


def errors(body) -> list:
    return [f for f in validate_request(body) if f.severity == "error"]


def test_it_accepts_parallel_results_in_one_message():
    body = request(assistant({"type": "text", "text": "Two lookups."}, use("toolu_a"), use("toolu_b")),
                   user(result("toolu_b"), result("toolu_a"), {"type": "text", "text": "thanks"}))
    assert validate_request(body) == []


def test_it_rejects_a_tool_use_without_its_result():
    body = request(assistant(use("toolu_a"), use("toolu_b")), user(result("toolu_a")))
    [finding] = errors(body)
    assert finding.api_message() == (
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "toolu_b. Each `tool_use` block must have a corresponding `tool_result` block in the "
        "next message.")


def test_it_rejects_a_history_ending_on_an_unanswered_tool_use():
    [finding] = errors(request(assistant(use("toolu_a"))))
    assert finding.path == "messages[1]"
    assert "`tool_use` ids were found without `tool_result` blocks" in finding.message


def test_it_rejects_results_split_across_user_messages_that_are_not_merged():
    body = request(assistant(use("toolu_a"), use("toolu_b")), user(result("toolu_a")),
                   assistant({"type": "text", "text": "one more"}), user(result("toolu_b")))
    found = {(f.path, f.message.split(":")[0]) for f in errors(body)}
    assert ("messages[1]", "`tool_use` ids were found without `tool_result` blocks immediately "
            "after") in found
    assert ("messages[4].content[0]", "unexpected `tool_use_id` found in `tool_result` blocks") in found


def test_it_rejects_an_orphan_result_with_the_apis_wording():
    body = request(assistant(use("toolu_a")), user(result("toolu_a"), result("toolu_zzz")))
    [finding] = errors(body)
    assert finding.api_message() == (
        "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_zzz. "
        "Each `tool_result` block must have a corresponding `tool_use` block in the previous "
        "message.")


def test_it_rejects_results_that_do_not_come_first():
    body = request(assistant(use("toolu_a")), user({"type": "text", "text": "here:"}, result("toolu_a")))
    [finding] = errors(body)
    assert finding.api_message() == (
        "messages.2: Did not find 1 tool_result block(s) at the beginning of this message. "
        "Messages following tool_use blocks must begin with a matching number of tool_result "
        "blocks.")


def test_it_rejects_duplicate_tool_use_ids():
    body = request(assistant(use("toolu_a")), user(result("toolu_a")),
                   assistant(use("toolu_a")), user(result("toolu_a")))
    [finding] = errors(body)
    assert finding.api_message() == "messages.3.content.0: `tool_use` ids must be unique"


def test_it_checks_tool_names_replayed_in_history():
    call = {"type": "tool_use", "id": "toolu_a", "name": "fs.read", "input": {}}
    [finding] = errors(request(assistant(call), user(result("toolu_a"))))
    assert finding.api_message() == ("messages.1.content.0.tool_use.name: String should match "
                                     "pattern '^[a-zA-Z0-9_-]{1,128}$'")
    search = {"type": "server_tool_use", "id": "toolu_x", "name": "web_search", "input": {}}
    found = {"type": "web_search_tool_result", "tool_use_id": "toolu_x", "content": []}
    messages = [assistant(search, found, {"type": "text", "text": "ok"}), user({"type": "text", "text": "ok"})]
    assert {f.api_message() for f in errors(request(*messages))} == {
        "messages.1.content.0.server_tool_use.id: String should match pattern "
        "'^srvtoolu_[a-zA-Z0-9_]+$'",
        "messages.1.content.1.web_search_tool_result.tool_use_id: String should match pattern "
        "'^srvtoolu_[a-zA-Z0-9_]+$'",
    }


def test_it_checks_id_patterns():
    body = request(assistant(use("call.1")), user(result("call.1")))
    findings = errors(body)
    assert [f.api_message() for f in findings] == [
        "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
        "messages.2.content.0.tool_result.tool_use_id: String should match pattern "
        "'^[a-zA-Z0-9_-]+$'",
    ]


def test_it_pairs_over_merged_consecutive_messages_and_warns_about_them():
    body = request(assistant(use("toolu_a")), user(result("toolu_a")),
                   user({"type": "text", "text": "also this"}))
    findings = validate_request(body)
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[3]")]
    assert "merges them" in findings[0].message


def test_it_pairs_server_tools_within_the_assistant_turn():
    search = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search",
              "input": {"query": "x"}}
    found = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_01", "content": []}
    body = request(assistant(search, found, {"type": "text", "text": "Found it"}),
                   user({"type": "text", "text": "thanks"}))
    assert errors(body) == []
    body = request(assistant(search, {"type": "text", "text": "Found it"}),
                   user({"type": "text", "text": "thanks"}))
    [finding] = errors(body)
    assert finding.api_message().startswith(
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "srvtoolu_01")


def test_it_accepts_a_paused_turn_resent_with_its_unfinished_server_tool_use():
    search = {"type": "server_tool_use", "id": "srvtoolu_02", "name": "web_search",
              "input": {"query": "x"}}
    body = request(assistant({"type": "text", "text": "Searching."}, search))
    body["model"] = "claude-opus-4-6"  # rejects prefill, but a pause_turn continuation is not one
    assert errors(body) == []


def test_it_rejects_tool_result_blocks_in_assistant_turns():
    body = request(assistant(result("toolu_a")))
    [finding] = errors(body)
    assert finding.api_message() == "messages.1: `tool_result` blocks can only be in `user` messages"


def test_it_warns_when_tool_history_comes_without_tool_definitions():
    body = request(assistant(use("toolu_a")), user(result("toolu_a")))
    del body["tools"]
    findings = validate_request(body)
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[1]")]
    assert "must define tools" in findings[0].message


def test_it_rejects_results_split_over_consecutive_user_messages():
    # MoonshotAI/kosong#45, rowboatlabs/rowboat#378: results for one assistant turn sent as
    # one user message each get `tool_use ids were found without tool_result blocks
    # immediately after` for all but the first message's
    body = request(assistant(use("toolu_a"), use("toolu_b")),
                   user(result("toolu_a")), user(result("toolu_b"), {"type": "text", "text": "ok"}))
    findings = validate_request(body)
    assert [(f.severity, f.path) for f in findings] == [("warning", "messages[3]"),
                                                        ("error", "messages[1]")]
    assert "immediately after: toolu_b." in findings[1].message


def test_it_accepts_advisor_server_calls_only_with_the_advisor_beta():
    call = {"type": "server_tool_use", "id": "srvtoolu_01", "name": "advisor", "input": {}}
    done = {"type": "advisor_tool_result", "tool_use_id": "srvtoolu_01", "content": {}}
    body = request(assistant(call, done, {"type": "text", "text": "ok"}),
                   user({"type": "text", "text": "thanks"}))
    assert [f.path for f in errors(body)] == ["messages[1].content[0].name",
                                              "messages[1].content[1]"]
    findings = validate_request(body, betas="advisor-tool-2026-03-01")
    assert [f for f in findings if f.severity == "error"] == []
