"""The web_search server tool, simulated: a server tool turn with cited results, offline."""

from __future__ import annotations

from tests.simulator.conftest import WEATHER_TOOLS, create_and_stream

SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}


def test_it_searches_when_asked_and_cites_the_results(client):
    message = create_and_stream(
        client,
        model="sim-1",
        max_tokens=800,
        messages=[{"role": "user", "content": "Search the web for the tallest lighthouse in France"}],
        tools=[SEARCH, *WEATHER_TOOLS],
    )
    kinds = [b.type for b in message.content]
    assert kinds[:4] == ["text", "server_tool_use", "web_search_tool_result", "text"]
    use, result = message.content[1], message.content[2]
    assert use.name == "web_search" and use.id.startswith("srvtoolu_01")
    assert use.input == {"query": "the tallest lighthouse in France"}
    assert result.tool_use_id == use.id
    urls = [r.url for r in result.content]
    cited = [c.url for b in message.content if b.type == "text" and b.citations for c in b.citations]
    assert cited == urls and len(urls) == 2
    assert message.usage.server_tool_use.web_search_requests == 1
    assert message.stop_reason == "end_turn"


def test_it_accepts_the_search_turn_back_and_does_not_search_again_unasked(client):
    ask = [{"role": "user", "content": "Please web_search the best pelican facts"}]
    first = client.messages.create(model="sim-1", max_tokens=800, messages=ask, tools=[SEARCH])
    history = [
        *ask,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": "Thanks, now summarise"},
    ]
    second = client.messages.create(model="sim-1", max_tokens=800, messages=history, tools=[SEARCH])
    assert [b.type for b in second.content] == ["text"]
    assert '"Thanks, now summarise"' in second.content[0].text


def test_it_never_searches_without_the_tool_or_with_tool_choice_none(client):
    ask = [{"role": "user", "content": "Search the web for pelicans"}]
    without = client.messages.create(model="sim-1", max_tokens=300, messages=ask)
    refused = client.messages.create(
        model="sim-1", max_tokens=300, messages=ask, tools=[SEARCH], tool_choice={"type": "none"}
    )
    for message in (without, refused):
        assert all(b.type == "text" for b in message.content)


def test_it_stops_the_cited_answer_at_max_tokens(client):
    full = client.messages.create(
        model="sim-1", max_tokens=800, messages=[{"role": "user", "content": "Search the web for tides"}], tools=[SEARCH]
    )
    cut = create_and_stream(
        client,
        model="sim-1",
        max_tokens=full.usage.output_tokens - 3,
        messages=[{"role": "user", "content": "Search the web for tides"}],
        tools=[SEARCH],
    )
    assert cut.stop_reason == "max_tokens"
    assert cut.usage.output_tokens == full.usage.output_tokens - 3
    assert [b.type for b in cut.content][:3] == ["text", "server_tool_use", "web_search_tool_result"]
