"""`/healthz` for load balancers: database, channel layer and recorder, 200 or 503."""

from __future__ import annotations

import httpx
import pytest
from django.db import connections

from playground.recording import writer


def test_a_healthy_server_answers_200_whatever_the_host(app_url, settings):
    settings.ALLOWED_HOSTS = ["playground.example"]
    response = httpx.get(app_url + "/healthz", headers={"host": "10.0.0.7:8000"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok", "recorder": "ok"}}
    assert response.headers["cache-control"] == "no-store"
    assert httpx.head(app_url + "/healthz").status_code == 200


def test_a_full_recorder_queue_makes_it_503(app_url, monkeypatch):
    monkeypatch.setattr(writer, "saturated", lambda: True)
    response = httpx.get(app_url + "/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["recorder"] == "failing"
    assert response.json()["checks"]["database"] == "ok"


def test_an_unreachable_channel_layer_makes_it_503(app_url, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}}
    response = httpx.get(app_url + "/healthz", timeout=30)
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"] == "failing"


@pytest.mark.skipif(connections["default"].vendor != "sqlite", reason="breaks the SQLite path only")
def test_an_unreachable_database_makes_it_503(app_url, tmp_path):
    connection = connections["default"]
    name = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    try:
        response = httpx.get(app_url + "/healthz", timeout=30)
    finally:
        connection.settings_dict["NAME"] = name
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"
