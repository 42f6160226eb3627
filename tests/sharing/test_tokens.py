"""Share tokens: 256 random bits, typed, stored only as a hash, compared in constant time;
every link that cannot be shown is the same plain 404."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from playground.sharing import tokens
from playground.sharing.models import Share
from tests.sharing.support import record_simple, share_link

pytestmark = pytest.mark.django_db


def test_it_draws_256_random_bits_behind_a_type_prefix():
    drawn = {tokens.new_token() for _ in range(2000)}
    assert len(drawn) == 2000
    for token in list(drawn)[:50]:
        assert token.startswith("pgs-") and tokens.well_formed(token)
        raw = base64.urlsafe_b64decode(token[4:] + "=")
        assert len(raw) == 32  # 256 bits, well over the 128 required
    # Every position of the random part varies: nothing fixed hides behind the prefix.
    for position in range(4, 46):
        assert len({t[position] for t in drawn}) > 40
    assert len({t[46] for t in drawn}) == 16  # the last character carries the last 4 bits


def test_it_stores_only_the_hash(alice):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    token = path.removeprefix("/s/")
    share = Share.objects.get()
    assert share.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in Share.objects.values().get().values())
    assert token not in stored
    assert token[4:] not in stored
    assert share.hint == token[4:8]


def test_it_compares_the_hash_in_constant_time(alice, monkeypatch):
    exchange = record_simple(alice)
    path = share_link(alice, "exchange", exchange.public_id)
    calls = []
    real = tokens.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    assert Client().get(path).status_code == 200
    assert calls == [(Share.objects.get().token_hash, Share.objects.get().token_hash)]
    # The comparison decides: when it says no, the page is the 404.
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: False)
    assert Client().get(path).status_code == 404


def _answer(client: Client, path: str) -> tuple[int, bytes, dict]:
    response = client.get(path)
    headers = {k: response.headers.get(k) for k in ("Content-Type", "X-Robots-Tag", "Referrer-Policy", "Cache-Control")}
    return response.status_code, response.content, headers


def test_every_link_that_cannot_be_shown_is_the_same_plain_404(alice, bob, anonymous):
    exchange = record_simple(alice)
    live = share_link(alice, "exchange", exchange.public_id)
    revoked = share_link(alice, "exchange", exchange.public_id)
    expired = share_link(alice, "exchange", exchange.public_id, expires="1h")
    client = Client()
    assert client.get(live).status_code == 200

    Share.objects.filter(token_hash=tokens.hash_token(expired[3:])).update(expires_at=timezone.now() - timedelta(seconds=1))
    owner = Client()
    owner.force_login(alice)
    revoke_id = Share.objects.get(token_hash=tokens.hash_token(revoked[3:])).public_id
    assert owner.post(f"/shares/{revoke_id}/revoke").status_code == 302
    token = live[3:]
    from playground.proxy.keys import new_raw_key

    refused = {
        "unknown": "/s/" + tokens.new_token(),
        "revoked (the same link reused)": revoked,
        "expired": expired,
        "truncated": live[:-1],
        "truncated to the prefix": "/s/pgs-",
        "padded": live + "=",
        "padded with a space": live + "%20",
        "one character changed": live[:-1] + ("A" if live[-1] != "A" else "B"),
        "upper-cased": "/s/" + token.upper(),
        "another type (a proxy key)": "/s/" + new_raw_key(),
        "another type (the share's own random part)": "/s/pgk-" + token[4:],
        "no prefix": "/s/" + token[4:],
        "empty": "/s/",
        "NUL": "/s/pgs-%00" + token[5:],
        "huge": "/s/pgs-" + "A" * 10_000,
        "a path below": live + "/x",
        "media of a revoked share": revoked + "/media/" + "0" * 64 + "/",
    }
    baseline = _answer(client, refused["unknown"])
    assert baseline[0] == 404
    assert baseline[2]["X-Robots-Tag"] == "noindex" and baseline[2]["Referrer-Policy"] == "no-referrer"
    for why, path in refused.items():
        assert _answer(client, path) == baseline, why
    # The owner's session changes nothing: a revoked link is a 404 for them too.
    assert _answer(owner, revoked) == baseline
    # The page never says what existed.
    assert b"revoked" not in baseline[1].lower() and b"expired" not in baseline[1].lower()


def test_a_revoked_link_stays_dead_when_the_target_is_shared_again(alice):
    exchange = record_simple(alice)
    first = share_link(alice, "exchange", exchange.public_id)
    owner = Client()
    owner.force_login(alice)
    owner.post(f"/shares/{Share.objects.get().public_id}/revoke")
    second = share_link(alice, "exchange", exchange.public_id)
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
