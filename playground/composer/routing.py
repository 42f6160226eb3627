"""WebSocket routes of the composer: the run socket and the team live view of an exchange."""

from __future__ import annotations

from django.urls import path

from playground.composer.consumers import RunConsumer
from playground.composer.live import LiveExchangeConsumer

websocket_urlpatterns = [
    path("ws/runs/", RunConsumer.as_asgi()),
    path("ws/exchanges/<str:public_id>/live/", LiveExchangeConsumer.as_asgi()),
]
