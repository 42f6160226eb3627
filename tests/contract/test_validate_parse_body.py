"""Bad bytes on the wire: every one gets a 4xx in the API's error shape, none raises."""

from __future__ import annotations

import json

from playground.contract.validate import MAX_BODY_BYTES, api_error, parse_body

GOOD = {"model": "sim-1", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}


def _rejected(raw: bytes) -> tuple[int, str, str]:
    body, findings = parse_body(raw)
    assert body is None
    status, error = api_error(findings, "req_test")
    assert error["type"] == "error" and error["request_id"] == "req_test"
    return status, error["error"]["type"], error["error"]["message"]


def test_it_parses_a_good_body():
    body, findings = parse_body(json.dumps(GOOD).encode())
    assert findings == []
    assert body == GOOD


def test_it_rejects_invalid_json_with_the_position():
    status, kind, message = _rejected(b'{"model": "sim-1",}')
    assert (status, kind) == (400, "invalid_request_error")
    assert message.startswith("The request body is not valid JSON: ")
    assert "line 1 column 19" in message


def test_it_rejects_an_empty_body():
    status, _, message = _rejected(b"")
    assert status == 400
    assert "Expecting value" in message


def test_it_answers_413_for_a_33_mb_body_without_parsing_it():
    raw = b'{"model": "' + b"a" * (33 * 1024 * 1024) + b'"}'
    status, kind, message = _rejected(raw)
    assert (status, kind) == (413, "request_too_large")
    assert message == "Request exceeds the maximum size"


def test_it_accepts_a_body_of_exactly_32_mib():
    prefix, suffix = b'{"pad": "', b'"}'
    raw = prefix + b"a" * (MAX_BODY_BYTES - len(prefix) - len(suffix)) + suffix
    assert len(raw) == MAX_BODY_BYTES
    body, findings = parse_body(raw)
    assert findings == [] and len(body["pad"]) > 32_000_000


def test_it_rejects_a_lone_surrogate_with_its_path():
    body, findings = parse_body(b'{"messages": [{"role": "user", "content": "a\\ud800b"}]}')
    assert body is None
    assert findings[0].path == "messages[0].content"
    assert findings[0].status == 400
    assert "no low surrogate in string: line 1 column 45 (char 44)" in findings[0].message


def test_it_rejects_a_lone_low_surrogate():
    _, _, message = _rejected(b'{"a": "\\udc00"}')
    assert "low surrogate" in message


def test_it_accepts_a_surrogate_pair_and_an_escaped_backslash():
    body, findings = parse_body(b'{"a": "\\ud83d\\ude00", "b": "\\\\ud800"}')
    assert findings == []
    assert body == {"a": "\U0001f600", "b": "\\ud800"}


def test_it_rejects_10000_deep_nesting():
    status, _, message = _rejected(b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}")
    assert status == 400
    assert "nesting depth exceeds 256" in message


def test_it_rejects_nesting_just_past_the_limit_that_json_itself_allows():
    status, _, message = _rejected(b"[" * 300 + b"]" * 300)
    assert status == 400 and "nesting depth" in message


def test_it_rejects_duplicate_keys_with_the_objects_path():
    raw = b'{"model": "sim-1", "messages": [{"role": "user", "role": "assistant"}]}'
    body, findings = parse_body(raw)
    assert body is None
    assert findings[0].path == "messages[0]"
    assert 'duplicate key "role"' in findings[0].message
    assert findings[0].status == 400


def test_it_rejects_nan_and_infinity():
    for raw in (b'{"temperature": NaN}', b'{"temperature": -Infinity}'):
        status, _, message = _rejected(raw)
        assert status == 400 and "not allowed" in message


def test_it_rejects_a_huge_number():
    status, _, message = _rejected(b'{"max_tokens": ' + b"9" * 1_000_000 + b"}")
    assert status == 400 and "number out of range" in message


def test_it_rejects_invalid_utf8():
    status, _, message = _rejected(b'{"a": "\xff\xfe"}')
    assert status == 400 and "invalid UTF-8 at byte 7" in message


def test_it_keeps_nul_characters_which_are_valid_json():
    body, findings = parse_body(b'{"a": "x\\u0000y"}')
    assert findings == [] and body == {"a": "x\x00y"}
