"""The exchange list: newest first, filters in the URL, search, keyset pages, team only."""

from __future__ import annotations

import re

from playground.inspector import listing
from tests.inspector.recorded import record, record_capture


def _ids(html: str) -> list[str]:
    return [i for i in re.findall(r'<tr id="ex-([\w-]+)"', html) if i != "empty"]


def _msg(text, model="claude-haiku-4-5", tool=None):
    content = [{"type": "text", "text": text}]
    if tool:
        content.append({"type": "tool_use", "id": "toolu_1", "name": tool, "input": {"q": text}})
    return {"id": "m", "type": "message", "role": "assistant", "model": model, "content": content,
            "stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1}}


def _body(text, model="claude-haiku-4-5"):
    return {"model": model, "max_tokens": 5, "messages": [{"role": "user", "content": text}]}


def test_it_lists_newest_first_for_the_team_only(client, alice, bob):
    first = record(alice, _body("one"), response=_msg("1"))
    second = record(alice, _body("two"), response=_msg("2"))
    theirs = record(bob, _body("bob's"), response=_msg("3"))
    client.force_login(alice)
    ids = _ids(client.get("/exchanges/").content.decode())
    assert ids == [second.public_id, first.public_id]
    assert theirs.public_id not in ids


def test_it_filters_by_the_url(client, alice):
    haiku = record(alice, _body("weather in Oslo"), response=_msg("sunny", tool="get_weather"))
    sonnet = record(alice, _body("poem", "claude-sonnet-4-5"), response=_msg("roses", "claude-sonnet-4-5"),
                    source="playground", proxy_key_name="")
    keyed = record(alice, _body("via key"), response=_msg("ok"), proxy_key_name="ci-bot")
    failed = record_capture(alice, "18_error_400_invalid_request.json")
    client.force_login(alice)

    def ids(query):
        response = client.get(f"/exchanges/?{query}")
        assert response.status_code == 200
        return set(_ids(response.content.decode()))

    assert ids("model=claude-sonnet-4-5") == {sonnet.public_id}
    assert ids("source=playground") == {sonnet.public_id}
    assert ids("tool=get_weather") == {haiku.public_id}
    assert ids("stop_reason=tool_use") == {haiku.public_id}
    assert ids("key=ci-bot") == {keyed.public_id}
    assert ids("has_error=1") == {failed.public_id}
    assert failed.public_id not in ids("has_error=0")
    assert ids("outcome=upstream_error") == {failed.public_id}
    assert ids("q=oslo") == {haiku.public_id}  # message text
    assert ids("q=roses") == {sonnet.public_id}  # response text
    assert ids("since=2000-01-01&until=2999-12-31") >= {haiku.public_id, sonnet.public_id}
    assert ids("until=2000-01-01") == set()


def test_it_reports_bad_filters_inline(client, alice):
    record(alice, _body("x"), response=_msg("y"))
    client.force_login(alice)
    response = client.get("/exchanges/?outcome=nope&since=yesterday&source=<script>")
    html = response.content.decode()
    assert response.status_code == 200
    assert "unknown outcome" in html and "since: not a date" in html
    assert "<script>" not in html.split("</form>", 1)[1]


def test_it_pages_by_keyset(client, alice, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    made = [record(alice, _body(f"n{i}"), response=_msg(str(i))).public_id for i in range(7)]
    client.force_login(alice)
    seen: list[str] = []
    url = "/exchanges/"
    for _ in range(5):
        html = client.get(url, headers={"HX-Request": "true"} if "cursor" in url else {}).content.decode()
        seen += _ids(html)
        more = re.search(r'href="(\?[^"]*cursor=[^"]+)"', html)
        if not more:
            break
        url = "/exchanges/" + more.group(1).replace("&amp;", "&")
    assert seen == list(reversed(made))
    assert url.count("cursor=") == 1  # it took several pages


def test_it_keeps_the_filter_across_pages(client, alice, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    record(alice, _body("a", "claude-sonnet-4-5"), response=_msg("a"))
    record(alice, _body("b"), response=_msg("b"))
    record(alice, _body("c", "claude-sonnet-4-5"), response=_msg("c"))
    client.force_login(alice)
    html = client.get("/exchanges/?model=claude-sonnet-4-5").content.decode()
    more = re.search(r'href="(\?[^"]*cursor=[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "model=claude-sonnet-4-5" in more
    page2 = client.get("/exchanges/" + more, headers={"HX-Request": "true"}).content.decode()
    assert len(_ids(page2)) == 1 and "<nav" not in page2


def test_it_filters_by_thread_of_the_team_only(client, alice, bob):
    from playground.recording.models import Exchange
    from tests.inspector.loop import record_loop

    steps = record_loop(alice)
    other = record(alice, _body("unrelated"), response=_msg("x"))
    thread = Exchange.objects.get(pk=steps[0].pk).thread
    client.force_login(alice)
    ids = set(_ids(client.get(f"/exchanges/?thread={thread.public_id}").content.decode()))
    assert ids == {s.public_id for s in steps}
    assert other.public_id not in ids
    client.force_login(bob)
    assert _ids(client.get(f"/exchanges/?thread={thread.public_id}").content.decode()) == []


def test_it_survives_hostile_search_and_filter_values(client, alice):
    record(alice, _body('say "hi" 100% _ok_'), response=_msg("done"))
    client.force_login(alice)
    for q in ['"', 'a"b', "NEAR(", "%", "_", "\\", "😀", "a\x00b", "*", "AND OR NOT", "'; --", "x" * 600]:
        for key in ("q", "model", "tool", "key", "thread", "cursor", "since"):
            response = client.get("/exchanges/", {key: q})
            assert response.status_code == 200, (key, q)
    assert len(_ids(client.get("/exchanges/", {"q": '"hi"'}).content.decode())) == 1
    assert len(_ids(client.get("/exchanges/", {"q": "100%"}).content.decode())) == 1
