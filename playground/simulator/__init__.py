"""The offline Messages-compatible model (docs/simulator.md): engine, ASGI app, httpx transport."""
