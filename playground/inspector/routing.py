"""WebSocket routes of the inspector: the live exchange list."""

from __future__ import annotations

from django.urls import path

from playground.inspector.consumers import ExchangeListConsumer

websocket_urlpatterns = [
    path("ws/exchanges/", ExchangeListConsumer.as_asgi()),
]
