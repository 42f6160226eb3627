"""Only the page headers a run may send go upstream: never credentials, never broken values."""

from __future__ import annotations

from playground.composer.runs import upstream_headers


def test_it_never_forwards_credentials_from_the_page():
    sent = upstream_headers(
        {"x-api-key": "sk-ant-xyz", "Authorization": "Bearer t", "anthropic-beta": "a,b",
         "X-Sim-Delay-Ms": "5", "x-sim-bad": "a\r\nb", "cookie": "sessionid=1"}
    )
    assert sent == {"anthropic-beta": "a,b", "x-sim-delay-ms": "5", "anthropic-version": "2023-06-01"}


def test_it_keeps_the_pages_anthropic_version():
    assert upstream_headers({"anthropic-version": "2023-01-01"}) == {"anthropic-version": "2023-01-01"}
