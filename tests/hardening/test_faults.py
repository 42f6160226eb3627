"""The fault suite (issue 14): a raw TCP upstream misbehaves, the proxy must hold up.

For each fault the test checks what the client got (a well-formed answer, or an error in the
API's shape, or a stream that ends with an `error` event rather than a clean close that
reads as complete), what was recorded (a finished exchange with the right outcome, holding
what arrived), and that nothing leaked or hung (the provider key is in no answer; a stalled
upstream connection is closed by the proxy; the call ends in bounded time). The table in
docs/proxy.md ("Situation / Client gets / Recorded as") is the specification.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest

from playground import upstream
from playground.contract.sse import parse_all
from playground.providers.models import Provider
from playground.recording.events import raw_stream
from tests.hardening import fault_upstream
from tests.hardening.fault_upstream import FaultServer
from tests.proxy.conftest import pinned_key, recorded

pytestmark = pytest.mark.timeout(120)

PROVIDER_KEY = "sk-ant-api03-FAULTcanary0123456789abcdef"
STREAM = {"model": "fake-1", "max_tokens": 50, "stream": True, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def faults():
    server = FaultServer()
    url = server.start()
    target = FaultServer()
    server.redirect_to = target.start()
    fault_upstream.SEEN.clear()
    yield url
    server.stop()
    target.stop()


@pytest.fixture
def fault_key(proxy_url, faults, alice) -> str:
    raw = pinned_key("acme", "acme-faults", faults, "faults")
    Provider.objects.filter(name="faults").update(
        auth_style="x-api-key", first_byte_timeout=1.5, idle_timeout=1.5, connect_timeout=2)
    from playground.providers.crypto import encrypt_key

    Provider.objects.filter(name="faults").update(api_key_encrypted=encrypt_key(PROVIDER_KEY))
    return raw


def _call(proxy_url: str, key: str, fault: str, body: dict = STREAM) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    with httpx.Client(timeout=30) as client:
        response = client.post(f"{proxy_url}/v1/messages", json=body,
                               headers={"x-api-key": key, "x-fault": fault, "x-fault-id": fault})
    return response, time.monotonic() - started


def _leaks(response: httpx.Response) -> bool:
    return PROVIDER_KEY in response.text or any(PROVIDER_KEY in v for v in response.headers.values())


def _api_error(response: httpx.Response, status: int, kind: str) -> None:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == kind
    assert "request_id" in body


def _stream_events(response: httpx.Response) -> list:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_all(response.content)


def _exchange():
    [exchange] = recorded(1, proxy_key_name="acme-faults")
    return exchange


def _texts(exchange) -> str:
    """Everything recorded of the stream, as text."""
    return raw_stream(exchange).decode("utf-8", "replace")


@pytest.mark.parametrize(("fault", "status", "kind"), [
    ("429", 429, "rate_limit_error"), ("529", 529, "overloaded_error"), ("500", 500, "api_error"),
])
def test_upstream_error_statuses_pass_unchanged_with_their_retry_hints(proxy_url, fault_key, fault, status, kind):
    response, _ = _call(proxy_url, fault_key, fault)
    _api_error(response, status, kind)
    if fault == "429":
        assert response.headers["retry-after"] == "7"
        assert response.headers["retry-after-ms"] == "6500"
    if fault in ("429", "529"):
        assert response.headers.get("x-should-retry") == "true"
    assert not _leaks(response)
    assert _exchange().outcome == "upstream_error"


@pytest.mark.parametrize("fault", ["html_502", "json_200", "empty_200"])
def test_a_non_sse_answer_to_a_stream_is_a_502_in_the_api_shape(proxy_url, fault_key, fault):
    response, _ = _call(proxy_url, fault_key, fault)
    _api_error(response, 502, "api_error")
    assert response.headers["x-should-retry"] == "true"
    assert not _leaks(response)
    exchange = _exchange()
    assert exchange.outcome == "upstream_error"
    assert exchange.status == (502 if fault == "html_502" else 200)
    if fault == "html_502":
        # What arrived is kept as it arrived; only the client's copy is reshaped.
        assert "<h1>502 Bad Gateway</h1>" in exchange.response_text
        assert response.json()["error"]["message"].startswith("The upstream answered HTTP 502")


def test_an_html_error_page_to_a_plain_request_keeps_its_status_in_the_api_shape(proxy_url, fault_key):
    response, _ = _call(proxy_url, fault_key, "html_502", {**STREAM, "stream": False})
    _api_error(response, 502, "api_error")
    assert response.headers["content-type"].startswith("application/json")
    assert _exchange().outcome == "upstream_error"


def test_a_refused_connection_is_a_retryable_502(proxy_url, alice):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = pinned_key("acme", "acme-faults", f"http://127.0.0.1:{port}", "faults")
    response, elapsed = _call(proxy_url, key, "ok")
    _api_error(response, 502, "api_error")
    assert response.headers["x-should-retry"] == "true"
    assert _exchange().outcome == "upstream_error"
    assert elapsed < 15


def test_no_headers_before_the_first_byte_timeout_is_a_504(proxy_url, fault_key):
    response, elapsed = _call(proxy_url, fault_key, "silent")
    _api_error(response, 504, "timeout_error")
    assert elapsed < 15
    assert _exchange().outcome == "timeout"
    _closed_by_proxy("silent")


def test_a_stall_longer_than_the_idle_timeout_ends_the_stream_and_keeps_what_arrived(proxy_url, fault_key):
    response, elapsed = _call(proxy_url, fault_key, "stall")
    events = _stream_events(response)
    assert events[-1].event == "error"
    assert elapsed < 15
    exchange = _exchange()
    assert exchange.outcome == "timeout"
    assert "before " in _texts(exchange)
    _closed_by_proxy("stall")


def test_a_cut_before_message_stop_ends_with_an_api_error_event(proxy_url, fault_key):
    events = _stream_events(_call(proxy_url, fault_key, "cut")[0])
    assert [e.event for e in events][-1] == "error"
    assert json.loads(events[-1].data)["error"]["type"] == "api_error"
    exchange = _exchange()
    assert exchange.outcome == "incomplete"
    assert "partial " in _texts(exchange)


def test_an_error_event_mid_stream_passes_as_sent(proxy_url, fault_key):
    events = _stream_events(_call(proxy_url, fault_key, "error_event")[0])
    assert events[-1].event == "error"
    assert json.loads(events[-1].data)["error"]["type"] == "overloaded_error"
    exchange = _exchange()
    assert exchange.outcome == "error_mid_stream"
    assert "partial " in _texts(exchange)


def test_a_gzip_body_is_recorded_decoded(proxy_url, fault_key):
    response, _ = _call(proxy_url, fault_key, "gzip", {**STREAM, "stream": False})
    assert response.status_code == 200
    assert response.json()["content"][0]["text"] == "héllo"
    exchange = _exchange()
    assert exchange.outcome == "completed"
    assert "héllo" in json.dumps(exchange.response_body, ensure_ascii=False)


def test_a_utf8_character_split_across_writes_arrives_whole(proxy_url, fault_key):
    events = _stream_events(_call(proxy_url, fault_key, "utf8_split")[0])
    text = "".join(json.loads(e.data)["delta"]["text"] for e in events if e.event == "content_block_delta")
    assert text == "naïve 日本 🙂"
    exchange = _exchange()
    assert exchange.outcome == "completed"
    assert "\ufffd" not in _texts(exchange)


def test_an_unterminated_final_event_is_not_a_clean_end(proxy_url, fault_key):
    events = _stream_events(_call(proxy_url, fault_key, "unterminated")[0])
    # The bytes of message_stop arrived, but not its end: the stream did not finish.
    assert events[-1].event == "error"
    assert _exchange().outcome == "incomplete"


def test_events_after_message_stop_are_recorded(proxy_url, fault_key):
    _stream_events(_call(proxy_url, fault_key, "after_stop")[0])
    exchange = _exchange()
    assert "late " in _texts(exchange)


def test_a_5_mb_data_line_arrives_whole_and_is_recorded(proxy_url, fault_key):
    events = _stream_events(_call(proxy_url, fault_key, "big_line")[0])
    deltas = [json.loads(e.data)["delta"]["text"] for e in events if e.event == "content_block_delta"]
    assert deltas == ["x" * (5 * 1024 * 1024)]
    assert events[-1].event == "message_stop"
    assert _exchange().outcome == "completed"


def test_a_data_line_past_the_event_cap_ends_with_an_error_event_that_says_why(proxy_url, fault_key, monkeypatch):
    monkeypatch.setattr(upstream, "MAX_EVENT_BYTES", 1024 * 1024)
    response, _ = _call(proxy_url, fault_key, "big_line")
    events = _stream_events(response)
    assert events[-1].event == "error"
    assert len(response.content) < 2 * 1024 * 1024
    exchange = _exchange()
    assert exchange.outcome in ("incomplete", "upstream_error")
    assert "MB" in (exchange.error_message or "") or "event" in (exchange.error_message or "")


def test_a_redirect_is_never_followed_and_the_key_never_resent(proxy_url, fault_key):
    response, _ = _call(proxy_url, fault_key, "redirect")
    assert response.status_code in (307, 502)
    assert not _leaks(response)
    # The redirect target saw no request at all (so no key either).
    assert fault_upstream.SEEN.get("redirect", {}).get("requests") == 1
    assert _exchange().outcome in ("upstream_error", "completed")


def test_a_client_that_leaves_mid_stream_closes_the_upstream_connection(proxy_url, fault_key):
    with httpx.Client(timeout=30) as client, client.stream(
        "POST", f"{proxy_url}/v1/messages", json=STREAM,
        headers={"x-api-key": fault_key, "x-fault": "stall", "x-fault-id": "leave"},
    ) as response:
        for chunk in response.iter_bytes():
            if b"before" in chunk:
                break
    _closed_by_proxy("leave", within=5)
    assert _exchange().outcome in ("client_cancelled", "timeout")


def _closed_by_proxy(fault_id: str, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while "closed_by_proxy_at" not in fault_upstream.SEEN.get(fault_id, {}):
        assert time.monotonic() < deadline, f"the proxy kept the upstream connection of {fault_id} open"
        time.sleep(0.05)
