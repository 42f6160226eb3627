"""`manage.py export_requests --team NAME [--tag T] [--model M] [--tool T] [--author U]
[--search TEXT] [--id PUBLIC_ID ...] [--latest-only] [--output FILE]`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from playground.library import files
from playground.library.models import SavedRequest
from playground.library.search import Filters, position_of, search_library
from playground.teams.models import Team

BATCH = 500


def team_named(name: str | None) -> Team:
    """The named team; with no name, the only team there is."""
    if name:
        team = Team.objects.filter(name=name).first()
        if team is None:
            raise CommandError(f"no team named {name!r}")
        return team
    teams = list(Team.objects.order_by("name")[:2])
    if len(teams) != 1:
        raise CommandError("say which team with --team NAME")
    return teams[0]


class Command(BaseCommand):
    help = "Write a team's saved requests as a requests file (schema: docs/library.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--team", help="team name (needed when there is more than one)")
        parser.add_argument("--id", action="append", default=[], help="a saved request's public id (repeatable)")
        parser.add_argument("--tag")
        parser.add_argument("--model")
        parser.add_argument("--tool")
        parser.add_argument("--author", help="user name of the creator")
        parser.add_argument("--search", default="", help="text, as the library page's search box")
        parser.add_argument("--latest-only", action="store_true", help="only each request's latest version")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, **options) -> None:
        team = team_named(options["team"])
        if options["id"]:
            found = {
                s.public_id: s
                for s in SavedRequest.objects.for_team(team).filter(public_id__in=options["id"])
            }
            missing = [i for i in options["id"] if i not in found]
            if missing:
                raise CommandError(f"no saved request {', '.join(missing)} in team {team.name!r}")
            rows = [found[i] for i in options["id"]]
        else:
            rows = self._matching(team, options)
        text = files.export_text(rows, latest_only=options["latest_only"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
        self.stderr.write(f"exported {len(rows)} saved requests")

    def _matching(self, team, options) -> list:
        filters = Filters(
            q=options["search"].strip(), tag=options["tag"] or "", model=options["model"] or "",
            tool=options["tool"] or "", author=options["author"] or "", sort="name",
        )
        rows: list = []
        while True:
            page = search_library(team, filters, limit=BATCH)
            rows += page.rows
            if not page.has_next:
                return rows
            filters.after = position_of(filters.sort, page.rows[-1])
