from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "playground.simulator"
