"""Any JSON a recording can hold renders: odd block shapes never crash the conversation,
the highlighter or the diff (property test over arbitrary JSON)."""

from __future__ import annotations

from types import SimpleNamespace

from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.inspector.conversation import build_turns
from playground.inspector.diff import diff_requests
from playground.inspector.jsonview import highlight_json
from playground.inspector.prompt_cache import cache_report

KEYS = ["type", "text", "content", "source", "data", "media_type", "id", "tool_use_id", "name",
        "input", "is_error", "thinking", "signature", "citations", "url", "title", "cache_control",
        "role", "messages", "system", "tools", "$blob", "bytes"]
TYPES = ["text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking",
         "server_tool_use", "web_search_tool_result", "base64", "url", "ephemeral", "message", "?"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.sampled_from(TYPES),
                    st.text(max_size=30))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=30,
)
bodies = st.one_of(values, st.fixed_dictionaries({"messages": st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": values}), max_size=4),
    "system": values}))
messages = st.one_of(values, st.fixed_dictionaries({"type": st.just("message"), "content": values}))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, reply=messages, other=bodies)
def test_it_renders_whatever_json_it_is_given(body, reply, other):
    exchange = SimpleNamespace(public_id="fuzz", response_text="", response_body=None,
                               get_absolute_url=lambda: "/exchanges/fuzz/")
    html = render_to_string("inspector/exchange.html#tab-panel", {
        "tab": "conversation", "tabs": ["conversation"], "exchange": exchange,
        "turns": build_turns(body, reply)})
    assert 'data-tab="conversation"' in html
    assert "<script" not in html
    highlight_json(body)
    diff_requests(body, other)
    findings = [f for f in (other if isinstance(other, list) else [other]) if isinstance(f, dict)]
    exchange.anomalies, exchange.status, exchange.stream = ["x"], 200, False
    for tab, extra in (
        ("request", {"request_json": body}),
        ("response", {"message": reply, "response_body": other}),
        ("cache", {"cache": cache_report(body, {"cache_read_input_tokens": 0}, other), "previous": exchange}),
        ("findings", {"findings": findings}),
    ):
        html = render_to_string("inspector/exchange.html#tab-panel",
                                {"tab": tab, "tabs": [tab], "exchange": exchange, **extra})
        assert f'data-tab="{tab}"' in html


TABS = ("conversation", "request", "response", "timeline", "headers", "cache", "findings")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=bodies, reply=messages)
def test_it_serves_every_page_of_an_odd_recording(client, alice, body, reply):
    from playground.recording.models import Exchange
    from tests.inspector.recorded import record

    exchange = record(alice, body, response=reply)
    client.force_login(alice)
    for tab in TABS:
        assert client.get(f"{exchange.get_absolute_url()}?tab={tab}").status_code == 200, tab
    for lang in ("curl", "python", "typescript"):
        assert client.get(f"{exchange.get_absolute_url()}code/{lang}/").status_code == 200
    thread = Exchange.objects.get(pk=exchange.pk).thread
    if thread is not None:
        assert client.get(f"/exchanges/threads/{thread.public_id}/").status_code == 200
    assert client.get(f"/exchanges/diff/?a={exchange.public_id}&b={exchange.public_id}").status_code == 200


event_names = st.sampled_from([b"message_start", b"content_block_delta", b"message_stop", b"error", b"ping",
                               b"<script>", b"\xff\xfe"])
sse_events = st.lists(st.tuples(event_names, st.binary(max_size=40)).map(
    lambda p: b"event: " + p[0] + b"\ndata: " + p[1].replace(b"\n", b" ") + b"\n\n"), max_size=8)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(events=sse_events, tail=st.binary(max_size=30))
def test_it_serves_the_timeline_of_any_stream(client, alice, events, tail):
    from tests.inspector.recorded import record

    body = {"model": "claude-haiku-4-5", "max_tokens": 5, "stream": True,
            "messages": [{"role": "user", "content": "hi"}]}
    exchange = record(alice, body, sse=b"".join(events) + tail,
                      response_headers={"content-type": "text/event-stream"})
    client.force_login(alice)
    for tab in ("timeline", "response", "conversation", "findings"):
        response = client.get(f"{exchange.get_absolute_url()}?tab={tab}")
        assert response.status_code == 200, tab
        assert b"<script>" not in response.content.split(b"</main>")[0]
    assert client.get(f"{exchange.get_absolute_url()}raw/response.sse").status_code == 200
