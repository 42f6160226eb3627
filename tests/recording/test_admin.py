"""Staff edit prices in the admin and see when recording lost data."""

from __future__ import annotations

from decimal import Decimal

from playground.recording import prices, writer
from playground.recording.models import Price


def _staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", password="pw-root-123")
    client.force_login(user)
    return user


def test_it_edits_a_price_and_applies_it_at_once(client, django_user_model):
    _staff(client, django_user_model)
    price = Price.objects.get(model_pattern="claude-haiku-4-5")
    assert prices.price_for("claude-haiku-4-5-20251001")["input"] == Decimal("1")
    response = client.post(
        f"/admin/recording/price/{price.pk}/change/",
        {"model_pattern": "claude-haiku-4-5", "label": "Haiku", "input": "2", "output": "5",
         "cache_write_5m": "1.25", "cache_write_1h": "2", "cache_read": "0.1",
         "web_search_per_1k": "10"},
    )
    assert response.status_code == 302
    assert prices.price_for("claude-haiku-4-5-20251001")["input"] == Decimal("2")


def test_it_warns_staff_when_recording_lost_data(client, django_user_model, monkeypatch):
    _staff(client, django_user_model)
    monkeypatch.setitem(writer._stats, "dropped_events", 0)
    monkeypatch.setitem(writer._stats, "failed_ops", 0)
    assert "Recording lost data" not in client.get("/admin/recording/exchange/").content.decode()
    monkeypatch.setitem(writer._stats, "dropped_events", 3)
    monkeypatch.setitem(writer._stats, "last_error", "OperationalError: disk I/O error")
    page = client.get("/admin/recording/exchange/").content.decode()
    assert "Recording lost data" in page and "disk I/O error" in page
