"""prune_exchanges, export_exchanges and import_exchanges, run as an operator would."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from playground.recording import retention
from playground.recording.events import event_count, iter_events
from playground.recording.models import Blob, Exchange, Thread
from playground.recording.queries import get_request_body
from tests.recording.helpers import record, record_capture, team_of

CANARY = "sk-ant-api03-EXPORT-CANARY-0042"


def _age(public_id: str, days: int) -> None:
    Exchange.objects.filter(public_id=public_id).update(
        started_at=datetime.now(UTC) - timedelta(days=days)
    )


def _image_request(seed: bytes) -> dict:
    data = base64.b64encode(seed * 20000).decode()
    return {"model": "claude-haiku-4-5", "max_tokens": 8, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}},
        {"type": "text", "text": "what is this"}]}]}


REPLY = {"type": "message", "role": "assistant", "model": "claude-haiku-4-5",
         "content": [{"type": "text", "text": "a cat"}], "stop_reason": "end_turn",
         "usage": {"input_tokens": 1, "output_tokens": 1}}


def test_it_prunes_by_age_with_orphaned_media(alice):
    team = team_of(alice)
    old = record(_image_request(b"old!"), response=REPLY, team=team).public_id
    kept = record(_image_request(b"new!"), response=REPLY, team=team).public_id
    _age(old, 40)
    out = StringIO()
    call_command("prune_exchanges", "--older-than", "30d", stdout=out)
    assert "deleted 1 exchanges" in out.getvalue()
    assert list(Exchange.objects.values_list("public_id", flat=True)) == [kept]
    assert Blob.objects.count() == 1  # the old image went with its exchange
    assert Thread.objects.count() == 1


def test_it_prunes_to_a_total_size_oldest_first(alice):
    team = team_of(alice)
    ids = [record(_image_request(bytes([65 + i]) * 4), response=REPLY, team=team).public_id
           for i in range(4)]
    for days, public_id in zip((4, 3, 2, 1), ids, strict=True):
        _age(public_id, days)
    call_command("prune_exchanges", "--max-size", "500KB", stdout=StringIO())
    left = list(Exchange.objects.order_by("started_at").values_list("public_id", flat=True))
    assert left == ids[-len(left):] and 0 < len(left) < 4
    assert retention.total_size() <= 500 * 1024


def test_it_refuses_bad_arguments(db):
    with pytest.raises(CommandError):
        call_command("prune_exchanges", stdout=StringIO())
    with pytest.raises(CommandError, match="not a duration"):
        call_command("prune_exchanges", "--older-than", "soon", stdout=StringIO())


def test_it_exports_and_imports_without_secrets(alice, tmp_path):
    team = team_of(alice)
    first = record(_image_request(b"pic1"), response=REPLY, team=team,
                   headers={"x-api-key": CANARY, "content-type": "application/json"},
                   secrets=(CANARY,)).public_id
    streamed = record_capture("04_stream_thinking_enabled_then_text.json", team=team).public_id
    other = record_capture("02_stream_text_basic.json", team=team, source="playground").public_id
    path = tmp_path / "out.jsonl"
    call_command("export_exchanges", "--team", "acme", "--source", "proxy", "--output", str(path),
                 stderr=StringIO())
    text = path.read_text()
    assert CANARY not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["kind"] for line in lines] == ["blob", "exchange", "exchange"]
    assert {line.get("public_id") for line in lines[1:]} == {first, streamed}
    assert other not in text

    before = {e.public_id: (get_request_body(e), [(ev.seq, ev.raw) for ev in iter_events(e)])
              for e in Exchange.objects.filter(public_id__in=[first, streamed])}
    Exchange.objects.all().delete()
    Blob.objects.all().delete()
    out = StringIO()
    call_command("import_exchanges", str(path), stdout=out)
    assert "imported 2 exchanges, 1 blobs" in out.getvalue()
    for public_id, (body, events) in before.items():
        exchange = Exchange.objects.get(public_id=public_id)
        assert exchange.team == team
        assert get_request_body(exchange) == body
        assert [(ev.seq, ev.raw) for ev in iter_events(exchange)] == events
    call_command("import_exchanges", str(path), stdout=out)
    assert Exchange.objects.count() == 2
    assert event_count(Exchange.objects.get(public_id=streamed)) == len(before[streamed][1])


def test_it_refuses_a_file_that_is_not_an_export(db, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"kind": "exchange"}\nnot json\n')
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_exchanges", str(path), stdout=StringIO())
    assert Exchange.objects.count() == 0
    os.remove(path)


def test_it_exports_only_what_is_recent(alice):
    team = team_of(alice)
    old = record(_image_request(b"aged"), response=REPLY, team=team).public_id
    new = record(_image_request(b"now!"), response=REPLY, team=team).public_id
    _age(old, 10)
    out = StringIO()
    call_command("export_exchanges", "--since", "7d", "--no-media", stdout=out, stderr=StringIO())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["public_id"] for line in lines] == [new]
    since = (datetime.now(UTC) - timedelta(days=11)).date().isoformat()
    out = StringIO()
    call_command("export_exchanges", "--since", since, "--no-media", stdout=out, stderr=StringIO())
    assert len(out.getvalue().splitlines()) == 2
    with pytest.raises(CommandError, match="--since"):
        call_command("export_exchanges", "--since", "last tuesday", stdout=StringIO())
