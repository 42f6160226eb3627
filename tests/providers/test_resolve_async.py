"""resolve from async code (the composer's run, the proxy): the query leaves the event loop."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from playground import providers
from playground.providers.ops import save_provider


@pytest.mark.django_db(transaction=True)
@override_settings(ANTHROPIC_API_KEY="")
async def test_it_resolves_a_configured_model_inside_an_event_loop():
    await sync_to_async(save_provider)("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key="k")
    assert providers.resolve("claude-sonnet-4-5").name == "gw"
    assert (await providers.aresolve("claude-sonnet-4-5")).api_key == "k"
    with pytest.raises(providers.UnknownModel):
        await providers.aresolve("gpt-4o")
