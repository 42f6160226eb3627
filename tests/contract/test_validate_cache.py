"""cache_control: shape, the 4-breakpoint limit across tools, system and messages, TTL
order, and markers left on old turns."""

from __future__ import annotations

from playground.contract.validate import validate_request

CC = {"type": "ephemeral"}
HOUR = {"type": "ephemeral", "ttl": "1h"}


def text(value: str, cache=None) -> dict:
    block = {"type": "text", "text": value}
    if cache:
        block["cache_control"] = cache
    return block


def request(n_marked_turns: int = 0, **fields) -> dict:
    messages = []
    for i in range(6):
        role = "user" if i % 2 == 0 else "assistant"
        messages.append({"role": role, "content": [text(f"turn {i}", CC if i < n_marked_turns else None)]})
    body = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": messages}
    body.update(fields)
    return body


def errors(body) -> list:
    return [f for f in validate_request(body) if f.severity == "error"]


def test_it_accepts_four_breakpoints():
    body = request(system=[text("You are terse.", CC)],
                   tools=[{"name": "t", "input_schema": {"type": "object"}, "cache_control": CC}])
    body["messages"][-1]["content"][0]["cache_control"] = CC
    body["messages"][-2]["content"][0]["cache_control"] = CC
    assert errors(body) == []


def test_it_rejects_a_fifth_breakpoint():
    body = request(5)
    [finding] = errors(body)
    assert finding.api_message() == "A maximum of 4 blocks with cache_control may be provided. Found 5."
    assert finding.path == "messages[4].content[0].cache_control"


def test_it_counts_automatic_caching_as_a_breakpoint():
    [finding] = errors(request(4, cache_control={"type": "ephemeral", "ttl": "5m"}))
    assert finding.message.endswith("Found 5.")
    assert finding.path == "cache_control"


def test_it_warns_about_markers_kept_on_old_turns_near_the_limit():
    findings = validate_request(request(3))
    assert [(f.severity, f.path) for f in findings] == [
        ("warning", "messages[0].content[0].cache_control"),
        ("warning", "messages[1].content[0].cache_control"),
        ("warning", "messages[2].content[0].cache_control"),
    ]
    assert validate_request(request(2)) == []


def test_it_rejects_a_1h_marker_after_a_5m_one():
    body = request(1, system=[text("sys", HOUR)])
    assert errors(body) == []  # system (1h) comes before messages (5m): fine
    body = request(1)
    body["messages"][2]["content"][0]["cache_control"] = HOUR
    [finding] = errors(body)
    assert finding.api_message() == (
        "messages.2.content.0.cache_control.ttl: a ttl='1h' cache_control block must not come "
        "after a ttl='5m' cache_control block. Note that blocks are processed in the following "
        "order: `tools`, `system`, `messages`.")


def test_it_checks_the_marker_shape():
    body = request()
    body["messages"][0]["content"][0]["cache_control"] = {"type": "persistent", "ttl": "1d"}
    found = sorted(f.api_message() for f in errors(body))
    assert found == [
        "messages.0.content.0.text.cache_control.ttl: Input should be '5m' or '1h'",
        "messages.0.content.0.text.cache_control.type: Input should be 'ephemeral'",
    ]
