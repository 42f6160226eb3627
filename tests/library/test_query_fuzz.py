"""The library page under any query string: every filter and both cursors with values chosen
to break parsers answer 200 (an unusable value ignored with a note), never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.library import ops
from tests.library.conftest import sample_state

pytestmark = pytest.mark.django_db

NAMES = ["q", "tag", "model", "tool", "author", "sort", "cursor", "before", "page", "history"]
NASTY = [
    "", " ", "~", "~~", "x~1", "name", "used", "-1", "9" * 30, "1e309", "NaN", "\x00", "a\x00b~1",
    "2026-02-30T00:00:00+00:00~5", "2026-01-01T00:00:00~5", "9999-12-31T23:59:59.999999+00:00~1",
    "0001-01-01T00:00:00+00:00~1", "2026-01-01T00:00:00+00:00~99999999999999999999", "2026-01-01T00:00:00+14:00~1",
    "0001-01-01T00:00:00+14:00~1", "9999-12-31T23:59:59-14:00~1", "0001-01-01T00:00:00+23:59~1",
    "%", "_", "\\", "'", '"', "<script>alert(1)</script>", "🙂~1", "ﬀ", "a" * 3000, "zz~" + "9" * 19,
]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)  # a URL cannot carry a lone surrogate
values = st.one_of(st.sampled_from(NASTY), text, st.integers().map(str),
                   st.builds(lambda key, pk: f"{key}~{pk}", text, st.integers()))
queries = st.lists(st.tuples(st.sampled_from(NAMES), values), max_size=6)


@pytest.fixture
def signed_in(client, acme, alice):
    for i in range(3):
        ops.create_saved_request(acme, alice, f"request {i}", sample_state(f"text {i}"), tags=["t"])
    client.force_login(alice)
    return client


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_no_query_string_makes_the_library_page_fail(signed_in, query):
    for path in ("/library/", "/library/export"):
        response = signed_in.get(path + "?" + urlencode(query))
        assert response.status_code == 200, (path, query)


@pytest.mark.parametrize("cursor", ["0001-01-01T00:00:00+14:00~1", "9999-12-31T23:59:59.999999-14:00~1",
                                    "0001-01-01T00:00:00+23:59~1", "9999-12-31T23:59:59+00:00~1"])
@pytest.mark.parametrize("name", ["cursor", "before"])
def test_cursors_at_the_ends_of_time(signed_in, name, cursor):
    response = signed_in.get("/library/", {name: cursor})
    assert response.status_code == 200
