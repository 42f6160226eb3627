"""`manage.py addprovider`: the key from an environment variable, stored encrypted; a
refused base URL is an error and a non-zero exit."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from playground import providers
from playground.providers.models import Provider

KEY = "sk-ant-api03-very-secret-value"


def raw_row(name: str) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM providers_provider WHERE name = %s", [name])
        return cursor.fetchone()


def test_it_stores_the_key_from_the_environment_encrypted(db, monkeypatch, capsys):
    monkeypatch.setenv("GATEWAY_KEY", KEY)
    call_command("addprovider", "gateway", "--base-url", "https://gateway.example.com/anthropic/",
                 "--models", "claude-*,my-model", "--auth", "bearer", "--api-key-env", "GATEWAY_KEY")
    row = raw_row("gateway")
    assert row is not None
    assert not any(KEY in str(value) for value in row)
    provider = Provider.objects.get(name="gateway")
    assert provider.base_url == "https://gateway.example.com/anthropic"
    assert provider.patterns() == ["claude-*", "my-model"]
    config = providers.get("gateway")
    assert config.api_key == KEY
    assert config.auth_style == "bearer"
    out = capsys.readouterr().out
    assert KEY not in out and "key stored encrypted" in out


def test_it_updates_an_existing_provider_and_keeps_its_key(db, monkeypatch):
    monkeypatch.setenv("GATEWAY_KEY", KEY)
    call_command("addprovider", "gateway", "--base-url", "https://a.example.com", "--api-key-env", "GATEWAY_KEY")
    call_command("addprovider", "gateway", "--base-url", "https://b.example.com", "--models", "x-*")
    assert Provider.objects.count() == 2  # with the built-in simulator
    assert providers.get("gateway").base_url == "https://b.example.com"
    assert providers.get("gateway").api_key == KEY


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://2130706433", "http://[::ffff:10.0.0.1]",
                                 "http://localhost", "ftp://api.example.com", "https://u:p@api.example.com"])
def test_it_refuses_a_bad_base_url_with_a_reason(db, url):
    with pytest.raises(CommandError) as info:
        call_command("addprovider", "bad", "--base-url", url)
    assert "base_url" in str(info.value)
    assert not Provider.objects.filter(name="bad").exists()


def test_it_allows_a_local_server_when_told_to(db):
    call_command("addprovider", "local", "--base-url", "http://127.0.0.1:11434", "--models", "llama*",
                 "--auth", "none", "--allow-private-network")
    config = providers.resolve("llama3")
    assert (config.name, config.base_url, config.allow_private_network) == ("local", "http://127.0.0.1:11434", True)


def test_it_refuses_a_missing_environment_variable(db, monkeypatch):
    monkeypatch.delenv("NOPE_KEY", raising=False)
    with pytest.raises(CommandError, match="NOPE_KEY"):
        call_command("addprovider", "gw", "--base-url", "https://gw.example.com", "--api-key-env", "NOPE_KEY")


def test_it_exits_non_zero_from_the_command_line(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "addprovider", "bad", "--base-url", "http://169.254.169.254"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert result.returncode != 0
    assert "link-local" in result.stderr
