"""`manage.py import_exchanges FILE [--team NAME]`: read back an export."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from playground.recording import transfer
from playground.teams.models import Team


class Command(BaseCommand):
    help = "Import exchanges from JSON Lines written by export_exchanges ('-' for stdin)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--team", help="import into this team instead of the recorded ones")

    def handle(self, *args, **options) -> None:
        team = None
        if options["team"]:
            team = Team.objects.filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"no team named {options['team']!r}")
        try:
            if options["file"] == "-":
                stats = transfer.import_lines(sys.stdin, team=team)
            else:
                with open(options["file"], encoding="utf-8") as handle:
                    stats = transfer.import_lines(handle, team=team)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"import failed, nothing imported: {exc}") from None
        self.stdout.write(
            f"imported {stats.exchanges} exchanges, {stats.blobs} blobs; "
            f"skipped {stats.skipped} already present"
        )
