"""`manage.py export_exchanges [--since ...] [--source ...] [--team ...] [--output FILE]`."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from playground.recording import retention, transfer
from playground.teams.models import Team


def _since(text: str) -> datetime:
    # "7d" (an age) or an ISO date/time.
    try:
        return datetime.now(UTC) - retention.parse_duration(text)
    except ValueError:
        pass
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--since: not a date or an age: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Write recorded exchanges as JSON Lines (schema: docs/recording.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="an ISO date/time, or an age such as 7d")
        parser.add_argument("--source", choices=["playground", "proxy", "replay"])
        parser.add_argument("--team", help="team name")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument("--no-media", action="store_true", help="leave out blob lines")

    def handle(self, *args, **options) -> None:
        team = None
        if options["team"]:
            team = Team.objects.filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"no team named {options['team']!r}")
        since = _since(options["since"]) if options["since"] else None
        rows = transfer.export_queryset(since=since, source=options["source"], team=team)
        lines = transfer.export_lines(rows, media=not options["no_media"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                count = _write(lines, out)
        else:
            count = _write(lines, self.stdout._out)
        self.stderr.write(f"exported {count} exchanges")


def _write(lines, out) -> int:
    count = 0
    for line in lines:
        out.write(line)
        count += line.startswith('{"kind": "exchange"')
    return count
