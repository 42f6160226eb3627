"""One of each object acme owns, made through the real write functions."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass

from playground import recording
from playground.composer import workcopies
from playground.library import ops as library_ops
from playground.providers.ops import save_provider
from playground.proxy.keys import create_key
from playground.recording.models import Exchange
from playground.teams.ops import ensure_team
from tests.conftest import load_capture


@dataclass
class AcmeObjects:
    exchange: Exchange
    thread_id: str
    key_id: int
    provider: str
    blob_sha: str
    saved_id: str
    copy_id: str


def image_request() -> tuple[dict, str]:
    """A request with an image large enough to go to the media store, and its sha256."""
    data = os.urandom(9000)
    body = {
        "model": "claude-haiku-4-5", "max_tokens": 10,
        "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": base64.b64encode(data).decode()}},
            {"type": "text", "text": "What is this?"},
        ]}],
    }
    return body, hashlib.sha256(data).hexdigest()


def record_for(team, user, body: dict | None = None, thread_hint: str = "") -> Exchange:
    cap = load_capture("01_nonstream_text_metadata.json")
    rec = recording.start_exchange(
        source="proxy", request_headers={"content-type": "application/json", "anthropic-version": "2023-06-01"},
        request_body=json.dumps(body or cap["request"]).encode(), provider="simulator",
        team_id=team.pk, user_id=user.pk, thread_hint=thread_hint,
    )
    rec.response_started(200, {"content-type": "application/json"})
    rec.body(json.dumps(cap["response_body"]).encode())
    rec.finish()
    recording.flush_sync()
    return Exchange.objects.select_related("thread").get(public_id=rec.public_id)


def make_acme_objects(alice) -> AcmeObjects:
    team = ensure_team("acme")
    body, blob_sha = image_request()
    exchange = record_for(team, alice, body, thread_hint="acme-thread")
    key, _raw = create_key(team, "acme-ci", created_by=alice)
    copy = workcopies.open_working_copy(alice, team, workcopies.default_state(), "acme working copy")
    provider = save_provider(
        "acme-private", base_url="http://127.0.0.1:9", model_patterns=["acme-model"], api_key="sk-acme-secret",
        allow_private_network=True, team=team,
    )
    assert exchange.blobs.filter(sha256=blob_sha).exists()
    saved = library_ops.create_saved_request(
        team, alice, "acme weather loop", {"request": {"model": "sim-1", "max_tokens": 5, "messages": []}},
        tags=["acme-tag"],
    )
    return AcmeObjects(
        exchange=exchange, thread_id=exchange.thread.public_id, key_id=key.pk, provider=provider.name,
        blob_sha=blob_sha, saved_id=saved.public_id, copy_id=copy.public_id,
    )
