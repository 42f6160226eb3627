"""The project itself as an app, so its system checks (checks.py) are registered at start-up."""

from __future__ import annotations

from django.apps import AppConfig


class PlaygroundConfig(AppConfig):
    name = "playground"
    verbose_name = "Messages Playground"

    def ready(self) -> None:
        from playground import checks  # noqa: F401  (registers the checks; apps must be ready)
