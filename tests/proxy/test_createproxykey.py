"""`manage.py createproxykey` creates a hashed key and prints it as its last line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def _run(*args) -> str:
    out = StringIO()
    call_command("createproxykey", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_key_last_and_stores_only_its_hash(db):
    from playground.proxy.keys import KEY_PATTERN, hash_key
    from playground.proxy.models import ProxyKey

    output = _run("laptop", "--team", "acme")
    raw = output.strip().splitlines()[-1]
    assert KEY_PATTERN.fullmatch(raw)
    key = ProxyKey.objects.get(name="laptop")
    assert key.team.name == "acme"
    assert key.key_hash == hash_key(raw)
    assert key.prefix == raw[:12]
    assert raw not in key.key_hash


def test_it_uses_the_default_team(db):
    from playground.proxy.models import ProxyKey

    _run("ci")
    assert ProxyKey.objects.get(name="ci").team.name == "default"


def test_it_refuses_a_duplicate_name_in_the_same_team(db):
    _run("dup", "--team", "acme")
    with pytest.raises(CommandError, match="already has a key"):
        _run("dup", "--team", "acme")
    _run("dup", "--team", "globex")  # another team may reuse the name


def test_it_makes_a_different_key_each_time(db):
    first = _run("a").strip().splitlines()[-1]
    second = _run("b").strip().splitlines()[-1]
    assert first != second


def test_it_pins_a_known_provider_and_refuses_an_unknown_one(db):
    from playground.proxy.models import ProxyKey

    _run("pinned", "--provider", "simulator")
    assert ProxyKey.objects.get(name="pinned").provider == "simulator"
    with pytest.raises(CommandError, match="Unknown provider 'nope'"):
        _run("bad-pin", "--provider", "nope")
    assert not ProxyKey.objects.filter(name="bad-pin").exists()
