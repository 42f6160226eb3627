"""The fault suite on the composer's path (issue 14): the raw TCP upstream of test_faults.py
misbehaves under a run started from the run socket (`ws/runs/`, a real WebSocket over
loopback HTTP to the application under uvicorn), as a page starts one.

For each fault the test checks what the page got (a `run.finished` frame with the right
outcome and, for a failure, an error in the API's shape, `{type, message}`), what was
recorded (the exchange with the same outcome, holding every event the page was sent and
whatever else arrived), and that nothing hung (the run ends in bounded time; an upstream
connection left open by the fault is closed by the server). docs/live-runs.md's outcome table
is the specification.
"""

from __future__ import annotations

import json
import socket
import time
import uuid

import pytest
import websockets
from channels.db import database_sync_to_async

from playground import recording
from playground.recording.events import raw_stream
from tests.hardening import fault_upstream
from tests.hardening.test_faults import PROVIDER_KEY, faults  # noqa: F401  (the fault upstream)
from tests.sessions import session_key_for

pytestmark = pytest.mark.timeout(120)

MODEL = "fake-1"
REQUEST = {"model": MODEL, "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
BOUND_S = 15  # every run ends within this, whatever the upstream does


def _provider(base_url: str, fault: str, idle_timeout: float) -> None:
    from playground.providers.models import Provider
    from playground.providers.ops import save_provider

    save_provider("faults", base_url=base_url, model_patterns=["fake-*"], auth_style="x-api-key",
                  api_key=PROVIDER_KEY, allow_private_network=True,
                  extra_headers={"x-fault": fault, "x-fault-id": f"composer-{fault}"})
    Provider.objects.filter(name="faults").update(
        first_byte_timeout=1.5, idle_timeout=idle_timeout, connect_timeout=2)


@pytest.fixture
def run_fault(app_url, faults, alice):  # noqa: F811
    """run_fault(fault, stop_on=None, idle_timeout=1.5) -> (frames, seconds): one run against the fault
    upstream, from the run socket; `stop_on(frame)` true sends Stop, as the page's button."""
    key = session_key_for(alice)
    port = app_url.rsplit(":", 1)[1]
    fault_upstream.SEEN.clear()

    async def run(fault: str, base_url: str | None = None, stop_on=None, idle_timeout: float = 1.5,
                  ) -> tuple[list[dict], float]:
        await database_sync_to_async(_provider)(base_url or faults, fault, idle_timeout)
        run_id = str(uuid.uuid4())
        frames: list[dict] = []
        started = time.monotonic()
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/runs/", max_size=None,
            additional_headers={"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"},
        ) as ws:
            await ws.send(json.dumps({"action": "run", "run_id": run_id, "request": REQUEST, "provider": "faults"}))
            stopped = False
            while not frames or frames[-1]["type"] != "run.finished":
                frames.append(json.loads(await ws.recv()))
                if stop_on is not None and not stopped and stop_on(frames[-1]):
                    stopped = True
                    await ws.send(json.dumps({"action": "stop", "run_id": run_id}))
        elapsed = time.monotonic() - started
        assert elapsed < BOUND_S, f"the run took {elapsed:.1f} s"
        assert frames[0]["type"] == "run.started"
        return frames, elapsed

    return run


async def _recorded(frames: list[dict]):
    from playground.recording.models import Exchange

    await recording.flush()
    return await database_sync_to_async(Exchange.objects.get)(public_id=frames[-1]["exchange_id"])


def _events(frames: list[dict]) -> list[dict]:
    return [e for f in frames if f["type"] == "run.events" for e in f["events"]]


def _text(frames: list[dict]) -> str:
    return "".join(
        e["data"]["delta"].get("text", "") for e in _events(frames)
        if e["event"] == "content_block_delta" and isinstance(e["data"], dict)
    )


def _api_error(frame: dict, kind: str | None = None) -> None:
    error = frame["error"]
    assert isinstance(error, dict) and isinstance(error.get("type"), str) and isinstance(error.get("message"), str)
    assert error["message"], frame
    if kind is not None:
        assert error["type"] == kind, error
    assert PROVIDER_KEY not in json.dumps(frame)


async def _everything_sent_was_recorded(frames: list[dict], exchange) -> str:
    """The recorded stream holds every event the page was sent; returns it as text."""
    stream = (await database_sync_to_async(raw_stream)(exchange)).decode("utf-8", "replace")
    for event in _events(frames):
        assert f"event: {event['event']}" in stream
    for text in _text(frames).split():
        assert text in stream
    assert PROVIDER_KEY not in stream
    return stream


def _closed_by_server(fault: str, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while "closed_by_proxy_at" not in fault_upstream.SEEN.get(f"composer-{fault}", {}):
        assert time.monotonic() < deadline, f"the server kept the upstream connection of {fault} open"
        time.sleep(0.05)


async def test_a_refused_connection_is_an_upstream_error(run_fault):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    frames, _ = await run_fault("ok", base_url=closed)
    final = frames[-1]
    assert final["outcome"] == "upstream_error" and final["status"] is None
    _api_error(final, "api_error")
    assert (await _recorded(frames)).outcome == "upstream_error"


async def test_no_headers_before_the_first_byte_timeout_is_a_timeout(run_fault):
    frames, _ = await run_fault("silent")
    final = frames[-1]
    assert final["outcome"] == "timeout"
    _api_error(final, "timeout_error")
    assert _events(frames) == []
    assert (await _recorded(frames)).outcome == "timeout"
    _closed_by_server("silent")


async def test_a_stall_longer_than_the_idle_timeout_keeps_what_arrived(run_fault):
    frames, _ = await run_fault("stall")
    final = frames[-1]
    assert final["outcome"] == "timeout"
    _api_error(final, "timeout_error")
    assert _text(frames) == "before "
    assert [b["text"] for b in final["message"]["content"]] == ["before "]  # the partial answer
    exchange = await _recorded(frames)
    assert exchange.outcome == "timeout"
    assert "before " in await _everything_sent_was_recorded(frames, exchange)
    _closed_by_server("stall")


async def test_a_cut_before_message_stop_is_incomplete(run_fault):
    frames, _ = await run_fault("cut")
    final = frames[-1]
    assert final["outcome"] == "incomplete"
    _api_error(final, "api_error")
    assert _text(frames) == "partial "
    exchange = await _recorded(frames)
    assert exchange.outcome == "incomplete"
    await _everything_sent_was_recorded(frames, exchange)


async def test_an_error_event_mid_stream_is_shown_with_the_partial_answer(run_fault):
    frames, _ = await run_fault("error_event")
    final = frames[-1]
    assert final["outcome"] == "error_mid_stream"
    _api_error(final, "overloaded_error")
    assert _events(frames)[-1]["event"] == "error"
    assert [b["text"] for b in final["message"]["content"]] == ["partial "]
    exchange = await _recorded(frames)
    assert exchange.outcome == "error_mid_stream"
    await _everything_sent_was_recorded(frames, exchange)


@pytest.mark.parametrize(("fault", "status", "kind"), [
    ("429", 429, "rate_limit_error"), ("529", 529, "overloaded_error"), ("500", 500, "api_error"),
])
async def test_an_error_status_is_shown_with_the_apis_own_error(run_fault, fault, status, kind):
    frames, _ = await run_fault(fault)
    final = frames[-1]
    assert final["outcome"] == "upstream_error" and final["status"] == status
    _api_error(final, kind)
    exchange = await _recorded(frames)
    assert exchange.outcome == "upstream_error" and exchange.status == status
    assert exchange.response_body["error"]["type"] == kind
    if fault == "429":
        headers = {name.lower(): value for name, value in exchange.response_headers}
        assert headers["retry-after"] == "7" and headers["retry-after-ms"] == "6500"


@pytest.mark.parametrize(("fault", "status"), [("html_502", 502), ("json_200", 200), ("empty_200", 200)])
async def test_an_answer_that_is_no_stream_is_an_upstream_error(run_fault, fault, status):
    frames, _ = await run_fault(fault)
    final = frames[-1]
    assert final["outcome"] == "upstream_error" and final["status"] == status
    _api_error(final, "api_error")
    assert "<html" not in final["error"]["message"]  # a page is not shown as the API's words
    assert final["message"] is None
    exchange = await _recorded(frames)
    assert exchange.outcome == "upstream_error" and exchange.status == status
    if fault == "html_502":
        assert "502 Bad Gateway" in exchange.response_text  # what arrived, kept


async def test_an_unterminated_final_event_is_not_a_clean_end(run_fault):
    frames, _ = await run_fault("unterminated")
    final = frames[-1]
    assert final["outcome"] == "incomplete"
    _api_error(final, "api_error")
    assert _text(frames) == "end "
    exchange = await _recorded(frames)
    assert exchange.outcome == "incomplete"
    await _everything_sent_was_recorded(frames, exchange)


async def test_events_after_message_stop_are_recorded_and_the_run_completes(run_fault):
    frames, _ = await run_fault("after_stop")
    final = frames[-1]
    assert final["outcome"] == "completed" and final["error"] is None
    assert [b["text"] for b in final["message"]["content"]] == ["done "]
    exchange = await _recorded(frames)
    assert exchange.outcome == "completed"
    assert "late " in await _everything_sent_was_recorded(frames, exchange)


async def test_a_redirect_is_never_followed(run_fault):
    frames, _ = await run_fault("redirect")
    final = frames[-1]
    assert final["outcome"] == "upstream_error" and final["status"] == 307
    _api_error(final, "api_error")
    # Only the fault upstream saw a request: the redirect's target saw none, so no key.
    assert fault_upstream.SEEN["composer-redirect"]["requests"] == 1
    assert set(fault_upstream.SEEN) == {"composer-redirect"}
    assert (await _recorded(frames)).outcome == "upstream_error"


async def test_stop_mid_stream_cancels_the_run_and_closes_the_upstream(run_fault):
    # The idle timeout is long here: only Stop can end this run in time.
    frames, elapsed = await run_fault("stall", idle_timeout=60,
                                      stop_on=lambda f: f["type"] == "run.events" and "before" in json.dumps(f))
    final = frames[-1]
    assert final["outcome"] == "client_cancelled"
    _api_error(final, "client_cancelled")
    assert _text(frames) == "before "
    exchange = await _recorded(frames)
    assert exchange.outcome == "client_cancelled"
    assert "before " in await _everything_sent_was_recorded(frames, exchange)
    _closed_by_server("stall", within=5)
    assert elapsed < 5
