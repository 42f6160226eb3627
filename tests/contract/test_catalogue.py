"""The model catalogue: ModelInfo entries the official SDK can read, aliases, simulator
models, and limits the validator enforces."""

from __future__ import annotations

import pytest
from anthropic.types import ModelInfo

from playground.contract.catalogue import MODELS, get_model, model_rules
from playground.contract.validate import validate_request


def test_it_lists_entries_the_sdk_parses():
    assert len(MODELS) >= 20
    for entry in MODELS:
        info = ModelInfo.model_validate(entry)
        assert info.type == "model"
        assert info.capabilities is not None
        assert info.capabilities.thinking.types.enabled.supported in (True, False)


def test_it_resolves_aliases_to_the_pinned_id():
    info = get_model("claude-haiku-4-5")
    assert info["id"] == "claude-haiku-4-5-20251001"
    assert (info["max_input_tokens"], info["max_tokens"]) == (200_000, 64_000)
    assert get_model("claude-haiku-4-5-20251001") == info


def test_it_returns_none_for_unknown_models():
    assert get_model("claude-does-not-exist") is None
    assert model_rules("claude-does-not-exist") is None
    assert get_model(None) is None


def test_it_knows_the_simulator_models():
    for model_id in ("sim-1", "sim-1-fast", "sim-experimental"):
        info = get_model(model_id)
        assert info["id"] == model_id
        assert info["max_tokens"] == 128_000
    assert [m["id"] for m in MODELS if m["id"].startswith("sim")] == ["sim-1", "sim-1-fast"]


def test_it_hands_out_copies():
    info = get_model("sim-1")
    info["max_tokens"] = 1
    assert get_model("sim-1")["max_tokens"] == 128_000


def test_it_describes_effort_like_the_api():
    caps = get_model("claude-opus-4-6")["capabilities"]["effort"]
    supported = sorted(k for k, v in caps.items() if isinstance(v, dict) and v["supported"])
    # the levels capture 18's error message lists
    assert supported == ["high", "low", "max", "medium"]


@pytest.mark.parametrize("entry", [m for m in MODELS if m["max_tokens"]], ids=lambda m: m["id"])
def test_it_enforces_each_models_output_limit(entry):
    def body(max_tokens: int) -> dict:
        return {"model": entry["id"], "max_tokens": max_tokens, "stream": True,
                "messages": [{"role": "user", "content": "Hi"}]}
    assert [f for f in validate_request(body(entry["max_tokens"])) if f.severity == "error"] == []
    [finding] = validate_request(body(entry["max_tokens"] + 1))
    assert finding.message.endswith(f"for {entry['id']}")


def test_it_lets_simulator_models_accept_everything():
    body = {"model": "sim-1", "max_tokens": 128_000, "stream": True, "temperature": 0.3, "top_p": 0.5,
            "output_config": {"effort": "xhigh"},
            "messages": [{"role": "user", "content": "Hi"},
                         {"role": "assistant", "content": "Hello"}]}
    assert validate_request(body) == []
