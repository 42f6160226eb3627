"""`python manage.py createproxykey NAME [--team TEAM] [--provider PROVIDER]`.

Prints the new key as the last line of output (so scripts can take `| tail -n1`); the
key is shown this once and only its hash is stored.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from playground.proxy.keys import ProxyKeyError, create_key
from playground.proxy.routes import provider_names
from playground.teams.ops import DEFAULT_TEAM, ensure_team


class Command(BaseCommand):
    help = "Create a proxy key for /v1/* and print it once (last line of output)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="a name for the key, shown on every recorded call")
        parser.add_argument("--team", default=DEFAULT_TEAM, help="owner team (created if missing)")
        parser.add_argument("--provider", default="", help="pin every call to this provider")

    def handle(self, *args, name: str, team: str, provider: str, **options) -> None:
        owner = ensure_team(team)
        if provider:
            _check_provider(provider, owner)
        try:
            key, raw = create_key(owner, name, provider=provider)
        except ProxyKeyError as exc:
            raise CommandError(str(exc)) from None
        pinned = f", pinned to provider {key.provider}" if key.provider else ""
        self.stdout.write(f"Created proxy key {key.name!r} for team {owner.name}{pinned}.")
        self.stdout.write("It is shown only now; store it safely:")
        self.stdout.write(raw)


def _check_provider(name: str, team) -> None:
    known = provider_names(team)
    if known is not None and name not in known:
        raise CommandError(f"Unknown provider {name!r}; known: {', '.join(sorted(known)) or 'none'}.")
