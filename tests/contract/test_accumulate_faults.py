"""A broken stream gives the partial message, a clear outcome and anomalies, never an exception."""

from __future__ import annotations

from playground.contract.accumulate import Accumulator, accumulate
from playground.contract.events import message_to_events
from playground.contract.sse import encode_event, parse_all
from tests.conftest import load_capture


def _add(acc: Accumulator, name: str, data: dict) -> None:
    acc.add_sse(parse_all(encode_event(name, data))[0])


BODY = load_capture("11_stream_server_tool_and_custom_tool_fragments.json")["response_sse"].encode()


def test_it_reports_an_error_event_with_the_partial_message():
    events = parse_all(BODY)[:6]  # message_start .. first text block done
    error = encode_event("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    result = accumulate(events + parse_all(error))
    assert result.outcome == "error"
    assert result.error == {"type": "overloaded_error", "message": "Overloaded"}
    assert result.message["content"][0]["text"].startswith("Let me search")
    assert result.message["stop_reason"] is None


def test_it_reports_a_cut_stream_as_incomplete_with_what_arrived():
    cut = BODY[: BODY.index(b'"partial_json":"te "')]
    result = accumulate(parse_all(cut))
    assert result.outcome == "incomplete"
    assert result.message["content"][0]["type"] == "text"
    server_call = result.message["content"][1]
    assert server_call["type"] == "server_tool_use"
    # The input never finished: kept verbatim, flagged, and the block keeps {}.
    assert server_call["input"] == {}
    assert result.partial_json[1] == '{"query": "USD EUR exchange ra'
    assert any("content[1].input" in a for a in result.anomalies)
    assert any("blank line" in a for a in result.anomalies)


def test_it_gives_nothing_but_no_error_for_an_empty_stream():
    result = accumulate([])
    assert (result.message, result.outcome, result.error) == (None, "incomplete", None)


def test_it_flags_invalid_json_and_keeps_going():
    events = parse_all(BODY)
    broken = parse_all(b"event: content_block_delta\ndata: {not json\n\n")
    result = accumulate(events[:3] + broken + events[3:])
    assert result.outcome == "completed"
    assert any("invalid JSON" in a for a in result.anomalies)
    assert result.message["content"][4]["input"] == {"from_currency": "USD", "to_currency": "EUR"}


def test_it_flags_events_after_message_stop():
    extra = encode_event("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "late"}})
    result = accumulate(parse_all(BODY + extra))
    assert result.outcome == "completed"
    assert "late" not in result.message["content"][0]["text"]
    assert any("after the stream ended" in a for a in result.anomalies)


def test_it_flags_deltas_for_unknown_indexes_and_wrong_kinds():
    acc = Accumulator()
    for name, data in message_to_events({"id": "m", "type": "message", "role": "assistant", "model": "x",
                                          "content": [{"type": "text", "text": "hi"}], "stop_reason": "end_turn",
                                          "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}})[:4]:
        _add(acc, name, data)
    _add(acc, "content_block_delta", {"type": "content_block_delta", "index": 9, "delta": {"type": "text_delta", "text": "x"}})
    _add(acc, "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "x"}})
    _add(acc, "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "mystery_delta"}})
    result = acc.finish()
    assert result.message["content"] == [{"type": "text", "text": "hi"}]
    assert len(result.anomalies) == 3
    assert result.outcome == "incomplete"


def test_it_flags_events_before_message_start_and_non_utf8_bytes():
    events = parse_all(b'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
                       b'event: ping\ndata: {"type": "ping", "x": "\xff"}\n\n')
    result = accumulate(events)
    assert result.message is None
    assert any("before message_start" in a for a in result.anomalies)
    assert any("not UTF-8" in a for a in result.anomalies)


def test_it_flags_index_gaps_but_keeps_the_block():
    acc = Accumulator()
    _add(acc, "message_start", {"type": "message_start", "message": {"id": "m", "content": [], "usage": {}}})
    _add(acc, "content_block_start", {"type": "content_block_start", "index": 2, "content_block": {"type": "text", "text": ""}})
    _add(acc, "content_block_delta", {"type": "content_block_delta", "index": 2, "delta": {"type": "text_delta", "text": "x"}})
    result = acc.finish()
    assert result.message["content"] == [{"type": "text", "text": "x"}]
    assert any("expected 0" in a for a in result.anomalies)


def test_it_never_lets_a_null_usage_field_erase_a_known_one():
    acc = Accumulator()
    _add(acc, "message_start", {"type": "message_start", "message": {"id": "m", "content": [], "usage": {"input_tokens": 5, "output_tokens": 1, "cache_read_input_tokens": 3}}})
    _add(acc, "message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                              "usage": {"output_tokens": 9, "cache_read_input_tokens": None}})
    _add(acc, "message_stop", {"type": "message_stop"})
    usage = acc.finish().message["usage"]
    assert usage == {"input_tokens": 5, "output_tokens": 9, "cache_read_input_tokens": 3}


def test_it_reports_an_error_event_without_an_error_object():
    result = accumulate(parse_all(b'event: error\ndata: {"type":"error"}\n\n'))
    assert result.outcome == "error"
    assert result.error["type"] == "api_error"
    assert any("no error object" in a for a in result.anomalies)


def _started_text_block() -> Accumulator:
    acc = Accumulator()
    head = encode_event("message_start", {"type": "message_start", "message": {"id": "m", "content": [], "usage": {}}})
    head += encode_event("content_block_start", {"type": "content_block_start", "index": 0,
                                                 "content_block": {"type": "text", "text": ""}})
    for ev in parse_all(head):
        acc.add_sse(ev)
    return acc


def test_it_flags_a_delta_with_a_raw_control_character_and_keeps_the_next():
    acc = _started_text_block()
    for ev in parse_all(b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\x01"}}\n\n'
                        b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta", "text":"ok"}}\n\n'):
        acc.add_sse(ev)
    result = acc.finish()
    assert result.message["content"][0]["text"] == "ok"
    assert any("invalid JSON" in a for a in result.anomalies)


def test_it_keeps_memory_in_few_pieces_for_long_text():
    acc = _started_text_block()
    for i in range(10_000):
        acc.add_sse(parse_all(encode_event("content_block_delta", {
            "type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": f"{i} "}}))[0])
    block = acc._blocks[0]
    assert len(block.parts) + len(block.done) < 300
    assert acc.finish().message["content"][0]["text"] == "".join(f"{i} " for i in range(10_000))
