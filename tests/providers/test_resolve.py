"""Model id -> provider: sim* to the simulator, patterns, the env Anthropic, pins, teams."""

from __future__ import annotations

import pytest
from django.test import override_settings

from playground import providers
from playground.providers.models import Provider
from playground.providers.ops import save_provider
from playground.teams.ops import ensure_team


def test_it_sends_sim_models_to_the_in_process_simulator(db):
    config = providers.resolve("sim-echo")
    assert config.simulator is True
    assert config.base_url == "http://simulator.local"
    assert config.name == "simulator"


def test_it_lists_the_simulator_row_in_the_admin_table(db):
    row = Provider.objects.get(name="simulator")
    assert row.builtin and row.patterns() == ["sim*"]
    assert row.config() == providers.SIMULATOR


@override_settings(ANTHROPIC_API_KEY="")
def test_it_refuses_an_unknown_model_with_the_apis_wording(db):
    with pytest.raises(providers.UnknownModel) as info:
        providers.resolve("claude-does-not-exist")
    assert str(info.value) == "model: claude-does-not-exist"


@override_settings(ANTHROPIC_API_KEY="sk-env-key")
def test_it_adds_anthropic_when_the_key_is_in_the_environment(db):
    config = providers.resolve("claude-sonnet-4-5")
    assert (config.name, config.base_url, config.api_key) == ("anthropic", "https://api.anthropic.com", "sk-env-key")
    assert "anthropic" in providers.names()
    with pytest.raises(providers.UnknownModel):
        providers.resolve("gpt-4o")


@override_settings(ANTHROPIC_API_KEY="sk-env-key")
def test_it_prefers_a_configured_provider_over_the_environment(db):
    save_provider("gateway", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key="gw")
    assert providers.resolve("claude-opus-4-6").name == "gateway"


def test_it_lets_a_pin_choose_the_provider(db):
    save_provider("one", base_url="https://one.example.com", model_patterns=["claude-*"])
    save_provider("two", base_url="https://two.example.com", model_patterns=["other-*"])
    assert providers.resolve("claude-x", provider_name="two").name == "two"
    with pytest.raises(providers.ProviderUnavailable):
        providers.resolve("claude-x", provider_name="missing")


def test_it_skips_disabled_providers(db):
    row = save_provider("off", base_url="https://off.example.com", model_patterns=["claude-*"])
    row.enabled = False
    row.save()
    with override_settings(ANTHROPIC_API_KEY=""), pytest.raises(providers.UnknownModel):
        providers.resolve("claude-x")
    with pytest.raises(providers.ProviderUnavailable):
        providers.get("off")


def test_it_keeps_a_teams_provider_to_that_team(alice, bob):
    acme, globex = ensure_team("acme"), ensure_team("globex")
    save_provider("acme-gw", base_url="https://acme.example.com", model_patterns=["claude-*"], team=acme)
    assert providers.resolve("claude-x", team=acme).name == "acme-gw"
    with override_settings(ANTHROPIC_API_KEY=""), pytest.raises(providers.UnknownModel):
        providers.resolve("claude-x", team=globex)
    assert "acme-gw" in providers.names(team=acme)
    assert "acme-gw" not in providers.names(team=globex)


def test_it_reports_a_key_that_no_longer_decrypts(db):
    save_provider("gw", base_url="https://gw.example.com", model_patterns=["claude-*"], api_key="secret")
    from cryptography.fernet import Fernet

    with override_settings(KEY_ENCRYPTION_KEY=Fernet.generate_key().decode()), pytest.raises(providers.ProviderUnavailable) as info:
        providers.get("gw")
    assert "KEY_ENCRYPTION_KEY" in str(info.value)
    assert "secret" not in str(info.value)


def test_it_refuses_to_change_the_builtin_simulator(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        save_provider("simulator", base_url="https://evil.example.com")
    assert providers.resolve("sim-x").base_url == "http://simulator.local"


@pytest.mark.parametrize("headers", [{"bad name": "x"}, {"x-gw": "line\nbreak"}, {"x-gw": 5}, ["x-gw"]])
def test_it_refuses_extra_headers_httpx_could_not_send(db, headers):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        save_provider("gw", base_url="https://gw.example.com", extra_headers=headers)
    assert "extra_headers" in info.value.message_dict


def test_it_sends_valid_extra_headers(db):
    save_provider("gw", base_url="https://gw.example.com", extra_headers={"x-gateway-team": "acme"})
    assert providers.get("gw").extra_headers == (("x-gateway-team", "acme"),)
