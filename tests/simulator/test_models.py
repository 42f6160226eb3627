"""/v1/models lists the simulator's models in the API's page shape."""

from __future__ import annotations

import anthropic
import httpx
import pytest


def test_it_lists_the_sim_models_through_the_sdk(client):
    ids = [m.id for m in client.models.list()]
    assert ids == ["sim-1", "sim-1-fast"]


def test_it_retrieves_one_model(client):
    info = client.models.retrieve("sim-1")
    assert info.id == "sim-1" and info.type == "model"
    assert info.display_name == "Simulator 1"


def test_it_pages_like_the_api(sim_url):
    with httpx.Client(base_url=sim_url) as http:
        first = http.get("/v1/models", params={"limit": 1}).json()
        second = http.get("/v1/models", params={"limit": 1, "after_id": first["last_id"]}).json()
        back = http.get("/v1/models", params={"before_id": "sim-1-fast"}).json()
        bad = http.get("/v1/models", params={"limit": 0})
    assert first["data"][0]["id"] == "sim-1" and first["first_id"] == first["last_id"] == "sim-1"
    assert first["has_more"] is True
    assert [m["id"] for m in second["data"]] == ["sim-1-fast"] and second["has_more"] is False
    assert [m["id"] for m in back["data"]] == ["sim-1"]
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_request_error"


def test_it_404s_an_unknown_model_like_the_api(client):
    with pytest.raises(anthropic.NotFoundError) as caught:
        client.models.retrieve("claude-does-not-exist")
    assert caught.value.body["error"] == {"type": "not_found_error", "message": "model: claude-does-not-exist"}
