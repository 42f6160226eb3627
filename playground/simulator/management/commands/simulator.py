"""`manage.py simulator`: the offline Messages-compatible model on its own port.

    python manage.py simulator --host 127.0.0.1 --port 8100

Serves `/v1/messages` (JSON and SSE), `/v1/messages/count_tokens`, `/v1/models` and
`/v1/models/{id}` with uvicorn, prints the base URL to give an SDK, and stops cleanly on
Ctrl-C (uvicorn's signal handling: in-flight streams are closed, the port is released).
"""

from __future__ import annotations

import socket

import uvicorn
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run the offline Messages API simulator (no network, no API key needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8100, help="port to listen on (default 8100; 0 picks a free one)")
        parser.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")

    def handle(self, *args, host: str, port: int, log_level: str, **options) -> None:
        from playground.simulator.asgi import app

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        # Listening before the URL is printed: a client that reads it can connect at once.
        sock.listen(512)
        port = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}"
        self.stdout.write(f"Simulator listening on {url}")
        self.stdout.write(f"  ANTHROPIC_BASE_URL={url} (any API key works; models: sim-1, sim-1-fast)")
        self.stdout.flush()
        config = uvicorn.Config(app, log_level=log_level, lifespan="on", timeout_graceful_shutdown=2)
        try:
            uvicorn.Server(config).run(sockets=[sock])
        except KeyboardInterrupt:
            # uvicorn shuts down gracefully, then re-raises the signal it caught.
            pass
        finally:
            sock.close()
        self.stdout.write("Simulator stopped.")
