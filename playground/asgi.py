"""ASGI entry point: HTTP and WebSocket on one server.

`/v1/*` (the Anthropic-compatible proxy) is dispatched to a lean ASGI app before Django's
middleware stack, so relayed streams pay no per-request page machinery; everything else
is Django.
"""

import gc
import os
import sys

# The recorder writes from a thread of this process (recording/writer.py). With CPython's
# default 5 ms switch interval the event loop waits that long for the GIL at each wake-up
# while a batch is written, and relayed streams stall (the paced lane of
# bench/bench_proxy.py: no gap over 200 ms in a relayed stream).
sys.setswitchinterval(0.0005)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_http = get_asgi_application()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from playground.checks import environment_check  # noqa: E402

# uvicorn runs no system checks: an unsafe production configuration must not serve at all.
_refused = environment_check()
if _refused:
    raise ImproperlyConfigured("; ".join(f"{e.id}: {e.msg}" for e in _refused))

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

# The proxy's hot path and the recorder, loaded now rather than by the first call.
import playground.proxy.dispatch  # noqa: E402, F401
import playground.recording.capture  # noqa: E402, F401
from playground import upstream  # noqa: E402
from playground.health import health_app  # noqa: E402
from playground.logs import access_log  # noqa: E402
from playground.proxy.asgi import proxy_app  # noqa: E402
from playground.recording import writer  # noqa: E402
from playground.routing import websocket_urlpatterns  # noqa: E402
from playground.ws_origin import SameOriginValidator  # noqa: E402


async def http_router(scope, receive, send):
    # Also `//v1/...`, so a mangled API path gets the API's JSON error, not an HTML page.
    if scope["path"].lstrip("/").split("/", 1)[0] == "v1":
        await proxy_app(scope, receive, send)
    elif scope["path"] == "/healthz":
        # Before Django: a load balancer's probe needs no session, Host name or HTTPS redirect.
        await health_app(scope, receive, send)
    else:
        await django_http(scope, receive, send)


async def lifespan(scope, receive, send):
    # Servers that speak the lifespan protocol (uvicorn) sweep what a killed worker left
    # unfinished at start, and let the pooled upstream clients close their connections at
    # shutdown.
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            # A worker that was killed left its streams `streaming`: marked interrupted now.
            writer.sweep_soon()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await upstream.aclose()
            await send({"type": "lifespan.shutdown.complete"})
            return


application = ProtocolTypeRouter(
    {
        # Every request: an id on every log line, and one access line (logs.py).
        "http": access_log(http_router),
        "lifespan": lifespan,
        # Every socket: the full origin (scheme, host, port) must be the app's own (ws_origin.py).
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# What is loaded by now lives as long as the process: frozen, the collector's full passes
# skip it. Scanning it all, a full pass stopped the event loop long enough to stall relayed
# streams (the paced lane of bench/bench_proxy.py: no gap over 200 ms in a relayed stream).
gc.freeze()
