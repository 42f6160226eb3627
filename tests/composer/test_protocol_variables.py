"""The run socket's new keys are checked like the rest: `copy`, `variables`, and `grid`'s sets."""

from __future__ import annotations

import pytest

from playground.composer.protocol import MAX_GRID_ROWS, ProtocolError, parse_message

REQUEST = {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "{{x}}"}]}


def test_it_reads_a_run_with_its_copy_and_value_set():
    msg = parse_message({"action": "run", "run_id": "r1", "request": REQUEST, "copy": "abc_DEF-1",
                         "variables": {"set": "a", "values": {"x": "1"}}})
    assert msg["copy"] == "abc_DEF-1" and msg["variables"] == {"set": "a", "values": {"x": "1"}}


def test_a_grid_needs_its_sets():
    msg = parse_message({"action": "grid", "run_id": "g", "request": REQUEST, "sets": [{"name": "a", "values": {}}]})
    assert msg["sets"] == [{"name": "a", "values": {}}] and msg["variables"] is None


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"variables": {"set": "a"}}, "variables must be"),
        ({"variables": {"set": "a", "values": {"x": 1}}}, "must be a string"),
        ({"variables": {"set": 5, "values": {}}}, "variables.set"),
        ({"copy": "../../etc"}, "copy must be"),
    ],
)
def test_it_rejects_bad_origins(extra, message):
    with pytest.raises(ProtocolError, match=message):
        parse_message({"action": "run", "run_id": "r1", "request": REQUEST, **extra})


@pytest.mark.parametrize(
    "sets",
    [[], "x", [{"name": "a"}], [{"name": "", "values": {}}], [{"name": "a", "values": []}],
     [{"name": f"s{i}", "values": {}} for i in range(MAX_GRID_ROWS + 1)]],
)
def test_it_rejects_bad_grid_sets(sets):
    with pytest.raises(ProtocolError):
        parse_message({"action": "grid", "run_id": "g", "request": REQUEST, "sets": sets})


def test_a_grid_takes_no_single_value_set():
    with pytest.raises(ProtocolError, match="unknown key: variables"):
        parse_message({"action": "grid", "run_id": "g", "request": REQUEST, "sets": [{"name": "a", "values": {}}],
                       "variables": {"set": "a", "values": {}}})
