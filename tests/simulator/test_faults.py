"""Fault controls: each `x-sim-fault` reaches the official SDK the way the real failure would."""

from __future__ import annotations

import time

import anthropic
import httpx
import pytest

HI = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper"}]


def _fault(name: str, **extra: str) -> dict:
    return {"x-sim-fault": name, **extra}


def _streamed_event_lines(sim_url: str, headers: dict) -> list[bytes]:
    """The `event: ...` line of every event of a streamed answer to HI, read over plain HTTP."""
    with httpx.Client(base_url=sim_url) as http:
        body = http.post(
            "/v1/messages",
            json={"model": "sim-1", "max_tokens": 200, "messages": HI, "stream": True},
            headers=headers,
        ).content
    return [chunk.split(b"\n", 1)[0] for chunk in body.split(b"\n\n") if chunk]


def test_it_answers_overloaded_with_529(client):
    with pytest.raises(anthropic.InternalServerError) as caught:
        client.messages.create(model="sim-1", max_tokens=50, messages=HI, extra_headers=_fault("overloaded"))
    error = caught.value
    assert error.status_code == 529
    assert error.body["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    assert error.response.headers["x-should-retry"] == "true"
    assert error.request_id == error.body["request_id"] == error.response.headers["request-id"]


def test_it_answers_rate_limit_with_429_and_retry_after(client):
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(
            model="sim-1", max_tokens=50, messages=HI, extra_headers=_fault("rate_limit", **{"x-sim-retry-after": "7"})
        )
    headers = caught.value.response.headers
    assert headers["retry-after"] == "7"
    assert headers["anthropic-ratelimit-requests-remaining"] == "0"
    assert caught.value.body["error"]["type"] == "rate_limit_error"


def test_it_answers_server_error_with_500(client):
    with pytest.raises(anthropic.InternalServerError) as caught:
        client.messages.count_tokens(model="sim-1", messages=HI, extra_headers=_fault("server_error"))
    assert caught.value.status_code == 500
    assert caught.value.body["error"]["type"] == "api_error"


def test_it_lets_sdk_retries_succeed_after_the_first_attempts(sim_url):
    with anthropic.Anthropic(base_url=sim_url, api_key="k", max_retries=2) as sdk:
        raw = sdk.messages.with_raw_response.create(
            model="sim-1",
            max_tokens=20,
            messages=HI,
            extra_headers=_fault("overloaded", **{"x-sim-fault-attempts": "1", "x-sim-retry-after": "0"}),
        )
    assert raw.retries_taken == 1
    assert raw.parse().stop_reason in ("end_turn", "max_tokens")


def test_it_sends_an_error_event_mid_stream(client):
    seen: list[str] = []
    with (
        pytest.raises(anthropic.APIStatusError) as caught,
        client.messages.stream(
            model="sim-1", max_tokens=200, messages=HI, extra_headers=_fault("error_mid_stream")
        ) as stream,
    ):
        for text in stream.text_stream:
            seen.append(text)
    assert seen, "some deltas arrive before the error"
    assert caught.value.body["error"] == {"type": "overloaded_error", "message": "Overloaded"}


def test_it_places_the_mid_stream_error_after_the_asked_number_of_deltas(sim_url):
    events = _streamed_event_lines(sim_url, _fault("error_mid_stream", **{"x-sim-fault-after": "2"}))
    assert events.count(b"event: content_block_delta") == 2
    assert events[-1] == b"event: error"
    assert b"event: message_stop" not in events


def test_it_cuts_the_connection_mid_stream(client, sim_url):
    seen: list[str] = []
    with (
        pytest.raises(Exception) as caught,  # noqa: B017
        client.messages.stream(
            model="sim-1", max_tokens=200, messages=HI, extra_headers=_fault("cut_mid_stream")
        ) as stream,
    ):
        for text in stream.text_stream:
            seen.append(text)
    # The dropped connection surfaces as the HTTP stack's own error (httpx or its httpx2
    # fork), which newer SDKs wrap in their APIConnectionError: never as a complete answer.
    error = caught.value
    if type(error).__name__ == "APIConnectionError":
        error = error.__cause__ or error.__context__
    assert type(error).__name__ == "RemoteProtocolError"
    assert seen, "some deltas arrive before the cut"
    received = bytearray()
    with (
        httpx.Client(base_url=sim_url) as http,
        pytest.raises(httpx.RemoteProtocolError),
        http.stream(
            "POST",
            "/v1/messages",
            json={"model": "sim-1", "max_tokens": 200, "messages": HI, "stream": True},
            headers=_fault("cut_mid_stream"),
        ) as response,
    ):
        for chunk in response.iter_raw():
            received += chunk
    assert b"content_block_delta" in received and b"message_stop" not in received


def test_it_cuts_a_non_streaming_body_half_way(sim_url):
    with httpx.Client(base_url=sim_url) as http, pytest.raises(httpx.RemoteProtocolError):
        http.post(
            "/v1/messages",
            json={"model": "sim-1", "max_tokens": 50, "messages": HI},
            headers=_fault("cut_mid_stream"),
        )


def test_it_stalls_long_enough_for_a_read_timeout(sim_url):
    with anthropic.Anthropic(base_url=sim_url, api_key="k", max_retries=0, timeout=0.3) as sdk:
        started = time.monotonic()
        with pytest.raises(anthropic.APITimeoutError):
            sdk.messages.create(
                model="sim-1", max_tokens=20, messages=HI, extra_headers=_fault("stall", **{"x-sim-stall-ms": "8000"})
            )
        assert time.monotonic() - started < 4.0


def test_it_resumes_a_stalled_stream_after_the_silence(client):
    started = time.monotonic()
    gaps: list[float] = []
    last = started
    with client.messages.stream(
        model="sim-1", max_tokens=100, messages=HI, extra_headers=_fault("stall", **{"x-sim-stall-ms": "400"})
    ) as stream:
        for _ in stream:
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        final = stream.get_final_message()
    assert max(gaps) >= 0.38
    assert final.stop_reason == "end_turn"


def test_it_paces_events_with_the_delay_header(sim_url):
    arrivals: list[float] = []
    with httpx.Client(base_url=sim_url) as http:
        started = time.monotonic()
        with http.stream(
            "POST",
            "/v1/messages",
            json={"model": "sim-1", "max_tokens": 100, "messages": HI, "stream": True},
            headers={"x-sim-delay-ms": "30", "x-sim-output-tokens": "9"},
        ) as response:
            for chunk in response.iter_raw():
                arrivals += [time.monotonic()] * chunk.count(b"event: ")
    # message_start, block start, ping, 3 deltas, block stop, message_delta, message_stop
    assert len(arrivals) == 9
    # Eight pauses of 30 ms happen before the last event can leave...
    assert arrivals[-1] - started >= 8 * 0.03
    # ...and the first one is not held back until then: the stream is live.
    assert arrivals[-1] - arrivals[0] >= 0.1


@pytest.mark.parametrize(
    ("name", "value", "wording"),
    [
        ("x-sim-fault", "explode", "x-sim-fault: unknown fault 'explode'"),
        ("x-sim-delay-ms", "soon", "x-sim-delay-ms: must be an integer"),
        ("x-sim-output-tokens", "-3", "x-sim-output-tokens: must be between 0 and"),
        ("x-sim-colour", "blue", "x-sim-colour: unknown simulator control"),
    ],
)
def test_it_rejects_bad_control_headers(client, name, value, wording):
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(model="sim-1", max_tokens=20, messages=HI, extra_headers={name: value})
    assert caught.value.body["error"]["type"] == "invalid_request_error"
    assert caught.value.body["error"]["message"].startswith(wording)


def test_it_applies_faults_to_the_models_endpoints_too(client, sim_url):
    with pytest.raises(anthropic.InternalServerError) as caught:
        client.models.list(extra_headers=_fault("error_mid_stream"))
    assert caught.value.status_code == 529
    with httpx.Client(base_url=sim_url) as http, pytest.raises(httpx.RemoteProtocolError):
        http.get("/v1/models/sim-1", headers=_fault("cut_mid_stream"))


def test_it_can_fail_right_after_message_start(sim_url):
    events = _streamed_event_lines(sim_url, _fault("Error-Mid-Stream", **{"x-sim-fault-after": "0"}))
    assert events == [b"event: message_start", b"event: error"]
