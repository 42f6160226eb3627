"""Library fixtures: a viewer in acme, a sample composer state, a saved request of alice's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from playground.library import ops
from playground.teams.ops import add_member, ensure_team


def sample_state(text: str = "What is the weather in {{city}}?") -> dict:
    return {
        "request": {
            "model": "sim-1",
            "max_tokens": 1024,
            "system": "You are a forecaster for {{city}}.",
            "tools": [
                {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
                }
            ],
            "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
        },
        "provider": None,
        "headers": {"anthropic-version": "2023-06-01"},
        "mocks": {"get_weather": {"content": "sunny"}},
        "notes": "checks the tool loop",
        "variables": {
            "sets": [
                {"name": "paris", "values": {"city": "Paris"}},
                {"name": "oslo", "values": {"city": "Oslo"}},
            ],
            "active": "paris",
        },
    }


@pytest.fixture
def acme(alice):
    return ensure_team("acme")


@pytest.fixture
def viewer(db):
    """A viewer of acme: reads everything, changes nothing."""
    user = get_user_model().objects.create_user("victor", password="victor-password")
    add_member(ensure_team("acme"), user, "viewer")
    return user


@pytest.fixture
def saved(alice, acme):
    return ops.create_saved_request(
        acme, alice, "Weather loop", sample_state(), description="the forecast tool",
        tags=["weather", "tools"], message="first",
    )
