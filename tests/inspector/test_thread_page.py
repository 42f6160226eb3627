"""The thread page: the tool loop turn by turn, results beside calls, and why it ended."""

from __future__ import annotations

import re

from playground.recording.models import Exchange
from tests.inspector.loop import record_loop


def test_it_groups_the_loop_and_shows_each_result_beside_its_call(client, alice):
    step0, step1, step2 = record_loop(alice)
    step0.refresh_from_db()
    assert step0.thread_id is not None
    assert set(Exchange.objects.filter(thread_id=step0.thread_id).values_list("step", flat=True)) == {0, 1, 2}
    client.force_login(alice)
    html = client.get(f"/exchanges/threads/{step0.thread.public_id}/").content.decode()
    # Each tool_use (Paris, Atlantis) sits in one row with the tool_result that answered it.
    rows = re.findall(r'<div class="step">(.*?)</div>\s*</div>\s*(?=<div class="step">|</section>)', html, re.S)
    paris = next(r for r in rows if "Paris" in r)
    atlantis = next(r for r in rows if "Atlantis" in r and "toolu_B" in r)
    assert "18°C and sunny" in paris
    assert "unknown city: Atlantis" in atlantis
    assert "is-error" in atlantis and "is-error" not in paris
    # thinking is collapsed, not open
    assert re.search(r"<details><summary>thinking \(\d+ chars\)</summary>", html)
    assert "Loop ended: the model finished its turn (end_turn)." in html
    assert '<svg class="chart"' in html


def test_it_links_each_step_to_a_diff_with_the_next(client, alice):
    step0, step1, step2 = record_loop(alice)
    client.force_login(alice)
    html = client.get(f"/exchanges/threads/{Exchange.objects.get(pk=step0.pk).thread.public_id}/").content.decode()
    for a, b in ((step0, step1), (step1, step2)):
        link = f"/exchanges/diff/?a={a.public_id}&amp;b={b.public_id}"
        assert link in html
        diff = client.get(link.replace("&amp;", "&"))
        assert diff.status_code == 200
    assert f"?a={step2.public_id}&amp;b=" not in html  # the last step has no next


def test_it_explains_a_cache_miss_by_the_first_prefix_difference(client, alice):
    step0, step1, step2 = record_loop(alice)
    client.force_login(alice)
    html = client.get(f"{step2.get_absolute_url()}?tab=cache").content.decode()
    assert "Cache miss:" in html
    assert "<code>system[0]</code>" in html
    hit = client.get(f"{step1.get_absolute_url()}?tab=cache").content.decode()
    assert "Cache miss:" not in hit
    assert "Read 1,500 tokens from the cache" in hit


def test_it_says_when_the_loop_stopped_waiting_for_tools(client, alice):
    from tests.inspector.recorded import record

    exchange = record(alice, {"model": "claude-haiku-4-5", "max_tokens": 10,
                              "messages": [{"role": "user", "content": "use a tool"}]},
                      response={"id": "m", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
                                "content": [{"type": "tool_use", "id": "toolu_Z", "name": "lookup", "input": {}}],
                                "stop_reason": "tool_use", "stop_sequence": None,
                                "usage": {"input_tokens": 3, "output_tokens": 4}})
    client.force_login(alice)
    html = client.get(f"/exchanges/threads/{Exchange.objects.get(pk=exchange.pk).thread.public_id}/").content.decode()
    assert "no tool_result sent for this call" in html
    assert "no later request sent their results" in html


def test_it_lists_threads_of_the_team_only(client, alice, bob):
    step0, *_ = record_loop(alice)
    thread = Exchange.objects.get(pk=step0.pk).thread
    client.force_login(alice)
    assert thread.public_id in client.get("/exchanges/threads/").content.decode()
    client.force_login(bob)
    assert thread.public_id not in client.get("/exchanges/threads/").content.decode()
    assert client.get(f"/exchanges/threads/{thread.public_id}/").status_code == 404


def test_it_offers_step_diffs_on_the_exchange_page(client, alice):
    step0, step1, step2 = record_loop(alice)
    client.force_login(alice)
    html = client.get(step1.get_absolute_url()).content.decode()
    assert f"?a={step0.public_id}&amp;b={step1.public_id}\">Diff with previous step" in html
    assert f"?a={step1.public_id}&amp;b={step2.public_id}\">Diff with next step" in html
    first = client.get(step0.get_absolute_url()).content.decode()
    assert "Diff with previous step" not in first


def test_it_marks_a_fork_and_a_retry(client, alice):
    from tests.inspector.loop import SYSTEM, TOOLS, USER, _reply
    from tests.inspector.recorded import record

    base = {"model": "claude-haiku-4-5", "max_tokens": 500, "tools": TOOLS, "system": SYSTEM}
    use = {"type": "tool_use", "id": "toolu_F", "name": "get_weather", "input": {"city": "Rome"}}
    usage = {"input_tokens": 5, "output_tokens": 5}
    root = record(alice, {**base, "messages": [USER]}, response=_reply([use], "tool_use", usage))
    history = [USER, {"role": "assistant", "content": [use]}]
    for answer in ("sunny", "rainy"):
        body = {**base, "messages": [*history, {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_F", "content": answer}]}]}
        record(alice, body, response=_reply([{"type": "text", "text": answer}], "end_turn", usage))
    record(alice, body, response=_reply([{"type": "text", "text": "again"}], "end_turn", usage))  # a retry
    client.force_login(alice)
    html = client.get(f"/exchanges/threads/{Exchange.objects.get(pk=root.pk).thread.public_id}/").content.decode()
    classes = re.findall(r'<section class="card step-card([^"]*)"', html)
    # root, first answer, the fork (branch 1), then the retry of the fork
    assert classes == ["", "", " step-fork", " step-fork step-retry"]
    assert "fork (branch 1)" in html
