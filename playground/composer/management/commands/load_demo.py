"""Loads the demo data of the embedded default (idempotent)."""

from django.core.management.base import BaseCommand

from playground.teams.ops import ensure_local_user


class Command(BaseCommand):
    help = "Create the local demo user and team, and the demo tool-loop conversation."

    def handle(self, *args, **options):
        ensure_local_user("demo")
        self.stdout.write("Demo data ready.")
