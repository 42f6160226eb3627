"""The model picker: the simulator always, then each provider the team can use, with its models."""

from __future__ import annotations

from django.test import override_settings

from playground.composer.catalogue import model_groups
from playground.providers.ops import save_provider
from playground.teams.models import Team


def test_the_simulator_is_always_first(db):
    groups = model_groups(None)
    assert groups[0] == {"provider": None, "label": "Simulator (offline)", "models": ["sim-1", "sim-1-fast"]}


@override_settings(ANTHROPIC_API_KEY=None)
def test_a_teams_provider_lists_the_models_its_patterns_serve(alice, bob):
    acme = Team.objects.get(name="acme")
    save_provider("gateway", base_url="https://gateway.example.com", model_patterns=["claude-haiku-*", "my-local-model"], team=acme)
    groups = {g["provider"]: g["models"] for g in model_groups(acme)}
    assert "claude-haiku-4-5-20251001" in groups["gateway"]
    assert "my-local-model" in groups["gateway"]
    assert not any(m.startswith("claude-sonnet") for m in groups["gateway"])
    # Another team does not see acme's provider.
    assert "gateway" not in {g["provider"] for g in model_groups(Team.objects.get(name="globex"))}


@override_settings(ANTHROPIC_API_KEY="sk-ant-test-only")
def test_the_environment_key_adds_anthropic_without_retired_models(db):
    groups = {g["provider"]: g["models"] for g in model_groups(None)}
    assert "claude-sonnet-4-5-20250929" in groups["anthropic"]
    assert "claude-3-7-sonnet-20250219" not in groups["anthropic"]  # retired


@override_settings(ANTHROPIC_API_KEY="sk-ant-test-only")
def test_the_page_offers_them_and_never_the_key(client, alice):
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert 'value="anthropic|claude-sonnet-4-5-20250929"' in html
    assert "sk-ant-test-only" not in html
