"""Every query parameter of every page: a 400 or an ignored value, never a 500 (issue 14, item 7).

The pages are found by walking the URL conf (pages added later are included), and the
parameter names by reading what the views ask `request.GET` for; every page gets every name,
with values chosen to break parsers: impossible dates, years out of range, bad cursors,
huge numbers, NUL and other odd characters.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.inspector.listing import FILTER_KEYS
from tests.inspector.recorded import record

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2] / "playground"
_ASKED = re.compile(r"""GET(?:\.get|\.getlist|\.__getitem__)?[(\[]\s*["']([A-Za-z0-9_\-]+)["']""")


def _parameter_names() -> list[str]:
    names = set(FILTER_KEYS)
    for path in SOURCE.rglob("*.py"):
        names.update(_ASKED.findall(path.read_text()))
    return sorted(names)


def _routes() -> list[str]:
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                found.append(route)

    walk(get_resolver().url_patterns, "")
    return found


PARAMETERS = _parameter_names()
ROUTES = _routes()

NASTY = [
    "", " ", "0", "-1", "1e309", "9" * 30, "1" * 5000, "NaN", "true", "on",
    "2026-02-30", "2026-13-01", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "-2026-01-01",
    "2026-02-30T10:00", "9999-12-31T23:59:59.999999", "2026-01-01T25:61:61", "2026-01-01T00:00:00+99:00",
    "2026-01-01T00:00:00~1", "2026-01-01T00:00:00+00:00~99999999999999999999999", "9999-12-31T23:59:59~1",
    "~", "x~y", "2026-02-30T00:00:00~5", "~~~", "%", "%00", "\x00", "a\x00b", "\ud7ff", "🙂", "ﬀ",
    "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "a" * 3000,
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))
queries = st.lists(st.tuples(st.sampled_from(PARAMETERS), values), max_size=6)


@pytest.fixture
def signed_in(alice):
    exchange = record(alice, {"model": "claude-haiku-4-5", "max_tokens": 5,
                              "messages": [{"role": "user", "content": "hi"}]},
                      response={"type": "message", "content": [{"type": "text", "text": "hello"}]})
    client = Client()
    client.force_login(alice)
    thread = exchange.thread
    fills = {
        "public_id": exchange.public_id, "fmt": "jsonl", "lang": "python", "part": "request",
        "sha256": "0" * 64, "key_id": "1", "name": "simulator",
    }
    urls = []
    for route in ROUTES:
        url = route
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            value = thread.public_id if name == "public_id" and "threads/" in route and thread else fills.get(name, "x")
            url = url.replace(f"<{converter}:{name}>" if converter else f"<{name}>", value)
        urls.append("/" + url)
    return client, urls


def test_the_walk_finds_the_pages_and_their_parameters():
    assert "exchanges/" in ROUTES and "exchanges/threads/" in ROUTES
    assert {"cursor", "since", "until", "page", "tab"} <= set(PARAMETERS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), query=queries)
def test_no_query_string_makes_any_page_fail(signed_in, data, query):
    client, urls = signed_in
    url = data.draw(st.sampled_from(urls))
    target = url + "?" + urlencode(query)
    response = client.get(target)
    assert response.status_code < 500, target


@pytest.mark.parametrize("query", [
    {"since": "2026-02-30"}, {"until": "9999-12-31"}, {"since": "0000-01-01"}, {"until": "10000-01-01"},
    {"since": "2026-02-30T10:00"}, {"until": "9999-12-31T23:59:59.999999"},
    {"cursor": "2026-02-30T00:00:00~5"}, {"cursor": "2026-01-01T00:00:00+00:00~99999999999999999999999"},
])
def test_the_exchange_list_reports_bad_filters_instead_of_failing(signed_in, query):
    client, _ = signed_in
    response = client.get("/exchanges/?" + urlencode(query))
    assert response.status_code in (200, 400)
    if "cursor" not in query:
        assert b"not a date" in response.content or b"out of range" in response.content


@pytest.mark.parametrize("cursor", ["2026-02-30T00:00:00~5", "2026-01-01T00:00:00+00:00~99999999999999999999999",
                                    "9999-12-31T23:59:59.999999+00:00~1"])
def test_the_thread_list_ignores_bad_cursors(signed_in, cursor):
    client, _ = signed_in
    assert client.get("/exchanges/threads/?" + urlencode({"cursor": cursor})).status_code in (200, 400)
