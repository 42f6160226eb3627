"""Base URLs: only public http(s) hosts, in every spelling, unless the operator allows
private networks; DNS names are checked again at send time against what they resolve to."""

from __future__ import annotations

import pytest

from playground.providers.urlguard import URLRefused, check_base_url, resolve_checked

REFUSED = [
    "ftp://api.example.com",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "https://user:pass@api.example.com",
    "https://token@api.example.com",
    "https://api.example.com/?x=1",
    "https://api.example.com/#frag",
    "http://127.0.0.1:8000",
    "http://127.1",
    "http://2130706433",
    "http://0x7f000001",
    "http://0177.0.0.1",
    "http://0x7f.0.0.1",
    "http://0",
    "http://0.0.0.0",
    "http://10.1.2.3",
    "http://172.16.0.1",
    "http://192.168.0.10",
    "http://100.64.0.1",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]",
    "http://[::]",
    "http://[::ffff:127.0.0.1]",
    "http://[::ffff:7f00:1]",
    "http://[::ffff:169.254.169.254]",
    "http://[64:ff9b::a9fe:a9fe]",
    "http://[2002:7f00:1::]",
    "http://[fe80::1]",
    "http://[fd00:ec2::254]",
    "http://localhost",
    "http://LocalHost.:8080",
    "http://api.localhost",
    "http://metadata.google.internal",
    "http://ｌｏｃａｌｈｏｓｔ",
    "http://１２７.０.０.１",
    "http://%6c%6fcalhost",
    "http://intranet",
    "http://224.0.0.1",
    "http://api.example.com\\@evil",
    "http://api.example .com",
    "",
]
ACCEPTED = [
    ("https://api.anthropic.com", "https://api.anthropic.com"),
    ("https://api.anthropic.com/", "https://api.anthropic.com"),
    ("https://gateway.example.com/anthropic/", "https://gateway.example.com/anthropic"),
    ("http://8.8.8.8:8080", "http://8.8.8.8:8080"),
    ("https://[2606:4700::1111]", "https://[2606:4700::1111]"),
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses(url):
    with pytest.raises(URLRefused):
        check_base_url(url)


@pytest.mark.parametrize(("url", "normalized"), ACCEPTED)
def test_it_accepts_public_urls(url, normalized):
    assert check_base_url(url) == normalized


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:11434", "http://10.0.0.5/v1gw"])
def test_it_accepts_private_addresses_when_the_operator_allows_them(url):
    assert check_base_url(url, allow_private=True) == url


@pytest.mark.parametrize("url", ["ftp://127.0.0.1", "http://u:p@127.0.0.1"])
def test_it_keeps_scheme_and_userinfo_rules_when_private_is_allowed(url):
    with pytest.raises(URLRefused):
        check_base_url(url, allow_private=True)


async def test_it_checks_what_a_name_resolves_to_when_connecting():
    # The send-time check, on its own: "localhost" resolves (via /etc/hosts) to loopback.
    with pytest.raises(URLRefused) as info:
        await resolve_checked("localhost", 9)
    assert "resolves to a refused address" in str(info.value)

