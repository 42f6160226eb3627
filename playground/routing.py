"""WebSocket routes, one list per capability."""

from playground.composer.routing import websocket_urlpatterns as composer_ws
from playground.inspector.routing import websocket_urlpatterns as inspector_ws

websocket_urlpatterns = [*composer_ws, *inspector_ws]
